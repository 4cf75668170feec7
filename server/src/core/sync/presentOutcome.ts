import type { OperationLogEntry } from '../model';
import { describePlanChanges, type DescribedChange } from '../snapshots/changes';
import { summarize, type ChangeSummary } from '../snapshots/plan';
import type { SyncOutcome, SyncResult } from './runSync';

/**
 * A sync's outcome as every host shows it: `cac sync --format json` prints it, the language
 * server maps it to its protocol's payload, and the operation record holds the same summary,
 * changes and logs (history/recordLifecycle.ts). Plain JSON, snake_case like the seed's API.
 */
export function presentSyncOutcome(outcome: SyncOutcome): SyncOutcomeView {
  return {
    datastore: outcome.datastore,
    operation_id: outcome.operationId ?? null,
    result: outcome.result,
    message: outcome.message,
    changed: outcome.changed,
    duration_ms: outcome.durationMs,
    summary: outcome.plan ? summarize(outcome.plan) : null,
    changes: outcome.plan ? describePlanChanges(outcome.plan) : [],
    logs: outcome.logs,
  };
}

export interface SyncOutcomeView {
  datastore: string;
  /** The operation recorded in history; null for a dry run, or when nothing could start. */
  operation_id: number | null;
  result: SyncResult;
  message: string | null;
  /** True when the sync wrote (or, in a dry run, would write) any committed file. */
  changed: boolean;
  duration_ms: number;
  summary: ChangeSummary | null;
  /** One entry per container that changed (unchanged ones are only counted in `summary`). */
  changes: DescribedChange[];
  logs: OperationLogEntry[];
}
