/**
 * MariaDB/MySQL benchmark: 11,000 tables × 20 columns plus
 * 500 views in one database, synced through the engine in this process. Every time is printed as a
 * ratio to the floor F = the bulk `information_schema.COLUMNS` read of that database into Node
 * with mysql2 (connect included), measured on the same database in the same run.
 *
 *   node --import tsx bench/mariadb.bench.ts [--tables 11000] [--columns 20] [--views 500] [--runs 5] [--prepare-only]
 *   npm run bench:mariadb -- --runs 3
 *
 * The database `cac_bench` is created once and reused while its shape matches the options; drop
 * it with `mariadb -h 127.0.0.1 -u root -e 'DROP DATABASE cac_bench'`.
 *
 * Targets (issue 19): first sync ≤ 2× F, no-change resync ≤ 1× F. A MISS is reported, not fatal (exit 0).
 * Exit 1 only when a check fails: wrong container count, a resync that changed something, a failed
 * sync, or a discovery whose number of statements depends on the number of tables.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Connection as CoreConnection } from 'mysql2';
import mysql from 'mysql2/promise';
import { openMySqlConnector } from '../server/src/core/connectors/mysql/mysqlConnector';
import { hasErrors, loadWorkspace } from '../server/src/core';
import { applySyncPlan } from '../server/src/core/snapshots/applyPlan';
import { planSync } from '../server/src/core/sync/planSync';
import { openConnector } from '../server/src/core/connectors/registry';
import { datastoreSnapshotDir, stagingFolder } from '../server/src/core/snapshots/fileNames';
import { readCatalogState } from '../server/src/core/snapshots/catalogState';
import { resolveDatastore } from '../server/src/core/sync/resolveDatastore';
import { BenchAssertion, assertBench, countSnapshotFiles, engineSync, snapshotStamps, type EngineRun } from './lib/engine';
import { lapTimer, median, round1, round2, seriesOf } from './lib/stats';
import { count, formatTable, ms, ratio } from './lib/table';
import { Trash } from './lib/trash';
import { countingCalls } from '../test/helpers/statementCounter';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_DIR = path.dirname(BENCH_DIR);
const RESULTS_FILE = path.join(BENCH_DIR, '.work', 'mariadb-results.json');
const DATABASE = 'cac_bench';
const TARGET_FIRST = 2;
const TARGET_RESYNC = 1;

class UsageError extends Error {}

interface Options {
  tables: number;
  columns: number;
  views: number;
  runs: number;
  prepareOnly: boolean;
  host: string;
  port: number;
  user: string;
  password?: string;
}

function parseOptions(): Options {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        tables: { type: 'string', default: '11000' },
        columns: { type: 'string', default: '20' },
        views: { type: 'string', default: '500' },
        runs: { type: 'string', default: '5' },
        'prepare-only': { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const int = (name: string, raw: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, not '${raw}'.`);
    return n;
  };
  const tables = int('tables', values.tables, 1);
  const views = int('views', values.views, 0);
  if (views > tables) throw new UsageError('--views cannot exceed --tables (each view reads its own table).');
  return {
    tables, views,
    columns: int('columns', values.columns, 5),
    runs: int('runs', values.runs, 1),
    prepareOnly: values['prepare-only'],
    host: process.env.CAC_TEST_MYSQL_HOST ?? '127.0.0.1',
    port: Number(process.env.CAC_TEST_MYSQL_PORT ?? 3306),
    user: process.env.CAC_TEST_MYSQL_USER ?? 'root',
    password: process.env.CAC_TEST_MYSQL_PASSWORD || undefined,
  };
}

const log = (line = ''): void => {
  process.stdout.write(line + '\n');
};

function connect(o: Options, extra: mysql.ConnectionOptions = {}): Promise<mysql.Connection> {
  return mysql.createConnection({ host: o.host, port: o.port, user: o.user, password: o.password, charset: 'utf8mb4', ...extra });
}

/** The floor: every column of the database with what a snapshot needs, one I_S read into Node. */
const FLOOR_SQL = `SELECT TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, COLUMN_KEY, EXTRA, COLUMN_COMMENT
  FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?`;

