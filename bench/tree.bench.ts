/**
 * Tree and preview benchmark: on a SQLite datastore of 11,000 small tables, synced once with the
 * built CLI (11,000 snapshot files + `_index.yaml`), measures in one run
 *   1. expanding the datastore: `catalog/listContainers` (offset 0, limit 200, the extension's
 *      first page; and limit 1,000) over a real LSP connection to the built server, cold (the
 *      first request after `catalog/workspaceLoaded`, one fresh server per sample) and warm,
 *      against the floor F = reading `_index.yaml` with the engine's reader and stat-ing the
 *      11,000 snapshot files it lists, in process, warm. Target (issue): ≤ 2× F.
 *   2. previewing a change of 1,000 containers (a column added to every 11th table):
 *      `catalog/previewPlan` until the answer, plus the first `catalog/planFileText`, against the
 *      floor P = the engine's own dry run in process (`loadWorkspace` + `runSync({ dryRun: true })`,
 *      what `cac sync --dry-run` runs without the Node start-up), warm.
 *
 *   npm run bench:tree                                   (builds dist/ first)
 *   node --import tsx bench/tree.bench.ts [--tables 11000] [--change-every 11] [--runs 5] [--warm 10] [--no-cli]
 *
 * See bench/README.md ("Tree benchmark") for the method and the recorded results.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { hasErrors, loadWorkspace, runSync, type SyncOutcome } from '../server/src/core';
import { containerPage } from '../server/src/core/language/catalogTree';
import type { CatalogView } from '../server/src/core/language/catalogView';
import { readCatalogState } from '../server/src/core/snapshots/catalogState';
import { INDEX_FILE_NAME, listSnapshotFolder } from '../server/src/core/snapshots/fileNames';
import { readSnapshotIndex } from '../server/src/core/snapshots/read';
import { SnapshotCatalog } from '../server/src/core/snapshots/snapshotCatalog';
import type { DatastoreItem, ListContainersResult, PlanFileText, PlanPreviewResult } from '../server/src/protocol/catalogProtocol';
import { LspTestClient, DEFAULT_CAPABILITIES } from '../test/helpers/lspClient';
import { BenchAssertion, assertBench } from './lib/engine';
import { median, round1, seriesOf, timed, timedSync, type Series } from './lib/stats';
import { count, formatTable, ms, ratio } from './lib/table';
import { prepareTreeCatalog, SMALL_DATASTORE, tableName, type TreeCatalog } from './lib/treeCatalog';

const REPO = path.resolve(__dirname, '..');
const WORK = path.join(REPO, 'bench', '.work');
const CLI = path.join(REPO, 'bin', 'cac.js');
const TARGET_CHILDREN = 2;
/** In-process figures are cheap: more samples than `--runs` (after `IN_PROCESS_WARMUP` uncounted ones). */
const IN_PROCESS_SAMPLES = 11;
const IN_PROCESS_WARMUP = 3;

interface Options {
  tables: number;
  changeEvery: number;
  runs: number;
  warm: number;
  cli: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      tables: { type: 'string', default: '11000' },
      'change-every': { type: 'string', default: '11' },
      runs: { type: 'string', default: '5' },
      warm: { type: 'string', default: '10' },
      'no-cli': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const int = (name: string, raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new BenchAssertion(`--${name} must be a positive integer, not '${raw}'.`);
    return n;
  };
  return { tables: int('tables', values.tables), changeEvery: int('change-every', values['change-every']), runs: int('runs', values.runs), warm: int('warm', values.warm), cli: !values['no-cli'] };
}

const log = (line = ''): void => {
  process.stdout.write(line + '\n');
};

/** `samples` timed calls after `warmup` untimed ones. */
function repeatSync(samples: number, warmup: number, work: () => unknown): Series {
  const times: number[] = [];
  for (let i = 0; i < warmup + samples; i++) {
    const { ms: elapsed } = timedSync(work);
    if (i >= warmup) times.push(elapsed);
  }
  return seriesOf(times);
}

// ---------------------------------------------------------------------------------------------
// 1. Expanding the datastore
// ---------------------------------------------------------------------------------------------

interface TreeFloor {
  /** F: read `_index.yaml` + the engine's index reader + statSync of every listed snapshot file. */
  F: Series;
  readIndex: Series;
  parseIndex: Series;
  statFiles: Series;
  readdir: Series;
  catalogState: Series;
  pageCold200: Series;
  pageCold1000: Series;
  pageWarm200: Series;
  pageWarm1000: Series;
  pageWarmLast1000: Series;
}

