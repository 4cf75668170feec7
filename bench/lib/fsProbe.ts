import nodeFs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

/**
 * Temporary instrumentation of the `fs` module for one run. The engine calls `fs.x(...)` through
 * `import * as fs from 'node:fs'`. Patching the module object (the default export) reaches it both
 * when tsx loads the engine as CommonJS (the interop namespace reads the object through getters)
 * and as ESM (`syncBuiltinESMExports` copies the patch into the builtin's named exports).
 * Everything is restored in `finally`, also when the run throws.
 */
type Patchable = Record<string, unknown>;

/** The functions that open a file for reading, by any route the engine (or a future change) could take. */
const OPENING_SYNC = ['openSync', 'readFileSync'] as const;
const OPENING_CALLBACK = ['open', 'readFile', 'createReadStream'] as const;
const OPENING_PROMISES = ['open', 'readFile'] as const;

export interface OpenCount {
  /** Opens of paths inside `folder`, by function name. */
  byFunction: Record<string, number>;
  total: number;
  /** Up to 5 of the paths, to say what was opened. */
  examples: string[];
}

export async function countOpensInside<T>(folder: string, run: () => Promise<T>): Promise<{ value: T; opens: OpenCount }> {
  const root = path.resolve(folder);
  const count: OpenCount = { byFunction: {}, total: 0, examples: [] };
  const note = (name: string, target: unknown): void => {
    const file = pathOf(target);
    if (file === undefined) return;
    const resolved = path.resolve(file);
    if (resolved !== root && !resolved.startsWith(root + path.sep)) return;
    count.byFunction[name] = (count.byFunction[name] ?? 0) + 1;
    count.total++;
    if (count.examples.length < 5) count.examples.push(resolved);
  };
  const restore: (() => void)[] = [];
  const wrap = (owner: Patchable, name: string, label: string): void => {
    const original = owner[name] as (...args: unknown[]) => unknown;
    if (typeof original !== 'function') return;
    owner[name] = function (this: unknown, ...args: unknown[]): unknown {
      note(label, args[0]);
      return original.apply(this, args);
    };
    restore.push(() => {
      owner[name] = original;
    });
  };
  for (const name of OPENING_SYNC) wrap(nodeFs as unknown as Patchable, name, `fs.${name}`);
  for (const name of OPENING_CALLBACK) wrap(nodeFs as unknown as Patchable, name, `fs.${name}`);
  for (const name of OPENING_PROMISES) wrap(nodeFs.promises as unknown as Patchable, name, `fs.promises.${name}`);
  syncBuiltinESMExports();
  try {
    const value = await run();
    return { value, opens: count };
  } finally {
    for (const undo of restore.reverse()) undo();
    syncBuiltinESMExports();
  }
}

function pathOf(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Buffer.isBuffer(target)) return target.toString();
  if (target instanceof URL) return target.protocol === 'file:' ? fileURLToPath(target) : undefined;
  return undefined;
}

/**
 * Time spent in the durability calls of one run: synchronous fsync/fdatasync (summed) and the
 * callback fdatasync the batched writer runs 16 at a time (summed per call, and as the wall-clock
 * span from the first call to the last completion).
 */
export interface FlushTiming {
  syncCalls: number;
  syncMs: number;
  asyncCalls: number;
  asyncSumMs: number;
  asyncSpanMs: number;
}

export async function timeFlushes<T>(run: () => Promise<T>): Promise<{ value: T; flush: FlushTiming }> {
  const flush: FlushTiming = { syncCalls: 0, syncMs: 0, asyncCalls: 0, asyncSumMs: 0, asyncSpanMs: 0 };
  let firstStart = Number.POSITIVE_INFINITY;
  let lastEnd = 0;
  const owner = nodeFs as unknown as Patchable;
  const restore: (() => void)[] = [];
  for (const name of ['fsyncSync', 'fdatasyncSync']) {
    const original = owner[name] as (...args: unknown[]) => unknown;
    owner[name] = (...args: unknown[]): unknown => {
      const start = performance.now();
      try {
        return original(...args);
      } finally {
        flush.syncCalls++;
        flush.syncMs += performance.now() - start;
      }
    };
    restore.push(() => {
      owner[name] = original;
    });
  }
  for (const name of ['fdatasync', 'fsync']) {
    const original = owner[name] as (fd: number, callback: (error: unknown) => void) => void;
    owner[name] = (fd: number, callback: (error: unknown) => void): void => {
      const start = performance.now();
      if (start < firstStart) firstStart = start;
      original(fd, (error) => {
        const end = performance.now();
        flush.asyncCalls++;
        flush.asyncSumMs += end - start;
        if (end > lastEnd) lastEnd = end;
        callback(error);
      });
    };
    restore.push(() => {
      owner[name] = original;
    });
  }
  syncBuiltinESMExports();
  try {
    const value = await run();
    flush.asyncSpanMs = flush.asyncCalls > 0 ? lastEnd - firstStart : 0;
    return { value, flush };
  } finally {
    for (const undo of restore.reverse()) undo();
    syncBuiltinESMExports();
  }
}
