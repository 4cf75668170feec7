import type { DatastoreDefinition, ScheduleDefinition, Workspace } from '../definitions/types';
import { OperationStore } from '../history/operationStore';
import type { SyncOptions } from '../model';
import { runSync, type SyncOutcome } from '../sync/runSync';

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
