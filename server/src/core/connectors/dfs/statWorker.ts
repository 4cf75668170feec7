import { Worker } from 'node:worker_threads';

/**
 * A helper thread that stats batches of files for `traverseLocalFolder` (traverse.ts), so that
 * on a 2-core machine the stat syscalls of a large tree run on both cores (bench: the listing of
 * 100,000 files took ~210 ms instead of ~335 ms).
 *
 * The worker's code is a plain JavaScript string started with `eval: true`, not a file: it then
 * runs the same way from the esbuild bundle (dist/cli.js), from TypeScript sources under tsx
 * (tests, benchmarks) and inside any other host, with no file to locate and without loading tsx
 * into the worker (`execArgv: []`), which would cost more than the whole stat loop saves.
 *
 * Protocol. A batch lists its files as runs of one folder each (`folders[r]`, the folder's path
 * with a trailing separator, holds the next `counts[r]` names), the names NUL-joined (NUL cannot
 * occur in a file name), and a 4-byte SharedArrayBuffer: its claim word. Whoever turns the word from 0 into its own mark
 * (1 = the main thread, 2 = the worker) with a compare-and-swap stats the batch; the other one
 * skips it. So the main thread never waits for a batch the worker has not started, and a worker
 * that starts late or dies costs nothing but its start-up.
 * The worker answers every batch it claimed with `{ id, out, errors }`: `out` holds size and
 * mtimeMs per path (Float64Array, transferred), `errors` flat `[index, code, …]` pairs for the
 * paths whose stat threw, with the same code the in-thread stat would log.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
parentPort.on('message', (batch) => {
  const claim = new Int32Array(batch.claim);
  if (Atomics.compareExchange(claim, 0, 0, 2) !== 0) return;
  const names = batch.names.split('\\u0000');
  const out = new Float64Array(names.length * 2);
  let errors;
  let i = 0;
  for (let run = 0; run < batch.folders.length; run++) {
    const folder = batch.folders[run];
    for (const end = i + batch.counts[run]; i < end; i++) {
      try {
        const stat = fs.statSync(folder + names[i]);
        out[2 * i] = stat.size;
        out[2 * i + 1] = stat.mtimeMs;
      } catch (error) {
        (errors || (errors = [])).push(i, (error && error.code) || 'error');
      }
    }
  }
  parentPort.postMessage({ id: batch.id, out, errors }, [out.buffer]);
});
`;

export const CLAIMED_BY_MAIN = 1;
export const CLAIMED_BY_WORKER = 2;

export interface StatBatch {
  id: number;
  claim: SharedArrayBuffer;
  folders: string[];
  counts: number[];
  names: string;
}

export interface StatBatchResult {
  id: number;
  /** size, mtimeMs, size, mtimeMs, … one pair per path of the batch. */
  out: Float64Array;
  /** Flat pairs: index in the batch, error code. */
  errors?: (number | string)[];
}

export class StatWorker {
  private readonly worker: Worker;
  private readonly results = new Map<number, StatBatchResult>();
  private exited = false;
  private onUpdate: (() => void) | undefined;

  private constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], stdout: false, stderr: false });
    this.worker.on('message', (result: StatBatchResult) => {
      this.results.set(result.id, result);
      this.onUpdate?.();
    });
    // An error is followed by 'exit'; the batches the worker claimed are then stat'ed in-thread.
    this.worker.on('error', () => undefined);
    this.worker.on('exit', () => {
      this.exited = true;
      this.onUpdate?.();
    });
  }

  /** A started worker, or undefined when the host cannot start one (the caller stats in-thread). */
  static start(): StatWorker | undefined {
    try {
      return new StatWorker();
    } catch {
      return undefined;
    }
  }

  /** Offers a batch; the worker stats it unless the main thread claims it first. */
  post(batch: StatBatch): boolean {
    if (this.exited) return false;
    try {
      this.worker.postMessage(batch);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Waits until every batch id in `ids` has its result or the worker has exited; returns the
   * results that arrived (a missing one must be stat'ed by the caller).
   */
  async collect(ids: readonly number[]): Promise<Map<number, StatBatchResult>> {
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.exited || ids.every((id) => this.results.has(id))) {
          this.onUpdate = undefined;
          resolve();
        }
      };
      this.onUpdate = check;
      check();
    });
    return this.results;
  }

  stop(): void {
    this.onUpdate = undefined;
    if (!this.exited) void this.worker.terminate();
  }
}
