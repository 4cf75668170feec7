import type { DatastoreType, IncludeKind, OperationLogEntry, StoreType } from '../model';
import type { ChangeSummary } from '../snapshots/plan';

/** The seed's operation fields (`GET /api/operations/{id}`), plus progress, logs and a summary. */
export interface OperationRecord {
  id: number;
  created: string;
  type: 'catalog';
  start_time: string;
  end_time: string | null;
  result: OperationResult;
  message: string | null;
  triggered_by: string;
  datastore: {
    id: number;
    name: string;
    store_type: StoreType;
    type: DatastoreType;
    enrich_only: boolean;
    enrich_container_prefix: string | null;
    favorite: boolean;
  };
  schedule: string | null;
  /** null for a file store: include does not apply there (every file is covered). */
  include: IncludeKind[] | null;
  prune: boolean;
  recreate: boolean;
  /** `--force-prune`: a prune larger than the datastore's prune_limit was allowed. Kept so rerun and resume repeat it. */
  force_prune?: boolean;
  /** Containers done / total of the current phase; the progress bar of the seed's Operation Detail. */
  progress: OperationProgress;
  /**
   * Where an aborted operation stopped in its write phase: snapshot files written of those the plan
   * writes. Resume continues from there (operations/resumeCheckpoint.ts); null before writing started.
   */
  checkpoint?: { written: number; total: number } | null;
  /** When the operation was last resumed after an abort; absent when it never was. */
  resumed_at?: string | null;
  /** Working time before the last resume (the idle gap between an abort and its resume does not count). */
  worked_ms?: number;
  summary: OperationSummary | null;
  /** One line per container that changed (unchanged ones are only counted). */
  changes: { name: string; action: string; kind?: string; details?: string[] }[];
  logs: OperationLogEntry[];
  /** Who is running it, so a crashed process can be told from a live one. */
  process?: { pid: number; host: string };
}

export type OperationResult = 'running' | 'success' | 'warning' | 'failure' | 'aborted';

export const OPERATION_RESULTS: readonly OperationResult[] = ['running', 'success', 'warning', 'failure', 'aborted'];

/** `discovering` (the source is described), `writing` (snapshot files), `finished`. */
export type OperationPhase = 'discovering' | 'writing' | 'finished';

export interface OperationProgress {
  done: number;
  total: number | null;
  phase?: OperationPhase;
}

/** How many containers each change action touched (snapshots/plan.ts). */
export type OperationSummary = ChangeSummary;

/** The seed's timestamp shape, `YYYY-MM-DDTHH:MM:SS.ssssssZ`, always UTC. */
export function operationTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The seed's fields, in the seed's order (`GET /api/operations/{id}`). */
export const SEED_OPERATION_FIELDS = ['id', 'created', 'type', 'start_time', 'end_time', 'result', 'message', 'triggered_by', 'datastore', 'schedule', 'include', 'prune', 'recreate'] as const;

/**
 * An operation as the API and `--format json` show it: the seed's fields in the seed's order,
 * then progress, checkpoint, summary, changes and logs; never the internal `process`.
 */
export function presentOperation(record: OperationRecord): Record<string, unknown> {
  const { process: _internal, ...rest } = record;
  const ordered: Record<string, unknown> = {};
  for (const key of SEED_OPERATION_FIELDS) ordered[key] = rest[key];
  for (const [key, value] of Object.entries(rest)) if (!(key in ordered)) ordered[key] = value;
  return ordered;
}

/**
 * A record as this engine writes it. Records written before the change vocabulary was unified
 * (`removed_by_user`, `skipped_removed`) are read with today's words (`removed`, `still_removed`).
 */
export function upgradeRecord(record: OperationRecord): OperationRecord {
  const summary = record.summary as (OperationSummary & Partial<Record<keyof typeof OLD_ACTIONS, number>>) | null;
  const old = (action: string): string => (action in OLD_ACTIONS ? OLD_ACTIONS[action as keyof typeof OLD_ACTIONS] : action);
  if (!summary || !Object.keys(OLD_ACTIONS).some((key) => key in summary)) return record;
  const upgraded = Object.fromEntries(Object.entries(summary).map(([key, count]) => [old(key), count])) as OperationSummary;
  return { ...record, summary: upgraded, changes: record.changes.map((change) => ({ ...change, action: old(change.action) })) };
}

const OLD_ACTIONS = { removed_by_user: 'removed', skipped_removed: 'still_removed' } as const;
