import type { FileStamp, FileWrite } from '../fs/atomicFiles';
import type { ContainerKind, OperationLogEntry } from '../model';
import type { SnapshotChange } from './diff';
import type { SnapshotIndex } from './snapshotIndex';

/**
 * A plan of changes to one datastore's snapshot folder: every file a sync would write or delete,
 * the index it would leave, and what happens to each container, decided before anything is
 * written. `--dry-run` and the editor's preview show a plan; a sync applies it (applyPlan.ts).
 */
export interface SyncPlan {
  datastore: string;
  /** One entry per container the sync looked at, sorted by name. */
  changes: ContainerChange[];
  writes: FileWrite[];
  deletes: string[];
  index: SnapshotIndex;
  indexPath: string;
  indexText: string;
  indexChanged: boolean;
  logs: OperationLogEntry[];
  complete: boolean;
  /**
   * Stamps of the snapshot files this plan read and found already holding their planned text,
   * as they were when read (so a later edit by someone else never looks verified).
   */
  verified?: ReadonlyMap<string, FileStamp>;
}

/**
 * What a sync does to one container. The words, as the README defines them:
 * - `missing`: the source no longer lists it; its snapshot is kept, marked `missing_from_source`.
 * - `pruned`: missing, and its snapshot deleted because the sync prunes.
 * - `removed`: a person removed it from the catalog (deleted its snapshot file) since the last sync;
 *   the index now lists it under `removed`.
 * - `still_removed`: the source has it, but it was removed from the catalog and the sync does not recreate.
 * - `recreated`: it was removed from the catalog and the sync brought it back.
 */
export type ContainerChange =
  | { action: 'new' | 'recreated'; name: string; kind: ContainerKind; file: string; fieldCount: number }
  | { action: 'changed'; name: string; kind: ContainerKind; file: string; details: SnapshotChange[]; movedFrom?: string }
  | { action: 'unchanged'; name: string; kind: ContainerKind; file: string }
  | { action: 'missing'; name: string; kind?: ContainerKind; file: string; reason: 'gone' | 'incomplete_listing' | 'prune_refused' }
  | { action: 'pruned'; name: string; kind?: ContainerKind; file: string }
  | { action: 'removed' | 'still_removed'; name: string; kind?: ContainerKind };

export type ChangeAction = ContainerChange['action'];

/** How many containers each action touched. */
export type ChangeSummary = Record<ChangeAction, number>;

/** Every action, in the order summaries list them. */
export const CHANGE_ACTIONS: readonly ChangeAction[] = ['new', 'changed', 'unchanged', 'missing', 'pruned', 'recreated', 'still_removed', 'removed'];

/** True when applying the plan would change any committed file. */
export function planHasChanges(plan: SyncPlan): boolean {
  return plan.writes.length > 0 || plan.deletes.length > 0 || plan.indexChanged;
}

export function summarize(plan: { changes: readonly ContainerChange[] }): ChangeSummary {
  const summary = Object.fromEntries(CHANGE_ACTIONS.map((action) => [action, 0])) as ChangeSummary;
  for (const change of plan.changes) summary[change.action] += 1;
  return summary;
}
