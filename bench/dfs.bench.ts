/**
 * DFS benchmark: a file store of 100,000 small CSVs in
 * 1,000 folders, synced through the engine in this process and through the CLI, with every time
 * printed as a ratio to the floor F = `find <tree> -type f -printf '%p %s %T@\n'` measured on the
 * same tree in the same run. The CLI runs are child processes, timed from spawn to exit, each
 * reporting its own peak RSS; unless --no-growth, they run again with F on a tree 5× larger
 * (--growth-files, --growth-folders), and the growth exponents of time and peak RSS are printed.
 *
 *   node --import tsx bench/dfs.bench.ts [--files 100000] [--folders 1000] [--runs 5] [--no-cli] [--no-breakdown]
 *                                        [--growth-files 500000] [--growth-folders 5000] [--no-growth]
 *   npm run bench:dfs -- --files 10000 --folders 100 --growth-files 50000 --growth-folders 500
 *
 * The CLI rows (and the growth section, which measures through the CLI) need a current
 * `npm run build` (dist/cli.js); they are skipped when it is missing.
 * Results also go to bench/.work/dfs-results.json. See bench/README.md for how to read them.
 *
 * Targets (issue 19): first sync ≤ 2× F, no-change resync ≤ 1× F, the CLI's resync ≤ 1.5× F, `cac --version` ≤ 1.3× `node -e ""`, a resync opens no unchanged file, and
 * growth exponents ≤ 1.1.
 * A MISS is reported, not fatal (exit 0). Exit 1 only when a check fails: wrong container count,
 * a resync that changed something or opened a data file, a failed sync.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { samplePositions } from '../server/src/core/connectors/dfs/dfsConnector';
import { datastoreSnapshotDir } from '../server/src/core/snapshots/fileNames';
import { GROWTH_NOTE, cliBuildProblem, cliGrowthFigures, measureCliStart, measureCliSyncs, measureCliVersion, type CliSyncRuns, type CliSyncSubject } from './lib/cliRuns';
import { BenchAssertion, assertBench, countSnapshotFiles, engineSync, snapshotStamps, type EngineRun } from './lib/engine';
import { createFilesFloor, nodeListingFloor, readPrefixFloor, runFind } from './lib/floors';
import { countOpensInside } from './lib/fsProbe';
import { breakdownSync, medianBreakdown, type PhaseBreakdown } from './lib/phases';
import { runMeasuredNode } from './lib/peakRss';
import { growthExponent, median, round1, round2, seriesOf, type Series } from './lib/stats';
import { prepareTree, type BenchTree } from './lib/dfsTree';
import { compactCount, count, formatGrowthTable, formatTable, ms, ratio } from './lib/table';
import { Trash } from './lib/trash';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_DIR = path.dirname(BENCH_DIR);
const RESULTS_FILE = path.join(BENCH_DIR, '.work', 'dfs-results.json');
const TARGET_FIRST = 2;
const TARGET_RESYNC = 1;
/** The CLI's no-change resync, Node's start included (issue 19). */
const TARGET_CLI_RESYNC = 1.5;
/** `cac --version` against `node -e ""` (issue 19). */
const TARGET_VERSION_VS_NODE = 1.3;
/** The engine's default `sample_files`: files read per globbed container on a first sync. */
const SAMPLE_FILES = 10;

interface Options {
  files: number;
  folders: number;
  runs: number;
  cli: boolean;
  breakdown: boolean;
  /** The second size of the growth measurement; undefined with --no-growth. */
  growth?: { files: number; folders: number };
}

/** A bad command line: reported without a stack. */
class UsageError extends Error {}

