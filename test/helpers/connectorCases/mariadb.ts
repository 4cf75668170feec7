import { createHash } from 'node:crypto';
import mysql from 'mysql2/promise';
import { qualifiedName } from '../../../server/src/core/naming';
import type { ConnectorCase, TestSource } from './types';

/**
 * MariaDB/MySQL: the machine's local server (127.0.0.1:3306, root, no password),
 * overridable with CAC_TEST_MYSQL_HOST/PORT/USER/PASSWORD. Each source is a database of its own,
 * dropped by `dispose`, and its datastore names it in `schemas`; everything the fixtures create
 * stays inside it.
 */
export interface MySqlTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
  /** True for MariaDB, false for Oracle MySQL: a few type spellings differ. */
  mariadb: boolean;
  version: string;
}

let target: Promise<MySqlTarget | { unavailable: string }> | undefined;
let sequence = 0;
const allocate = (): string => `cac_test_${process.pid}_${++sequence}`;
/**
 * The database of the source the suite works on, or of the next one while none is open: the
 * fixture's container names include it, and the suite reads some of them before `createSource`.
 */
let current = allocate();
const live = new Set<string>();
let label = 'mariadb';
/** 'mysql' once a source was made on an Oracle MySQL server: a few type spellings differ. */
let cachedFlavour: 'mariadb' | 'mysql' | undefined;

export function mysqlTarget(): Promise<MySqlTarget | { unavailable: string }> {
  target ??= probe();
  return target;
}

async function probe(): Promise<MySqlTarget | { unavailable: string }> {
  const host = process.env.CAC_TEST_MYSQL_HOST ?? '127.0.0.1';
  const port = Number(process.env.CAC_TEST_MYSQL_PORT ?? 3306);
  const user = process.env.CAC_TEST_MYSQL_USER ?? 'root';
  const password = process.env.CAC_TEST_MYSQL_PASSWORD || undefined;
  try {
    const connection = await mysql.createConnection({ host, port, user, password, connectTimeout: 3000 });
    try {
      const [rows] = await connection.query('SELECT VERSION() AS v');
      const version = String((rows as { v: string }[])[0]!.v);
      return { host, port, user, password, version, mariadb: /mariadb/i.test(version) };
    } finally {
      await connection.end();
    }
  } catch (error) {
    return { unavailable: `no MariaDB/MySQL answered at ${host}:${port} as ${user} (${(error as Error).message}); start MariaDB (see the README's tests section) or set CAC_TEST_MYSQL_HOST/PORT/USER/PASSWORD` };
  }
}

/** A writable admin connection (never the connector's), multi-statement so fixtures run in one call. */
export async function mysqlAdmin(t: MySqlTarget, database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: t.host, port: t.port, user: t.user, password: t.password, database,
    multipleStatements: true, charset: 'utf8mb4', connectTimeout: 10_000,
  });
}

