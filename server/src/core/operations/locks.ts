import * as path from 'node:path';
import { operationTimestamp } from '../history/operationRecord';
import { encodeSnapshotBase } from '../snapshots/fileNames';
import { acquireLock, type LockAttempt, type LockHolder, type LockOptions } from './fileLock';

/**
 * The locks the engine takes, all under `<state>/locks/`. Names are encoded like snapshot
 * folders (core/sync/snapshotFileNames.ts), so no datastore or schedule name can leave the folder.
 *
 * - `sync-<datastore>.lock`: held for the whole of a written sync; a second sync of the same
 *   datastore is refused with the holder's operation id.
 * - `schedule-<schedule>.lock`: held for the instant a scheduler claims a due run, so two
 *   schedulers (a daemon and a cron `run-due`) never start the same run twice.
 */
export function acquireDatastoreLock(stateDir: string, datastore: string, now: Date, options?: LockOptions): LockAttempt {
  return acquireLock(lockFile(stateDir, 'sync', datastore), { purpose: 'sync', operation_id: null, acquired_at: operationTimestamp(now) }, options);
}

export function acquireScheduleLock(stateDir: string, schedule: string, now: Date, options?: LockOptions): LockAttempt {
  return acquireLock(lockFile(stateDir, 'schedule', schedule), { purpose: 'schedule', operation_id: null, acquired_at: operationTimestamp(now) }, options);
}

/** The refusal a second sync of a busy datastore reports: who holds it and what to do. */
export function datastoreBusyMessage(datastore: string, holder: LockHolder): string {
  const who = holder.operation_id !== null ? `operation ${holder.operation_id}` : 'another sync (starting)';
  const where = holder.pid > 0 ? ` (pid ${holder.pid} on ${holder.host}, since ${holder.acquired_at})` : '';
  const what = holder.operation_id !== null ? `wait for it to finish, or abort it with \`cac history abort ${holder.operation_id}\`` : 'wait for it to finish';
  return `Datastore '${datastore}' is already being synced by ${who}${where}. Nothing was started: ${what}.`;
}

function lockFile(stateDir: string, kind: 'sync' | 'schedule', name: string): string {
  return path.join(stateDir, 'locks', `${kind}-${encodeSnapshotBase(name)}.lock`);
}
