import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { hostname } from 'node:os';
import { writeFileAtomicallySync } from '../fs/atomicFiles';
import { OperationIndex, rowOf, sameRow, type IndexedRow, type OperationRow } from './operationIndex';
import { queryOperations, selectOperations, touchesContainer, type OperationPage, type OperationQuery } from './operationQuery';
import { upgradeRecord, type OperationRecord } from './operationRecord';

/**
 * Local, crash-safe operation history: one JSON file per operation under `<state>/operations/`.
 * Every write replaces a whole file atomically. A new id is claimed by hard-linking a fully
 * written temp file to its final name, which fails if another process took the id first, so
 * two concurrent syncs can never share an id and no record is ever half-written.
 */
export class OperationStore {
  readonly folder: string;
  private readonly index: OperationIndex;

  constructor(stateDir: string) {
    this.folder = path.join(stateDir, 'operations');
    this.index = new OperationIndex(this.folder, path.join(stateDir, 'operations.index.json'));
  }

  /** Stores a new record and returns it with its id. */
  create(record: Omit<OperationRecord, 'id'>): OperationRecord {
    fs.mkdirSync(this.folder, { recursive: true });
    for (let attempt = 0; attempt < 1000; attempt++) {
      const id = this.maxId() + 1;
      const full: OperationRecord = { id, ...record };
      const temp = path.join(this.folder, `.claim.${randomBytes(6).toString('hex')}.tmp`);
      const fd = fs.openSync(temp, 'wx', 0o644);
      try {
        fs.writeSync(fd, serialize(full));
        fs.fdatasyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      try {
        fs.linkSync(temp, this.fileOf(id));
        return full;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        fs.rmSync(temp, { force: true });
      }
    }
    throw new Error(`Could not allocate an operation id in ${this.folder}; too many concurrent writers.`);
  }

  update(record: OperationRecord): void {
    writeFileAtomicallySync(this.fileOf(record.id), serialize(record));
  }

  get(id: number): OperationRecord | undefined {
    if (!Number.isSafeInteger(id) || id < 1) return undefined;
    let text: string;
    try {
      text = fs.readFileSync(this.fileOf(id), 'utf8');
    } catch (error) {
      // No such record is an answer; a record we may not read is not "no operations" (EACCES, EIO…).
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return withLiveness(upgradeRecord(JSON.parse(text) as OperationRecord));
    } catch {
      return undefined;
    }
  }

  /** Every record, newest first. Files that do not parse are skipped (they cannot be half-written by us); one that cannot be read is an error. */
  list(): OperationRecord[] {
    const records: OperationRecord[] = [];
    for (const id of this.ids().sort((a, b) => b - a)) {
      const record = this.get(id);
      if (record) records.push(record);
    }
    return records;
  }

  /**
   * `queryOperations(this.list(), query, now)`, without reading every record: the search, filters
   * and sort run on the summary index (history/operationIndex.ts, checked against the folder on
   * every call), then only the page's records are read. Each is checked against the summary it
   * was chosen by; if one changed or went in between, the query runs again (and, should records
   * keep changing under it, falls back to reading them all).
   */
  query(query: OperationQuery, now: Date): OperationPage {
    for (let attempt = 0; attempt < QUERY_ATTEMPTS; attempt++) {
      const fileIds = new Map<OperationRow, number>();
      const rows = this.summaryRows().map(({ fileId, row }) => {
        fileIds.set(row, fileId);
        return row;
      });
      const fullRecords = new Map<number, OperationRecord | undefined>();
      const full = (fileId: number): OperationRecord | undefined => {
        if (!fullRecords.has(fileId)) fullRecords.set(fileId, this.get(fileId));
        return fullRecords.get(fileId);
      };
      const touches = (row: OperationRow, container: string): boolean => {
        if (row.containers) return row.containers.includes(container);
        const record = full(fileIds.get(row)!);
        return record !== undefined && touchesContainer(record, container);
      };
      const page = selectOperations(rows, query, now, touches);
      const items: OperationRecord[] = [];
      for (const row of page.items) {
        const record = full(fileIds.get(row)!);
        if (!record || !sameRow(rowOf(record), row)) break;
        items.push(record);
      }
      if (items.length === page.items.length) return { ...page, items };
    }
    return queryOperations(this.list(), query, now);
  }

  /**
   * A summary of every record, newest first, with liveness applied (what `list()` gives, without
   * progress, summary, changes or logs); read from the index, so cheap however long the history.
   */
  summaries(): OperationRow[] {
    return this.summaryRows().map((entry) => entry.row);
  }

  private summaryRows(): IndexedRow[] {
    return this.index.rows().map((entry) => ({ fileId: entry.fileId, row: rowWithLiveness(entry.row) }));
  }

  /** Removes a record and the files kept beside it; false when there was no such record. */
  delete(id: number): boolean {
    if (!Number.isSafeInteger(id) || id < 1) return false;
    let existed = true;
    // An empty tombstone keeps the id taken: an API client holding id 12 must never find another operation there.
    if (fs.existsSync(this.fileOf(id))) fs.writeFileSync(this.tombstoneOf(id), '');
    try {
      fs.unlinkSync(this.fileOf(id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      existed = false;
    }
    for (const kind of SIDECARS) fs.rmSync(this.sidecarPath(id, kind), { force: true });
    return existed;
  }

  /** When the record was last written (a killed operation's last progress), or undefined. */
  lastWritten(id: number): Date | undefined {
    try {
      return fs.statSync(this.fileOf(id)).mtime;
    } catch {
      return undefined;
    }
  }

  /**
   * A file kept beside a record: `abort` is the request another process leaves for the running
   * sync (operations/abortRequest.ts), `checkpoint` what a resume needs (operations/resumeCheckpoint.ts).
   * Ids are integers, so no caller can make these paths leave the folder.
   */
  sidecarPath(id: number, kind: OperationSidecar): string {
    if (!Number.isSafeInteger(id) || id < 1) throw new Error(`Operation ids are positive integers, not ${id}.`);
    return path.join(this.folder, `${String(id).padStart(8, '0')}.${kind}.json`);
  }

  private ids(pattern = RECORD_FILE): number[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.folder);
    } catch (error) {
      // No history yet is an empty one; an unreadable one is an error to report, never "no operations".
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const ids: number[] = [];
    for (const name of names) {
      const match = pattern.exec(name);
      if (match) ids.push(Number(match[1]));
    }
    return ids;
  }

  private maxId(): number {
    return this.ids(RECORD_OR_TOMBSTONE).reduce((max, id) => Math.max(max, id), 0);
  }

  private tombstoneOf(id: number): string {
    return path.join(this.folder, `${String(id).padStart(8, '0')}.deleted`);
  }

  private fileOf(id: number): string {
    return path.join(this.folder, `${String(id).padStart(8, '0')}.json`);
  }
}

const RECORD_FILE = /^([0-9]{8,})\.json$/;
const RECORD_OR_TOMBSTONE = /^([0-9]{8,})\.(?:json|deleted)$/;

export type OperationSidecar = 'abort' | 'checkpoint';
const SIDECARS: readonly OperationSidecar[] = ['abort', 'checkpoint'];

function serialize(record: OperationRecord): string {
  return JSON.stringify(record, null, 2) + '\n';
}

/**
 * A record still marked running whose process is gone (killed, crashed, machine rebooted) is
 * reported as failed, so a crash can never leave an operation "running" forever.
 */
function withLiveness(record: OperationRecord): OperationRecord {
  if (record.result !== 'running' || !record.process) return record;
  if (record.process.host === hostname() && isAlive(record.process.pid)) return record;
  const next = record.checkpoint ? `resume it with \`cac history resume ${record.id}\` to finish its writes, or re-run the sync` : 're-run the sync';
  return { ...record, result: 'failure', message: `The process running this operation ended before it finished (killed or crashed). Snapshots are each either old or new; ${next}.` };
}

function rowWithLiveness(row: OperationRow): OperationRow {
  if (row.result !== 'running' || !row.process) return row;
  if (row.process.host === hostname() && isAlive(row.process.pid)) return row;
  return { ...row, result: 'failure' };
}

/** Tries of a query whose page changed while it was read, before it reads every record instead. */
const QUERY_ATTEMPTS = 3;

/** Whether a process of this host is still running (signal 0 only checks; EPERM means it exists). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