function measureTreeFloor(tree: TreeCatalog): TreeFloor {
  const indexPath = path.join(tree.snapshotDir, INDEX_FILE_NAME);
  const readIndex = (): string => fs.readFileSync(indexPath, 'utf8');
  const text = readIndex();
  const parsed = readSnapshotIndex(text);
  assertBench(parsed.ok, `${indexPath} is not a valid index`);
  const files = parsed.value.containers.map((entry) => entry.file);
  assertBench(files.length === tree.tables, `the index lists ${files.length} containers, not ${tree.tables}`);
  const statAll = (list: readonly string[]): number => {
    let bytes = 0;
    for (const file of list) bytes += fs.statSync(path.join(tree.snapshotDir, file)).size;
    return bytes;
  };
  const F = repeatSync(IN_PROCESS_SAMPLES, IN_PROCESS_WARMUP, () => {
    const read = readSnapshotIndex(readIndex());
    if (!read.ok) throw new BenchAssertion('the index became invalid');
    return statAll(read.value.containers.map((entry) => entry.file));
  });
  const workspace = loadWorkspace(tree.catalog);
  const snapshotsDir = workspace.project.snapshotsDir;
  const viewOf = (snapshots: SnapshotCatalog): CatalogView => ({ workspace, analysisOf: () => undefined, snapshots });
  const warmView = viewOf(new SnapshotCatalog(snapshotsDir));
  const check = (page: ReturnType<typeof containerPage>, limit: number): void => {
    assertBench(page.total === tree.tables && page.items.length === limit && page.items[0]!.name === tableName(0) && page.items[0]!.fields === 6, `containerPage answered ${page.total} containers, ${page.items.length} items`);
  };
  // Every page, once: the same containers as the source lists, each with its 6 fields.
  for (let offset = 0; offset < tree.tables; offset += 1000) {
    const page = containerPage(warmView, tree.datastore, offset, 1000);
    assertBench(page.items.every((item, i) => item.name === tableName(offset + i) && item.fields === 6), `containerPage at offset ${offset} does not list t${offset}… with 6 fields each`);
  }
  return {
    F,
    readIndex: repeatSync(IN_PROCESS_SAMPLES, IN_PROCESS_WARMUP, readIndex),
    parseIndex: repeatSync(IN_PROCESS_SAMPLES, IN_PROCESS_WARMUP, () => readSnapshotIndex(text)),
    statFiles: repeatSync(IN_PROCESS_SAMPLES, IN_PROCESS_WARMUP, () => statAll(files)),
    readdir: repeatSync(IN_PROCESS_SAMPLES, IN_PROCESS_WARMUP, () => listSnapshotFolder(tree.snapshotDir)),
    catalogState: repeatSync(IN_PROCESS_SAMPLES, IN_PROCESS_WARMUP, () => readCatalogState(snapshotsDir, tree.datastore)),
    // A new SnapshotCatalog per call: what a server that has read nothing of the datastore yet does.
    pageCold200: repeatSync(IN_PROCESS_SAMPLES, IN_PROCESS_WARMUP, () => check(containerPage(viewOf(new SnapshotCatalog(snapshotsDir)), tree.datastore, 0, 200), 200)),
    pageCold1000: repeatSync(IN_PROCESS_SAMPLES, IN_PROCESS_WARMUP, () => check(containerPage(viewOf(new SnapshotCatalog(snapshotsDir)), tree.datastore, 0, 1000), 1000)),
    pageWarm200: repeatSync(IN_PROCESS_SAMPLES, IN_PROCESS_WARMUP, () => check(containerPage(warmView, tree.datastore, 0, 200), 200)),
    pageWarm1000: repeatSync(IN_PROCESS_SAMPLES, IN_PROCESS_WARMUP, () => check(containerPage(warmView, tree.datastore, 0, 1000), 1000)),
    pageWarmLast1000: repeatSync(IN_PROCESS_SAMPLES, IN_PROCESS_WARMUP, () => {
      const page = containerPage(warmView, tree.datastore, tree.tables - 1000, 1000);
      assertBench(page.items.length === 1000 && page.items[0]!.name === tableName(tree.tables - 1000) && page.items[0]!.fields >= 6, 'the last page is wrong');
    }),
  };
}

