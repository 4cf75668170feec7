import * as path from 'node:path';
import type { DiscoveryResult } from '../connectors/contract';
import type { FileStamp, FileWrite } from '../fs/atomicFiles';
import { readStampedText } from '../fs/readFiles';
import type { DetectionOptions } from '../identifiers/identifiers';
import { includeClassOf, type ContainerKind, type ContainerOverride, type ContainerSnapshot, type DiscoveredContainer, type IncludeKind, type OperationLogEntry, type SyncOptions } from '../model';
import type { CatalogState } from '../snapshots/catalogState';
import { diffSnapshots } from '../snapshots/diff';
import { pairFamilyRenames } from '../connectors/dfs/globbing';
import { assignSnapshotFiles, snapshotPath } from '../snapshots/fileNames';
import type { ContainerChange, SyncPlan } from '../snapshots/plan';
import { readSnapshot } from '../snapshots/read';
import { renderIndex } from '../snapshots/render';
import type { SnapshotIndex, SnapshotIndexEntry } from '../snapshots/snapshotIndex';
import { compareByName } from '../text/order';
import { prepareContainer, type PreparedContainer, type PreparedSnapshot } from './prepareContainer';

/**
 * Compares what a connector discovered with the committed catalog and decides, without writing
 * anything, every file a sync would write or delete. `--dry-run` and the editor's preview show
 * exactly this plan; a real sync applies it.
 */
export function planSync(input: PlanInput): SyncPlan {
  const { state, discovery, options, datastore } = input;
  const logs: OperationLogEntry[] = [...state.logs, ...discovery.logs];
  const include = new Set<IncludeKind | 'file'>([...options.include, 'file']);
  const known = new Map(state.index.containers.map((entry) => [entry.name, entry]));
  const removed = new Map(state.index.removed.map((entry) => [entry.name, entry]));
  const changes: ContainerChange[] = [];
  const writes: FileWrite[] = [];
  const verified = new Map<string, FileStamp>();
  const nextContainers = new Map<string, SnapshotIndexEntry>(known);
  const nextRemoved = new Map(removed);

  for (const entry of state.newlyRemoved) changes.push({ action: 'removed', name: entry.name, kind: entry.kind as ContainerKind | undefined });

  // Containers the connector handed over while it streamed come prepared (runSync.ts); the rest are prepared here.
  const discovered: (DiscoveredContainer | PreparedContainer)[] = [
    ...discovery.containers.filter((c) => include.has(includeClassOf(c.kind))),
    ...(input.prepared ?? []).filter((c) => include.has(includeClassOf(c.kind))),
  ].sort(compareByName);
  const discoveredNames = new Set(discovered.map((c) => c.name));
  const movedFrom: string[] = [];
  const toWrite: { prepared: PreparedContainer | PreparedSnapshot; action: 'new' | 'changed' | 'recreated'; renamedFrom?: SnapshotIndexEntry }[] = [];
  const renames = pairRenames(discovered, known, removed);

  for (const container of discovered) {
    // Only file containers are paired as renamed, and those are never handed over prepared.
    const renamedFrom = renames.get(container.name);
    let prepared: PreparedContainer | PreparedSnapshot;
    if ('text' in container) {
      prepared = container;
    } else {
      // Overrides follow a renamed container until someone renames them too (the warning says so).
      let override = input.overrides.get(container.name);
      if (!override && renamedFrom && input.overrides.has(renamedFrom.name)) {
        override = input.overrides.get(renamedFrom.name);
        logs.push({
          level: 'warning', code: 'override-renamed', container: container.name,
          message: `Overrides name '${renamedFrom.name}', which is now '${container.name}' (its files form one family); they still apply. Rename the key in the overrides file to '${container.name}'.`,
        });
      }
      prepared = prepareContainer(container, override, discovery.detection ?? input.detection);
    }
    logs.push(...prepared.problems);
    const entry = known.get(container.name);
    if (renamedFrom) {
      nextContainers.delete(renamedFrom.name);
      toWrite.push({ prepared, action: 'changed', renamedFrom });
    } else if (entry) {
      toWrite.push({ prepared, action: 'changed' });
      if (entry.missing_from_source) nextContainers.set(container.name, withoutMissing(entry));
    } else if (removed.has(container.name)) {
      if (!options.recreate) {
        changes.push({ action: 'still_removed', name: container.name, kind: container.kind });
        continue;
      }
      nextRemoved.delete(container.name);
      toWrite.push({ prepared, action: 'recreated' });
    } else {
      toWrite.push({ prepared, action: 'new' });
    }
  }

  // A file store's containers get snapshot paths that mirror their folders (fileNames.ts).
  const fileKinds = new Set([...known.values()].filter((entry) => entry.kind === 'file').map((entry) => entry.name));
  for (const { prepared } of toWrite) if (prepared.kind === 'file') fileKinds.add(prepared.name);
  const fileNames = assignSnapshotFiles(
    [...new Set([...known.keys(), ...toWrite.map((w) => w.prepared.name)])],
    new Map([...known.values()].map((entry) => [entry.name, entry.file])),
    (name) => fileKinds.has(name),
  );
  for (const { prepared, action, renamedFrom } of toWrite) {
    const file = fileNames.get(prepared.name)!;
    const { text } = prepared;
    const target = snapshotPath(state.dir, file);
    nextContainers.set(prepared.name, indexEntry(prepared, file));
    if (action === 'changed') {
      const entry = renamedFrom ?? known.get(prepared.name)!;
      // A hand-edited index may name an unsafe file; the container then moves to a safe one.
      if (entry.file !== file) movedFrom.push(path.join(state.dir, entry.file));
      const previous = readStampedText(snapshotPath(state.dir, entry.file));
      const previousText = previous?.text;
      // A container moving to another file is written there even when its text is the same.
      if (previousText === text && entry.file === file) {
        verified.set(target, previous!.stamp);
        changes.push({ action: 'unchanged', name: prepared.name, kind: prepared.kind, file });
        continue;
      }
      const previousSnapshot = previousText === undefined ? undefined : readSnapshot(previousText);
      const details = previousSnapshot?.ok ? diffSnapshots({ ...previousSnapshot.value, name: prepared.name }, snapshotOf(prepared)) : [];
      if (renamedFrom) details.unshift({ change: 'container_renamed', from: renamedFrom.name, to: prepared.name, breaking: true });
      changes.push({
        action: 'changed', name: prepared.name, kind: prepared.kind, file, details,
        ...(entry.file !== file && !renamedFrom ? { movedFrom: entry.file } : {}),
      });
    } else {
      changes.push({ action, name: prepared.name, kind: prepared.kind, file, fieldCount: prepared.fieldCount });
    }
    writes.push({ path: target, content: text });
  }

  // Containers that exist but could not be described are present: never missing, never pruned.
  const presentNames = new Set([...discoveredNames, ...(discovery.unreadable ?? []), ...[...renames.values()].map((entry) => entry.name)]);
  const deletes = planMissing(input, presentNames, include, nextContainers, changes, logs);
  const index: SnapshotIndex = {
    datastore: datastore.name,
    containers: [...nextContainers.values()].sort(compareByName),
    removed: [...nextRemoved.values()].sort(compareByName),
  };
  checkOverrideTargets(input, discoveredNames, known, logs);
  const indexText = renderIndex(index);
  changes.sort(compareByName);
  return {
    datastore: datastore.name,
    changes,
    writes,
    deletes: [...deletes, ...movedFrom],
    index,
    indexPath: state.indexPath,
    indexText,
    indexChanged: indexText !== state.indexText,
    logs,
    complete: discovery.complete,
    verified,
  };
}

