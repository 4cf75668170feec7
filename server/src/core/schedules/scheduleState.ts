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

/** `<state>/initial-syncs/<datastore>.json`: which datastores had their initial sync. */
export class InitialSyncStateStore {
  readonly folder: string;

  constructor(stateDir: string) {
    this.folder = path.join(stateDir, 'initial-syncs');
  }

  get(datastore: string): InitialSyncState | undefined {
    try {
      const value = JSON.parse(fs.readFileSync(this.fileOf(datastore), 'utf8')) as InitialSyncState;
      return value.datastore === datastore ? value : undefined;
    } catch {
      return undefined;
    }
  }

  put(state: InitialSyncState): void {
    fs.mkdirSync(this.folder, { recursive: true });
    writeFileAtomicallySync(this.fileOf(state.datastore), JSON.stringify(state, null, 2) + '\n');
  }

  private fileOf(datastore: string): string {
    return path.join(this.folder, `${encodeSnapshotBase(datastore)}.json`);
  }
}

export class ScheduleStateStore {
  readonly folder: string;

  constructor(stateDir: string) {
    this.folder = path.join(stateDir, 'schedules');
  }

  get(schedule: string): ScheduleRunState | undefined {
    try {
      const value = JSON.parse(fs.readFileSync(this.fileOf(schedule), 'utf8')) as ScheduleRunState;
      return value.schedule === schedule && typeof value.timing === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  put(state: ScheduleRunState): void {
    fs.mkdirSync(this.folder, { recursive: true });
    writeFileAtomicallySync(this.fileOf(state.schedule), JSON.stringify(state, null, 2) + '\n');
  }

  private fileOf(schedule: string): string {
    // Schedule names are schema-checked, and encoded anyway: no name can leave the folder.
    return path.join(this.folder, `${encodeSnapshotBase(schedule)}.json`);
  }
}
