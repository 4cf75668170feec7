import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileStamp, writeFileAtomicallySync, yieldToEventLoop, type FileStamp } from '../fs/atomicFiles';
import { sha1Hex } from '../text/sha1';
import type { ContainerKind, OperationLogEntry } from '../model';
import { compareByName } from '../text/order';
import type { CatalogState } from './catalogState';
import { encodeSnapshotBase, snapshotPath } from './fileNames';
import type { ContainerChange, SyncPlan } from './plan';

/**
 * The no-change resync shortcut. After a sync whose result a repeat would reproduce exactly, the
 * engine records what that result depended on: its inputs (connection, options, overrides, engine
 * version), the source's schema signature (a cheap connector query, e.g. PostgreSQL catalog xmins),
 * the index and the size, mtime and inode of every snapshot file. When all of these still match, the
 * next sync asks the connector only whether the signature changed and, if not, replays the
 * recorded result without describing the source, rendering or reading any snapshot.
 *
 * Anything that does not match (a file touched by a person or by git, an edited override, other
 * options) takes the full path. The record is local state (under `.cac/`), never committed.
 */
export interface ResyncRecord {
  version: typeof RECORD_VERSION;
  inputs: string;
  signature: string;
  index: string;
  /**
   * The snapshot file of each container the index lists, in the index's order, so that a resync
   * can check the files before it reads the index (`recordedFilesUnchanged`).
   */
  files: string[];
  /**
   * Size, mtimeMs and inode of each of `files`, three numbers per file: one flat array parses
   * several times faster than an object keyed by 11,000 file names.
   */
  stamps: number[];
  /** What the repeat would report besides `unchanged` (containers kept as missing, removed ones still removed). */
  changes: ContainerChange[];
  logs: OperationLogEntry[];
}

/** 5: the file names beside their stamps (4: the file stamps became one flat array in the index's order). */
const RECORD_VERSION = 5;

/**
 * The record left for these inputs, read before anything else: the connector compares its
 * signature while `recordedFilesUnchanged` checks its files, and the catalog state takes an
 * index whose hash it names as parsed (readCatalogState). `recordHolds` then checks it against
 * that state.
 */
export function recordFor(stateDir: string, datastoreName: string, inputs: string): ResyncRecord | undefined {
  const record = readRecord(stateDir, datastoreName);
  return record?.inputs === inputs ? record : undefined;
}

/**
 * True when what can be checked of the record without a look at every snapshot file holds: the
 * same index text, nothing to reconcile, the same files in the index's order. The snapshot
 * files themselves are checked by `recordedFilesUnchanged`; a replay needs both.
 */
export function recordHolds(record: ResyncRecord, state: CatalogState): boolean {
  if (state.indexText === undefined || record.index !== (state.indexHash ?? sha1Hex(state.indexText))) return false;
  if (state.logs.length > 0 || state.newlyRemoved.length > 0) return false;
  const listed = state.index.containers;
  if (record.files.length !== listed.length || record.stamps.length !== listed.length * 3) return false;
  return listed.every((entry, i) => entry.file === record.files[i]);
}

/**
 * True when every snapshot file the record lists, under the datastore's snapshot folder `dir`,
 * still has the size, mtime and inode recorded (an edit, even in place, changes the mtime; an
 * atomic rewrite, the inode). One lstat per file, in slices with a turn of the event loop
 * between them, so a connector's network round trips proceed meanwhile. No file is opened.
 */
export async function recordedFilesUnchanged(record: ResyncRecord, dir: string, signal?: AbortSignal): Promise<boolean> {
  const { files, stamps } = record;
  if (stamps.length !== files.length * 3) return false;
  for (let start = 0; start < files.length; start += STAT_SLICE) {
    signal?.throwIfAborted();
    const end = Math.min(files.length, start + STAT_SLICE);
    for (let i = start; i < end; i++) {
      let stat: fs.Stats | undefined;
      try {
        stat = fs.lstatSync(snapshotPath(dir, files[i]!), { throwIfNoEntry: false });
      } catch {
        // Unreadable (a folder where a file was, no permission): not as recorded.
        return false;
      }
      const at = i * 3;
      if (!stat?.isFile() || stat.size !== stamps[at] || stat.mtimeMs !== stamps[at + 1] || stat.ino !== stamps[at + 2]) return false;
    }
    if (end < files.length) await yieldToEventLoop();
  }
  return true;
}

/** Files checked between two turns of the event loop (~2 ms here). */
const STAT_SLICE = 500;