async function main(): Promise<void> {
  const o = parseOptions();
  const probe = await connect(o);
  const [versionRows] = await probe.query('SELECT VERSION() AS v');
  const version = (versionRows as { v: string }[])[0]!.v;
  await probe.end();
  log(`MariaDB/MySQL benchmark · ${new Date().toISOString()} · ${version} at ${o.host}:${o.port} · node ${process.version} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`);
  log(`${count(o.tables)} tables × ${o.columns} columns + ${count(o.views)} views in '${DATABASE}', ${o.runs} measured run${o.runs === 1 ? '' : 's'} per figure (median), after one warm-up.`);
  await prepareDatabase(o);
  if (o.prepareOnly) return;

  const expected = o.tables + o.views;
  const work = path.join(BENCH_DIR, '.work', 'mariadb');
  const catalog = writeCatalog(work, o);
  const snapshotsDir = datastoreSnapshotDir(path.join(catalog, 'snapshots'), 'bench');
  const trash = new Trash(path.join(BENCH_DIR, '.work', 'trash'));

  // D1: the number of statements a discovery sends does not depend on the number of tables.
  const statements = await countDiscoveryStatements(o);
  log(`Statements per discovery: ${statements.full} (full), ${statements.unchanged} (unchanged signature).`);

  let floorRows = 0;
  const floorOnce = async (): Promise<number> => {
    const start = performance.now();
    const c = await connect(o);
    const [rows] = await c.query(FLOOR_SQL, [DATABASE]);
    floorRows = (rows as unknown[]).length;
    await c.end();
    return performance.now() - start;
  };
  let signature: string | undefined;
  const discoverOnce = async (unchangedSince?: string): Promise<number> => {
    const start = performance.now();
    const connector = await openMySqlConnector(datastoreOf(o));
    const result = await connector.discover({ include: ['table', 'view'], unchangedSince }, { signal: new AbortController().signal });
    await connector.close();
    const ms = performance.now() - start;
    if (unchangedSince === undefined) {
      assertBench(result.containers.length === expected, `discover listed ${result.containers.length} containers, expected ${expected}`);
      signature = result.signature;
    } else {
      assertBench(result.unchanged === true, 'a discovery of the unchanged database did not match its own signature');
    }
    return ms;
  };
  const clean = (): void => {
    trash.discard(path.join(catalog, 'snapshots'));
    trash.discard(path.join(catalog, '.cac'));
  };

  log('Warming up (floor, discover, first sync, resync) …');
  await floorOnce();
  await discoverOnce();
  if (signature !== undefined) await discoverOnce(signature);
  clean();
  const firstCold = checkFirst(await engineSync(catalog, 'bench'), snapshotsDir, expected, 'first sync (warm-up)');
  checkResync(await engineSync(catalog, 'bench'), snapshotsDir, 'resync (warm-up)');

  // Alternate the figures run by run, so that each sees the same server and page-cache state.
  log('Measuring …');
  const floorSamples: number[] = [];
  const discoverSamples: number[] = [];
  const unchangedSamples: number[] = [];
  const firstRuns: EngineRun[] = [];
  const resyncRuns: EngineRun[] = [];
  const phaseRuns: Phases[] = [];
  for (let run = 0; run < o.runs; run++) {
    floorSamples.push(await floorOnce());
    discoverSamples.push(await discoverOnce());
    if (signature !== undefined) unchangedSamples.push(await discoverOnce(signature));
    clean();
    firstRuns.push(checkFirst(await engineSync(catalog, 'bench'), snapshotsDir, expected, `first sync ${run + 1}`));
    resyncRuns.push(checkResync(await engineSync(catalog, 'bench'), snapshotsDir, `resync ${run + 1}`));
    clean();
    phaseRuns.push(await firstSyncPhases(catalog, expected));
  }
  assertBench(floorRows === o.tables * o.columns + o.views * 5, `the floor read ${floorRows} column rows, expected ${o.tables * o.columns + o.views * 5}`);

  const F = median(floorSamples);
  const discover = median(discoverSamples);
  const unchanged = median(unchangedSamples);
  const first = median(firstRuns.map((r) => r.ms));
  const resync = median(resyncRuns.map((r) => r.ms));
  const verdict = (value: number, target: number): string => (value <= target * F ? 'PASS' : 'MISS');
  const range = (samples: number[]): string => `${ms(Math.min(...samples))}–${ms(Math.max(...samples))}`;
  log(`\nF: ${count(floorRows)} column rows of ${count(expected)} tables and views in one information_schema.COLUMNS read.\n`);
  // Load on a shared machine changes from minute to minute: each figure is also divided by the F
  // of its own run (measured just before it), and the median of those ratios printed beside.
  const paired = (samples: number[]): string => samples.length === floorSamples.length ? ratio(median(samples.map((s, i) => s / floorSamples[i]!))) : '';
  log(formatTable(['figure', 'median ms', 'range', '× F', 'paired × F', 'target', 'verdict'], [
    ['F = information_schema.COLUMNS into Node (connect included)', ms(F), range(floorSamples), ratio(1), '', '', ''],
    ['connector discover (open + all catalog queries + close)', ms(discover), range(discoverSamples), ratio(discover / F), paired(discoverSamples), '', ''],
    ['connector discover, unchanged signature', unchangedSamples.length ? ms(unchanged) : 'no signature', unchangedSamples.length ? range(unchangedSamples) : '', unchangedSamples.length ? ratio(unchanged / F) : '', paired(unchangedSamples), '', ''],
    ['first sync (engine, in process)', ms(first), range(firstRuns.map((r) => r.ms)), ratio(first / F), paired(firstRuns.map((r) => r.ms)), `≤ ${TARGET_FIRST}×`, verdict(first, TARGET_FIRST)],
    ['no-change resync (engine, in process)', ms(resync), range(resyncRuns.map((r) => r.ms)), ratio(resync / F), paired(resyncRuns.map((r) => r.ms)), `≤ ${TARGET_RESYNC}×`, verdict(resync, TARGET_RESYNC)],
  ]));
  const phase = (key: keyof Phases): number => median(phaseRuns.map((p) => p[key]));
  log('\nA first sync step by step (runSync\'s own steps called one by one, median per step):\n');
  log(formatTable(['step', 'median ms', '× F'], (['loadWorkspace', 'catalogState', 'discover', 'planSync', 'applySyncPlan'] as const).map((key) => [key, ms(phase(key)), ratio(phase(key) / F)])));
  log(`\nThe warm-up first sync (cold JIT) took ${ms(firstCold.ms)} ms.`);
  log(`Overall: ${first <= TARGET_FIRST * F && resync <= TARGET_RESYNC * F ? 'every target met' : 'MISS (see above)'}.`);
  const results = {
    date: new Date().toISOString(), version, options: { ...o, password: undefined }, floorRows, statements,
    floor: seriesOf(floorSamples), discover: seriesOf(discoverSamples), discoverUnchanged: unchangedSamples.length ? seriesOf(unchangedSamples) : null,
    first: seriesOf(firstRuns.map((r) => r.ms)), resync: seriesOf(resyncRuns.map((r) => r.ms)),
    ratios: { discover: round2(discover / F), first: round2(first / F), resync: round2(resync / F) },
    pairedRatios: Object.fromEntries(([['discover', discoverSamples], ['discoverUnchanged', unchangedSamples], ['first', firstRuns.map((r) => r.ms)], ['resync', resyncRuns.map((r) => r.ms)]] as const)
      .filter(([, samples]) => samples.length === floorSamples.length).map(([key, samples]) => [key, round2(median(samples.map((s, i) => s / floorSamples[i]!)))])),
    loadMs: round1(median(resyncRuns.map((r) => r.loadMs))),
    firstSyncPhases: Object.fromEntries((['loadWorkspace', 'catalogState', 'discover', 'planSync', 'applySyncPlan'] as const).map((key) => [key, round1(phase(key))])),
  };
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  trash.empty();
  log(`Results written to ${path.relative(REPO_DIR, RESULTS_FILE)}.`);
}