interface TreeLsp {
  /** Spawn → `catalog/workspaceLoaded`, every server. */
  ready: number[];
  cold200: number[];
  cold1000: number[];
  warm200: number[];
  warm1000: number[];
  /** offset 200, limit 200 right after the first page: the index is held, the page's snapshots are not. */
  nextPage: number[];
  /** offset tables − 200, limit 200 after that (the snapshots are not read yet). */
  lastPage: number[];
  /** The first page after a request on the one-table datastore: the snapshot schemas are compiled, `big` is not read yet. */
  primed200: number[];
  /** The extension's order: `catalog/listDatastores` (the Datastores view), then the first page. */
  listDatastores: number[];
  afterDatastores200: number[];
}

async function listContainers(client: LspTestClient, tree: TreeCatalog, offset: number, limit: number): Promise<number> {
  const { ms: elapsed, value } = await timed(() => client.request<ListContainersResult>('catalog/listContainers', { datastore: tree.datastore, offset, limit }));
  assertBench(value.total === tree.tables && value.items.length === limit && value.items[0]!.name === tableName(offset) && value.items[0]!.fields === 6 && value.items[0]!.snapshotUri !== null,
    `catalog/listContainers (offset ${offset}, limit ${limit}) answered total ${value.total}, ${value.items.length} items, first ${JSON.stringify(value.items[0])}`);
  return elapsed;
}

async function withServer<T>(tree: TreeCatalog, ready: number[], work: (client: LspTestClient) => Promise<T>): Promise<T> {
  const spawned = performance.now();
  const client = new LspTestClient('bin');
  try {
    await client.start(tree.catalog, DEFAULT_CAPABILITIES);
    ready.push(performance.now() - spawned);
    return await work(client);
  } finally {
    await client.stop();
  }
}

