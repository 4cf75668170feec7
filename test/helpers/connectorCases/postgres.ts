import { createHash } from 'node:crypto';
import { qualifiedName } from '../../../server/src/core/naming';
import { adminClient, postgresTarget, type PostgresTarget } from '../postgresServer';
import type { ConnectorCase, TestSource } from './types';

let label = 'postgresql';
let embedded = false;
let sequence = 0;

/** PostgreSQL: a database of its own per source on a real server; on PGlite, the one database reset. */
export const postgresCase: ConnectorCase = {
  type: 'postgresql',
  label: () => label,
  unavailable: async () => {
    const t = await postgresTarget();
    if ('unavailable' in t) return t.unavailable;
    embedded = t.embedded;
    label = t.embedded ? 'postgresql (embedded PGlite)' : `postgresql (${t.host}:${t.port})`;
    return undefined;
  },
  createSource: async () => createSource((await postgresTarget()) as PostgresTarget),
  cannot: (behaviour) => {
    if (!embedded) return undefined;
    return behaviour === 'cancel'
      ? 'PGlite runs one backend and ignores cancel requests; the real server proves this'
      : 'PGlite serves one database whatever the name asked for; the real server proves this';
  },
  name: (table, schema = 'public') => qualifiedName(schema, table),
  count: (n) => String(n),
  sql: {
    orders: `CREATE TABLE orders (id integer PRIMARY KEY, placed_at timestamp NOT NULL, note text DEFAULT 'none', total numeric(10,2));
      CREATE VIEW recent AS SELECT id, placed_at FROM orders;`,
    noteDefault: /^'none'::text$/,
    hostileNames: {
      sql: `CREATE SCHEMA "s.x"; CREATE TABLE "s.x"."a.b" (x integer); CREATE TABLE "with space" (x integer);
        CREATE TABLE "say ""hi""" (x integer); CREATE TABLE "ıi" (x integer); CREATE SCHEMA "Ünï cödé"; CREATE TABLE "Ünï cödé"."Tablo ı" (x integer);`,
      expected: [qualifiedName('s.x', 'a.b'), qualifiedName('public', 'with space'), qualifiedName('public', 'say "hi"'), qualifiedName('public', 'ıi'), qualifiedName('Ünï cödé', 'Tablo ı')],
    },
    typeSpelling: {
      sql: `CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
        CREATE TABLE typed (a character varying(160), b numeric(10,2), c timestamp with time zone, d integer[], e mood, f email, g tsvector, h jsonb, i uuid, j text[][])`,
      container: 'public.typed',
      types: {
        a: 'character varying(160)', b: 'numeric(10,2)', c: 'timestamp with time zone', d: 'integer[]',
        e: 'mood', f: 'email', g: 'tsvector', h: 'jsonb', i: 'uuid', j: 'text[]',
      },
    },
    generated: {
      sql: `CREATE TABLE lines (qty integer, price numeric, amount numeric GENERATED ALWAYS AS (qty * price) STORED)`,
      container: 'public.lines',
      field: 'amount',
    },
    partitioned: {
      sql: `CREATE TABLE events (id bigint NOT NULL, occurred_at timestamptz NOT NULL, payload jsonb) PARTITION BY RANGE (occurred_at);
        CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
          PARTITION BY LIST (id);
        CREATE TABLE events_2025_a PARTITION OF events_2025 FOR VALUES IN (1, 2);`,
      container: 'public.events',
      key: ['occurred_at'],
      partitions: ['public.events_2024', 'public.events_2025', 'public.events_2025_a'],
    },
    slowQuery: 'SELECT pg_sleep(60)',
    isSlowQueryRunning: async (source) => {
      const client = await adminClient((await postgresTarget()) as PostgresTarget);
      try {
        const result = await client.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' AND state = 'active' AND datname = $1`, [source.datastore.settings.database]);
        return (result.rows[0] as { n: number }).n > 0;
      } finally {
        await client.end();
      }
    },
  },
};

async function createSource(t: PostgresTarget): Promise<TestSource> {
  let database = 'postgres';
  if (t.embedded) {
    await resetEmbedded(t);
  } else {
    database = `cac_test_${process.pid}_${++sequence}`;
    const admin = await adminClient(t);
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${database}`);
      await admin.query(`CREATE DATABASE ${database}`);
    } finally {
      await admin.end();
    }
  }
  const run = async (sql: string): Promise<void> => {
    const client = await adminClient(t, database);
    try {
      // PGlite shares one backend between connections: undo a connector's read-only session first.
      await client.query('SET default_transaction_read_only = off');
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    datastore: {
      name: 'source', type: 'postgresql',
      settings: { host: t.host, port: t.port, user: t.user, database, connect_timeout_seconds: 10 },
    },
    run,
    fingerprint: async () => {
      const client = await adminClient(t, database);
      try {
        // Every user relation with its columns and row count: any DDL or DML changes it.
        const relations = await client.query(`SELECT n.nspname, c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod) AS type
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
          WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1, 2, a.attnum`);
        const tables = await client.query(`SELECT schemaname, relname, n_tup_ins + n_tup_upd + n_tup_del AS writes FROM pg_stat_user_tables ORDER BY 1, 2`);
        return createHash('sha256').update(JSON.stringify([relations.rows, tables.rows])).digest('hex');
      } finally {
        await client.end();
      }
    },
    dispose: async () => {
      if (t.embedded) return;
      const admin = await adminClient(t);
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** PGlite has one database: drop every user schema and type, then recreate `public`. */
async function resetEmbedded(t: PostgresTarget): Promise<void> {
  const client = await adminClient(t);
  try {
    await client.query('SET default_transaction_read_only = off');
    const schemas = await client.query(`SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`);
    for (const row of schemas.rows as { nspname: string }[]) await client.query(`DROP SCHEMA "${row.nspname.replace(/"/g, '""')}" CASCADE`);
    await client.query('CREATE SCHEMA public');
  } finally {
    await client.end();
  }
}