function parseOptions(): Options {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        files: { type: 'string', default: '100000' },
        folders: { type: 'string', default: '1000' },
        runs: { type: 'string', default: '5' },
        'no-cli': { type: 'boolean', default: false },
        'no-breakdown': { type: 'boolean', default: false },
        'growth-files': { type: 'string', default: '500000' },
        'growth-folders': { type: 'string', default: '5000' },
        'no-growth': { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  const int = (name: string, raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, not '${raw}'.`);
    return n;
  };
  const files = int('files', values.files);
  const folders = int('folders', values.folders);
  if (files % folders !== 0) throw new UsageError(`--files (${files}) must be a multiple of --folders (${folders}).`);
  const growthFiles = int('growth-files', values['growth-files']);
  const growthFolders = int('growth-folders', values['growth-folders']);
  if (growthFiles % growthFolders !== 0) throw new UsageError(`--growth-files (${growthFiles}) must be a multiple of --growth-folders (${growthFolders}).`);
  return {
    files,
    folders,
    runs: int('runs', values.runs),
    cli: !values['no-cli'],
    breakdown: !values['no-breakdown'],
    growth: values['no-growth'] ? undefined : { files: growthFiles, folders: growthFolders },
  };
}

const log = (line = ''): void => {
  process.stdout.write(line + '\n');
};

async function main(): Promise<void> {
  const options = parseOptions();
  const { runs } = options;
  log(`DFS benchmark · ${new Date().toISOString()} · node ${process.version} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB · ${os.platform()} ${os.release()} · load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`${count(options.files)} files in ${count(options.folders)} folders, ${runs} measured run${runs === 1 ? '' : 's'} per figure (median), after one warm-up run.`);

  const describeTree = (prepared: BenchTree): string => (prepared.generatedMs === undefined
    ? `Tree: reusing ${path.relative(REPO_DIR, prepared.tree)} (${(prepared.bytes / 2 ** 20).toFixed(1)} MiB).`
    : `Tree: generated ${path.relative(REPO_DIR, prepared.tree)} in ${(prepared.generatedMs / 1000).toFixed(1)} s (sync writes, ${(prepared.bytes / 2 ** 20).toFixed(1)} MiB).`);
  const tree = prepareTree(BENCH_DIR, options.files, options.folders);
  log(describeTree(tree));
  // The growth tree now, before any timing (500,000 files take a minute or more to write).
  const largeTree = options.growth && options.cli ? prepareTree(BENCH_DIR, options.growth.files, options.growth.folders) : undefined;
  if (largeTree) log(`Growth ${describeTree(largeTree).charAt(0).toLowerCase()}${describeTree(largeTree).slice(1)}`);
  const snapshotDir = datastoreSnapshotDir(tree.snapshotsDir, tree.datastore);
  // Folders are moved into the trash between runs and deleted only at the end (see lib/trash.ts).
  const trash = new Trash(path.join(BENCH_DIR, '.work', 'trash'));
  const expectedContainers = tree.filesPerFolder >= 2 ? tree.folders : tree.files;

  // 1. The floor F, and context floors for the phases.
  log('\nMeasuring the floor …');
  const floor = await measureFloor(tree, runs, trash);

  // 2. First sync through the engine, in process, each from a clean snapshot and state folder.
  log('Measuring the first sync (engine, in process) …');
  const clean = (): void => {
    trash.discard(tree.snapshotsDir);
    trash.discard(tree.stateDir);
  };
  const checkFirst = (run: EngineRun, label: string): void => {
    assertBench(run.outcome.result === 'success', `${label}: result ${run.outcome.result}: ${run.outcome.message ?? JSON.stringify(run.outcome.logs.filter((l) => l.level !== 'info').slice(0, 5))}`);
    const written = countSnapshotFiles(snapshotDir);
    assertBench(written === expectedContainers, `${label}: wrote ${written} snapshot files, expected ${expectedContainers} (one per folder: its ${tree.filesPerFolder} files glob into one container)`);
    assertBench(run.outcome.changed, `${label}: a first sync reported no change`);
  };
  clean();
  const firstCold = await engineSync(tree.catalog, tree.datastore);
  checkFirst(firstCold, 'first sync (warm-up)');
  const firstRuns: EngineRun[] = [];
  for (let i = 0; i < runs; i++) {
    clean();
    const run = await engineSync(tree.catalog, tree.datastore);
    checkFirst(run, `first sync ${i + 1}`);
    firstRuns.push(run);
  }

  // 3. No-change resync: snapshots and connector cache in place.
  log('Measuring the no-change resync (engine, in process) …');
  const before = snapshotStamps(snapshotDir);
  const checkResync = (run: EngineRun, label: string): void => {
    assertBench(run.outcome.result === 'success', `${label}: result ${run.outcome.result}: ${run.outcome.message ?? ''}`);
    assertBench(run.outcome.changed === false, `${label}: a resync of an unchanged tree reported changes (${run.outcome.plan?.writes.length ?? '?'} writes, ${run.outcome.plan?.deletes.length ?? '?'} deletes, index changed: ${run.outcome.plan?.indexChanged})`);
  };
  const resyncWarm = await engineSync(tree.catalog, tree.datastore);
  checkResync(resyncWarm, 'resync (warm-up)');
  const resyncRuns: EngineRun[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await engineSync(tree.catalog, tree.datastore);
    checkResync(run, `resync ${i + 1}`);
    resyncRuns.push(run);
  }
  const after = snapshotStamps(snapshotDir);
  const touched = [...before.keys()].filter((name) => after.get(name) !== before.get(name));
  assertBench(after.size === before.size && touched.length === 0, `resyncs rewrote snapshot files: ${touched.slice(0, 5).join(', ')} (${before.size} before, ${after.size} after)`);

  // 4. "A resync opens no unchanged file": count opens of data files during one resync, then prove
  //    the probe sees opens by running it on a resync without the connector cache.
  log('Counting data-file opens during a resync …');
  const probed = await countOpensInside(tree.tree, () => engineSync(tree.catalog, tree.datastore));
  checkResync(probed.value, 'resync (probed)');
  assertBench(probed.opens.total === 0, `a no-change resync opened ${probed.opens.total} data files (${JSON.stringify(probed.opens.byFunction)}), e.g. ${probed.opens.examples.join(', ')}`);
  trash.discard(path.join(tree.stateDir, 'cache'));
  const control = await countOpensInside(tree.tree, () => engineSync(tree.catalog, tree.datastore));
  checkResync(control.value, 'resync without connector cache (probe control)');
  const sampled = expectedContainers * Math.min(SAMPLE_FILES, tree.filesPerFolder);
  assertBench(control.opens.total >= expectedContainers, `the open probe is blind: a resync without the connector cache opened ${control.opens.total} data files, expected about ${sampled}`);
  const afterProbe = snapshotStamps(snapshotDir);
  assertBench([...before.keys()].every((name) => afterProbe.get(name) === before.get(name)), 'the probed resyncs rewrote snapshot files');

  // 5. Where one first sync and one resync spend their time.
  let breakdown: { first: PhaseBreakdown; resync: PhaseBreakdown } | undefined;
  if (options.breakdown) {
    log('Breaking down first syncs and resyncs phase by phase …');
    const firstPhases: PhaseBreakdown[] = [];
    const resyncPhases: PhaseBreakdown[] = [];
    for (let i = 0; i < runs; i++) {
      clean();
      const first = await breakdownSync(tree.catalog, tree.datastore, false);
      assertBench(countSnapshotFiles(snapshotDir) === expectedContainers, 'breakdown first sync: wrong number of snapshot files');
      firstPhases.push(first.phases);
      const resync = await breakdownSync(tree.catalog, tree.datastore, true);
      assertBench(resync.plan.writes.length === 0 && !resync.plan.indexChanged, 'breakdown resync: planned writes');
      resyncPhases.push(resync.phases);
    }
    breakdown = { first: medianBreakdown(firstPhases), resync: medianBreakdown(resyncPhases) };
  }

  // 6. The CLI end to end (Node start-up included).
  const cliMeasured = options.cli ? await measureCli(tree, runs, trash) : { results: { skipped: 'disabled with --no-cli' } as CliResults };
  const cli = cliMeasured.results;

  // 7. Growth: the same CLI runs on the larger tree.
  let growth: GrowthResults | undefined;
  if (largeTree && cliMeasured.runs && cliMeasured.version) {
    log(`Measuring growth: the CLI syncs and F on ${count(largeTree.files)} files in ${count(largeTree.folders)} folders …`);
    growth = growthOf(tree, largeTree, cliMeasured.runs, await measureCliSyncs(cliSubjectOf(largeTree, trash), runs), cliMeasured.version);
  }

  // 8. Report.
  const first = seriesOf(firstRuns.map((r) => r.ms));
  const resync = seriesOf(resyncRuns.map((r) => r.ms));
  const F = floor.find.median;
  const results = {
    date: new Date().toISOString(),
    runs,
    machine: { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.platform()} ${os.release()}` },
    options,
    tree: { files: tree.files, folders: tree.folders, filesPerFolder: tree.filesPerFolder, bytes: tree.bytes, generatedMs: tree.generatedMs === undefined ? null : Math.round(tree.generatedMs), path: tree.tree },
    floor,
    engine: {
      first: { ...first, ratio: round2(first.median / F), coldMs: round1(firstCold.ms), historyMs: round1(median(firstRuns.map((r) => r.historyMs))), loadWorkspaceMs: round1(median(firstRuns.map((r) => r.loadMs))) },
      resync: { ...resync, ratio: round2(resync.median / F), historyMs: round1(median(resyncRuns.map((r) => r.historyMs))), loadWorkspaceMs: round1(median(resyncRuns.map((r) => r.loadMs))) },
      containers: expectedContainers,
    },
    targets: {
      first: { target: TARGET_FIRST, ratio: round2(first.median / F), pass: first.median <= TARGET_FIRST * F },
      resync: { target: TARGET_RESYNC, ratio: round2(resync.median / F), pass: resync.median <= TARGET_RESYNC * F },
      resyncOpensNoFile: { opens: probed.opens.total, pass: probed.opens.total === 0 },
    },
    openProbe: {
      resync: probed.opens,
      controlWithoutCache: { opens: control.opens.total, byFunction: control.opens.byFunction, expectedAbout: sampled, ms: round1(control.value.ms) },
    },
    breakdown: breakdown ?? null,
    cli,
    growth: growth ? { files: growth.files, containers: growth.containers, exponents: growth.exponents } : null,
  };
  const emptied = trash.empty();
  Object.assign(results, { trash: { filesDeleted: emptied.files, ms: round1(emptied.ms) } });
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, JSON.stringify(results, null, 2) + '\n');
  printReport(results, floor, first, resync, breakdown, cli, probed.opens.total, control.opens.total, control.value.ms, sampled);
  if (growth) {
    log(`\n== Growth: ${count(tree.files)} → ${count(largeTree!.files)} files (${count(growth.containers[0])} → ${count(growth.containers[1])} containers), CLI child processes, medians of ${runs} ==`);
    log(growth.table);
    log(`(${GROWTH_NOTE})`);
  } else if (options.growth) {
    log(`\nGrowth: skipped (${options.cli ? 'the CLI is not built' : '--no-cli: growth is measured through the CLI'}).`);
  }
  log(`Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
  log(`\nResults written to ${path.relative(REPO_DIR, RESULTS_FILE)}. Deleted ${count(emptied.files)} files of moved-aside snapshot and state folders (${ms(emptied.ms)} ms).`);
}

interface FloorResults {
  find: Series;
  findNamesOnly: Series;
  nodeListing: Series;
  readSampled: Series & { files: number };
  create1000: Series;
}

/** Above this, creating files is being slowed by something outside the engine (see lib/trash.ts). */
const SLOW_CREATE_MS_PER_FILE = 0.2;

async function measureFloor(tree: BenchTree, runs: number, trash: Trash): Promise<FloorResults> {
  const find = async (printf: boolean): Promise<Series> => {
    await runFind(tree.tree, printf);
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const run = await runFind(tree.tree, printf);
      assertBench(run.lines === tree.files, `find listed ${run.lines} files, expected ${tree.files}`);
      samples.push(run.ms);
    }
    return seriesOf(samples);
  };
  const repeat = (work: () => number): Series => {
    work();
    return seriesOf(Array.from({ length: runs }, work));
  };
  const findSeries = await find(true);
  const namesOnly = await find(false);
  const nodeListing = repeat(() => {
    const run = nodeListingFloor(tree.tree);
    assertBench(run.files === tree.files, `the Node listing found ${run.files} files, expected ${tree.files}`);
    return run.ms;
  });
  // The files a first sync samples: samplePositions of each folder's sorted names.
  const sampledFiles: string[] = [];
  for (const folder of fs.readdirSync(tree.tree).sort()) {
    const names = fs.readdirSync(path.join(tree.tree, folder)).sort();
    for (const i of samplePositions(names.length, SAMPLE_FILES)) sampledFiles.push(path.join(tree.tree, folder, names[i]!));
  }
  const readSampled = repeat(() => readPrefixFloor(sampledFiles).ms);
  let scratch = 0;
  const create1000 = repeat(() => {
    const folder = path.join(tree.workDir, `scratch-${process.pid}-${++scratch}`);
    const run = createFilesFloor(folder, 1000);
    trash.discard(folder);
    return run.ms;
  });
  return { find: findSeries, findNamesOnly: namesOnly, nodeListing, readSampled: { ...readSampled, files: sampledFiles.length }, create1000 };
}

interface CliResults {
  skipped?: string;
  note?: string;
  nodeStartMs?: number;
  /** `cac --version`. */
  cliVersionOnlyMs?: number;
  /** `cac --help`: Node's start and the engine bundle's load (the name is kept for earlier results files). */
  cliVersionMs?: number;
  cliVersionPeakRssMb?: number;
  first?: Series & { ratio: number; peakRssMb: Series };
  resync?: Series & { ratio: number; peakRssMb: Series };
}

/** The tree's catalog as `cac sync` meets it; F is `find` on its data. */
function cliSubjectOf(tree: BenchTree, trash: Trash): CliSyncSubject {
  return {
    catalog: tree.catalog,
    snapshotDir: datastoreSnapshotDir(tree.snapshotsDir, tree.datastore),
    containers: tree.filesPerFolder >= 2 ? tree.folders : tree.files,
    clean: () => {
      trash.discard(tree.snapshotsDir);
      trash.discard(tree.stateDir);
    },
    floor: async () => {
      const run = await runFind(tree.tree, true);
      assertBench(run.lines === tree.files, `find listed ${run.lines} files, expected ${tree.files}`);
      return run.ms;
    },
  };
}

/**
 * The CLI end to end: `node bin/cac.js sync --root <catalog> --detailed-exitcode` as child
 * processes (lib/cliRuns.ts: F before each first sync + resync pair, wall time, peak RSS), and
 * `node -e ""`, `cac --version` (target ≤ 1.3× Node's start) and `cac --help` (Node's start and
 * the engine bundle's load) to read the start-up part off.
 */
async function measureCli(tree: BenchTree, runs: number, trash: Trash): Promise<{ results: CliResults; runs?: CliSyncRuns; version?: { ms: number; peakRssMb: number } }> {
  const build = cliBuildProblem();
  if (build.missing) {
    log('CLI: skipped, dist/cli.js is missing (run `npm run build`).');
    return { results: { skipped: 'dist/cli.js is missing; run `npm run build` first' } };
  }
  log('Measuring the CLI (node bin/cac.js sync, a child process per run, Node start-up included) …');
  const results: CliResults = {};
  if (build.note) {
    results.note = `${build.note}.`;
    log(`  note: ${results.note}`);
  }
  const nodeStart = (): number => runMeasuredNode(['-e', ''], { cwd: REPO_DIR }).ms;
  nodeStart();
  results.nodeStartMs = round1(median(Array.from({ length: runs }, nodeStart)));
  results.cliVersionOnlyMs = round1(measureCliVersion(runs).ms);
  const version = measureCliStart(runs);
  results.cliVersionMs = round1(version.ms);
  results.cliVersionPeakRssMb = round1(version.peakRssMb);
  const measured = await measureCliSyncs(cliSubjectOf(tree, trash), runs);
  const F = measured.floor;
  const first = seriesOf(measured.firstRuns.map((r) => r.ms));
  const resync = seriesOf(measured.resyncRuns.map((r) => r.ms));
  results.first = { ...first, ratio: round2(first.median / F), peakRssMb: seriesOf(measured.firstRuns.map((r) => r.peakRssMb)) };
  results.resync = { ...resync, ratio: round2(resync.median / F), peakRssMb: seriesOf(measured.resyncRuns.map((r) => r.peakRssMb)) };
  return { results, runs: measured, version };
}

interface GrowthResults {
  files: [number, number];
  containers: [number, number];
  exponents: Record<string, number>;
  table: string;
}

/** Growth between the two trees by files (folders, hence containers, grow alike), from the CLI runs at each. */
function growthOf(small: BenchTree, large: BenchTree, at1: CliSyncRuns, at2: CliSyncRuns, version: { ms: number; peakRssMb: number }): GrowthResults {
  const figures = cliGrowthFigures(at1, at2, version, "floor F (find: the file system's own growth)");
  const containers = (tree: BenchTree): number => (tree.filesPerFolder >= 2 ? tree.folders : tree.files);
  return {
    files: [small.files, large.files],
    containers: [containers(small), containers(large)],
    exponents: Object.fromEntries(figures.map((f) => [f.key, round2(growthExponent(small.files, f.small, large.files, f.large))])),
    table: formatGrowthTable({ small: small.files, large: large.files, smallLabel: compactCount(small.files), largeLabel: compactCount(large.files), noun: 'files' }, figures),
  };
}

function printReport(
  results: { runs: number; targets: { first: { pass: boolean }; resync: { pass: boolean } }; engine: { first: { coldMs: number; historyMs: number; loadWorkspaceMs: number }; resync: { historyMs: number; loadWorkspaceMs: number } } },
  floor: FloorResults, first: Series, resync: Series, breakdown: { first: PhaseBreakdown; resync: PhaseBreakdown } | undefined,
  cli: CliResults, opens: number, controlOpens: number, controlMs: number, sampled: number,
): void {
  const F = floor.find.median;
  const verdict = (value: number, target: number): string => (value <= target * F ? 'PASS' : 'MISS');
  const range = (s: Series): string => `${ms(s.min)}–${ms(s.max)}`;
  log('\n== Floor ==');
  log(formatTable(['measure', 'median ms', 'range', '× F'], [
    ["F = find -type f -printf '%p %s %T@\\n' (spawned, output consumed)", ms(F), range(floor.find), ratio(1)],
    ['find -type f (names only; F_find)', ms(floor.findNamesOnly.median), range(floor.findNamesOnly), ratio(floor.findNamesOnly.median / F)],
    ['Node readdirSync + statSync DFS (F1 shape)', ms(floor.nodeListing.median), range(floor.nodeListing), ratio(floor.nodeListing.median / F)],
    [`open + read 64 KiB + close of the ${count(floor.readSampled.files)} sampled files`, ms(floor.readSampled.median), range(floor.readSampled), ratio(floor.readSampled.median / F)],
    ['create + write + close 1,000 snapshot-sized files (no fsync)', ms(floor.create1000.median), range(floor.create1000), ratio(floor.create1000.median / F)],
  ]));
  if (floor.create1000.median / 1000 > SLOW_CREATE_MS_PER_FILE) {
    log(`WARNING: creating a file costs ${(floor.create1000.median / 1000).toFixed(2)} ms here right now. On a journal-less ext4 this happens for up to 5 minutes after many files were deleted (e.g. an earlier run's cleanup); the first-sync figures include it. Wait and re-run.`);
  }

  log(`\n== Sync vs. floor (targets from issue 19: first ≤ ${TARGET_FIRST}× F, resync ≤ ${TARGET_RESYNC}× F, CLI resync ≤ ${TARGET_CLI_RESYNC}× F, cac --version ≤ ${TARGET_VERSION_VS_NODE}× node) ==`);
  const rows: string[][] = [
    ['engine first sync (loadWorkspace + runSync, in process)', ms(first.median), range(first), ratio(first.median / F), `${TARGET_FIRST}×`, verdict(first.median, TARGET_FIRST)],
    ['engine no-change resync (in process)', ms(resync.median), range(resync), ratio(resync.median / F), `${TARGET_RESYNC}×`, verdict(resync.median, TARGET_RESYNC)],
  ];
  if (cli.first && cli.resync) {
    rows.push(
      ['CLI first sync (node bin/cac.js sync, incl. Node start-up)', ms(cli.first.median), range(cli.first), ratio(cli.first.ratio), '', ''],
      ['CLI no-change resync (incl. Node start-up)', ms(cli.resync.median), range(cli.resync), ratio(cli.resync.ratio), `${TARGET_CLI_RESYNC}×`, cli.resync.ratio <= TARGET_CLI_RESYNC ? 'PASS' : 'MISS'],
      ['  of which: node -e "" start-up', ms(cli.nodeStartMs), '', ratio((cli.nodeStartMs ?? 0) / F), '', ''],
      ['  of which: node bin/cac.js --help (start-up + engine bundle load)', ms(cli.cliVersionMs), '', ratio((cli.cliVersionMs ?? 0) / F), '', ''],
      ['node bin/cac.js --version, against node -e ""', ms(cli.cliVersionOnlyMs), '', `${((cli.cliVersionOnlyMs ?? 0) / (cli.nodeStartMs ?? 1)).toFixed(2)}× node`, `≤ ${TARGET_VERSION_VS_NODE}× node`, (cli.cliVersionOnlyMs ?? Infinity) <= TARGET_VERSION_VS_NODE * (cli.nodeStartMs ?? 0) ? 'PASS' : 'MISS'],
    );
  }
  log(formatTable(['measure', 'median ms', 'range', '× F', 'target', 'verdict'], rows));
  if (cli.first && cli.resync) {
    log('(the CLI rows\' × F is to F measured between the CLI runs)\n');
    const mb = (value: number | undefined): string => (value === undefined ? '–' : `${value.toFixed(1)} MB`);
    const rssRange = (series: Series): string => `${series.min.toFixed(1)}–${series.max.toFixed(1)}`;
    log(formatTable(['memory (CLI child process, whole node process)', 'median peak RSS', 'range'], [
      ['peak RSS, CLI first sync', mb(cli.first.peakRssMb.median), rssRange(cli.first.peakRssMb)],
      ['peak RSS, CLI no-change resync', mb(cli.resync.peakRssMb.median), rssRange(cli.resync.peakRssMb)],
      ['peak RSS, node bin/cac.js --version (Node + bundle, no work)', mb(cli.cliVersionPeakRssMb), ''],
    ]));
  }
  if (cli.skipped) log(`CLI: skipped (${cli.skipped}).`);
  if (cli.note) log(`CLI note: ${cli.note}`);
  log(`Engine first sync, first run in this process (cold JIT, not in the median): ${ms(results.engine.first.coldMs)} ms.`);
  log(`History record (create + update, inside runSync): first sync ${ms(results.engine.first.historyMs)} ms, resync ${ms(results.engine.resync.historyMs)} ms (medians).`);
  log(`A resync opens no unchanged file: ${opens} data files opened during a probed no-change resync → ${opens === 0 ? 'PASS' : 'FAIL'}.`);
  log(`  probe control: the same resync without the connector cache opened ${count(controlOpens)} data files (${count(sampled)} expected: ${SAMPLE_FILES} samples per container) in ${ms(controlMs)} ms.`);

  if (breakdown) {
    const b = breakdown.first;
    const r = breakdown.resync;
    const share = (value: number, total: number): string => `${Math.round((100 * value) / total)}%`;
    log(`\n== Breakdown: runSync's steps called one by one, median of ${results.runs} first syncs and ${results.runs} resyncs per phase ==`);
    const phaseRows = (p: PhaseBreakdown, historyMs: number): string[][] => {
      const total = p.loadWorkspaceMs + p.stateMs + p.discoverMs + p.planMs + p.applyMs + p.cacheWriteMs + historyMs;
      const rest = p.discoverMs - p.traverseMs - p.globbingMs - p.inferenceMs;
      const out: string[][] = [
        ['loadWorkspace', ms(p.loadWorkspaceMs), share(p.loadWorkspaceMs, total), ratio(p.loadWorkspaceMs / F)],
        ['catalog state + connector cache read', ms(p.stateMs), share(p.stateMs, total), ratio(p.stateMs / F)],
        ['connector.discover', ms(p.discoverMs), share(p.discoverMs, total), ratio(p.discoverMs / F)],
        ['  traverse (readdir + stat of every file)', ms(p.traverseMs), share(p.traverseMs, total), ratio(p.traverseMs / F)],
      ];
      if (p.inferenceFiles > 0) {
        out.push(
          ['  globbing (group names into containers)', ms(p.globbingMs), share(p.globbingMs, total), ratio(p.globbingMs / F)],
          [`  inference (${count(p.inferenceFiles)} sampled files read)`, ms(p.inferenceMs), share(p.inferenceMs, total), ratio(p.inferenceMs / F)],
        );
      }
      out.push(
        [p.inferenceFiles > 0 ? '  rest (fingerprints, cache, logs; by difference)' : '  rest (fingerprints, cache lookups; by difference)', ms(rest), share(rest, total), ratio(rest / F)],
        ['planSync (identifiers, render, compare with disk)', ms(p.planMs), share(p.planMs, total), ratio(p.planMs / F)],
        [`applySyncPlan (${count(p.applyFiles)} files, atomic + durable)`, ms(p.applyMs), share(p.applyMs, total), ratio(p.applyMs / F)],
      );
      if (p.flush) {
        out.push(
          [`  fdatasync, 16 in flight (${count(p.flush.asyncCalls)} calls: wall span)`, ms(p.flush.asyncSpanMs), share(p.flush.asyncSpanMs, total), ratio(p.flush.asyncSpanMs / F)],
          [`  fsync/fdatasync sync calls (${p.flush.syncCalls}: folder, index)`, ms(p.flush.syncMs), share(p.flush.syncMs, total), ratio(p.flush.syncMs / F)],
        );
      }
      out.push(
        ['write connector cache (atomic + durable)', ms(p.cacheWriteMs), share(p.cacheWriteMs, total), ratio(p.cacheWriteMs / F)],
        ['history record (median of the timed runs)', ms(historyMs), share(historyMs, total), ratio(historyMs / F)],
        ['sum of the phase medians', ms(total), '100%', ratio(total / F)],
      );
      return out;
    };
    log(`First sync (median of the timed runs: ${ms(first.median)} ms)`);
    log(formatTable(['phase', 'ms', 'share', '× F'], phaseRows(b, results.engine.first.historyMs)));
    log(`\nNo-change resync (median of the timed runs: ${ms(resync.median)} ms)`);
    log(formatTable(['phase', 'ms', 'share', '× F'], phaseRows(r, results.engine.resync.historyMs)));
  }
  const pass = results.targets.first.pass && results.targets.resync.pass && opens === 0;
  log(`\nOverall: ${pass ? 'all targets met' : 'targets MISSED (see the table); this is reported, not fatal'}.`);
}

main().then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    if (error instanceof BenchAssertion) {
      process.stderr.write(`\nASSERTION FAILED: ${error.message}\n`);
    } else if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\nUsage: node --import tsx bench/dfs.bench.ts [--files 100000] [--folders 1000] [--runs 5] [--no-cli] [--no-breakdown] [--growth-files 500000] [--growth-folders 5000] [--no-growth]\n`);
    } else {
      process.stderr.write(`\nbenchmark error: ${(error as Error).stack ?? String(error)}\n`);
    }
    process.exitCode = 1;
  },
);
