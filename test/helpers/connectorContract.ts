import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Connector, SqlConnector } from '../../server/src/core/connectors/contract';
import { openConnector } from '../../server/src/core/connectors/registry';
import { decideIdentifiers } from '../../server/src/core/identifiers/identifiers';
import type { ConnectorCase, TestSource } from './connectorCases/types';
import { makeCatalog, removeCatalog, snapshotNames, sync } from './syncFixtures';
import { skipWithoutServer } from './skipWithoutServer';
import { waitFor } from './waitFor';

const signal = new AbortController().signal;

/**
 * The connector contract: the same cases for every SQL datastore type, as kysely tests its
 * dialects (test/unit/connectors.test.ts runs it for each shipped type). Server-backed cases skip
 * with a reason when their server is absent, except under CI=true, where a missing server fails.
 */
export function describeConnectorContract(testCase: ConnectorCase): void {
  describe(`connector contract: ${testCase.type}`, function () {
    this.timeout(30_000);
    let source: TestSource;
    let connector: SqlConnector;

    before(async function () {
      const reason = await testCase.unavailable();
      if (reason === undefined) return;
      skipWithoutServer(this, reason);
    });

    const open = async (sql: string): Promise<void> => {
      source = await testCase.createSource();
      await source.run(sql);
      connector = (await openConnector(source.datastore)) as SqlConnector;
    };
    afterEach(async () => {
      await connector?.close();
      await source?.dispose();
      connector = undefined as unknown as SqlConnector;
      source = undefined as unknown as TestSource;
    });

    it(`lists tables and views with fields in source order, types, nullability and keys (${testCase.label()})`, async () => {
      await open(testCase.sql.orders);
      const result = await connector.discover({ include: ['table', 'view'] }, { signal });
      assert.equal(result.complete, true);
      const byName = new Map(result.containers.map((c) => [c.name, c]));
      const orders = byName.get(testCase.name('orders'))!;
      assert.equal(orders.kind, 'table');
      assert.deepEqual(orders.fields.map((f) => f.name), ['id', 'placed_at', 'note', 'total']);
      assert.equal(orders.fields[0]!.primary_key, 1);
      assert.equal(orders.fields[1]!.nullable, false);
      assert.equal(orders.fields[2]!.nullable, true);
      assert.match(orders.fields[2]!.default ?? '', testCase.sql.noteDefault);
      assert.match(orders.fields[3]!.type, /^(NUMERIC|DECIMAL|numeric|decimal)\(10,2\)$/);
      assert.equal(byName.get(testCase.name('recent'))?.kind, 'view');
      assert.deepEqual(byName.get(testCase.name('recent'))?.fields.map((f) => f.name), ['id', 'placed_at']);
    });

    it('lists only the kinds a sync includes', async () => {
      await open(testCase.sql.orders);
      const tables = await connector.discover({ include: ['table'] }, { signal });
      assert.deepEqual(tables.containers.map((c) => c.kind), ['table']);
      const views = await connector.discover({ include: ['view'] }, { signal });
      assert.deepEqual(views.containers.map((c) => c.kind), ['view']);
    });

    it('refuses writes through its session and leaves the source untouched', async () => {
      await open(`${testCase.sql.orders}\nINSERT INTO orders (id, placed_at) VALUES (1, CURRENT_TIMESTAMP);`);
      await connector.close();
      const before = await source.fingerprint();
      connector = (await openConnector(source.datastore)) as SqlConnector;
      await assert.rejects(connector.query('CREATE TABLE intruder (x INTEGER)'));
      await assert.rejects(connector.query('INSERT INTO orders (id, placed_at) VALUES (99, CURRENT_TIMESTAMP)'));
      await assert.rejects(connector.query('UPDATE orders SET note = NULL'));
      await assert.rejects(connector.query('DROP TABLE orders'));
      const rows = (await connector.query('SELECT count(*) AS n FROM orders')) as { n: unknown }[];
      assert.deepEqual(rows, [{ n: testCase.count(1) }]);
      await connector.close();
      assert.equal(await source.fingerprint(), before);
      connector = (await openConnector(source.datastore)) as SqlConnector;
    });

    it('checks the connection with one harmless read, in one sentence, leaving the source untouched', async () => {
      await open(testCase.sql.orders);
      const before = await source.fingerprint();
      const said = await connector.check(signal);
      assert.match(said, /read-only/);
      assert.ok(!said.includes('\n'), said);
      assert.equal(await source.fingerprint(), before);
    });

    it('reports names with dots, spaces, quotes and non-ASCII letters exactly, and they round-trip through a sync', async () => {
      await open(testCase.sql.hostileNames.sql);
      const result = await connector.discover({ include: ['table', 'view'] }, { signal });
      assert.deepEqual(result.containers.map((c) => c.name).sort(), [...testCase.sql.hostileNames.expected].sort());
      await connector.close();
      connector = undefined as unknown as SqlConnector;
      const root = makeCatalog({ 'datastores/source.yaml': datastoreYaml(source) });
      try {
        const first = await sync(root, 'source');
        assert.equal(first.result, 'success', `${first.message} ${JSON.stringify(first.logs)}`);
        assert.deepEqual(snapshotNames(root, 'source').sort(), [...testCase.sql.hostileNames.expected].sort());
        for (const file of fs.readdirSync(path.join(root, 'snapshots', 'source'))) {
          assert.ok(!file.includes('/') && !file.startsWith('.'), file);
        }
        const second = await sync(root, 'source');
        assert.equal(second.result, 'success');
        assert.equal(second.changed, false);
        assert.deepEqual(second.plan?.changes.filter((c) => c.action !== 'unchanged'), []);
      } finally {
        removeCatalog(root);
      }
    });

    it('spells types as the database does', async () => {
      const { sql, container, types } = testCase.sql.typeSpelling;
      await open(sql);
      const result = await connector.discover({ include: ['table'] }, { signal });
      const found = result.containers.find((c) => c.name === container);
      assert.ok(found, `no container ${container} in ${result.containers.map((c) => c.name).join(', ')}`);
      assert.deepEqual(Object.fromEntries(found.fields.map((f) => [f.name, f.type])), types);
    });

    if (testCase.sql.generated) {
      it('marks generated columns', async () => {
        const { sql, container, field } = testCase.sql.generated!;
        await open(sql);
        const result = await connector.discover({ include: ['table'] }, { signal });
        const fields = result.containers.find((c) => c.name === container)!.fields;
        assert.equal(fields.find((f) => f.name === field)?.generated, true);
        assert.deepEqual(fields.filter((f) => f.generated).map((f) => f.name), [field]);
      });
    }

    if (testCase.sql.partitioned) {
      it('lists a partitioned table as one container whose partition identifier is its key', async () => {
        const { sql, container, key, partitions } = testCase.sql.partitioned!;
        await open(sql);
        const result = await connector.discover({ include: ['table', 'view'] }, { signal });
        const names = result.containers.map((c) => c.name);
        for (const partition of partitions) assert.ok(!names.includes(partition), `partition ${partition} listed: ${names.join(', ')}`);
        const parent = result.containers.find((c) => c.name === container);
        assert.ok(parent, `no ${container} in ${names.join(', ')}`);
        assert.deepEqual(parent.partition_key, key);
        const decision = decideIdentifiers(parent, undefined, result.detection);
        assert.equal(decision.partition.strategy, 'partition_key');
        assert.deepEqual(decision.partition.fields, key);
      });
    }

    if (testCase.sql.slowQuery) {
      it('an abort cancels the query running on the server', async function () {
        skipWithoutServer(this, testCase.cannot?.('cancel'));
        await open('SELECT 1');
        const controller = new AbortController();
        const running = connector.query(testCase.sql.slowQuery!, controller.signal);
        await waitFor(() => testCase.sql.isSlowQueryRunning!(source), 'the slow query to run on the server', 10_000);
        controller.abort(new Error('aborted by test'));
        await assert.rejects(running, /aborted by test/);
        await waitFor(async () => !(await testCase.sql.isSlowQueryRunning!(source)), 'the cancelled query to leave the server', 5_000);
      });
    }

    it('fails with a clear message when the source does not exist', async function () {
      skipWithoutServer(this, testCase.cannot?.('missing-database'));
      source = await testCase.createSource();
      const missing = { ...source.datastore, settings: { ...source.datastore.settings } };
      if (missing.settings.path !== undefined) missing.settings.path = path.join(path.dirname(missing.settings.path), 'missing.db');
      else missing.settings.database = 'cac_no_such_database';
      await assert.rejects(openConnector(missing).then(discoverAll), /does not exist|not found|Unknown database/i);
    });
  });
}

/** Skips a test that the source cannot show, saying why; never under CI, where the real servers run. */
async function discoverAll(connector: Connector): Promise<void> {
  try {
    await connector.discover({ include: ['table', 'view'] }, { signal });
  } finally {
    await connector.close();
  }
}

/** The source's connection written as a Datastore definition, as a user would. */
function datastoreYaml(source: TestSource): string {
  const { schemas: named, ...settings } = source.datastore.settings;
  const connection = Object.entries(settings)
    .map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`)
    .join('\n');
  const schemas = named ? `schemas: ${JSON.stringify(named)}\n` : '';
  return `kind: Datastore\nname: source\ntype: ${source.datastore.type}\nconnection:\n${connection}\n${schemas}`;
}
