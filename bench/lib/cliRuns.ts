import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertBench, countSnapshotFiles, snapshotStamps } from './engine';
import { runMeasuredNode, type MeasuredProcess } from './peakRss';
import { median } from './stats';
import { GROWTH_TARGET, type GrowthFigure } from './table';

const REPO = path.resolve(__dirname, '..', '..');
/** The `cac` users run: bin/cac.js loading dist/cli.js. */
export const CLI = path.join(REPO, 'bin', 'cac.js');

/** A catalog with one datastore that `cac sync` syncs, and how the benchmark resets and floors it. */
export interface CliSyncSubject {
  catalog: string;
  /** The datastore's snapshot folder. */
  snapshotDir: string;
  /** Snapshot files a first sync writes. */
  containers: number;
  /** Moves the snapshot and state folders aside (into the benchmark's trash). */
  clean(): void;
  /** The floor F once, in ms. */
  floor(): Promise<number>;
}

/** Medians of a series of processes: wall time and peak RSS, each the median of its own samples. */
export interface CliFigure {
  ms: number;
  peakRssMb: number;
}

export interface CliSyncRuns {
  floorMs: number[];
  floor: number;
  firstRuns: MeasuredProcess[];
  resyncRuns: MeasuredProcess[];
  first: CliFigure;
  resync: CliFigure;
}

/**
 * `runs` first syncs (each into empty snapshot and state folders) and no-change resyncs through
 * the built CLI, each a child process (`runMeasuredNode`: wall time with Node's start, the
 * child's own peak RSS), after one warm-up first sync; F is measured before each pair, so the
 * floor and the syncs see the same machine. `cac sync --detailed-exitcode` exits 2 when it wrote
 * something and 0 when not: both are checked, with the snapshot count and the resync leaving
 * every snapshot's mtime and inode as they were. The output is the plain text a user reads.
 */
export async function measureCliSyncs(subject: CliSyncSubject, runs: number): Promise<CliSyncRuns> {
  const sync = (label: string, wantChanged: boolean): MeasuredProcess => {
    const run = runMeasuredNode([CLI, 'sync', '--root', subject.catalog, '--detailed-exitcode'], { cwd: REPO });
    assertBench(run.status === (wantChanged ? 2 : 0), `${label}: cac sync exited ${run.status}, expected ${wantChanged ? 2 : 0}: ${run.stderr.trim().slice(0, 500)} ${run.stdout.slice(0, 300)}`);
    return run;
  };
  const first = (label: string): MeasuredProcess => {
    subject.clean();
    const run = sync(label, true);
    const files = countSnapshotFiles(subject.snapshotDir);
    assertBench(files === subject.containers, `${label}: wrote ${files} snapshots, expected ${subject.containers}`);
    return run;
  };
  await subject.floor();
  first('CLI first sync (warm-up)');
  const floorMs: number[] = [];
  const firstRuns: MeasuredProcess[] = [];
  const resyncRuns: MeasuredProcess[] = [];
  for (let run = 0; run < runs; run++) {
    floorMs.push(await subject.floor());
    firstRuns.push(first(`CLI first sync ${run + 1}`));
    const before = snapshotStamps(subject.snapshotDir);
    resyncRuns.push(sync(`CLI resync ${run + 1}`, false));
    const after = snapshotStamps(subject.snapshotDir);
    assertBench(after.size === before.size && [...before].every(([name, stamp]) => after.get(name) === stamp), `CLI resync ${run + 1} rewrote snapshot files`);
  }
  return { floorMs, floor: median(floorMs), firstRuns, resyncRuns, first: figureOf(firstRuns), resync: figureOf(resyncRuns) };
}

/**
 * `cac --help`: Node's start, the engine bundle's load and a process's baseline memory, no work
 * (`cac --version` answers before the bundle is loaded, so it no longer measures that).
 */
export function measureCliStart(runs: number): CliFigure {
  return measureCli(['--help'], runs);
}

/** `cac --version`, against the target of ≤ 1.3× `node -e ""`. */
export function measureCliVersion(runs: number): CliFigure {
  return measureCli(['--version'], runs);
}

