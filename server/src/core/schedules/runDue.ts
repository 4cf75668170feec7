import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatastoreDefinition, ScheduleDefinition, ScheduleTiming, Workspace } from '../definitions/types';
import { INDEX_FILE_NAME, datastoreSnapshotDir } from '../snapshots/fileNames';
import { operationTimestamp, type OperationResult } from '../history/operationRecord';
import { acquireScheduleLock } from '../operations/locks';
import type { SyncOutcome } from '../sync/runSync';
import { nextRuns, previousRun } from '../definitions/scheduleTiming';
import { InitialSyncStateStore, ScheduleStateStore, type ScheduleRunState } from './scheduleState';
import { compareByName } from '../text/order';

/**
 * What one look at a schedule decides at `now` (all UTC):
 *
 * - `run`: its latest scheduled time (the "slot", `previousRun(now)`) is later than the last slot
 *   it ran or passed over. Only that latest slot runs, once: slots missed while nothing was
 *   looking (a machine off for a week) are not replayed in a burst.
 * - `first-seen`: the scheduler has never seen this schedule (or its timing changed). It records
 *   the current slot without running, so the first run is the schedule's next time, as with cron;
 *   a schedule added at 10:05 for "daily at 00:00" first runs at the next midnight.
 * - `disabled`: `enabled: false`; its slot is recorded so re-enabling it does not fire a stale run.
 * - `not-due`: nothing to do before `next`.
 */
export function decideSchedule(schedule: ScheduleDefinition, state: ScheduleRunState | undefined, now: Date): ScheduleDecision {
  if (!schedule.timing) return { action: 'invalid', message: `Schedule '${schedule.name}' has no valid timing; see \`cac validate\`.` };
  const slot = previousRun(schedule.timing, now);
  const next = nextRuns(schedule.timing, now, 1)[0];
  if (!schedule.enabled) return { action: 'disabled', slot, next };
  if (!state || state.timing !== timingKey(schedule.timing)) return { action: 'first-seen', slot, next };
  if (slot && (state.last_slot === null || slot.getTime() > Date.parse(state.last_slot))) return { action: 'run', slot, next };
  return { action: 'not-due', slot, next };
}

export type ScheduleDecision =
  | { action: 'run' | 'first-seen' | 'disabled' | 'not-due'; slot: Date | undefined; next: Date | undefined }
  | { action: 'invalid'; message: string };

/**
 * Runs every schedule that is due at `now`, one after the other, each at most once per slot, and
 * records what it did. Idempotent: a second call at the same instant runs nothing. A slot is
 * claimed (written to the schedule's state under a short lock) before its sync starts, so two
 * schedulers never run it twice, and a crash during the sync does not run it again (at most once).
 */
export async function runDueSchedules(request: RunDueRequest): Promise<ScheduleReport[]> {
  const { workspace, now } = request;
  const store = new ScheduleStateStore(workspace.project.stateDir);
  const reports: ScheduleReport[] = [];
  for (const schedule of [...workspace.schedules].sort(compareByName)) {
    if (request.signal?.aborted) break;
    const base = { schedule: schedule.name, datastore: schedule.datastore };
    const claim = acquireScheduleLock(workspace.project.stateDir, schedule.name, now);
    if (!claim.acquired) {
      reports.push({ ...base, action: 'claimed-elsewhere', message: `Another scheduler (pid ${claim.holder.pid} on ${claim.holder.host}) is looking at this schedule right now.` });
      continue;
    }
    let decision: ScheduleDecision;
    let state: ScheduleRunState | undefined;
    try {
      state = store.get(schedule.name);
      decision = decideSchedule(schedule, state, now);
      if (decision.action === 'run' || decision.action === 'first-seen' || decision.action === 'disabled') {
        const slot = decision.slot ? operationTimestamp(decision.slot) : null;
        state = {
          schedule: schedule.name,
          timing: timingKey(schedule.timing!),
          last_slot: slot,
          first_seen: state && decision.action !== 'first-seen' ? state.first_seen : operationTimestamp(now),
          last_run: decision.action === 'run'
            ? { slot: slot!, started_at: operationTimestamp(now), operation_id: null, result: 'running', message: null }
            : state?.last_run ?? null,
        };
        if (decision.action !== 'disabled' || store.get(schedule.name)?.last_slot !== slot) store.put(state);
      }
    } finally {
      claim.lock.release();
    }
    if (decision.action === 'invalid') {
      reports.push({ ...base, action: 'invalid', message: decision.message });
      continue;
    }
    const next = decision.next ? decision.next.toISOString() : null;
    if (decision.action !== 'run') {
      reports.push({ ...base, action: decision.action, slot: decision.slot ? decision.slot.toISOString() : null, next_run: next });
      continue;
    }
    const datastore = workspace.datastores.find((d) => d.name === schedule.datastore);
    const outcome: Pick<SyncOutcome, 'result' | 'message' | 'operationId' | 'refused'> = datastore
      ? await request.runSchedule(schedule, datastore, decision.slot!)
      : { result: 'failure', message: `Schedule '${schedule.name}' names datastore '${schedule.datastore}', which is not defined.` };
    const result: OperationResult | 'refused' = outcome.refused ? 'refused' : outcome.result;
    store.put({ ...state!, last_run: { ...state!.last_run!, operation_id: outcome.operationId ?? null, result, message: outcome.message } });
    reports.push({ ...base, action: 'ran', slot: decision.slot!.toISOString(), next_run: next, operation_id: outcome.operationId ?? null, result, message: outcome.message });
  }
  reports.push(...await runInitialSyncs(request));
  return reports;
}

