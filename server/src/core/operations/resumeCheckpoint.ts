import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicallySync } from '../fs/atomicFiles';
import type { OperationLogEntry } from '../model';
import type { CatalogState } from '../snapshots/catalogState';
import { INDEX_FILE_NAME, datastoreSnapshotDir } from '../snapshots/fileNames';
import type { ContainerChange, SyncPlan } from '../snapshots/plan';
import type { RemovedEntry, SnapshotIndex } from '../snapshots/snapshotIndex';

/**
 * What resuming an aborted sync needs, saved just before its first write: the catalog state the
 * sync planned against (the index and what it reconciled from the folder) and the plan's changes.
 *
 * Why the state and not just "which files were written": a resume re-describes the source and
 * plans again. Planned against the folder as the abort left it, files already written would look
 * adopted instead of new, and a prune's share of the datastore (prune_limit) would be computed
 * over more containers, so the outcome could differ. Planned against the saved state, the plan is
 * the very plan the aborted sync was applying (same source, same options, same overrides), files
 * already written compare equal and are skipped, and the result is byte-identical to a sync that
 * was never interrupted.
 */
export function saveResumeCheckpoint(file: string, operationId: number, state: CatalogState, plan: SyncPlan): void {
  const checkpoint: ResumeCheckpoint = {
    version: CHECKPOINT_VERSION,
    operation_id: operationId,
    datastore: plan.datastore,
    state: { index_text: state.indexText ?? null, index: state.index, newly_removed: state.newlyRemoved, logs: state.logs },
    changes: plan.changes,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomicallySync(file, JSON.stringify(checkpoint));
}

/** A saved checkpoint as the catalog state of this project it describes, and the changes planned then. */
export interface LoadedCheckpoint {
  state: CatalogState;
  changes: ContainerChange[];
}

/** The saved state as a CatalogState of this project, or undefined when there is none (or it is not ours). */
export function loadResumeCheckpoint(file: string, operationId: number, snapshotsDir: string, datastore: string): LoadedCheckpoint | undefined {
  let checkpoint: ResumeCheckpoint;
  try {
    checkpoint = JSON.parse(fs.readFileSync(file, 'utf8')) as ResumeCheckpoint;
  } catch {
    return undefined;
  }
  if (checkpoint.version !== CHECKPOINT_VERSION || checkpoint.operation_id !== operationId || checkpoint.datastore !== datastore) return undefined;
  const dir = datastoreSnapshotDir(snapshotsDir, datastore);
  return {
    state: {
      dir,
      indexPath: path.join(dir, INDEX_FILE_NAME),
      indexText: checkpoint.state.index_text ?? undefined,
      index: checkpoint.state.index,
      newlyRemoved: checkpoint.state.newly_removed,
      logs: checkpoint.state.logs,
    },
    changes: checkpoint.changes,
  };
}

/**
 * The resumed plan's changes, with each container the aborted part already rewrote reported as
 * the aborted sync planned it (`changed`), not as the `unchanged` a second comparison now finds.
 */
export function mergeResumedChanges(resumed: readonly ContainerChange[], original: readonly ContainerChange[]): ContainerChange[] {
  const planned = new Map(original.map((change) => [change.name, change]));
  return resumed.map((change) => {
    const before = planned.get(change.name);
    return change.action === 'unchanged' && before?.action === 'changed' && before.file === change.file ? before : change;
  });
}

interface ResumeCheckpoint {
  version: typeof CHECKPOINT_VERSION;
  operation_id: number;
  datastore: string;
  state: { index_text: string | null; index: SnapshotIndex; newly_removed: RemovedEntry[]; logs: OperationLogEntry[] };
  changes: ContainerChange[];
}

/** 2: removals carry their kind (`newly_removed`), and the change vocabulary is removed / still_removed. */
const CHECKPOINT_VERSION = 2;