export interface PlanInput {
  datastore: { name: string; prune_limit: number };
  discovery: DiscoveryResult;
  state: CatalogState;
  overrides: ReadonlyMap<string, ContainerOverride>;
  options: SyncOptions;
  detection?: DetectionOptions;
  /** Containers prepared as the connector handed them over (sync/prepareContainer.ts), besides `discovery.containers`. */
  prepared?: readonly PreparedContainer[];
}

/** Known containers the source no longer lists: kept (marked missing) or pruned, within the sync's scope only. */
function planMissing(
  input: PlanInput,
  presentNames: ReadonlySet<string>,
  include: ReadonlySet<IncludeKind | 'file'>,
  nextContainers: Map<string, SnapshotIndexEntry>,
  changes: ContainerChange[],
  logs: OperationLogEntry[],
): string[] {
  const { state, options, datastore, discovery } = input;
  const inScope = (entry: SnapshotIndexEntry): boolean => {
    // Never touch what this sync did not look at: other kinds, other schemas. Other tools pruned what was merely filtered out.
    if (!include.has(includeClassOf((entry.kind ?? 'table') as ContainerKind))) return false;
    return !discovery.scope || entry.schema === undefined || discovery.scope.includes(entry.schema);
  };
  const knownInScope = state.index.containers.filter(inScope);
  const absent = knownInScope.filter((entry) => !presentNames.has(entry.name));
  // A connector whose listing covers some schemas only (MySQL: databases the user cannot see are
  // hidden, not gone) cannot say whether a container of another schema still exists.
  const listed = discovery.listedSchemas ? new Set(discovery.listedSchemas) : undefined;
  const isUnjudged = (entry: SnapshotIndexEntry): boolean => listed !== undefined && entry.schema !== undefined && !listed.has(entry.schema);
  const unjudged = absent.filter(isUnjudged);
  const gone = absent.filter((entry) => !isUnjudged(entry));
  const markMissing = (entry: SnapshotIndexEntry, reason: 'gone' | 'incomplete_listing' | 'prune_refused'): void => {
    nextContainers.set(entry.name, { ...entry, missing_from_source: true });
    changes.push({ action: 'missing', name: entry.name, kind: entry.kind as ContainerKind | undefined, file: entry.file, reason });
  };
  for (const schema of [...new Set(unjudged.map((entry) => entry.schema!))].sort()) {
    const count = unjudged.filter((entry) => entry.schema === schema).length;
    logs.push({
      level: 'warning', code: 'schema-not-listed',
      message: `Schema '${schema}' of '${datastore.name}' was not listed (it no longer exists, or the sync user may no longer see it); its ${count} container${count === 1 ? ' is' : 's are'} kept and marked missing, never pruned. Name the schemas in 'schemas', or grant the sync user access to it again.`,
    });
  }
  for (const entry of unjudged) markMissing(entry, 'incomplete_listing');
  let pruneReason: 'gone' | 'incomplete_listing' | 'prune_refused' | undefined;
  if (options.prune && gone.length > 0) {
    if (!discovery.complete) {
      pruneReason = 'incomplete_listing';
      logs.push({ level: 'warning', code: 'prune-skipped', message: `Nothing was pruned: the listing of '${datastore.name}' was incomplete (see the other warnings), and an object missing from an incomplete listing may still exist.` });
    } else if (gone.length > 1 && gone.length / knownInScope.length > datastore.prune_limit && !options.forcePrune) {
      pruneReason = 'prune_refused';
      logs.push({
        level: 'warning', code: 'prune-refused',
        message: `Prune refused: it would delete ${gone.length} of ${knownInScope.length} containers of '${datastore.name}', more than its prune_limit of ${Math.round(datastore.prune_limit * 100)}%. Check the source is complete, then re-run with --force-prune.`,
      });
    }
  }
  const deletes: string[] = [];
  for (const entry of gone) {
    if (options.prune && pruneReason === undefined) {
      nextContainers.delete(entry.name);
      deletes.push(path.join(state.dir, entry.file));
      changes.push({ action: 'pruned', name: entry.name, kind: entry.kind as ContainerKind | undefined, file: entry.file });
    } else {
      markMissing(entry, pruneReason ?? 'gone');
    }
  }
  return deletes;
}

