import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Replaces many files so that each one is, at every instant and after any crash, either its old
 * or its new content: write a temp file beside it, flush it to disk, rename it over the target,
 * then flush the folder. Batched because one flush costs ~0.1–0.3 ms here: writing a chunk of
 * temp files first and flushing them concurrently keeps an 11,000-file sync from paying 11,000
 * serial flushes. (`write-file-atomic` handles one file at a time and cannot batch.) Measured
 * here, a per-file pipeline (flush, close and rename each file in the pool while the next ones
 * are written) was ~1.7× slower than these batches.
 */
export async function writeFilesAtomically(writes: readonly FileWrite[]): Promise<void> {
  // In chunks, so an 11,000-table datastore never holds more descriptors than a 1,024 `ulimit -n` allows.
  for (let start = 0; start < writes.length; start += OPEN_FILES_PER_CHUNK) {
    await writeChunk(writes.slice(start, start + OPEN_FILES_PER_CHUNK));
  }
  for (const folder of new Set(writes.map((write) => path.dirname(write.path)))) syncFolder(folder);
}

async function writeChunk(writes: readonly FileWrite[]): Promise<void> {
  const pending: { target: string; temp: string; fd: number }[] = [];
  try {
    for (const write of writes) {
      const temp = tempPathFor(write.path);
      const fd = fs.openSync(temp, 'wx', 0o644);
      pending.push({ target: write.path, temp, fd });
      writeAll(fd, write.content);
    }
    await forEachLimited(pending, FLUSH_CONCURRENCY, (entry) => fdatasync(entry.fd));
    for (const entry of pending) {
      fs.closeSync(entry.fd);
      entry.fd = -1;
    }
    for (const entry of pending) fs.renameSync(entry.temp, entry.target);
  } catch (error) {
    for (const entry of pending) {
      if (entry.fd >= 0) closeQuietly(entry.fd);
      unlinkQuietly(entry.temp);
    }
    throw error;
  }
}

export interface FileWrite {
  path: string;
  content: string | Uint8Array;
}

/** The same guarantee for one small file, synchronously (history records, state). */
export function writeFileAtomicallySync(target: string, content: string | Uint8Array): void {
  const temp = tempPathFor(target);
  let fd = -1;
  try {
    fd = fs.openSync(temp, 'wx', 0o644);
    writeAll(fd, content);
    fs.fdatasyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
    fs.renameSync(temp, target);
    syncFolder(path.dirname(target));
  } catch (error) {
    if (fd >= 0) closeQuietly(fd);
    unlinkQuietly(temp);
    throw error;
  }
}

/** Deletes files, then flushes their folders so the deletions survive a crash too. */
export function removeFilesDurably(files: readonly string[]): void {
  for (const file of files) {
    try {
      fs.unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  for (const folder of new Set(files.map((file) => path.dirname(file)))) syncFolder(folder);
}

/** Temp files start with a dot and end in `.tmp`, so no reader mistakes one for a snapshot. */
export function isTempFileName(name: string): boolean {
  return TEMP_NAME.test(name);
}

const TEMP_NAME = /^\..+\.[0-9a-f]{12}[0-9a-z]*\.tmp$/;
const FLUSH_CONCURRENCY = 16;
const OPEN_FILES_PER_CHUNK = 512;

/**
 * A random per-process prefix plus a counter: unique across processes and calls (the open uses
 * `wx`, so a clash fails rather than overwrites), without asking the system for randomness per
 * file, which cost ~5 µs each.
 */
function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target).slice(0, 100)}.${TEMP_PREFIX}${(tempCounter++).toString(36)}.tmp`);
}

const TEMP_PREFIX = randomBytes(6).toString('hex');
let tempCounter = 0;

function writeAll(fd: number, content: string | Uint8Array): void {
  const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  let offset = 0;
  while (offset < buffer.length) offset += fs.writeSync(fd, buffer, offset, buffer.length - offset);
}

function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function syncFolder(folder: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(folder, 'r');
    fs.fsyncSync(fd);
  } catch (error) {
    // Some file systems (and Windows) cannot fsync a folder; the rename itself is still atomic.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw error;
  } finally {
    if (fd >= 0) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed or invalid: nothing left to release.
  }
}

function unlinkQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // The temp file may never have been created.
  }
}