interface Phases {
  loadWorkspace: number;
  catalogState: number;
  discover: number;
  planSync: number;
  applySyncPlan: number;
}

/** One first sync through runSync's steps, each timed: where the time beyond the catalog reads goes. */
async function firstSyncPhases(catalog: string, expected: number): Promise<Phases> {
  const lap = lapTimer();
  const workspace = loadWorkspace(catalog);
  assertBench(!hasErrors(workspace.problems), 'the benchmark catalog has errors');
  const datastore = workspace.datastores.find((d) => d.name === 'bench')!;
  const loadWorkspaceMs = lap();
  const resolved = resolveDatastore(datastore, process.env);
  assertBench('target' in resolved, 'the benchmark datastore does not resolve');
  const state = readCatalogState(workspace.project.snapshotsDir, datastore.name);
  const catalogState = lap();
  const connector = await openConnector(resolved.target);
  const discovery = await connector.discover({ include: datastore.include }, { signal: new AbortController().signal });
  await connector.close();
  const discover = lap();
  const plan = planSync({ datastore, discovery, state, overrides: new Map(), options: { prune: datastore.prune, recreate: datastore.recreate, include: datastore.include } });
  const planMs = lap();
  // Staged as runSync stages it: a first sync writes its new folder whole (atomicFiles.ts writeNewFolder).
  await applySyncPlan(plan, state.dir, { stagingDir: stagingFolder(workspace.project.stateDir, datastore.name) });
  const applyMs = lap();
  assertBench(plan.writes.length >= expected, `the step-by-step first sync planned ${plan.writes.length} writes, expected ${expected}`);
  return { loadWorkspace: loadWorkspaceMs, catalogState, discover, planSync: planMs, applySyncPlan: applyMs };
}

