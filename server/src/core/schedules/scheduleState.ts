import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicallySync } from '../fs/atomicFiles';
import type { OperationResult } from '../history/operationRecord';
import { encodeSnapshotBase } from '../snapshots/fileNames';

/**
 * What the scheduler remembers of each schedule, one small JSON file per schedule under
 * `<state>/schedules/` (local state, never committed), each replaced atomically. One file per
 * schedule means two schedulers never rewrite each other's schedules.
 */
export interface ScheduleRunState {
  schedule: string;
  /** The timing this state belongs to; a changed timing is treated as a new schedule. */
  timing: string;
  /** The latest scheduled time that was run or deliberately passed over (ISO, UTC); null: none yet. */
  last_slot: string | null;
  /** When this scheduler first saw the schedule. */
  first_seen: string;
  last_run: { slot: string; started_at: string; operation_id: number | null; result: OperationResult | 'refused' | null; message: string | null } | null;
}

/** An initial sync a scheduler started (`initial_sync: true`), kept so it runs once. */
export interface InitialSyncState {
  datastore: string;
  started_at: string;
  operation_id: number | null;
  result: OperationResult | 'refused' | null;
  message: string | null;
}

/**
 * One small JSON file per key in a folder of local state, each replaced atomically; a file that
 * cannot be read, or names another key, reads as absent. Keys are encoded like snapshot folders,
 * so no name can leave the folder.
 */
class StateFiles<T> {
  constructor(readonly folder: string, private readonly keyOf: (value: T) => string, private readonly valid: (value: T) => boolean = () => true) {}

  get(key: string): T | undefined {
    try {
      const value = JSON.parse(fs.readFileSync(this.fileOf(key), 'utf8')) as T;
      return this.keyOf(value) === key && this.valid(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  put(value: T): void {
    fs.mkdirSync(this.folder, { recursive: true });
    writeFileAtomicallySync(this.fileOf(this.keyOf(value)), JSON.stringify(value, null, 2) + '\n');
  }

  private fileOf(key: string): string {
    return path.join(this.folder, `${encodeSnapshotBase(key)}.json`);
  }
}

/** `<state>/initial-syncs/<datastore>.json`: which datastores had their initial sync. */
export class InitialSyncStateStore extends StateFiles<InitialSyncState> {
  constructor(stateDir: string) {
    super(path.join(stateDir, 'initial-syncs'), (state) => state.datastore);
  }
}

/** `<state>/schedules/<schedule>.json`: what the scheduler remembers of each schedule. */
export class ScheduleStateStore extends StateFiles<ScheduleRunState> {
  constructor(stateDir: string) {
    super(path.join(stateDir, 'schedules'), (state) => state.schedule, (state) => typeof state.timing === 'string');
  }
}
