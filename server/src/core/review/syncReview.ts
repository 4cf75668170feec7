import type { SyncOutcome } from '../sync/runSync';
import { compareSnapshotTrees } from './compareSnapshotTrees';
import type { CatalogReview, ReviewNote } from './reviewModel';
import { treeAfterPlan, type SnapshotTree } from './snapshotTree';

/**
 * The review of one or more syncs before (or right after) they are written: the working tree's
 * snapshots against the same tree with each sync's plan applied. It is the comparison `cac diff`
 * makes, on the files the sync would leave, so a dry run's review and the diff of the written sync
 * read the same. `before` must be read before a real sync writes.
 */
export function reviewSyncOutcomes(before: SnapshotTree, syncs: readonly SyncToReview[], options: { scope: readonly string[] | undefined; dryRun: boolean }): CatalogReview {
  const head = { label: options.dryRun ? 'what the sync would write (dry run)' : 'what the sync wrote' };
  let after: SnapshotTree = { ...before, side: head };
  const notes: ReviewNote[] = [];
  for (const { folder, datastoreDir, outcome } of syncs) {
    if (outcome.plan) after = treeAfterPlan(after, folder, datastoreDir, outcome.plan, head);
    for (const log of outcome.logs) {
      if (log.level === 'info') continue;
      notes.push({ level: log.level, datastore: outcome.datastore, code: log.code, message: log.message, ...(log.container !== undefined ? { container: log.container } : {}) });
    }
    if (outcome.result === 'failure' || outcome.result === 'aborted') {
      notes.push({ level: 'error', datastore: outcome.datastore, code: `sync-${outcome.result}`, message: outcome.message ?? `The sync ended ${outcome.result}.` });
    }
  }
  return compareSnapshotTrees({ ...before, side: { label: options.dryRun ? 'the snapshots in the working tree' : 'the snapshots before the sync' } }, after, {
    folders: syncs.map((s) => s.folder),
    scope: options.scope,
    notes,
  });
}

export interface SyncToReview {
  /** The datastore's snapshot folder name (encodeSnapshotBase of its name). */
  folder: string;
  /** The absolute path of that folder, as the plan's file paths use it. */
  datastoreDir: string;
  outcome: SyncOutcome;
}