function checkFirst(run: EngineRun, snapshotsDir: string, expected: number, label: string): EngineRun {
  assertBench(run.outcome.result === 'success', `${label} ended ${run.outcome.result}: ${run.outcome.message} ${JSON.stringify(run.outcome.logs.slice(0, 3))}`);
  const files = countSnapshotFiles(snapshotsDir);
  assertBench(files === expected, `${label} wrote ${files} snapshots, expected ${expected}`);
  return run;
}

function checkResync(run: EngineRun, snapshotsDir: string, label: string): EngineRun {
  const before = snapshotStamps(snapshotsDir);
  assertBench(run.outcome.result === 'success', `${label} ended ${run.outcome.result}: ${run.outcome.message}`);
  assertBench(!run.outcome.changed, `${label} reported changes on an unchanged database`);
  const after = snapshotStamps(snapshotsDir);
  assertBench(before.size === after.size && [...before].every(([name, stamp]) => after.get(name) === stamp), `${label} rewrote snapshot files`);
  return run;
}

/**
 * Counts the statements the connector sends during one discovery, on its own connection and on
 * the helper that reads COLUMNS meanwhile (every mysql2 query of this process, counted in the
 * driver), on the full database and with an unchanged signature. The count must not depend on
 * the size: the unit tests compare 3 against 30 tables; here it is checked against the
 * round-trip budget D1 (≤ 10).
 */
async function countDiscoveryStatements(o: Options): Promise<{ full: number; unchanged: number }> {
  const connector = await openMySqlConnector(datastoreOf(o));
  try {
    return await countingCalls(CoreConnection.prototype, 'query', async (sent) => {
      const signal = new AbortController().signal;
      const result = await connector.discover({ include: ['table', 'view'] }, { signal });
      const full = sent();
      await connector.discover({ include: ['table', 'view'], unchangedSince: result.signature }, { signal });
      const unchanged = sent() - full;
      assertBench(full <= 10, `a discovery sent ${full} statements; the budget (D1) is 10 whatever the size`);
      return { full, unchanged };
    });
  } finally {
    await connector.close();
  }
}

function datastoreOf(o: Options): Parameters<typeof openMySqlConnector>[0] {
  return {
    name: 'bench', type: 'mariadb',
    settings: { host: o.host, port: o.port, user: o.user, password: o.password, database: DATABASE, schemas: [DATABASE] },
  };
}

function writeCatalog(work: string, o: Options): string {
  const catalog = path.join(work, 'catalog');
  fs.mkdirSync(path.join(catalog, 'datastores'), { recursive: true });
  fs.writeFileSync(path.join(catalog, 'catalog.yaml'), 'kind: Project\nsnapshots: snapshots\nstate: .cac\n');
  const password = o.password ? '  password: ${env:CAC_TEST_MYSQL_PASSWORD}\n' : '';
  fs.writeFileSync(path.join(catalog, 'datastores', 'bench.yaml'),
    `kind: Datastore\nname: bench\ntype: mariadb\nconnection:\n  host: ${o.host}\n  port: ${o.port}\n  database: ${DATABASE}\n  user: ${o.user}\n${password}schemas: [${DATABASE}]\n`);
  return catalog;
}

/**
 * Creates `cac_bench` once: reused when its tables, views and columns match the options. Tables
 * are created in multi-statement batches over two sessions (about 2 ms per InnoDB table here).
 * Shapes: a bigint auto-increment key and an `updated_at` timestamp, mixed types and nullability,
 * a comment on every tenth table, a two-column key on every hundredth, RANGE (UNIX_TIMESTAMP(updated_at))
 * partitions on every 250th; each view reads five columns of one table.
 */
