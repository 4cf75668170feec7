/**
 * PostgreSQL benchmark: 10,000 tables × 20 columns plus 1,000
 * views, synced through the engine in this process. Every time is printed as a ratio to the floor
 * F = the bulk pg_catalog query (relations, columns with types, defaults and comments) read into
 * Node with `pg`, measured on the same database in the same run.
 *
 * Then the same syncs through the built CLI (`node bin/cac.js sync`, a child process per run) for
 * wall time and the child's peak RSS, and, unless --no-growth, the CLI syncs and F again on a
 * database 5× larger (--growth-tables, views scaled alike), printing growth exponents.
 *
 *   node --import tsx bench/postgres.bench.ts [--tables 10000] [--columns 20] [--views 1000] [--runs 5]
 *                                             [--growth-tables 50000] [--no-growth]
 *   npm run bench:postgres -- --tables 1000 --views 100 --growth-tables 5000
 *
 * The database `cac_bench_<tables>_<columns>_<views>` is created once and reused; drop it with
 * `psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE cac_bench_10000_20_1000'`. The CLI rows need a
 * current `npm run build`.
 *
 * Targets (issue 19): first sync ≤ 2× F, no-change resync ≤ 0.3× F, peak RSS of a CLI first sync ≤ 150 MB,
 * growth exponents of time and peak RSS ≤ 1.1. A MISS is reported, not fatal (exit 0).
 * Exit 1 only when a check fails: wrong container count, a resync that changed something, a failed sync.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { datastoreSnapshotDir } from '../server/src/core/snapshots/fileNames';
import { BenchAssertion, assertBench, countSnapshotFiles, engineSync, snapshotStamps, type EngineRun } from './lib/engine';
import { GROWTH_NOTE, cliBuildProblem, cliGrowthFigures, measureCliStart, measureCliSyncs, peakRssRange, type CliFigure, type CliSyncRuns, type CliSyncSubject } from './lib/cliRuns';
import type { MeasuredProcess } from './lib/peakRss';
import { growthExponent, median, round1, round2, seriesOf, type Series } from './lib/stats';
import { compactCount, count, formatGrowthTable, formatTable, ms, ratio } from './lib/table';
import { Trash } from './lib/trash';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const TARGET_FIRST = 2;
const TARGET_RESYNC = 0.3;
/** Issue 19: peak RSS of a first sync of the full size through the CLI, whole process. */
const TARGET_PEAK_RSS_MB = 150;

const { values: args } = parseArgs({
  options: {
    tables: { type: 'string', default: '10000' },
    columns: { type: 'string', default: '20' },
    views: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '5' },
    'growth-tables': { type: 'string', default: '50000' },
    'no-growth': { type: 'boolean', default: false },
    host: { type: 'string', default: process.env.PGHOST ?? '127.0.0.1' },
    port: { type: 'string', default: process.env.PGPORT ?? '5432' },
    user: { type: 'string', default: process.env.PGUSER ?? 'postgres' },
  },
});
const tables = Number(args.tables);
const columns = Number(args.columns);
const views = Number(args.views);
const runs = Number(args.runs);
const growthTables = args['no-growth'] ? undefined : Number(args['growth-tables']);
const server = { host: args.host!, port: Number(args.port), user: args.user! };

/** One database size: its generated database and the catalog that syncs it. */
interface BenchSize {
  tables: number;
  views: number;
  /** Snapshot files a first sync writes: one per table and view. */
  containers: number;
  database: string;
  catalog: string;
  snapshotsDir: string;
}

function benchSize(sizeTables: number, sizeViews: number): BenchSize {
  const database = `cac_bench_${sizeTables}_${columns}_${sizeViews}`;
  const catalog = writeCatalog(path.join(BENCH_DIR, '.work', `pg-${sizeTables}-${columns}-${sizeViews}`), database);
  return {
    tables: sizeTables, views: sizeViews, containers: sizeTables + sizeViews, database, catalog,
    snapshotsDir: datastoreSnapshotDir(path.join(catalog, 'snapshots'), 'bench'),
  };
}

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

