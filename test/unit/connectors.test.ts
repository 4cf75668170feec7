import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ResolvedDatastore, SqlConnector } from '../../server/src/core/connectors/connector';
import { openConnector } from '../../server/src/core/connectors/registry';
import { sqlite } from '../helpers/syncFixtures';

/**
 * The connector contract every SQL connector shares: one loop over the connectors, the same
 * cases for each (the database issue adds PostgreSQL and MariaDB to this list).
 */
interface ConnectorCase {
  type: 'sqlite' | 'duckdb';
  create(file: string): Promise<void>;
  names: { table: string; view: string };
}

const CASES: ConnectorCase[] = [
  {
    type: 'sqlite',
    create: async (file) => sqlite(file, `CREATE TABLE orders (id INTEGER PRIMARY KEY, placed_at DATETIME NOT NULL, note TEXT DEFAULT 'none', total NUMERIC(10,2));
      CREATE VIEW recent AS SELECT id, placed_at FROM orders;`),
    names: { table: 'orders', view: 'recent' },
  },
  {
    type: 'duckdb',
    create: async (file) => {
      const instance = await DuckDBInstance.create(file);
      const connection = await instance.connect();
      await connection.run(`CREATE TABLE orders (id BIGINT PRIMARY KEY, placed_at TIMESTAMP NOT NULL, note VARCHAR DEFAULT 'none', total DECIMAL(10,2));
        CREATE VIEW recent AS SELECT id, placed_at FROM orders;`);
      connection.closeSync();
      instance.closeSync();
    },
    names: { table: 'main.orders', view: 'main.recent' },
  },
];

const signal = new AbortController().signal;

for (const testCase of CASES) {
  describe(`${testCase.type} connector`, () => {
    let dir: string;
    let file: string;
    let connector: SqlConnector;
    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `cac-${testCase.type}-`));
      file = path.join(dir, `source.${testCase.type}`);
      await testCase.create(file);
      connector = (await openConnector(datastoreFor(testCase.type, file))) as SqlConnector;
    });
    afterEach(async () => {
      await connector.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('lists tables and views with fields in source order, types, nullability and keys', async () => {
      const result = await connector.discover({ include: ['table', 'view'] }, { signal });
      assert.equal(result.complete, true);
      const byName = new Map(result.containers.map((c) => [c.name, c]));
      const orders = byName.get(testCase.names.table)!;
      assert.equal(orders.kind, 'table');
      assert.deepEqual(orders.fields.map((f) => f.name), ['id', 'placed_at', 'note', 'total']);
      assert.equal(orders.fields[0]!.primary_key, 1);
      assert.equal(orders.fields[1]!.nullable, false);
      assert.equal(orders.fields[2]!.nullable, true);
      assert.equal(orders.fields[2]!.default, "'none'");
      assert.match(orders.fields[3]!.type, /^(NUMERIC|DECIMAL)\(10,2\)$/);
      assert.equal(byName.get(testCase.names.view)?.kind, 'view');
    });

    it('lists only the kinds a sync includes', async () => {
      const tables = await connector.discover({ include: ['table'] }, { signal });
      assert.deepEqual(tables.containers.map((c) => c.kind), ['table']);
      const views = await connector.discover({ include: ['view'] }, { signal });
      assert.deepEqual(views.containers.map((c) => c.kind), ['view']);
    });

    it('refuses writes through its session and leaves the file untouched', async () => {
      const before = digest(file);
      await assert.rejects(connector.query('CREATE TABLE intruder (x INTEGER)'));
      await assert.rejects(connector.query('INSERT INTO orders (id, placed_at) VALUES (99, CURRENT_TIMESTAMP)'));
      await assert.rejects(connector.query('DROP TABLE orders'));
      assert.deepEqual(await connector.query('SELECT count(*) AS n FROM orders'), [{ n: testCase.type === 'duckdb' ? '0' : 0 }]);
      await connector.close();
      assert.equal(digest(file), before);
      connector = (await openConnector(datastoreFor(testCase.type, file))) as SqlConnector;
    });

    it('fails with a clear message when the database file does not exist', async () => {
      await assert.rejects(openConnector(datastoreFor(testCase.type, path.join(dir, 'missing.db'))), /does not exist\. Check connection\.path/);
    });
  });
}

function datastoreFor(type: 'sqlite' | 'duckdb', file: string): ResolvedDatastore {
  return { name: 'source', type, connection: { path: file }, extensions: [], globbing: true, sample_files: 10 };
}

function digest(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
