import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicallySync } from '../fs/atomicFiles';
import type { OperationRecord } from '../history/operationRecord';
import type { OperationLogEntry } from '../model';
import { folderFingerprint, lastWriter } from './lastWriter';
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

/** Adds to an aborted operation's checkpoint the fingerprint of the snapshot folder as the abort left it. */
export function sealResumeCheckpoint(file: string, fingerprint: string): void {
  try {
    const checkpoint = JSON.parse(fs.readFileSync(file, 'utf8')) as ResumeCheckpoint;
    writeFileAtomicallySync(file, JSON.stringify({ ...checkpoint, folder_fingerprint: fingerprint }));
  } catch {
    // No checkpoint (aborted before writing): a resume then starts from the beginning anyway.
  }
}

/** A saved checkpoint as the catalog state of this project it describes, and the changes planned then. */
export interface LoadedCheckpoint {
  state: CatalogState;
  changes: ContainerChange[];
}

/**
 * Why an operation cannot be resumed now, or undefined when it can: only an aborted operation, or
 * one killed while writing (recorded `failure`, never ended, with a checkpoint), and never when a
 * later operation wrote its datastore (even one whose record was deleted) or the snapshots changed
 * since it stopped. Checked again under the datastore's lock before a resume runs.
 */
export function whyNotResumable(record: OperationRecord | undefined, id: number, paths: { checkpoint: string; stateDir: string; snapshotsDir: string }): string | undefined {
  if (!record) return `Operation ${id} no longer exists; only an aborted operation can be resumed.`;
  const killed = record.result === 'failure' && record.end_time === null && fs.existsSync(paths.checkpoint);
  if (record.result !== 'aborted' && !killed) {
    return `Operation ${id} is ${record.result}; only an aborted operation (or one killed while writing) can be resumed. Rerun it to start it again from the beginning.`;
  }
  const datastore = record.datastore.name;
  const writer = lastWriter(paths.stateDir, datastore);
  if (writer !== undefined && writer > id) {
    return `Operation ${writer} wrote the snapshots of '${datastore}' after operation ${id} stopped; resuming ${id} would undo it. Rerun ${id} to start it again from the beginning.`;
  }
  let sealed: string | undefined;
  try {
    sealed = (JSON.parse(fs.readFileSync(paths.checkpoint, 'utf8')) as ResumeCheckpoint).folder_fingerprint;
  } catch {
    sealed = undefined;
  }
  if (sealed !== undefined && sealed !== folderFingerprint(datastoreSnapshotDir(paths.snapshotsDir, datastore))) {
    return `The snapshots of '${datastore}' changed since operation ${id} was aborted (an edit, a checkout or a merge); resuming ${id} would undo that. Rerun ${id} to start it again from the beginning.`;
  }
  return undefined;
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
  /** The snapshot folder as the abort left it (folderFingerprint); absent for a killed operation. */
  folder_fingerprint?: string;
}

/** 2: removals carry their kind (`newly_removed`), and the change vocabulary is removed / still_removed. */
const CHECKPOINT_VERSION = 2;
