import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Replaces many files so that each one is, at every instant and after any crash, either its old
 * or its new content: write a temp file beside it, flush it to disk, rename it over the target,
 * then flush the folder. (`write-file-atomic` does this one file at a time and cannot batch.)
 *
 * How temp files are flushed depends on the batch. Small batches flush each file (fdatasync, 16 in
 * flight). Large batches on Linux write every temp file first and flush them all with one
 * syncfs(2) (`sync -f`, coreutils): measured here for 11,000 4 KB files, 0.55–0.65 s instead of
 * 1.0–1.3 s with per-file flushes. Same guarantee: every temp file is on disk before any rename.
 * If `sync -f` is missing or fails, the batch falls back to per-file flushes.
 */
export async function writeFilesAtomically(writes: readonly FileWrite[]): Promise<void> {
  if (writes.length >= SYNCFS_BATCH && process.platform === 'linux') {
    writeBatchWithOneFlush(writes);
  } else {
    // In chunks, so a large batch never holds more descriptors than a 1,024 `ulimit -n` allows.
    for (let start = 0; start < writes.length; start += OPEN_FILES_PER_CHUNK) {
      await writeChunk(writes.slice(start, start + OPEN_FILES_PER_CHUNK));
    }
  }
  for (const folder of new Set(writes.map((write) => path.dirname(write.path)))) syncFolder(folder);
}

function writeBatchWithOneFlush(writes: readonly FileWrite[]): void {
  const temps: { target: string; temp: string }[] = [];
  try {
    for (const write of writes) {
      const temp = tempPathFor(write.path);
      const fd = fs.openSync(temp, 'wx', 0o644);
      temps.push({ target: write.path, temp });
      try {
        writeAll(fd, write.content);
      } finally {
        fs.closeSync(fd);
      }
    }
    const folders = [...new Set(writes.map((write) => path.dirname(write.path)))];
    if (!flushFileSystems(folders)) {
      for (const { temp } of temps) flushFile(temp);
    }
    for (const { temp, target } of temps) fs.renameSync(temp, target);
  } catch (error) {
    for (const { temp } of temps) unlinkQuietly(temp);
    throw error;
  }
}

/** syncfs(2) of each distinct file system holding `folders`; false when it could not run. */
function flushFileSystems(folders: readonly string[]): boolean {
  const devices = new Map<number, string>();
  for (const folder of folders) devices.set(fs.statSync(folder).dev, folder);
  try {
    for (const folder of devices.values()) execFileSync('sync', ['-f', folder], { stdio: 'ignore', timeout: 120_000 });
    return true;
  } catch {
    return false;
  }
}

function flushFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
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
/** From this many files on, one file-system flush beats per-file flushes (measured: ~2× at 11,000). */
const SYNCFS_BATCH = 256;

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