/**
 * File containers that are one container renamed: a known one the source no longer lists whose
 * name the pattern of exactly one new container takes (and no other known one does). A daily
 * family keeps its name (globbing.ts), but a family whose mixed token starts to vary does not
 * (`report_v1.csv` → `report_v*.csv`): one rename, not a removal and an addition.
 */
function pairRenames(discovered: readonly { name: string; kind: string }[], known: ReadonlyMap<string, SnapshotIndexEntry>, removed: ReadonlyMap<string, unknown>): Map<string, SnapshotIndexEntry> {
  const names = new Set(discovered.map((c) => c.name));
  const gone = [...known.values()].filter((entry) => entry.kind === 'file' && !names.has(entry.name)).map((entry) => entry.name);
  const arrived = gone.length === 0 ? [] : discovered.filter((c) => c.kind === 'file' && !known.has(c.name) && !removed.has(c.name)).map((c) => c.name);
  const renames = new Map<string, SnapshotIndexEntry>();
  for (const [name, old] of pairFamilyRenames(gone, arrived)) renames.set(name, known.get(old)!);
  return renames;
}

/** An override for a container the catalog has never seen is most likely a typo: say so. */
function checkOverrideTargets(input: PlanInput, discoveredNames: ReadonlySet<string>, known: ReadonlyMap<string, SnapshotIndexEntry>, logs: OperationLogEntry[]): void {
  for (const name of input.overrides.keys()) {
    if (discoveredNames.has(name) || known.has(name)) continue;
    logs.push({ level: 'warning', code: 'unknown-container', container: name, message: `Overrides name container '${name}', which '${input.datastore.name}' does not have. Check the name against its snapshots.` });
  }
}

function indexEntry(container: Pick<PreparedContainer, 'name' | 'kind' | 'schema'>, file: string): SnapshotIndexEntry {
  const entry: SnapshotIndexEntry = { name: container.name, file, kind: container.kind };
  if (container.schema !== undefined) entry.schema = container.schema;
  return entry;
}

/** A prepared container's snapshot: kept when prepared here, read back from its text when handed over (only a changed one is). */
function snapshotOf(prepared: PreparedContainer | PreparedSnapshot): ContainerSnapshot {
  if ('snapshot' in prepared) return prepared.snapshot;
  const read = readSnapshot(prepared.text);
  if (!read.ok) throw new Error(`The rendered snapshot of '${prepared.name}' does not read back.`);
  return read.value;
}

function withoutMissing(entry: SnapshotIndexEntry): SnapshotIndexEntry {
  const { missing_from_source: _dropped, ...rest } = entry;
  return rest;
}
