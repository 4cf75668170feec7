import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicallySync } from '../fs/atomicFiles';
import { upgradeRecord, type OperationRecord, type OperationResult } from './operationRecord';
import type { QueryableOperation } from './operationQuery';

/**
 * A summary of every operation record, so a page of history costs a folder listing, one stat per
 * record and the page's own files, not a read of every record.
 *
 * It can never lie, because it is only ever a cache of the record files, checked against them on
 * every use:
 * - Each summary is keyed by its file's stamp (size, mtime, inode), taken from the descriptor the
 *   summary was read through. Every call lists the folder and stats each record; a file whose stamp
 *   differs, or that is new, is read again; a summary whose file is gone is dropped. Records are
 *   replaced by rename (a new inode, a new mtime), so a rewrite always changes the stamp.
 * - A file modified within `RACY_MS` of being read ("racily clean", as git calls it: a second write
 *   in the same clock tick could keep size, mtime and a reused inode) is not trusted and is read
 *   again next time. Running operations, which rewrite their record, stay racy while they run.
 * - Kept in memory per folder (a language server, `cac serve` or a daemon reads only new or
 *   changed records), and on disk in `<state>/operations.index.json`, written atomically (temp,
 *   fdatasync, rename) when it has drifted, for the next process. A missing, truncated, foreign or
 *   stale file is only slower: entries that do not match a record's stamp are read again.
 * - Liveness (a `running` record whose process is gone reads as `failure`) is applied when a row
 *   is used, never stored.
 */
export interface OperationRow extends QueryableOperation {
  process?: { pid: number; host: string };
  /** Containers the operation changed or logged about; null when there were too many to keep here (read the record). */
  containers: string[] | null;
}

/** A row with the file it came from (a record's `id` is normally its file's number). */
export interface IndexedRow {
  fileId: number;
  row: OperationRow;
}

/** Containers kept per row; an operation touching more answers the container filter from its file. */
export const MAX_INDEXED_CONTAINERS = 64;
/** A file written this recently (or dated in the future) may still change within one timestamp tick: read it again. */
export const RACY_MS = 2000;
/** The on-disk index is rewritten once this many records were read that it did not cover (or it had gone). */
const REWRITE_AFTER = 32;
const INDEX_VERSION = 1;
const RECORD_FILE = /^([0-9]{8,})\.json$/;

interface Entry {
  size: number;
  mtimeMs: number;
  ino: number;
  /** Read too soon after its last write to trust its stamp. */
  racy: boolean;
  /** null: the file does not parse as a record (skipped, as `OperationStore.list` skips it). */
  row: OperationRow | null;
}

interface FolderCache {
  entries: Map<string, Entry>;
  /**
   * The folder's own stamp when `entries` was last checked against it. Every writer of records
   * creates, replaces (rename) or deletes files, which changes the folder's mtime; while the stamp
   * is unchanged, not racy, and no entry is racy, the files need no stat.
   */
  folderStamp?: { mtimeMs: number; ino: number };
  /** `entries` as rows, newest first (computed once per scan). */
  sorted?: IndexedRow[];
  /** Entries read since the on-disk index was last written (or found). */
  drift: number;
  /** Whether a usable on-disk index was found or written. */
  onDisk: boolean;
}

const caches = new Map<string, FolderCache>();

export class OperationIndex {
  constructor(readonly folder: string, readonly indexFile: string) {}

