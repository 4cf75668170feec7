import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DiscoveryProgress } from '../../server/src/core/connectors/contract';
import pg from 'pg';
import { openConnector } from '../../server/src/core/connectors/registry';
import { postgresCase } from '../helpers/connectorCases/postgres';
import type { TestSource } from '../helpers/connectorCases/types';
import { makeCatalog, removeCatalog, sync } from '../helpers/syncFixtures';
import { skipWithoutServer } from '../helpers/skipWithoutServer';
import { countingCalls } from '../helpers/statementCounter';

/** The no-change shortcut on PostgreSQL: the catalog signature, and a resync that proves it while it checks the files. */
describe('postgresql no-change resync', function () {
  this.timeout(60_000);
  let source: TestSource;
  const signal = new AbortController().signal;

  before(async function () {
    skipWithoutServer(this, await postgresCase.unavailable());
  });
  beforeEach(async () => {
    source = await postgresCase.createSource();
  });
  afterEach(async () => {
    await source.dispose();
  });

  const discover = async (unchangedSince?: string, progress: DiscoveryProgress[] = []) => {
    const connector = await openConnector(source.datastore);
    try {
      return await connector.discover({ include: ['table', 'view'], unchangedSince }, { signal, onProgress: (p) => progress.push(p) });
    } finally {
      await connector.close();
    }
  };

  it('changes its signature with every kind of change a description would show, and only then', async () => {
    await source.run(`CREATE TABLE t (a int NOT NULL, b int, c text, PRIMARY KEY (a)); CREATE TABLE gone (x int); CREATE VIEW v AS SELECT a FROM t;`);
    let previous = (await discover()).signature!;
    const progress: DiscoveryProgress[] = [];
    assert.equal((await discover(previous, progress)).unchanged, true);
    // Reported once the comparison query is sent: a resync reads its own state meanwhile.
    assert.deepEqual(progress.map((p) => p.phase), ['comparing signature']);
    const changes = [
      'ALTER TABLE t ADD COLUMN d int', 'ALTER TABLE t DROP COLUMN d', 'ALTER TABLE t RENAME COLUMN c TO e', 'ALTER TABLE t ALTER COLUMN b TYPE bigint',
      'ALTER TABLE t ALTER COLUMN b SET NOT NULL', 'ALTER TABLE t ALTER COLUMN e SET DEFAULT \'x\'', "COMMENT ON COLUMN t.e IS 'note'", "COMMENT ON TABLE t IS 'table'",
      'CREATE VIEW w AS SELECT a FROM t', 'DROP VIEW v', 'DROP TABLE gone', 'ALTER TABLE t RENAME TO u',
    ];
    for (const change of changes) {
      await source.run(change);
      const result = await discover(previous);
      assert.notEqual(result.unchanged, true, `unchanged after: ${change}`);
      assert.ok(result.containers.length > 0, change);
      assert.notEqual(result.signature, previous, change);
      previous = result.signature!;
      assert.equal((await discover(previous)).unchanged, true, `not stable after: ${change}`);
    }
    // Data is not schema.
    await source.run('INSERT INTO u (a, b) VALUES (1, 2)');
    assert.equal((await discover(previous)).unchanged, true);
  });

  it('proves a source without writes unchanged by its transaction snapshot alone, and one with writes by its catalog', async () => {
    await source.run('CREATE TABLE t (a int PRIMARY KEY)');
    const recorded = (await discover()).signature!;
    const statementsOf = (since: string) => countingCalls(pg.Client.prototype, 'query', async (sent) => ({ result: await discover(since), sent: sent() }));
    // Nothing was written since: the snapshot query answers (another session's write, such as an
    // autovacuum ANALYZE, moves the snapshot: then the catalog is read, and the test looks again).
    let quick = await statementsOf(recorded);
    for (let attempt = 0; attempt < 3 && quick.result.signature !== recorded; attempt++) quick = await statementsOf(quick.result.signature!);
    assert.equal(quick.result.unchanged, true);
    // Data written: the snapshot moved, the catalog did not; one more query proves it.
    await source.run('INSERT INTO t VALUES (1)');
    const full = await statementsOf(quick.result.signature!);
    assert.equal(full.result.unchanged, true);
    assert.notEqual(full.result.signature, quick.result.signature);
    assert.equal(full.result.signature!.split('#')[1], quick.result.signature!.split('#')[1], 'same catalog content');
    assert.equal(full.sent, quick.sent + 1);
  });

  it('keeps the newer signature of a replayed resync, so the next one is proved by the snapshot again', async () => {
    await source.run('CREATE TABLE orders (id int PRIMARY KEY)');
    const settings = Object.entries(source.datastore.settings).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n');
    const root = makeCatalog({ 'datastores/db.yaml': `kind: Datastore\nname: db\ntype: postgresql\nconnection:\n${settings}\n` });
    const recordedSignature = (): string => (JSON.parse(fs.readFileSync(path.join(root, '.cac', 'cache', 'db.resync.json'), 'utf8')) as { signature: string }).signature;
    try {
      assert.equal((await sync(root, 'db')).result, 'success');
      const before = recordedSignature();
      await source.run('INSERT INTO orders VALUES (1)');
      const replayed = await sync(root, 'db');
      assert.equal(replayed.replayed, true);
      const after = recordedSignature();
      assert.notEqual(after, before, 'the record keeps the signature the source answered with');
      assert.equal(after.split('#')[1], before.split('#')[1]);
    } finally {
      removeCatalog(root);
    }
  });

  it('replays a resync, and describes the source again when a snapshot was touched though the signature matches', async () => {
    await source.run('CREATE TABLE orders (id int PRIMARY KEY, updated_at timestamptz NOT NULL); CREATE VIEW recent AS SELECT id FROM orders;');
    const settings = Object.entries(source.datastore.settings).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n');
    const root = makeCatalog({ 'datastores/db.yaml': `kind: Datastore\nname: db\ntype: postgresql\nconnection:\n${settings}\n` });
    try {
      assert.equal((await sync(root, 'db')).result, 'success');
      const replayed = await sync(root, 'db');
      assert.equal(replayed.replayed, true);
      assert.equal(replayed.changed, false);
      const file = path.join(root, 'snapshots', 'db', 'public.orders.yaml');
      const original = fs.readFileSync(file, 'utf8');
      // Same text, newer mtime: the record no longer holds, so the sync reads the source and the file.
      const later = new Date(Date.now() + 5_000);
      fs.utimesSync(file, later, later);
      const described = await sync(root, 'db');
      assert.equal(described.replayed, false);
      assert.equal(described.changed, false);
      assert.equal(described.plan!.changes.find((c) => c.name === 'public.orders')?.action, 'unchanged');
      assert.equal(fs.readFileSync(file, 'utf8'), original);
      assert.equal((await sync(root, 'db')).replayed, true, 'the full sync recorded the state again');
    } finally {
      removeCatalog(root);
    }
  });
});
