import type { DatastoreType, IncludeKind, OperationLogEntry, StoreType } from '../model';

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
  include: IncludeKind[];
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
  summary: OperationSummary | null;
  /** One line per container that changed (unchanged ones are only counted). */
  changes: { name: string; action: string; details?: string[] }[];
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

export interface OperationSummary {
  new: number;
  changed: number;
  unchanged: number;
  missing: number;
  pruned: number;
  recreated: number;
  skipped_removed: number;
  removed_by_user: number;
}

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