  /** One summary per readable record, newest (highest file number) first. */
  rows(): IndexedRow[] {
    let cache = caches.get(this.folder);
    if (!cache) {
      // Kept at once: an unchanged folder answers from it below without passing through the rescan that stores it.
      cache = this.load();
      caches.set(this.folder, cache);
    }
    const folderStat = fs.statSync(this.folder, { throwIfNoEntry: false });
    const folderStamp = folderStat ? { mtimeMs: folderStat.mtimeMs, ino: folderStat.ino } : undefined;
    if (folderStamp && cache.folderStamp && cache.folderStamp.mtimeMs === folderStamp.mtimeMs && cache.folderStamp.ino === folderStamp.ino
      && Math.abs(Date.now() - folderStamp.mtimeMs) >= RACY_MS && ![...cache.entries.values()].some((e) => e.racy)) {
      return (cache.sorted ??= rowsOf(cache.entries)).slice();
    }
    const names = listRecordFiles(this.folder);
    const next = new Map<string, Entry>();
    let read = 0;
    const now = Date.now();
    for (const name of names) {
      const file = path.join(this.folder, name);
      const known = cache.entries.get(name);
      if (known && !known.racy) {
        const stat = fs.statSync(file, { throwIfNoEntry: false });
        if (!stat) continue;
        if (stat.size === known.size && stat.mtimeMs === known.mtimeMs && stat.ino === known.ino) {
          next.set(name, known);
          continue;
        }
      }
      const entry = readEntry(file, now);
      if (!entry) continue;
      next.set(name, entry);
      if (!entry.racy) read++;
    }
    const removed = [...cache.entries.keys()].filter((name) => !next.has(name)).length;
    // A folder stamp taken before the listing: a change during the scan makes the next query scan again.
    const updated: FolderCache = { entries: next, drift: cache.drift + read + removed, onDisk: cache.onDisk, folderStamp };
    if (!updated.onDisk || updated.drift >= REWRITE_AFTER) this.save(updated);
    caches.set(this.folder, updated);
    updated.sorted = rowsOf(next);
    return updated.sorted.slice();
  }

  /** Forgets what this process cached of the folder (the on-disk index stays, checked as always). */
  static forgetCached(folder?: string): void {
    if (folder === undefined) caches.clear();
    else caches.delete(folder);
  }

  private load(): FolderCache {
    const entries = new Map<string, Entry>();
    let text: string;
    try {
      text = fs.readFileSync(this.indexFile, 'utf8');
    } catch {
      return { entries, drift: 0, onDisk: false };
    }
    try {
      const parsed = JSON.parse(text) as { version?: unknown; entries?: unknown; folder?: unknown };
      if (parsed.version !== INDEX_VERSION || !Array.isArray(parsed.entries)) return { entries, drift: 0, onDisk: false };
      for (const item of parsed.entries) {
        const entry = decodeEntry(item);
        if (!entry) return { entries: new Map(), drift: 0, onDisk: false };
        entries.set(entry[0], entry[1]);
      }
      // The folder's stamp when these entries matched it: a new process skips the stats while it holds.
      const folder = parsed.folder;
      const folderStamp = Array.isArray(folder) && folder.length === 2 && folder.every((n) => typeof n === 'number') ? { mtimeMs: folder[0] as number, ino: folder[1] as number } : undefined;
      return { entries, drift: 0, onDisk: true, folderStamp };
    } catch {
      // Truncated or not ours: rebuilt from the records.
      return { entries: new Map(), drift: 0, onDisk: false };
    }
  }

  private save(cache: FolderCache): void {
    if (cache.entries.size === 0 && !fs.existsSync(this.indexFile)) {
      cache.onDisk = true;
      cache.drift = 0;
      return;
    }
    const entries = [...cache.entries].map(([name, entry]) => encodeEntry(name, entry));
    try {
      const folder = cache.folderStamp ? [cache.folderStamp.mtimeMs, cache.folderStamp.ino] : null;
      writeFileAtomicallySync(this.indexFile, JSON.stringify({ version: INDEX_VERSION, folder, entries }));
      cache.onDisk = true;
      cache.drift = 0;
    } catch {
      // The index is only a shortcut: a state folder we may not write still answers, from the records.
      cache.onDisk = true;
      cache.drift = 0;
    }
  }
}

/** The summary row of a record, as the index keeps it. */
export function rowOf(record: OperationRecord): OperationRow {
  const names = new Set<string>();
  for (const change of record.changes ?? []) names.add(change.name);
  for (const log of record.logs ?? []) if (log.container !== undefined) names.add(log.container);
  const row: OperationRow = {
    id: record.id, created: record.created, start_time: record.start_time, end_time: record.end_time, result: record.result,
    datastore: { id: record.datastore?.id, name: record.datastore?.name },
    schedule: record.schedule, triggered_by: record.triggered_by,
    containers: names.size <= MAX_INDEXED_CONTAINERS ? [...names] : null,
  };
  if (record.resumed_at !== undefined) row.resumed_at = record.resumed_at;
  if (record.worked_ms !== undefined) row.worked_ms = record.worked_ms;
  if (record.process) row.process = { pid: record.process.pid, host: record.process.host };
  return row;
}