/**
 * Records the state a written (or verified) sync left, when a repeat would report the same:
 * no writes or deletes are pending and the catalog folder needed no reconciliation. Otherwise
 * removes any older record, so a stale one can never be replayed.
 */
export function recordResync(stateDir: string, datastoreName: string, inputs: string, signature: string | undefined, state: CatalogState, plan: SyncPlan, written?: ReadonlyMap<string, FileStamp>): void {
  const file = recordFile(stateDir, datastoreName);
  const repeatable = signature !== undefined && plan.complete && state.logs.length === 0 && state.newlyRemoved.length === 0 && plan.deletes.length === 0
    && plan.changes.every((c) => c.action === 'new' || c.action === 'changed' || c.action === 'unchanged' || c.action === 'recreated' || c.action === 'missing' || c.action === 'still_removed');
  if (!repeatable) {
    fs.rmSync(file, { force: true });
    return;
  }
  const containers = plan.index.containers;
  const stamps = new Array<number>(containers.length * 3);
  for (let i = 0; i < containers.length; i++) {
    // The same path planSync gave the write.
    const file = snapshotPath(state.dir, containers[i]!.file);
    const stamp = written?.get(file) ?? plan.verified?.get(file) ?? fileStamp(fs.lstatSync(file));
    stamps[i * 3] = stamp[0];
    stamps[i * 3 + 1] = stamp[1];
    stamps[i * 3 + 2] = stamp[2];
  }
  const record: ResyncRecord = {
    version: RECORD_VERSION, inputs, signature: signature!, index: sha1Hex(plan.indexText), files: containers.map((entry) => entry.file), stamps,
    changes: plan.changes.filter((c) => c.action === 'missing' || c.action === 'still_removed'),
    logs: plan.logs,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomicallySync(file, JSON.stringify(record));
}

/** The plan a full sync would have produced, rebuilt from the record: every listed container unchanged. */
export function replayPlan(record: ResyncRecord, state: CatalogState, datastoreName: string): SyncPlan {
  const sticky = new Set(record.changes.map((c) => c.name));
  const changes: ContainerChange[] = [
    ...record.changes,
    ...state.index.containers
      .filter((entry) => !sticky.has(entry.name))
      .map((entry): ContainerChange => ({ action: 'unchanged', name: entry.name, kind: entry.kind as ContainerKind, file: entry.file })),
  ];
  // The index lists its containers in name order: only the record's own changes need placing.
  if (record.changes.length > 0) changes.sort(compareByName);
  return {
    datastore: datastoreName, changes, writes: [], deletes: [], index: state.index, indexPath: state.indexPath,
    indexText: state.indexText!, indexChanged: false, logs: [...record.logs], complete: true,
  };
}

/**
 * A replayed sync whose source answered `unchanged` with a newer signature (PostgreSQL: the same
 * catalog content at a later transaction snapshot): the record takes it, so that the next resync
 * can again prove the source unchanged by the signature's cheap part.
 */
export function refreshResyncSignature(stateDir: string, datastoreName: string, record: ResyncRecord, signature: string | undefined): void {
  if (signature === undefined || signature === record.signature) return;
  try {
    writeFileAtomicallySync(recordFile(stateDir, datastoreName), JSON.stringify({ ...record, signature }));
  } catch {
    // The older record stays whole (an atomic write) and still proves the same content: the next resync compares it.
  }
}

export function forgetResync(stateDir: string, datastoreName: string): void {
  fs.rmSync(recordFile(stateDir, datastoreName), { force: true });
}

function readRecord(stateDir: string, datastoreName: string): ResyncRecord | undefined {
  const file = recordFile(stateDir, datastoreName);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const identity = fileStamp(fs.fstatSync(fd)).join(':');
    // A host that syncs again (the language server's kept worker) parses an unchanged record
    // once (800 KB for 1,000 globbed containers). A rewrite is atomic: a new inode.
    if (lastRead?.file === file && lastRead.identity === identity) return lastRead.record;
    const value = JSON.parse(fs.readFileSync(fd, 'utf8')) as ResyncRecord;
    const record = value.version === RECORD_VERSION && typeof value.signature === 'string' && Array.isArray(value.files) && Array.isArray(value.stamps) ? value : undefined;
    lastRead = { file, identity, record };
    return record;
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** The record last parsed, by file and identity (size, time, inode). Read-only to every caller. */
let lastRead: { file: string; identity: string; record: ResyncRecord | undefined } | undefined;

function recordFile(stateDir: string, datastoreName: string): string {
  return path.join(stateDir, 'cache', `${encodeSnapshotBase(datastoreName)}.resync.json`);
}

