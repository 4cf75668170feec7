import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { qualifiedName } from '../../../server/src/core/naming';
import { sqlite } from '../syncFixtures';
import type { ConnectorCase, TestSource } from './types';

/** SQLite and DuckDB: embedded files, always available. */
export const sqliteCase: ConnectorCase = {
  type: 'sqlite',
  label: () => 'sqlite',
  unavailable: async () => undefined,
  createSource: async () => fileSource('sqlite', async (file, sql) => sqlite(file, sql)),
  name: (table) => table,
  count: (n) => n,
  sql: {
    orders: `CREATE TABLE orders (id INTEGER PRIMARY KEY, placed_at DATETIME NOT NULL, note TEXT DEFAULT 'none', total NUMERIC(10,2));
      CREATE VIEW recent AS SELECT id, placed_at FROM orders;`,
    noteDefault: /^'none'$/,
    hostileNames: {
      sql: `CREATE TABLE "a.b" (x INTEGER); CREATE TABLE "with space" (x INTEGER); CREATE TABLE "say ""hi""" (x INTEGER); CREATE TABLE "ıi" (x INTEGER);`,
      expected: ['a.b', 'with space', 'say "hi"', 'ıi'],
    },
    typeSpelling: {
      sql: `CREATE TABLE typed (a VARCHAR(160), b NUMERIC(10,2), c DATETIME, d BLOB)`,
      container: 'typed',
      types: { a: 'VARCHAR(160)', b: 'NUMERIC(10,2)', c: 'DATETIME', d: 'BLOB' },
    },
    generated: {
      sql: `CREATE TABLE lines (qty INTEGER, price REAL, amount REAL GENERATED ALWAYS AS (qty * price) STORED)`,
      container: 'lines',
      field: 'amount',
    },
  },
};

export const duckdbCase: ConnectorCase = {
  type: 'duckdb',
  label: () => 'duckdb',
  unavailable: async () => undefined,
  createSource: async () => fileSource('duckdb', runDuckDb),
  name: (table, schema = 'main') => qualifiedName(schema, table),
  count: (n) => String(n),
  sql: {
    orders: `CREATE TABLE orders (id BIGINT PRIMARY KEY, placed_at TIMESTAMP NOT NULL, note VARCHAR DEFAULT 'none', total DECIMAL(10,2));
      CREATE VIEW recent AS SELECT id, placed_at FROM orders;`,
    noteDefault: /^'none'$/,
    hostileNames: {
      sql: `CREATE SCHEMA "s.x"; CREATE TABLE "s.x"."a.b" (x INTEGER); CREATE TABLE "with space" (x INTEGER); CREATE TABLE "say ""hi""" (x INTEGER); CREATE TABLE "ıi" (x INTEGER);`,
      expected: [qualifiedName('s.x', 'a.b'), qualifiedName('main', 'with space'), qualifiedName('main', 'say "hi"'), qualifiedName('main', 'ıi')],
    },
    typeSpelling: {
      sql: `CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE typed (a VARCHAR, b DECIMAL(10,2), c TIMESTAMP WITH TIME ZONE, d INTEGER[], e mood)`,
      container: 'main.typed',
      types: { a: 'VARCHAR', b: 'DECIMAL(10,2)', c: 'TIMESTAMP WITH TIME ZONE', d: 'INTEGER[]', e: 'ENUM(\'sad\', \'ok\')' },
    },
    generated: {
      sql: `CREATE TABLE lines (qty INTEGER, price DOUBLE, amount DOUBLE GENERATED ALWAYS AS (qty * price) VIRTUAL)`,
      container: 'main.lines',
      field: 'amount',
    },
  },
};

async function fileSource(type: 'sqlite' | 'duckdb', run: (file: string, sql: string) => Promise<void>): Promise<TestSource> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cac-${type}-`));
  const file = path.join(dir, `source.${type}`);
  await run(file, 'SELECT 1');
  return {
    datastore: { name: 'source', type, settings: { path: file } },
    run: (sql) => run(file, sql),
    fingerprint: async () => createHash('sha256').update(fs.readFileSync(file)).digest('hex'),
    dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

async function runDuckDb(file: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
