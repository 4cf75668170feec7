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
  progress: { done: number; total: number | null };
  summary: OperationSummary | null;
  /** One line per container that changed (unchanged ones are only counted). */
  changes: { name: string; action: string; details?: string[] }[];
  logs: OperationLogEntry[];
  /** Who is running it, so a crashed process can be told from a live one. */
  process?: { pid: number; host: string };
}

export type OperationResult = 'running' | 'success' | 'warning' | 'failure' | 'aborted';

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
