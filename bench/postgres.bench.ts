/**
 * PostgreSQL benchmark: 10,000 tables × 20 columns plus 1,000
 * views, synced through the engine in this process. Every time is printed as a ratio to the floor
 * F = the bulk pg_catalog query (relations, columns with types, defaults and comments) read into
 * Node with `pg`, measured on the same database in the same run.
 *
 *   node --import tsx bench/postgres.bench.ts [--tables 10000] [--columns 20] [--views 1000] [--runs 5]
 *   npm run bench:postgres -- --tables 1000
 *
 * The database `cac_bench_<tables>_<columns>_<views>` is created once and reused; drop it with
 * `psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE cac_bench_10000_20_1000'`.
 *
 * Targets: first sync ≤ 4× F, no-change resync ≤ 1.5× F. A MISS is reported, not fatal (exit 0).
 * Exit 1 only when a check fails: wrong container count, a resync that changed something, a failed sync.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { datastoreSnapshotDir } from '../server/src/core/snapshots/fileNames';
import { BenchAssertion, assertBench, countSnapshotFiles, engineSync, snapshotStamps, type EngineRun } from './lib/engine';
import { median, round1, round2, seriesOf } from './lib/stats';
import { count, formatTable, ms, ratio } from './lib/table';
import { Trash } from './lib/trash';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const TARGET_FIRST = 4;
const TARGET_RESYNC = 1.5;

const { values: args } = parseArgs({
  options: {
    tables: { type: 'string', default: '10000' },
    columns: { type: 'string', default: '20' },
    views: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '5' },
    host: { type: 'string', default: process.env.PGHOST ?? '127.0.0.1' },
    port: { type: 'string', default: process.env.PGPORT ?? '5432' },
    user: { type: 'string', default: process.env.PGUSER ?? 'postgres' },
  },
});
const tables = Number(args.tables);
const columns = Number(args.columns);
const views = Number(args.views);
const runs = Number(args.runs);
const server = { host: args.host!, port: Number(args.port), user: args.user! };
const database = `cac_bench_${tables}_${columns}_${views}`;

/** The floor: what any tool must do to learn this schema, in one bulk catalog query into Node. */
const FLOOR_SQL = `SELECT n.nspname, c.relname, c.relkind, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
    a.attnotnull, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expr, d.description
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  LEFT JOIN pg_catalog.pg_description d ON d.objoid = a.attrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = a.attnum
  WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`;