function measureCli(args: readonly string[], runs: number): CliFigure {
  const sample = (): MeasuredProcess => {
    const run = runMeasuredNode([CLI, ...args], { cwd: REPO });
    assertBench(run.status === 0, `cac ${args.join(' ')} exited ${run.status}: ${run.stderr.trim().slice(0, 300)}`);
    return run;
  };
  sample();
  return figureOf(Array.from({ length: runs }, sample));
}

export function figureOf(list: readonly MeasuredProcess[]): CliFigure {
  return { ms: median(list.map((r) => r.ms)), peakRssMb: median(list.map((r) => r.peakRssMb)) };
}

/** `min–max` of the runs' peak RSS. */
export function peakRssRange(list: readonly MeasuredProcess[]): string {
  const values = list.map((r) => r.peakRssMb);
  return `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
}

/** Says so when dist/ is missing or older than the sources: the CLI rows measure the last build. */
export function cliBuildProblem(): { missing: boolean; note?: string } {
  const bundle = path.join(REPO, 'dist', 'cli.js');
  if (!fs.existsSync(bundle)) return { missing: true, note: 'dist/cli.js is missing: run `npm run build` first' };
  let newest = 0;
  for (const entry of fs.readdirSync(path.join(REPO, 'server', 'src'), { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest > fs.statSync(bundle).mtimeMs
    ? { missing: false, note: 'dist/cli.js is older than server/src: the CLI rows measure the last build (run `npm run build`)' }
    : { missing: false };
}

/**
 * The growth rows of two CLI measurements: wall time and peak RSS of a first sync and of a
 * no-change resync against the target; as context, the same above `cac --help` (the fixed
 * part of every process: Node's start and ~40 MB of baseline memory) and F, the source's own growth.
 */
export function cliGrowthFigures(at1: CliSyncRuns, at2: CliSyncRuns, version: CliFigure, floorLabel: string): (GrowthFigure & { key: string })[] {
  const above = (value: number, base: number): number => Math.max(value - base, Number.EPSILON);
  return [
    { key: 'firstMs', label: 'first sync time', small: at1.first.ms, large: at2.first.ms, unit: 'ms', target: GROWTH_TARGET },
    { key: 'resyncMs', label: 'no-change resync time', small: at1.resync.ms, large: at2.resync.ms, unit: 'ms', target: GROWTH_TARGET },
    { key: 'firstPeakRss', label: 'first sync peak RSS', small: at1.first.peakRssMb, large: at2.first.peakRssMb, unit: 'MB', target: GROWTH_TARGET },
    { key: 'resyncPeakRss', label: 'no-change resync peak RSS', small: at1.resync.peakRssMb, large: at2.resync.peakRssMb, unit: 'MB', target: GROWTH_TARGET },
    { key: 'firstMsAboveStart', label: 'first sync time above `cac --help`', small: above(at1.first.ms, version.ms), large: above(at2.first.ms, version.ms), unit: 'ms' },
    { key: 'resyncMsAboveStart', label: 'resync time above `cac --help`', small: above(at1.resync.ms, version.ms), large: above(at2.resync.ms, version.ms), unit: 'ms' },
    { key: 'firstPeakRssAboveBaseline', label: 'first sync peak RSS above `cac --help`', small: above(at1.first.peakRssMb, version.peakRssMb), large: above(at2.first.peakRssMb, version.peakRssMb), unit: 'MB' },
    { key: 'resyncPeakRssAboveBaseline', label: 'resync peak RSS above `cac --help`', small: above(at1.resync.peakRssMb, version.peakRssMb), large: above(at2.resync.peakRssMb, version.peakRssMb), unit: 'MB' },
    { key: 'floorMs', label: floorLabel, small: at1.floor, large: at2.floor, unit: 'ms' },
  ];
}

/** The note printed under every growth table. */
export const GROWTH_NOTE = 'exponent = ln(x2/x1) / ln(n2/n1): 1 is linear, 2 quadratic. Whole-process figures include a fixed part (Node\'s start, its ~40 MB baseline) that pulls their exponent below the work\'s own: the rows "above `cac --help`" (context, no target) show the work\'s own.';