/** Whether two rows say the same (what a page's re-read record is checked against). */
export function sameRow(a: OperationRow, b: OperationRow): boolean {
  return JSON.stringify(encodeRow(a)) === JSON.stringify(encodeRow(b));
}

function rowsOf(entries: ReadonlyMap<string, Entry>): IndexedRow[] {
  const rows: IndexedRow[] = [];
  for (const [name, entry] of entries) if (entry.row) rows.push({ fileId: Number(RECORD_FILE.exec(name)![1]), row: entry.row });
  return rows.sort((a, b) => b.fileId - a.fileId);
}

function listRecordFiles(folder: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.filter((name) => RECORD_FILE.test(name));
}

/** Reads one record through one descriptor, so the stamp is the one of the bytes read. Undefined when it is gone. */
function readEntry(file: string, now: number): Entry | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    // Deleted since the listing; a record we may not read is an error, as in OperationStore.get.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let stat: fs.Stats;
  let text: string;
  try {
    stat = fs.fstatSync(fd);
    text = fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
  let row: OperationRow | null;
  try {
    row = rowOf(upgradeRecord(JSON.parse(text) as OperationRecord));
  } catch {
    row = null;
  }
  return { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, racy: Math.abs(now - stat.mtimeMs) < RACY_MS, row };
}

type EncodedRow = [
  id: number, created: string, start: string, end: string | null, result: OperationResult, resumedAt: string | null | undefined, workedMs: number | undefined,
  datastoreId: number, datastoreName: string, schedule: string | null, triggeredBy: string, pid: number | undefined, host: string | undefined, containers: string[] | null,
];
type EncodedEntry = [name: string, size: number, mtimeMs: number, ino: number, racy: 0 | 1, row: EncodedRow | null];

function encodeEntry(name: string, entry: Entry): EncodedEntry {
  return [name, entry.size, entry.mtimeMs, entry.ino, entry.racy ? 1 : 0, entry.row ? encodeRow(entry.row) : null];
}

function encodeRow(r: OperationRow): EncodedRow {
  return [r.id, r.created, r.start_time, r.end_time, r.result, r.resumed_at, r.worked_ms, r.datastore.id, r.datastore.name, r.schedule, r.triggered_by, r.process?.pid, r.process?.host, r.containers];
}

/** An entry of the on-disk index, or undefined when it is not one this version wrote (the whole file is then ignored). */
function decodeEntry(item: unknown): [string, Entry] | undefined {
  if (!Array.isArray(item) || item.length !== 6) return undefined;
  const [name, size, mtimeMs, ino, racy, encoded] = item as unknown[];
  if (typeof name !== 'string' || !RECORD_FILE.test(name) || typeof size !== 'number' || typeof mtimeMs !== 'number' || typeof ino !== 'number') return undefined;
  if (encoded === null) return [name, { size, mtimeMs, ino, racy: racy === 1, row: null }];
  if (!Array.isArray(encoded) || encoded.length !== 14) return undefined;
  const e = encoded as unknown[];
  // JSON turns undefined into null inside arrays; the optional fields come back as they were written only when present.
  const [id, created, start, end, result, resumedAt, workedMs, datastoreId, datastoreName, schedule, triggeredBy, pid, host, containers] = e;
  if (typeof id !== 'number' || !(containers === null || Array.isArray(containers))) return undefined;
  const row: OperationRow = {
    id, created: created as string, start_time: start as string, end_time: end as string | null, result: result as OperationResult,
    datastore: { id: datastoreId as number, name: datastoreName as string }, schedule: schedule as string | null, triggered_by: triggeredBy as string,
    containers: containers as string[] | null,
  };
  if (resumedAt !== undefined && resumedAt !== null) row.resumed_at = resumedAt as string;
  if (typeof workedMs === 'number') row.worked_ms = workedMs;
  if (typeof pid === 'number' && typeof host === 'string') row.process = { pid, host };
  return [name, { size, mtimeMs, ino, racy: racy === 1, row }];
}
