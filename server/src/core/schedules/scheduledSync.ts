import type { DatastoreDefinition, ScheduleDefinition, Workspace } from '../definitions/types';
import { OperationStore } from '../history/operationStore';
import type { SyncOptions } from '../model';
import { runSync, type SyncOutcome } from '../sync/runSync';
import type { RunDueRequest } from './runDue';

/**
 * One scheduled sync, as every scheduler runs it (`cac schedule run-due`, `cac daemon`): the
 * schedule's options, each falling back to the datastore's default, recorded under the schedule's
 * name. The host gives only what it owns: the environment, the abort signal, who runs it, the clock.
 */
export function runScheduledSync(host: ScheduleHost, workspace: Workspace, schedule: ScheduleDefinition, datastore: DatastoreDefinition): Promise<SyncOutcome> {
  return runSync({
    workspace, datastore,
    options: syncOptionsOfSchedule(schedule),
    dryRun: false, env: host.env, signal: host.signal,
    triggeredBy: host.triggeredBy, schedule: schedule.name,
    history: new OperationStore(workspace.project.stateDir), now: host.clock,
  });
}

/**
 * The seed's "Initiate Sync" for a datastore that opted in (`initial_sync: true`) and has no
 * snapshots yet: prune off, recreate off, tables and views, recorded as triggered by that rule.
 */
export function runInitialSync(host: ScheduleHost, workspace: Workspace, datastore: DatastoreDefinition): Promise<SyncOutcome> {
  return runSync({
    workspace, datastore,
    options: { prune: false, recreate: false, include: ['table', 'view'] },
    dryRun: false, env: host.env, signal: host.signal,
    triggeredBy: `${INITIAL_SYNC_TRIGGER} (by ${host.triggeredBy})`,
    history: new OperationStore(workspace.project.stateDir), now: host.clock,
  });
}

/** The rule an initial sync is recorded as triggered by. */
export const INITIAL_SYNC_TRIGGER = 'initial sync of a new datastore';

/** What a scheduler runs, for `runDueSchedules`: due schedules and initial syncs, with one host's environment. */
export function scheduledRunners(host: ScheduleHost, workspace: Workspace): Pick<RunDueRequest, 'runSchedule' | 'runInitialSync'> {
  return {
    runSchedule: (schedule, datastore) => runScheduledSync(host, workspace, schedule, datastore),
    runInitialSync: (datastore) => runInitialSync(host, workspace, datastore),
  };
}

export interface ScheduleHost {
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
  triggeredBy: string;
  clock?: () => Date;
}

/** A schedule's sync options; the ones it leaves out fall back to the datastore's defaults (runSync). */
export function syncOptionsOfSchedule(schedule: ScheduleDefinition): Partial<SyncOptions> {
  return { prune: schedule.prune, recreate: schedule.recreate, include: schedule.include };
}