async function prepareDatabase(o: Options): Promise<void> {
  const admin = await connect(o, { multipleStatements: true });
  try {
    const [existing] = await admin.query('SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [DATABASE]);
    if (Number((existing as { n: number }[])[0]!.n) === 1) {
      const [kinds] = await admin.query(`SELECT TABLE_TYPE AS type, COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? GROUP BY TABLE_TYPE`, [DATABASE]);
      const counts = new Map((kinds as { type: string; n: number }[]).map((k) => [k.type, Number(k.n)]));
      const [columns] = await admin.query(`SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, [DATABASE, tableName(o.tables - 1)]);
      if (counts.get('BASE TABLE') === o.tables && (counts.get('VIEW') ?? 0) === o.views && Number((columns as { n: number }[])[0]!.n) === o.columns) {
        log(`Database: reusing '${DATABASE}'.`);
        return;
      }
      log(`Database: '${DATABASE}' has another shape; recreating it.`);
    }
    const start = performance.now();
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE}; CREATE DATABASE ${DATABASE} CHARACTER SET utf8mb4`);
    const statements: string[] = [];
    for (let t = 0; t < o.tables; t++) statements.push(createTable(t, o.columns));
    const second = await connect(o, { multipleStatements: true, database: DATABASE });
    await admin.query(`USE ${DATABASE}`);
    let done = 0;
    const worker = async (c: mysql.Connection, offset: number): Promise<void> => {
      for (let i = offset * 250; i < statements.length; i += 500) {
        await c.query(statements.slice(i, i + 250).join('\n'));
        done += Math.min(250, statements.length - i);
        if (process.stdout.isTTY) process.stdout.write(`\rcreating tables: ${count(done)} / ${count(o.tables)}`);
      }
    };
    await Promise.all([worker(admin, 0), worker(second, 1)]);
    await second.end();
    if (process.stdout.isTTY) process.stdout.write('\n');
    const views: string[] = [];
    const step = Math.max(1, Math.floor(o.tables / Math.max(o.views, 1)));
    for (let v = 0; v < o.views; v++) views.push(`CREATE VIEW v${String(v).padStart(4, '0')} AS SELECT id, updated_at, c2, c3, c4 FROM ${tableName(v * step)};`);
    for (let i = 0; i < views.length; i += 250) await admin.query(views.slice(i, i + 250).join('\n'));
    log(`Database: created '${DATABASE}' in ${((performance.now() - start) / 1000).toFixed(1)} s.`);
  } finally {
    await admin.end();
  }
}

function tableName(t: number): string {
  return `t${String(t).padStart(5, '0')}`;
}

const TYPES = ['bigint', 'int', 'text', 'varchar(160)', 'decimal(10,2)', 'datetime', 'tinyint(1)', 'date', 'json', 'char(36)'];

function createTable(t: number, columns: number): string {
  const cols = ['id bigint NOT NULL AUTO_INCREMENT', `updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP${t % 10 === 0 ? ` COMMENT 'last change of row ${t}'` : ''}`];
  for (let c = 2; c < columns; c++) {
    const type = TYPES[(t + c) % TYPES.length]!;
    cols.push(`c${c} ${type}${c % 3 === 0 ? ' NOT NULL' : ''}${c === 4 && /char/.test(type) ? " DEFAULT 'x'" : ''}`);
  }
  const partitioned = t % 250 === 125;
  cols.push(t % 100 === 50 || partitioned ? 'PRIMARY KEY (updated_at, id)' : 'PRIMARY KEY (id)');
  if (t % 100 === 50 || partitioned) cols.push('KEY (id)');
  const partitions = partitioned
    ? ` PARTITION BY RANGE (UNIX_TIMESTAMP(updated_at)) (PARTITION p2024 VALUES LESS THAN (UNIX_TIMESTAMP('2025-01-01')), PARTITION p2025 VALUES LESS THAN (UNIX_TIMESTAMP('2026-01-01')), PARTITION pmax VALUES LESS THAN MAXVALUE)`
    : '';
  return `CREATE TABLE ${tableName(t)} (${cols.join(', ')})${t % 10 === 0 ? ` COMMENT 'bench table ${t}'` : ''}${partitions};`;
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) console.error(error.message);
  else console.error(error instanceof BenchAssertion ? `CHECK FAILED: ${error.message}` : error);
  process.exit(1);
});