/** F once: connect, the bulk query, disconnect. */
async function floorOnce(size: BenchSize): Promise<{ ms: number; rows: number }> {
  const client = new pg.Client({ ...server, database: size.database });
  const start = performance.now();
  await client.connect();
  const result = await client.query(FLOOR_SQL);
  await client.end();
  return { ms: performance.now() - start, rows: result.rowCount ?? 0 };
}

/** A transaction that takes an xid and changes nothing: the database's snapshot moves, its catalog does not. */
async function anotherTransaction(size: BenchSize): Promise<void> {
  const client = new pg.Client({ ...server, database: size.database });
  await client.connect();
  await client.query('SELECT pg_current_xact_id()');
  await client.end();
}

async function main(): Promise<void> {
  console.log(`PostgreSQL benchmark: ${count(tables)} tables × ${columns} columns + ${count(views)} views, ${runs} runs (median), ${server.host}:${server.port}, load ${loadAverage()}`);
  const size = benchSize(tables, views);
  await prepareDatabase(size);
  // The larger database first: creating it takes minutes and loads the server, so before any timing.
  const large = growthTables === undefined ? undefined : benchSize(growthTables, Math.round((growthTables * views) / tables));
  if (large) await prepareDatabase(large);
  const { catalog, snapshotsDir } = size;
  const trash = new Trash(path.join(BENCH_DIR, '.work', 'trash'));

  const floorSamples: number[] = [];
  let floorRows = (await floorOnce(size)).rows;

  const firstRuns: EngineRun[] = [];
  const resyncRuns: EngineRun[] = [];
  const fullResyncRuns: EngineRun[] = [];
  const movedResyncRuns: EngineRun[] = [];
  const resyncRecord = path.join(catalog, '.cac', 'cache', 'bench.resync.json');
  const expected = size.containers;
  // Warm-up first sync (not counted), then alternate so all three see the same server state.
  trash.discard(path.join(catalog, 'snapshots'));
  trash.discard(path.join(catalog, '.cac'));
  checkFirst(await engineSync(catalog, 'bench'), snapshotsDir, expected);
  for (let run = 0; run < runs; run++) {
    const floorRun = await floorOnce(size);
    floorSamples.push(floorRun.ms);
    floorRows = floorRun.rows;
    trash.discard(path.join(catalog, 'snapshots'));
    trash.discard(path.join(catalog, '.cac'));
    firstRuns.push(checkFirst(await engineSync(catalog, 'bench'), snapshotsDir, expected));
    const before = snapshotStamps(snapshotsDir);
    const resync = checkResync(await engineSync(catalog, 'bench'), snapshotsDir, before);
    assertBench(resync.outcome.replayed === true, 'the no-change resync did not use the signature shortcut');
    resyncRuns.push(resync);
    // After another transaction the snapshot moved: the resync compares the catalog content.
    await anotherTransaction(size);
    const moved = checkResync(await engineSync(catalog, 'bench'), snapshotsDir, before);
    assertBench(moved.outcome.replayed === true, 'the resync after another transaction did not use the signature shortcut');
    movedResyncRuns.push(moved);
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
  const movedResync = median(movedResyncRuns.map((r) => r.ms));

  // The CLI in child processes: wall time with Node's start, and each child's own peak RSS.
  const build = cliBuildProblem();
  if (build.missing) throw new BenchAssertion(`${build.note}.`);
  if (build.note) console.log(`note: ${build.note}.`);
  console.log('Measuring the CLI (node bin/cac.js sync, a child process per run) …');
  const version = measureCliStart(runs);
  const cli = await measureCliSyncs(cliSubject(size, trash), runs);
  const cliFloor = cli.floor;

  const verdict = (value: number, target: number): string => (value / floor <= target ? 'PASS' : 'MISS');
  console.log(`\nfloor F: ${count(floorRows)} column rows in one pg_catalog query = ${ms(floor)} ms (median)\n`);
  console.log(formatTable(['figure', 'median ms', 'ratio to F', 'target', 'verdict'], [
    ['floor F (bulk catalog query into Node)', ms(floor), ratio(1), '', ''],
    ['first sync (engine, in process)', ms(first), ratio(first / floor), `≤ ${TARGET_FIRST}×`, verdict(first, TARGET_FIRST)],
    ['no-change resync (engine, in process)', ms(resync), ratio(resync / floor), `≤ ${TARGET_RESYNC}×`, verdict(resync, TARGET_RESYNC)],
    ['  same, after another transaction (catalog content compared)', ms(movedResync), ratio(movedResync / floor), '', ''],
    ['  same, without the signature shortcut', ms(fullResync), ratio(fullResync / floor), '(D4 ii ≤ 1.75×)', fullResync / floor <= 1.75 ? 'PASS' : 'MISS'],
    ['first sync through the CLI (`cac sync`, Node start included)', ms(cli.first.ms), ratio(cli.first.ms / cliFloor), '', ''],
    ['no-change resync through the CLI', ms(cli.resync.ms), ratio(cli.resync.ms / cliFloor), '', ''],
    ['  of which `cac --help` (Node start + bundle load)', ms(version.ms), ratio(version.ms / cliFloor), '', ''],
  ]));
  console.log('(the CLI rows are each a child process; their ratios are to F measured between them)\n');
  const rssPass = cli.first.peakRssMb <= TARGET_PEAK_RSS_MB;
  console.log(formatTable(['memory (child process, whole node process)', 'median peak RSS', 'range', 'target', 'verdict'], [
    ['peak RSS, first sync through the CLI (`cac sync`, whole node process)', mb(cli.first.peakRssMb), peakRssRange(cli.firstRuns), `≤ ${TARGET_PEAK_RSS_MB} MB`, rssPass ? 'PASS' : 'MISS'],
    ['peak RSS, no-change resync through the CLI', mb(cli.resync.peakRssMb), peakRssRange(cli.resyncRuns), '', ''],
    ['peak RSS, `cac --help` (Node + bundle, no work)', mb(version.peakRssMb), '', '', ''],
  ]));

  let growth: GrowthResults | undefined;
  if (large) {
    console.log(`\nMeasuring growth: the same CLI syncs and F on ${count(large.tables)} tables + ${count(large.views)} views …`);
    growth = reportGrowth(size, large, cli, await measureCliSyncs(cliSubject(large, trash), runs), version);
  }
  console.log(`\nload average at the end: ${loadAverage()}`);

  const series = (list: readonly MeasuredProcess[], key: 'ms' | 'peakRssMb'): Series => seriesOf(list.map((r) => r[key]));
  const results = {
    date: new Date().toISOString(), tables, columns, views, runs, floorRows, load: os.loadavg(),
    floor: seriesOf(floorSamples), first: seriesOf(firstRuns.map((r) => r.ms)), resync: seriesOf(resyncRuns.map((r) => r.ms)),
    fullResync: seriesOf(fullResyncRuns.map((r) => r.ms)),
    movedResync: seriesOf(movedResyncRuns.map((r) => r.ms)),
    ratios: { first: round2(first / floor), resync: round2(resync / floor), fullResync: round2(fullResync / floor) },
    loadMs: round1(median(resyncRuns.map((r) => r.loadMs))),
    cli: {
      floor: seriesOf(cli.floorMs), first: series(cli.firstRuns, 'ms'), resync: series(cli.resyncRuns, 'ms'),
      firstPeakRssMb: series(cli.firstRuns, 'peakRssMb'), resyncPeakRssMb: series(cli.resyncRuns, 'peakRssMb'),
      version: { ms: round1(version.ms), peakRssMb: round1(version.peakRssMb) },
      peakRssTarget: { targetMb: TARGET_PEAK_RSS_MB, pass: rssPass },
    },
    growth: growth ?? null,
  };
  fs.writeFileSync(path.join(BENCH_DIR, '.work', 'postgres-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  trash.empty();
}

/** A size's catalog as `cac sync` meets it; F is the bulk query on its database. */
function cliSubject(size: BenchSize, trash: Trash): CliSyncSubject {
  return {
    catalog: size.catalog, snapshotDir: size.snapshotsDir, containers: size.containers,
    clean: () => {
      trash.discard(path.join(size.catalog, 'snapshots'));
      trash.discard(path.join(size.catalog, '.cac'));
    },
    floor: async () => (await floorOnce(size)).ms,
  };
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

interface GrowthResults {
  containers: [number, number];
  exponents: Record<string, number>;
}

/** Growth between the two sizes, by containers written (tables + views), from the CLI runs at each. */
function reportGrowth(small: BenchSize, large: BenchSize, at1: CliSyncRuns, at2: CliSyncRuns, version: CliFigure): GrowthResults {
  const figures = cliGrowthFigures(at1, at2, version, 'floor F (the database\'s own growth)');
  console.log(`\n== Growth: ${count(small.containers)} → ${count(large.containers)} containers (tables + views), CLI child processes, medians of ${runs} ==`);
  console.log(formatGrowthTable({ small: small.containers, large: large.containers, smallLabel: compactCount(small.tables), largeLabel: compactCount(large.tables), noun: 'tables' }, figures));
  console.log(`(${GROWTH_NOTE})`);
  return {
    containers: [small.containers, large.containers],
    exponents: Object.fromEntries(figures.map((f) => [f.key, round2(growthExponent(small.containers, f.small, large.containers, f.large))])),
  };
}

/** Creates the database once; a marker table records that generation completed. */
async function prepareDatabase(size: BenchSize): Promise<void> {
  const { database, tables: sizeTables, views: sizeViews } = size;
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
  for (let t = 0; t < sizeTables; t++) {
    const cols = ['id bigint PRIMARY KEY', 'updated_at timestamptz NOT NULL'];
    for (let c = 2; c < columns; c++) cols.push(`c${c} ${types[(t + c) % types.length]}${c % 3 === 0 ? ' NOT NULL' : ''}`);
    batch.push(`CREATE TABLE s${t % schemas}.t${t} (${cols.join(', ')});`);
    if (t % 10 === 0) batch.push(`COMMENT ON COLUMN s${t % schemas}.t${t}.updated_at IS 'last change of row ${t}';`);
    if (batch.length >= 500) await flush();
  }
  for (let v = 0; v < sizeViews; v++) {
    const t = v * Math.max(1, Math.floor(sizeTables / Math.max(sizeViews, 1)));
    batch.push(`CREATE VIEW s${t % schemas}.v${v} AS SELECT id, updated_at, c2, c3 FROM s${t % schemas}.t${t % sizeTables};`);
    if (batch.length >= 500) await flush();
  }
  await flush();
  await client.query('VACUUM ANALYZE');
  await client.query('CREATE TABLE public.cac_bench_done (at timestamptz DEFAULT now())');
  await client.end();
  console.log(`created in ${(performance.now() - start) / 1000 | 0} s`);
}

function writeCatalog(work: string, database: string): string {
  const catalog = path.join(work, 'catalog');
  fs.mkdirSync(path.join(catalog, 'datastores'), { recursive: true });
  fs.writeFileSync(path.join(catalog, 'catalog.yaml'), 'kind: Project\nsnapshots: snapshots\nstate: .cac\n');
  // `public` holds only the marker table: the schemas filter keeps it out.
  const schemaList = Array.from({ length: 10 }, (_, s) => `s${s}`).join(', ');
  fs.writeFileSync(path.join(catalog, 'datastores', 'bench.yaml'),
    `kind: Datastore\nname: bench\ntype: postgresql\nconnection:\n  host: ${server.host}\n  port: ${server.port}\n  database: ${database}\n  user: ${server.user}\nschemas: [${schemaList}]\n`);
  return catalog;
}

function mb(value: number): string {
  return `${value.toFixed(1)} MB`;
}

function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

main().catch((error: unknown) => {
  console.error(error instanceof BenchAssertion ? `CHECK FAILED: ${error.message}` : error);
  process.exit(1);
});
