import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * The file-store floor F (`F_find_stat`): `find <tree> -type f -printf '%p %s %T@\n'`
 * spawned from Node, every byte of its output consumed. Resolves to the wall time and the line count.
 */
export function runFind(tree: string, printf: boolean): Promise<{ ms: number; lines: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const args = printf ? [tree, '-type', 'f', '-printf', '%p %s %T@\n'] : [tree, '-type', 'f'];
    const child = spawn('find', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      if (code !== 0) reject(new Error(`find exited with ${code}: ${stderr.trim()}`));
      else resolve({ ms, lines });
    });
  });
}

/**
 * Context floors, in-process and synchronous like the engine: the same listing as F with
 * readdirSync(withFileTypes) + statSync (F1's "sync DFS + statSync"), and open + read 64 KiB +
 * close of the files the engine samples on a first sync (10 per globbed folder by default).
 */
export function nodeListingFloor(tree: string): { ms: number; files: number } {
  const start = performance.now();
  let files = 0;
  const pending = [tree];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) {
        const stat = fs.statSync(full);
        if (stat.size >= 0) files++;
      }
    }
  }
  return { ms: performance.now() - start, files };
}

const SCRATCH = Buffer.alloc(64 * 1024);

export function readPrefixFloor(files: readonly string[]): { ms: number; bytes: number } {
  const start = performance.now();
  let bytes = 0;
  for (const file of files) {
    const fd = fs.openSync(file, 'r');
    try {
      bytes += fs.readSync(fd, SCRATCH, 0, SCRATCH.length, 0);
    } finally {
      fs.closeSync(fd);
    }
  }
  return { ms: performance.now() - start, bytes };
}

/**
 * Creates 1,000 files of ~900 bytes (the size of a snapshot) in a new folder, without flushing:
 * the file system's cost of creating the files a first sync writes, before any durability.
 * Returns the folder so the caller can move it aside rather than delete it.
 */
export function createFilesFloor(folder: string, files = 1000): { ms: number } {
  fs.mkdirSync(folder, { recursive: true });
  const text = `${'# snapshot-sized file\n'.repeat(40)}`;
  const start = performance.now();
  for (let i = 0; i < files; i++) {
    const fd = fs.openSync(path.join(folder, `f${i}.yaml`), 'wx', 0o644);
    try {
      fs.writeSync(fd, text);
    } finally {
      fs.closeSync(fd);
    }
  }
  return { ms: performance.now() - start };
}
