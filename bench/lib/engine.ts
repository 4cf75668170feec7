import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { OperationStore, hasErrors, loadWorkspace, runSync, type OperationRecord, type SyncOutcome } from '../../server/src/core';

/** The history store the CLI uses, timing its own writes (a record is created, then finished). */
export class TimedHistory extends OperationStore {
  ms = 0;

  override create(record: Omit<OperationRecord, 'id'>): OperationRecord {
    const start = performance.now();
    try {
      return super.create(record);
    } finally {
      this.ms += performance.now() - start;
    }
  }

  override update(record: OperationRecord): void {
    const start = performance.now();
    try {
      super.update(record);
    } finally {
      this.ms += performance.now() - start;
    }
  }
}

export interface EngineRun {
  /** loadWorkspace + runSync, wall time. */
  ms: number;
  loadMs: number;
  historyMs: number;
  outcome: SyncOutcome;
}

/** One sync of `datastore` through the engine in this process, the way the CLI runs it. */
export async function engineSync(catalog: string, datastore: string): Promise<EngineRun> {
  const start = performance.now();
  const workspace = loadWorkspace(catalog);
  const loadMs = performance.now() - start;
  if (hasErrors(workspace.problems)) throw new BenchAssertion(`the benchmark catalog has errors: ${JSON.stringify(workspace.problems)}`);
  const definition = workspace.datastores.find((d) => d.name === datastore);
  if (!definition) throw new BenchAssertion(`datastore '${datastore}' is not defined in ${catalog}`);
  const history = new TimedHistory(workspace.project.stateDir);
  const outcome = await runSync({
    workspace, datastore: definition, options: {}, dryRun: false, env: process.env,
    signal: new AbortController().signal, triggeredBy: 'bench@example.com', history,
  });
  return { ms: performance.now() - start, loadMs, historyMs: history.ms, outcome };
}

/** A failed check: the run's numbers would be meaningless, so the benchmark exits non-zero. */
export class BenchAssertion extends Error {}

export function assertBench(condition: unknown, message: string): asserts condition {
  if (!condition) throw new BenchAssertion(message);
}

/** Path → (mtime, inode) of every file in a snapshot folder and its subfolders; a rewrite changes at least one. */
export function snapshotStamps(dir: string): Map<string, string> {
  const stamps = new Map<string, string>();
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const stat = fs.statSync(path.join(dir, name), { bigint: true });
    if (stat.isFile()) stamps.set(name, `${stat.mtimeNs}:${stat.ino}`);
  }
  return stamps;
}

/** Snapshot files (not the index, not temp files) in a datastore's snapshot folder; a file store's are in subfolders. */
export function countSnapshotFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((name) => path.basename(name))
    .filter((name) => name.endsWith('.yaml') && name !== '_index.yaml' && !name.startsWith('.')).length;
}