/** Backtick-quotes an identifier for the fixtures' own SQL. */
export function quoteId(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

async function requireTarget(): Promise<MySqlTarget> {
  const t = await mysqlTarget();
  if ('unavailable' in t) throw new Error(t.unavailable);
  return t;
}

/** Tables whose names need quoting everywhere; all live in the source's own database. */
const HOSTILE = ['a.b', 'with space', 'say "hi"', "it's", 'back`tick', 'ıi', 'Tablo ı'];

export const mariadbCase: ConnectorCase = {
  type: 'mariadb',
  label: () => label,
  unavailable: async () => {
    const t = await mysqlTarget();
    if ('unavailable' in t) return t.unavailable;
    label = `mariadb (${t.version} at ${t.host}:${t.port})`;
    return undefined;
  },
  createSource: async () => createSource(await requireTarget()),
  name: (table, schema) => qualifiedName(schema ?? current, table),
  // mysql2 returns COUNT(*) (a BIGINT) as a JavaScript number unless bigNumberStrings is set.
  count: (n) => n,
  sql: {
    orders: `CREATE TABLE orders (id integer PRIMARY KEY, placed_at timestamp NOT NULL, note text DEFAULT 'none', total numeric(10,2));
      CREATE VIEW recent AS SELECT id, placed_at FROM orders;`,
    noteDefault: /^'none'$/,
    hostileNames: {
      sql: HOSTILE.map((name) => `CREATE TABLE ${quoteId(name)} (x integer);`).join('\n') + `\nCREATE VIEW ${quoteId('v.ü "q"')} AS SELECT x FROM ${quoteId('a.b')};`,
      get expected() {
        return [...HOSTILE, 'v.ü "q"'].map((name) => qualifiedName(current, name));
      },
    },
    typeSpelling: {
      sql: `CREATE TABLE typed (a varchar(160), b decimal(10,2), c int unsigned, d enum('a','b'), e datetime(3),
        f tinyint(1), g set('x','y'), h bigint, i double, j char(3) CHARACTER SET ascii, k blob, l timestamp(6) NULL)`,
      get container() {
        return qualifiedName(current, 'typed');
      },
      get types() {
        const mariadb = cachedFlavour !== 'mysql';
        return {
          a: 'varchar(160)', b: 'decimal(10,2)', c: mariadb ? 'int(10) unsigned' : 'int unsigned', d: "enum('a','b')", e: 'datetime(3)',
          f: 'tinyint(1)', g: "set('x','y')", h: mariadb ? 'bigint(20)' : 'bigint', i: 'double', j: 'char(3)', k: 'blob', l: 'timestamp(6)',
        };
      },
    },
    generated: {
      sql: `CREATE TABLE \`lines\` (qty integer, price decimal(10,2), amount decimal(20,2) GENERATED ALWAYS AS (qty * price) STORED)`,
      get container() {
        return qualifiedName(current, 'lines');
      },
      field: 'amount',
    },
    partitioned: {
      // MySQL partitions are never separate tables in information_schema.TABLES, so there is nothing to exclude.
      sql: `CREATE TABLE events (id bigint NOT NULL, occurred_at datetime NOT NULL, payload text, PRIMARY KEY (id, occurred_at))
        PARTITION BY RANGE COLUMNS(occurred_at) (PARTITION p2024 VALUES LESS THAN ('2025-01-01'), PARTITION p2025 VALUES LESS THAN ('2026-01-01'))`,
      get container() {
        return qualifiedName(current, 'events');
      },
      key: ['occurred_at'],
      partitions: [],
    },
    slowQuery: 'SELECT SLEEP(60)',
    isSlowQueryRunning: async (source) => {
      const admin = await mysqlAdmin(await requireTarget());
      try {
        const [rows] = await admin.query(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(60)' AND DB = ?`, [source.datastore.settings.database]);
        return Number((rows as { n: number }[])[0]!.n) > 0;
      } finally {
        await admin.end();
      }
    },
  },
};

async function createSource(t: MySqlTarget): Promise<TestSource> {
  cachedFlavour = t.mariadb ? 'mariadb' : 'mysql';
  const database = live.has(current) ? allocate() : current;
  current = database;
  live.add(database);
  const admin = await mysqlAdmin(t);
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database}; CREATE DATABASE ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await admin.end();
  }
  const session = async <T>(work: (c: mysql.Connection) => Promise<T>): Promise<T> => {
    const c = await mysqlAdmin(t, database);
    try {
      return await work(c);
    } finally {
      await c.end();
    }
  };
  return {
    datastore: {
      name: 'source', type: 'mariadb',
      // `schemas` named: by default an administrative user would list every database on the shared server.
      settings: { host: t.host, port: t.port, user: t.user, database, connect_timeout_seconds: 10, ...(t.password ? { password: t.password } : {}), schemas: [database] },
    },
    run: async (sql) => {
      await session((c) => c.query(sql));
    },
    fingerprint: async () => session(async (c) => {
      // Every object with its columns, plus a checksum of every table's rows: any DDL or DML changes it.
      const [tables] = await c.query(`SELECT TABLE_NAME, TABLE_TYPE, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`, [database]);
      const [columns] = await c.query(`SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, COLUMN_KEY, EXTRA
        FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`, [database]);
      const baseTables = (tables as { TABLE_NAME: string; TABLE_TYPE: string }[]).filter((r) => r.TABLE_TYPE !== 'VIEW');
      const [checksums] = baseTables.length === 0 ? [[]] : await c.query(`CHECKSUM TABLE ${baseTables.map((r) => quoteId(r.TABLE_NAME)).join(', ')} EXTENDED`);
      return createHash('sha256').update(JSON.stringify([tables, columns, checksums])).digest('hex');
    }),
    dispose: async () => {
      const c = await mysqlAdmin(t);
      try {
        await c.query(`DROP DATABASE IF EXISTS ${database}`);
      } finally {
        await c.end();
        live.delete(database);
        if (current === database) current = allocate();
      }
    },
  };
}