async function main(): Promise<void> {
  console.log(`PostgreSQL benchmark: ${count(tables)} tables × ${columns} columns + ${count(views)} views, ${runs} runs (median), ${server.host}:${server.port}`);
  await prepareDatabase();
  const work = path.join(BENCH_DIR, '.work', `pg-${tables}-${columns}-${views}`);
  const catalog = writeCatalog(work);
  const snapshotsDir = datastoreSnapshotDir(path.join(catalog, 'snapshots'), 'bench');
  const trash = new Trash(path.join(BENCH_DIR, '.work', 'trash'));

  const floorSamples: number[] = [];
  let floorRows = 0;
  const floorOnce = async (): Promise<void> => {
    const client = new pg.Client({ ...server, database });
    const start = performance.now();
    await client.connect();
    const result = await client.query(FLOOR_SQL);
    floorRows = result.rowCount ?? 0;
    await client.end();
    floorSamples.push(performance.now() - start);
  };
  await floorOnce();
  floorSamples.length = 0;

  const firstRuns: EngineRun[] = [];
  const resyncRuns: EngineRun[] = [];
  const fullResyncRuns: EngineRun[] = [];
  const resyncRecord = path.join(catalog, '.cac', 'cache', 'bench.resync.json');
  const expected = tables + views;
  // Warm-up first sync (not counted), then alternate so all three see the same server state.
  trash.discard(path.join(catalog, 'snapshots'));
  trash.discard(path.join(catalog, '.cac'));
  checkFirst(await engineSync(catalog, 'bench'), snapshotsDir, expected);
  for (let run = 0; run < runs; run++) {
    await floorOnce();
    trash.discard(path.join(catalog, 'snapshots'));
    trash.discard(path.join(catalog, '.cac'));
    firstRuns.push(checkFirst(await engineSync(catalog, 'bench'), snapshotsDir, expected));
    const before = snapshotStamps(snapshotsDir);
    const resync = checkResync(await engineSync(catalog, 'bench'), snapshotsDir, before);
    assertBench(resync.outcome.replayed === true, 'the no-change resync did not use the signature shortcut');
    resyncRuns.push(resync);
    // The fallback a changed catalog elsewhere forces: describe everything, render, compare bytes.
    fs.rmSync(resyncRecord, { force: true });
    const full = checkResync(await engineSync(catalog, 'bench'), snapshotsDir, before);
    assertBench(full.outcome.replayed === false, 'the full resync replayed a record');
    fullResyncRuns.push(full);
  }
  const floor = median(floorSamples);
  const first = median(firstRuns.map((r) => r.ms));
  const resync = median(resyncRuns.map((r) => r.ms));
  const fullResync = median(fullResyncRuns.map((r) => r.ms));
  const verdict = (value: number, target: number): string => (value / floor <= target ? 'PASS' : 'MISS');
  console.log(`\nfloor F: ${count(floorRows)} column rows in one pg_catalog query = ${ms(floor)} ms (median)\n`);
  console.log(formatTable(['figure', 'median ms', 'ratio to F', 'target', 'verdict'], [
    ['floor F (bulk catalog query into Node)', ms(floor), ratio(1), '', ''],
    ['first sync (engine, in process)', ms(first), ratio(first / floor), `≤ ${TARGET_FIRST}×`, verdict(first, TARGET_FIRST)],
    ['no-change resync (engine, in process)', ms(resync), ratio(resync / floor), `≤ ${TARGET_RESYNC}×`, verdict(resync, TARGET_RESYNC)],
    ['  same, without the signature shortcut', ms(fullResync), ratio(fullResync / floor), '(D4 ii ≤ 1.75×)', fullResync / floor <= 1.75 ? 'PASS' : 'MISS'],
  ]));
  const results = {
    date: new Date().toISOString(), tables, columns, views, runs, floorRows,
    floor: seriesOf(floorSamples), first: seriesOf(firstRuns.map((r) => r.ms)), resync: seriesOf(resyncRuns.map((r) => r.ms)),
    fullResync: seriesOf(fullResyncRuns.map((r) => r.ms)),
    ratios: { first: round2(first / floor), resync: round2(resync / floor), fullResync: round2(fullResync / floor) },
    loadMs: round1(median(resyncRuns.map((r) => r.loadMs))),
  };
  fs.writeFileSync(path.join(BENCH_DIR, '.work', 'postgres-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  trash.empty();
}

function checkFirst(run: EngineRun, snapshotsDir: string, expected: number): EngineRun {
  assertBench(run.outcome.result === 'success', `first sync ended ${run.outcome.result}: ${run.outcome.message} ${JSON.stringify(run.outcome.logs.slice(0, 3))}`);
  const files = countSnapshotFiles(snapshotsDir);
  assertBench(files === expected, `first sync wrote ${files} snapshots, expected ${expected}`);
  return run;
}

function checkResync(run: EngineRun, snapshotsDir: string, before: Map<string, string>): EngineRun {
  assertBench(run.outcome.result === 'success', `resync ended ${run.outcome.result}: ${run.outcome.message}`);
  assertBench(!run.outcome.changed, 'the no-change resync reported changes');
  const after = snapshotStamps(snapshotsDir);
  assertBench([...before].every(([name, stamp]) => after.get(name) === stamp) && before.size === after.size, 'the no-change resync rewrote snapshot files');
  return run;
}

/** Creates the database once; a marker table records that generation completed. */
async function prepareDatabase(): Promise<void> {
  const admin = new pg.Client({ ...server, database: 'postgres' });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1;
  if (exists) {
    const client = new pg.Client({ ...server, database });
    await client.connect();
    const done = (await client.query(`SELECT to_regclass('public.cac_bench_done') IS NOT NULL AS done`)).rows[0] as { done: boolean };
    await client.end();
    if (done.done) {
      await admin.end();
      return;
    }
    await admin.query(`DROP DATABASE ${database}`);
  }
  console.log(`creating database ${database} (once)…`);
  const start = performance.now();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const client = new pg.Client({ ...server, database });
  await client.connect();
  // Ten schemas, realistic column types, a primary key, a timestamp and a comment now and then.
  const schemas = 10;
  for (let s = 0; s < schemas; s++) await client.query(`CREATE SCHEMA s${s}`);
  const types = ['bigint', 'integer', 'text', 'character varying(160)', 'numeric(10,2)', 'timestamp with time zone', 'boolean', 'date', 'jsonb', 'uuid'];
  const batch: string[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await client.query(`BEGIN; ${batch.join('\n')} COMMIT;`);
    batch.length = 0;
  };
  for (let t = 0; t < tables; t++) {
    const cols = ['id bigint PRIMARY KEY', 'updated_at timestamptz NOT NULL'];
    for (let c = 2; c < columns; c++) cols.push(`c${c} ${types[(t + c) % types.length]}${c % 3 === 0 ? ' NOT NULL' : ''}`);
    batch.push(`CREATE TABLE s${t % schemas}.t${t} (${cols.join(', ')});`);
    if (t % 10 === 0) batch.push(`COMMENT ON COLUMN s${t % schemas}.t${t}.updated_at IS 'last change of row ${t}';`);
    if (batch.length >= 500) await flush();
  }
  for (let v = 0; v < views; v++) {
    const t = v * Math.max(1, Math.floor(tables / Math.max(views, 1)));
    batch.push(`CREATE VIEW s${t % schemas}.v${v} AS SELECT id, updated_at, c2, c3 FROM s${t % schemas}.t${t % tables};`);
    if (batch.length >= 500) await flush();
  }
  await flush();
  await client.query('VACUUM ANALYZE');
  await client.query('CREATE TABLE public.cac_bench_done (at timestamptz DEFAULT now())');
  await client.end();
  console.log(`created in ${(performance.now() - start) / 1000 | 0} s`);
}

function writeCatalog(work: string): string {
  const catalog = path.join(work, 'catalog');
  fs.mkdirSync(path.join(catalog, 'datastores'), { recursive: true });
  fs.writeFileSync(path.join(catalog, 'catalog.yaml'), 'kind: Project\nsnapshots: snapshots\nstate: .cac\n');
  // `public` holds only the marker table: the schemas filter keeps it out.
  const schemaList = Array.from({ length: 10 }, (_, s) => `s${s}`).join(', ');
  fs.writeFileSync(path.join(catalog, 'datastores', 'bench.yaml'),
    `kind: Datastore\nname: bench\ntype: postgresql\nconnection:\n  host: ${server.host}\n  port: ${server.port}\n  database: ${database}\n  user: ${server.user}\nschemas: [${schemaList}]\n`);
  return catalog;
}

main().catch((error: unknown) => {
  console.error(error instanceof BenchAssertion ? `CHECK FAILED: ${error.message}` : error);
  process.exit(1);
});