async function measureTreeLsp(tree: TreeCatalog, runs: number, warm: number): Promise<TreeLsp> {
  const result: TreeLsp = { ready: [], cold200: [], cold1000: [], warm200: [], warm1000: [], nextPage: [], lastPage: [], primed200: [], listDatastores: [], afterDatastores200: [] };
  // One server first, not counted: the page cache holds the bundle and the snapshot folder afterwards.
  await withServer(tree, [], (client) => listContainers(client, tree, 0, 200));
  for (let run = 0; run < runs; run++) {
    await withServer(tree, result.ready, async (client) => {
      result.cold200.push(await listContainers(client, tree, 0, 200));
      result.nextPage.push(await listContainers(client, tree, 200, 200));
      result.lastPage.push(await listContainers(client, tree, tree.tables - 200, 200));
      const warm200: number[] = [];
      const warm1000: number[] = [];
      for (let i = 0; i < warm; i++) warm200.push(await listContainers(client, tree, 0, 200));
      // The first limit-1000 request reads the 600 snapshots not read yet: one untimed.
      await listContainers(client, tree, 0, 1000);
      for (let i = 0; i < warm; i++) warm1000.push(await listContainers(client, tree, 0, 1000));
      result.warm200.push(median(warm200));
      result.warm1000.push(median(warm1000));
    });
    await withServer(tree, result.ready, async (client) => {
      result.cold1000.push(await listContainers(client, tree, 0, 1000));
    });
    await withServer(tree, result.ready, async (client) => {
      const { ms: elapsed, value } = await timed(() => client.request<{ items: DatastoreItem[] }>('catalog/listDatastores', {}));
      const big = value.items.find((item) => item.name === tree.datastore);
      assertBench(big?.containers === tree.tables, `catalog/listDatastores counted ${big?.containers} containers, not ${tree.tables}`);
      result.listDatastores.push(elapsed);
      result.afterDatastores200.push(await listContainers(client, tree, 0, 200));
    });
    await withServer(tree, result.ready, async (client) => {
      const small = await client.request<ListContainersResult>('catalog/listContainers', { datastore: SMALL_DATASTORE, offset: 0, limit: 200 });
      assertBench(small.total === 1 && small.items[0]!.fields === 6, `catalog/listContainers of '${SMALL_DATASTORE}' answered ${JSON.stringify(small)}`);
      result.primed200.push(await listContainers(client, tree, 0, 200));
    });
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// 2. Previewing a change of 1,000 containers
// ---------------------------------------------------------------------------------------------

interface PreviewFloor {
  /** P: loadWorkspace + runSync({ dryRun: true }) in process, warm. */
  P: Series;
  /** The first in-process dry run (cold JIT, cold connector code). */
  firstMs: number;
  /** The whole source catalog in one statement: every table's columns (better-sqlite3, open included). */
  bulk: Series;
  columns: number;
}

function checkDryRun(outcome: SyncOutcome, tree: TreeCatalog): void {
  assertBench(outcome.result === 'success' || outcome.result === 'warning', `the dry run ended ${outcome.result}: ${outcome.message}`);
  const writes = outcome.plan?.writes.length ?? 0;
  assertBench(writes === tree.changed, `the dry run plans ${writes} snapshot writes, not ${tree.changed}`);
}

async function measurePreviewFloor(tree: TreeCatalog, runs: number): Promise<PreviewFloor> {
  const dryRun = async (): Promise<number> => {
    const start = performance.now();
    const workspace = loadWorkspace(tree.catalog);
    if (hasErrors(workspace.problems)) throw new BenchAssertion(`the benchmark catalog has errors: ${JSON.stringify(workspace.problems)}`);
    const datastore = workspace.datastores.find((d) => d.name === tree.datastore)!;
    const outcome = await runSync({ workspace, datastore, options: {}, dryRun: true, env: process.env, signal: new AbortController().signal, triggeredBy: 'bench@example.com' });
    const elapsed = performance.now() - start;
    checkDryRun(outcome, tree);
    return elapsed;
  };
  const firstMs = await dryRun();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await dryRun());
  let columns = 0;
  const database = path.join(tree.workDir, 'changed.sqlite');
  const bulk = repeatSync(IN_PROCESS_SAMPLES, IN_PROCESS_WARMUP, () => {
    const db = new Database(database, { readonly: true, fileMustExist: true });
    try {
      columns = db.prepare(`SELECT m.name AS container, p.name, p.type, p."notnull", p.pk FROM sqlite_schema m JOIN pragma_table_xinfo(m.name) p WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`).all().length;
    } finally {
      db.close();
    }
  });
  return { P: seriesOf(times), firstMs, bulk, columns };
}

interface PreviewLsp {
  ready: number;
  /** previewPlan request → answer, per preview; the first is the server's first sync job. */
  preview: number[];
  /** The first planFileText after each preview. */
  fileText: number[];
  /** previewPlan + planFileText: until the extension can open its first diff editor. */
  total: number[];
  files: number;
}

async function measurePreviewLsp(tree: TreeCatalog, runs: number): Promise<PreviewLsp> {
  const ready: number[] = [];
  return withServer(tree, ready, async (client) => {
    const result: PreviewLsp = { ready: 0, preview: [], fileText: [], total: [], files: 0 };
    for (let i = 0; i <= runs; i++) {
      const start = performance.now();
      const preview = await client.request<PlanPreviewResult>('catalog/previewPlan', { datastore: tree.datastore });
      const previewed = performance.now();
      const writes = preview.files.filter((file) => file.action === 'write');
      assertBench(preview.planId !== null && writes.length === tree.changed && preview.result !== 'failure', `catalog/previewPlan answered ${preview.result}, ${writes.length} files to write (not ${tree.changed}): ${preview.message}`);
      // The extension opens the diff of the first changed container first.
      const first = writes.find((file) => file.container !== undefined)!;
      const text = await client.request<PlanFileText>('catalog/planFileText', { planId: preview.planId, uri: first.uri });
      const end = performance.now();
      assertBench(text.committed !== null && text.planned !== null && text.planned.includes('name: note') && !text.committed.includes('name: note'), `catalog/planFileText of ${first.uri} does not show the added column`);
      result.preview.push(previewed - start);
      result.fileText.push(end - previewed);
      result.total.push(end - start);
      result.files = preview.files.length;
    }
    result.ready = ready[0]!;
    return result;
  });
}

function measureCliDryRun(tree: TreeCatalog, runs: number): { series: Series; nodeStart: number } | undefined {
  const spawnTimed = (args: string[]): { ms: number; stdout: string; status: number | null } => {
    const start = performance.now();
    const child = spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', maxBuffer: 256 * 2 ** 20, env: { ...process.env, NO_COLOR: '1' } });
    return { ms: performance.now() - start, stdout: child.stdout, status: child.status };
  };
  const args = [CLI, 'sync', tree.datastore, '--dry-run', '--root', tree.catalog, '--format', 'json'];
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const run = spawnTimed(args);
    assertBench(run.status === 0, `cac sync --dry-run exited ${run.status}: ${run.stdout.slice(0, 500)}`);
    const changed = (JSON.parse(run.stdout) as { operations: { changes: unknown[]; summary: unknown }[] }).operations[0]!;
    assertBench(changed.changes.length >= tree.changed, `cac sync --dry-run lists ${changed.changes.length} changes`);
    if (i > 0) times.push(run.ms);
  }
  const nodeStart = median(Array.from({ length: 3 }, () => spawnTimed(['-e', '']).ms));
  return { series: seriesOf(times), nodeStart };
}

