import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileStamp, writeFileAtomicallySync, type FileStamp } from '../fs/atomicFiles';
import type { ContainerKind, OperationLogEntry } from '../model';
import { compareByName } from '../text/order';
import type { CatalogState } from './catalogState';
import { encodeSnapshotBase } from './fileNames';
import type { ContainerChange, SyncPlan } from './plan';

/**
 * The no-change resync shortcut. After a sync whose result a repeat would reproduce exactly, the
 * engine records what that result depended on: its inputs (connection, options, overrides, engine
 * version), the source's schema signature (a cheap connector query, e.g. PostgreSQL catalog xmins),
 * the index and the size and mtime of every snapshot file. When all of these still match, the
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
  /** file name → [size, mtimeMs, inode] of each snapshot the index lists. */
  files: Record<string, FileStamp>;
  /** What the repeat would report besides `unchanged` (containers kept as missing, removed ones still removed). */
  changes: ContainerChange[];
  logs: OperationLogEntry[];
}

/** 3: the change vocabulary became missing / pruned / removed / still_removed. */
const RECORD_VERSION = 3;

/**
 * The signature the connector may compare against, when the recorded state still holds: same
 * inputs, same index text, and every listed snapshot file with the size and mtime it had.
 */
export function usableRecord(stateDir: string, datastoreName: string, inputs: string, state: CatalogState): ResyncRecord | undefined {
  const record = readRecord(stateDir, datastoreName);
  if (!record || record.inputs !== inputs || state.indexText === undefined || record.index !== sha1(state.indexText)) return undefined;
  if (state.logs.length > 0 || state.newlyRemoved.length > 0) return undefined;
  const listed = state.index.containers;
  if (listed.length !== Object.keys(record.files).length) return undefined;
  for (const entry of listed) {
    const expected = record.files[entry.file];
    if (!expected) return undefined;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(path.join(state.dir, entry.file));
    } catch {
      return undefined;
    }
    if (!stat.isFile() || stat.size !== expected[0] || stat.mtimeMs !== expected[1] || stat.ino !== expected[2]) return undefined;
  }
  return record;
}

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
  const files: Record<string, FileStamp> = {};
  for (const entry of plan.index.containers) {
    const file = path.join(state.dir, entry.file);
    files[entry.file] = written?.get(file) ?? plan.verified?.get(file) ?? fileStamp(fs.lstatSync(file));
  }
  const record: ResyncRecord = {
    version: RECORD_VERSION, inputs, signature: signature!, index: sha1(plan.indexText), files,
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
  changes.sort(compareByName);
  return {
    datastore: datastoreName, changes, writes: [], deletes: [], index: state.index, indexPath: state.indexPath,
    indexText: state.indexText!, indexChanged: false, logs: [...record.logs], complete: true,
  };
}

export function forgetResync(stateDir: string, datastoreName: string): void {
  fs.rmSync(recordFile(stateDir, datastoreName), { force: true });
}

function readRecord(stateDir: string, datastoreName: string): ResyncRecord | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(recordFile(stateDir, datastoreName), 'utf8')) as ResyncRecord;
    return value.version === RECORD_VERSION && typeof value.signature === 'string' && typeof value.files === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

function recordFile(stateDir: string, datastoreName: string): string {
  return path.join(stateDir, 'cache', `${encodeSnapshotBase(datastoreName)}.resync.json`);
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
