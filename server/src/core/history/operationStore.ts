import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { hostname } from 'node:os';
import { writeFileAtomicallySync } from '../fs/atomicFiles';
import type { OperationRecord } from './operationRecord';

/**
 * Local, crash-safe operation history: one JSON file per operation under `<state>/operations/`.
 * Every write replaces a whole file atomically. A new id is claimed by hard-linking a fully
 * written temp file to its final name, which fails if another process took the id first, so
 * two concurrent syncs can never share an id and no record is ever half-written.
 */
export class OperationStore {
  readonly folder: string;

  constructor(stateDir: string) {
    this.folder = path.join(stateDir, 'operations');
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
    try {
      return withLiveness(JSON.parse(fs.readFileSync(this.fileOf(id), 'utf8')) as OperationRecord);
    } catch {
      return undefined;
    }
  }

  /** Every record, newest first. Unreadable files are skipped (they cannot be half-written by us). */
  list(): OperationRecord[] {
    const records: OperationRecord[] = [];
    for (const id of this.ids().sort((a, b) => b - a)) {
      const record = this.get(id);
      if (record) records.push(record);
    }
    return records;
  }

  delete(id: number): boolean {
    try {
      fs.unlinkSync(this.fileOf(id));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  private ids(): number[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.folder);
    } catch {
      return [];
    }
    const ids: number[] = [];
    for (const name of names) {
      const match = RECORD_FILE.exec(name);
      if (match) ids.push(Number(match[1]));
    }
    return ids;
  }

  private maxId(): number {
    return this.ids().reduce((max, id) => Math.max(max, id), 0);
  }

  private fileOf(id: number): string {
    return path.join(this.folder, `${String(id).padStart(8, '0')}.json`);
  }
}

const RECORD_FILE = /^([0-9]{8,})\.json$/;

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
  return { ...record, result: 'failure', message: 'The process running this operation ended before it finished (killed or crashed). Snapshots are each either old or new; re-run the sync.' };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
