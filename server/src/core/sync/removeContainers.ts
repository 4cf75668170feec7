import * as path from 'node:path';
import type { DatastoreDefinition, Workspace } from '../definitions/types';
import type { OperationStore } from '../history/operationStore';
import type { ContainerKind } from '../model';
import { markWriter } from '../operations/lastWriter';
import { beginOperationRun } from '../operations/operationRun';
import { applySyncPlan } from '../snapshots/applyPlan';
import { SnapshotFolderError, readCatalogState, type CatalogState } from '../snapshots/catalogState';
import { planHasChanges, type ContainerChange, type SyncPlan } from '../snapshots/plan';
import { renderIndex } from '../snapshots/render';
import { forgetResync } from '../snapshots/resyncRecord';
import { sortIndex, type SnapshotIndexEntry } from '../snapshots/snapshotIndex';
import { didYouMean, nearestNames } from '../text/nearestNames';
import { compareByName } from '../text/order';
import type { SyncOutcome } from './runSync';

/**
 * Removes containers from the catalog (`cac remove`, the editor's "Remove from catalog"): their
 * snapshot files go and the index keeps their names and kinds under `removed`, so later syncs
 * leave them out until one runs with `recreate`. The same thing a person does by deleting a
 * snapshot file, done at once and recorded: under the datastore's lock, as an operation whose
 * changes say `removed` with each container's kind. Never reads the source.
 */
export async function removeContainers(request: RemoveRequest): Promise<SyncOutcome> {
  const { workspace, datastore } = request;
  const started = Date.now();
  const unknown = unknownNames(readState(workspace, datastore), request.names, datastore.name);
  if (unknown) return { datastore: datastore.name, result: 'failure', message: unknown, logs: [], changed: false, durationMs: 0 };
  const run = beginOperationRun({
    stateDir: workspace.project.stateDir,
    snapshotsDir: workspace.project.snapshotsDir,
    datastore,
    options: { prune: false, recreate: false, include: datastore.include, forcePrune: false },
    history: request.dryRun ? undefined : request.history,
    hostSignal: new AbortController().signal,
    triggeredBy: request.triggeredBy,
    clock: request.now ?? (() => new Date()),
  });
  if ('refused' in run) {
    return { datastore: datastore.name, result: 'refused', message: run.refused.message, logs: [], changed: false, durationMs: 0, refused: { holder: run.refused.holder } };
  }
  const outcome: SyncOutcome = { datastore: datastore.name, result: 'running', message: null, logs: [], changed: false, durationMs: 0, operationId: run.record?.id };
  try {
    // Read again under the lock: a sync may have changed the folder since the check above.
    const state = readState(workspace, datastore);
    const stillUnknown = unknownNames(state, request.names, datastore.name);
    if (stillUnknown) throw new RemoveRefused(stillUnknown);
    const plan = removalPlan(state, datastore.name, request.names);
    outcome.plan = plan;
    outcome.logs = plan.logs;
    outcome.changed = planHasChanges(plan);
    if (!request.dryRun) {
      // No resume checkpoint (a removal is two steps, each safe to stop after); but no older sync may be replayed.
      forgetResync(workspace.project.stateDir, datastore.name);
      if (run.record && planHasChanges(plan)) markWriter(workspace.project.stateDir, datastore.name, run.record.id);
      await applySyncPlan(plan, state.dir);
    }
    const count = request.names.length;
    outcome.result = plan.logs.some((l) => l.level !== 'info') ? 'warning' : 'success';
    outcome.message = `${request.dryRun ? 'Would remove' : 'Removed'} ${count} container${count === 1 ? '' : 's'} from the catalog; syncs leave ${count === 1 ? 'it' : 'them'} out until one runs with recreate.`;
  } catch (error) {
    outcome.result = 'failure';
    outcome.message = error instanceof RemoveRefused || error instanceof SnapshotFolderError ? error.message : `Removing containers of '${datastore.name}' failed: ${(error as Error).message}`;
  }
  outcome.durationMs = Date.now() - started;
  const record = run.finish(outcome as SyncOutcome & { result: 'success' | 'warning' | 'failure' });
  if (record) outcome.operation = record;
  return outcome;
}

export interface RemoveRequest {
  workspace: Workspace;
  datastore: DatastoreDefinition;
  /** Container names as the snapshots and overrides spell them. */
  names: readonly string[];
  /** Say what would be removed; write and record nothing. */
  dryRun: boolean;
  history: OperationStore;
  triggeredBy: string;
  now?: () => Date;
}

class RemoveRefused extends Error {}

function readState(workspace: Workspace, datastore: DatastoreDefinition): CatalogState {
  return readCatalogState(workspace.project.snapshotsDir, datastore.name);
}

/** Why some names cannot be removed (not in the catalog, or removed already); undefined when all can. */
function unknownNames(state: CatalogState, names: readonly string[], datastore: string): string | undefined {
  if (names.length === 0) return 'Name at least one container to remove.';
  const known = new Set(state.index.containers.map((entry) => entry.name));
  const removed = new Set(state.index.removed.map((entry) => entry.name));
  const problems: string[] = [];
  for (const name of new Set(names)) {
    if (known.has(name)) continue;
    if (removed.has(name)) problems.push(`'${name}' is already removed from the catalog of '${datastore}' (sync with recreate to bring it back).`);
    else problems.push(`'${datastore}' has no container '${name}' in its catalog.${didYouMean(nearestNames(name, known))}`);
  }
  return problems.length > 0 ? `Nothing was removed: ${problems.join(' ')}` : undefined;
}

/** The plan of a removal: delete the snapshot files, move the names (with kinds) to `removed` in the index. */
function removalPlan(state: CatalogState, datastore: string, names: readonly string[]): SyncPlan {
  const removing = new Set(names);
  const changes: ContainerChange[] = [];
  const deletes: string[] = [];
  const kept: SnapshotIndexEntry[] = [];
  // Files deleted by hand since the last sync are recorded too, as a sync would have.
  const removed = new Map(state.index.removed.map((entry) => [entry.name, entry]));
  for (const entry of state.newlyRemoved) changes.push({ action: 'removed', name: entry.name, kind: entry.kind as ContainerKind | undefined });
  for (const entry of state.index.containers) {
    if (!removing.has(entry.name)) {
      kept.push(entry);
      continue;
    }
    changes.push({ action: 'removed', name: entry.name, ...(entry.kind !== undefined ? { kind: entry.kind as ContainerKind } : {}) });
    deletes.push(path.join(state.dir, entry.file));
    removed.set(entry.name, entry.kind !== undefined ? { name: entry.name, kind: entry.kind } : { name: entry.name });
  }
  const index = sortIndex({ datastore, containers: kept, removed: [...removed.values()] });
  const indexText = renderIndex(index);
  changes.sort(compareByName);
  return { datastore, changes, writes: [], deletes, index, indexPath: state.indexPath, indexText, indexChanged: indexText !== state.indexText, logs: [...state.logs], complete: true };
}