/**
 * The initial sync of each datastore that opted in (`initial_sync: true`) and has no snapshots
 * yet: once per datastore, claimed (written to its state under a short lock) before it starts,
 * like a schedule's slot. A datastore that has snapshots already (synced by hand) is left alone.
 */
async function runInitialSyncs(request: RunDueRequest): Promise<ScheduleReport[]> {
  const { workspace, now } = request;
  const store = new InitialSyncStateStore(workspace.project.stateDir);
  const reports: ScheduleReport[] = [];
  for (const datastore of workspace.datastores.filter((d) => d.initial_sync).sort(compareByName)) {
    if (request.signal?.aborted) break;
    if (store.get(datastore.name) || hasSnapshots(workspace, datastore)) continue;
    const base = { schedule: INITIAL_SYNC_SCHEDULE, datastore: datastore.name };
    const claim = acquireScheduleLock(workspace.project.stateDir, `${INITIAL_SYNC_SCHEDULE}-${datastore.name}`, now);
    if (!claim.acquired) {
      reports.push({ ...base, action: 'claimed-elsewhere', message: `Another scheduler (pid ${claim.holder.pid} on ${claim.holder.host}) is starting this initial sync right now.` });
      continue;
    }
    try {
      if (store.get(datastore.name)) continue;
      store.put({ datastore: datastore.name, started_at: operationTimestamp(now), operation_id: null, result: 'running', message: null });
    } finally {
      claim.lock.release();
    }
    const outcome = await request.runInitialSync(datastore);
    const result: OperationResult | 'refused' = outcome.refused ? 'refused' : outcome.result;
    store.put({ datastore: datastore.name, started_at: operationTimestamp(now), operation_id: outcome.operationId ?? null, result, message: outcome.message });
    reports.push({ ...base, action: 'ran', slot: null, next_run: null, operation_id: outcome.operationId ?? null, result, message: outcome.message });
  }
  return reports;
}

/** The name reports and locks use for initial syncs (not a valid schedule name, so never a clash). */
export const INITIAL_SYNC_SCHEDULE = '(initial sync)';

function hasSnapshots(workspace: Workspace, datastore: DatastoreDefinition): boolean {
  return fs.existsSync(path.join(datastoreSnapshotDir(workspace.project.snapshotsDir, datastore.name), INDEX_FILE_NAME));
}

export interface RunDueRequest {
  workspace: Workspace;
  now: Date;
  /** Starts and awaits the sync of one due schedule; hosts pass runSync with their env, user and signal. */
  runSchedule: (schedule: ScheduleDefinition, datastore: DatastoreDefinition, slot: Date) => Promise<Pick<SyncOutcome, 'result' | 'message' | 'operationId' | 'refused'>>;
  /** Starts and awaits the initial sync of a datastore that opted in (scheduledSync.ts `runInitialSync`). */
  runInitialSync: (datastore: DatastoreDefinition) => Promise<Pick<SyncOutcome, 'result' | 'message' | 'operationId' | 'refused'>>;
  signal?: AbortSignal;
}

export interface ScheduleReport {
  schedule: string;
  datastore: string;
  action: 'ran' | 'first-seen' | 'disabled' | 'not-due' | 'invalid' | 'claimed-elsewhere';
  /** The scheduled time this look concerned (ISO 8601, UTC, as `cac schedule next` prints). */
  slot?: string | null;
  next_run?: string | null;
  operation_id?: number | null;
  /** `refused` when the datastore was busy with another sync (the slot is then passed over). */
  result?: OperationResult | 'refused';
  message?: string | null;
}

/** A stable text of a timing, so a changed timing is recognised. */
export function timingKey(timing: ScheduleTiming): string {
  return JSON.stringify(timing);
}