// ---------------------------------------------------------------------------------------------

const range = (series: Series): string => `${ms(series.min)}–${ms(series.max)}`;
const verdict = (pass: boolean): string => (pass ? 'PASS' : 'MISS');

async function main(): Promise<void> {
  const options = parseOptions();
  if (!fs.existsSync(path.join(REPO, 'dist', 'server.js'))) throw new BenchAssertion('dist/server.js is missing: run `npm run build` first (npm run bench:tree does).');
  log(`Tree benchmark · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const prepared = timedSync(() => prepareTreeCatalog(path.join(REPO, 'bench'), options.tables, options.changeEvery, CLI));
  const tree = prepared.value;
  log(`Catalog ${path.relative(REPO, tree.catalog)}: SQLite datastore '${tree.datastore}', ${count(tree.tables)} tables × 6 columns, ${count(tree.tables)} snapshot files + ${INDEX_FILE_NAME} (${(fs.statSync(path.join(tree.snapshotDir, INDEX_FILE_NAME)).size / 1024).toFixed(0)} KiB); ${tree.generated ? `generated now (databases ${ms(tree.generated.databasesMs)} ms, CLI sync ${ms(tree.generated.syncMs)} ms)` : `reused (ready in ${ms(prepared.ms)} ms)`}.`);
  log(`${options.runs} runs per LSP figure (a fresh server for every cold sample), in-process floors: median of ${IN_PROCESS_SAMPLES} after ${IN_PROCESS_WARMUP} warm-ups; warm LSP figures: median of ${options.warm} requests per server, then the median over servers.`);
  log();

  let results: Record<string, unknown>;
  try {
    tree.use('base');
    const floor = measureTreeFloor(tree);
    const lsp = await measureTreeLsp(tree, options.runs, options.warm);
    const F = floor.F.median;
    const s = {
      cold200: seriesOf(lsp.cold200), cold1000: seriesOf(lsp.cold1000), warm200: seriesOf(lsp.warm200), warm1000: seriesOf(lsp.warm1000),
      nextPage: seriesOf(lsp.nextPage), lastPage: seriesOf(lsp.lastPage), primed200: seriesOf(lsp.primed200), listDatastores: seriesOf(lsp.listDatastores), afterDatastores200: seriesOf(lsp.afterDatastores200), ready: seriesOf(lsp.ready),
    };
    const row = (label: string, series: Series, target?: number): string[] => [label, ms(series.median), range(series), ratio(series.median / F), target ? `≤ ${target}× F` : '', target ? verdict(series.median <= target * F) : ''];
    log(`1. Expanding a datastore of ${count(tree.tables)} containers`);
    log(formatTable(['measure', 'median ms', 'range', '× F', 'target', 'verdict'], [
      row(`F = read ${INDEX_FILE_NAME} + engine index reader + statSync × ${count(tree.tables)} (in process)`, floor.F),
      row('  read the index text (600 KiB)', floor.readIndex),
      row('  readSnapshotIndex (canonical reader + schema check)', floor.parseIndex),
      row(`  statSync of the ${count(tree.tables)} snapshot files`, floor.statFiles),
      row('  context: readdir of the snapshot folder (listSnapshotFolder)', floor.readdir),
      row('  context: readCatalogState (readdir + index + reconcile), in process', floor.catalogState),
      row('  context: containerPage limit 200, nothing cached, in process', floor.pageCold200),
      row('  context: containerPage limit 1000, nothing cached, in process', floor.pageCold1000),
      row('  context: containerPage limit 200, cached, in process', floor.pageWarm200),
      row('  context: containerPage limit 1000, cached, in process', floor.pageWarm1000),
      row(`  context: containerPage offset ${tree.tables - 1000} limit 1000, cached, in process`, floor.pageWarmLast1000),
      row('LSP listContainers 0/200, cold (first request after workspaceLoaded)', s.cold200, TARGET_CHILDREN),
      row('LSP listContainers 0/1000, cold (first request after workspaceLoaded)', s.cold1000, TARGET_CHILDREN),
      row('LSP listContainers 0/200, warm', s.warm200, TARGET_CHILDREN),
      row('LSP listContainers 0/1000, warm', s.warm1000, TARGET_CHILDREN),
      row('LSP listContainers 200/200 right after the first page (Load More)', s.nextPage, TARGET_CHILDREN),
      row(`LSP listContainers last 200 right after that (offset ${tree.tables - 200})`, s.lastPage, TARGET_CHILDREN),
      row('LSP listContainers 0/200 after one on a 1-table datastore (schemas compiled)', s.primed200, TARGET_CHILDREN),
      row('LSP listDatastores, first request (the Datastores view)', s.listDatastores),
      row('LSP listContainers 0/200 after listDatastores (the extension\'s order)', s.afterDatastores200, TARGET_CHILDREN),
      row('LSP spawn → workspaceLoaded (each server)', s.ready),
    ]));
    const treePass = [s.cold200, s.cold1000, s.warm200, s.warm1000].every((series) => series.median <= TARGET_CHILDREN * F);
    log(`Target (children request ≤ ${TARGET_CHILDREN}× F, cold and warm, limit 200 and 1000): ${verdict(treePass)}`);
    log();

    tree.use('changed');
    const previewFloor = await measurePreviewFloor(tree, options.runs);
    const preview = await measurePreviewLsp(tree, options.runs);
    const cli = options.cli ? measureCliDryRun(tree, options.runs) : undefined;
    const P = previewFloor.P.median;
    const warmPreview = seriesOf(preview.preview.slice(1));
    const warmText = seriesOf(preview.fileText.slice(1));
    const warmTotal = seriesOf(preview.total.slice(1));
    const prow = (label: string, series: Series | number): string[] => typeof series === 'number'
      ? [label, ms(series), '', ratio(series / P)]
      : [label, ms(series.median), range(series), ratio(series.median / P)];
    log(`2. Preview of a ${count(tree.changed)}-container change (a column added to every ${options.changeEvery}th table), ${preview.files} planned files`);
    log(formatTable(['measure', 'median ms', 'range', '× P'], [
      prow('P = engine dry run in process (loadWorkspace + runSync dryRun), warm', previewFloor.P),
      prow('  the first in-process dry run (cold JIT)', previewFloor.firstMs),
      prow(`  context: bulk catalog query, ${count(previewFloor.columns)} columns in one statement (better-sqlite3, open included)`, previewFloor.bulk),
      prow('LSP previewPlan → answer, first of the server', preview.preview[0]!),
      prow('LSP planFileText after it', preview.fileText[0]!),
      prow('LSP previewPlan + first planFileText, first of the server', preview.total[0]!),
      prow(`LSP previewPlan → answer, warm (${options.runs} more on the same server)`, warmPreview),
      prow('LSP planFileText, warm', warmText),
      prow('LSP previewPlan + first planFileText, warm (until the first diff editor can open)', warmTotal),
      ...(cli ? [
        prow('CLI cac sync --dry-run --format json (incl. Node start-up)', cli.series),
        prow('  of which node -e "" start-up', cli.nodeStart),
      ] : []),
    ]));
    log();
    log(`Overall: ${verdict(treePass)} (target: the children request ≤ ${TARGET_CHILDREN}× F; the preview has no target, its ratio is reported).`);
    results = {
      tree: { F: floor.F, floor, lsp, series: s, pass: treePass },
      preview: { P: previewFloor.P, floor: previewFloor, lsp: preview, warm: { preview: warmPreview, fileText: warmText, total: warmTotal }, cli },
      medians: { F: round1(F), cold200: round1(s.cold200.median), cold1000: round1(s.cold1000.median), warm200: round1(s.warm200.median), warm1000: round1(s.warm1000.median), P: round1(P), previewWarm: round1(warmTotal.median) },
    };
  } finally {
    tree.use('base');
  }
  fs.mkdirSync(WORK, { recursive: true });
  fs.writeFileSync(path.join(WORK, 'tree-results.json'), JSON.stringify({
    when: new Date().toISOString(), node: process.version, cpus: os.cpus().length, load: os.loadavg(), tables: tree.tables, changed: tree.changed, ...results,
  }, null, 2) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof BenchAssertion ? 'check failed' : 'error'}: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
