import * as path from 'node:path';
import { storeTypeOf } from '../connectors/registry';
import { envReferencesOf, syncDefaultsOf, type SyncDefaults } from '../definitions/datastoreFacts';
import { nextRuns } from '../definitions/scheduleTiming';
import type { OperationRecord } from '../history/operationRecord';
import type { QueryableOperation } from '../history/operationQuery';
import type { IdentifierInfo } from '../model';
import { datastoreSnapshotDir, snapshotFileOf } from '../snapshots/fileNames';
import { compareByName } from '../text/order';
import type { CatalogView } from './catalogView';
import { describeTiming } from './scheduleText';

/**
 * What an editor's tree shows of a project, from its definitions, committed snapshots and history:
 * datastores, one datastore's containers a page at a time (a datastore of 50,000 reads only the
 * page asked for), one container's fields, the schedules and their next runs. Plain data, for any host.
 */
export function datastoreSummaries(view: CatalogView, history: readonly QueryableOperation[]): DatastoreSummary[] {
  const latest = new Map<string, QueryableOperation>();
  // History comes newest first: the first record of a datastore is its last operation.
  for (const record of history) if (!latest.has(record.datastore.name)) latest.set(record.datastore.name, record);
  return [...view.workspace.datastores].sort(compareByName).map((datastore) => {
    const last = latest.get(datastore.name);
    return {
      name: datastore.name,
      type: datastore.type,
      storeType: storeTypeOf(datastore.type),
      containers: view.snapshots.containersOf(datastore.name).length,
      lastOperation: last ? { id: last.id, result: last.result, endTime: last.end_time } : null,
      definitionFile: datastore.source.file,
      snapshotsDir: datastoreSnapshotDir(view.workspace.project.snapshotsDir, datastore.name),
      envReferences: envReferencesOf(datastore),
      defaults: syncDefaultsOf(datastore),
    };
  });
}

export interface DatastoreSummary {
  name: string;
  type: string;
  storeType: 'jdbc' | 'dfs';
  /** Containers in its committed snapshots; 0 when never synced. */
  containers: number;
  lastOperation: { id: number; result: OperationRecord['result']; endTime: string | null } | null;
  /** The file that defines it. */
  definitionFile: string;
  /** The folder of its snapshots (it may not exist yet). */
  snapshotsDir: string;
  /** The `${env:VAR}` variables its settings reference. */
  envReferences: string[];
  /** What a sync given no options takes. */
  defaults: SyncDefaults;
}

/** One page of a datastore's containers (sorted by name), with the names removed from its catalog. */
export function containerPage(view: CatalogView, datastore: string, offset: number, limit: number): ContainerPage {
  const entries = view.snapshots.containersOf(datastore);
  const state = view.snapshots.catalogState(view.snapshots.snapshotsDir, datastore);
  const items = entries.slice(offset, offset + limit).map((entry): ContainerSummary => {
    // The entry in hand, not a lookup by name: `container()` scans the index, which made a page
    // deep in a datastore of 11,000 cost page size × offset comparisons (bench/tree.bench.ts).
    const snapshot = state ? view.snapshots.snapshot(state, entry) : undefined;
    return {
      name: entry.name,
      snapshotFile: state ? path.join(state.dir, entry.file) : null,
      kind: entry.kind ?? snapshot?.kind ?? 'table',
      missingFromSource: entry.missing_from_source === true,
      fields: snapshot?.fields.length ?? 0,
      incremental: identifierSummary(snapshot?.incremental_identifier),
      partition: identifierSummary(snapshot?.partition_identifier),
    };
  });
  return { items, total: entries.length, removed: (state?.index.removed ?? []).map((entry) => entry.name) };
}

export interface ContainerPage {
  items: ContainerSummary[];
  total: number;
  removed: string[];
}

export interface ContainerSummary {
  name: string;
  /** Its snapshot file (absolute). */
  snapshotFile: string | null;
  kind: string;
  missingFromSource: boolean;
  fields: number;
  incremental: IdentifierSummary | null;
  partition: IdentifierSummary | null;
}

export interface IdentifierSummary {
  field: string | null;
  strategy: string;
  source: 'detected' | 'override';
}

/**
 * Where one datastore's snapshot files are, or were, by container (absolute paths): the file its
 * catalog lists for a container it has, else the file the naming scheme gives the name
 * (snapshots/fileNames.ts), where a removed or pruned container's snapshot was. A file store's
 * containers (`kind` file, or of a file store when the kind is not known) mirror their folders.
 * Undefined when the datastore is no longer defined. The catalog is read once per call, so a
 * history page locates every change of a datastore with one lookup each.
 */
export function snapshotFileLocator(view: CatalogView, datastore: string): ((container: string, kind?: string) => string) | undefined {
  const definition = view.workspace.datastores.find((d) => d.name === datastore);
  if (!definition) return undefined;
  const state = view.snapshots.catalogState(view.snapshots.snapshotsDir, datastore);
  const dir = state?.dir ?? datastoreSnapshotDir(view.workspace.project.snapshotsDir, datastore);
  const listed = new Map((state?.index.containers ?? []).map((entry) => [entry.name, entry.file]));
  const fileStore = storeTypeOf(definition.type) === 'dfs';
  return (container, kind) => path.join(dir, listed.get(container) ?? snapshotFileOf(container, kind === undefined ? fileStore : kind === 'file'));
}

/** One container's fields, each marked where it serves as an identifier; undefined when the container has no snapshot. */
/**
 * Reads what the first expansion of a datastore needs, ahead of it: its index checked against its
 * snapshot folder, and one snapshot (which compiles the snapshot schema once per process). A
 * host calls it for each datastore while idle after loading, so the first expansion of a datastore
 * of 11,000 containers does not pay for the parser's warm-up, the schema compile and the index.
 */
export function warmDatastore(view: CatalogView, datastore: string): void {
  const first = view.snapshots.containersOf(datastore)[0];
  if (first) view.snapshots.container(datastore, first.name);
}

export function containerFields(view: CatalogView, datastore: string, container: string): FieldSummary[] | undefined {
  const snapshot = view.snapshots.container(datastore, container)?.snapshot;
  if (!snapshot) return undefined;
  const roles = (name: string): ('incremental' | 'partition')[] => [
    ...(snapshot.incremental_identifier.field === name ? ['incremental' as const] : []),
    ...(snapshot.partition_identifier.field === name || (snapshot.partition_identifier.fields ?? []).includes(name) ? ['partition' as const] : []),
  ];
  return snapshot.fields.map((field) => ({
    name: field.name, type: field.type, nullable: field.nullable, primaryKey: field.primary_key ?? null, identifierOf: roles(field.name),
  }));
}

export interface FieldSummary {
  name: string;
  type: string;
  nullable: boolean;
  primaryKey: number | null;
  identifierOf: ('incremental' | 'partition')[];
}

/** The schedules with their timing in words and next runs (ISO, UTC). */
export function scheduleSummaries(view: CatalogView, now: Date, runs = 3): ScheduleSummary[] {
  return view.workspace.schedules.map((schedule) => ({
    name: schedule.name,
    datastore: schedule.datastore,
    enabled: schedule.enabled,
    timing: schedule.timing ? describeTiming(schedule.timing) : null,
    nextRuns: schedule.timing && schedule.enabled ? safeRuns(() => nextRuns(schedule.timing!, now, runs)) : [],
  }));
}

export interface ScheduleSummary {
  name: string;
  datastore: string;
  enabled: boolean;
  /** The timing in words; null when the definition has no valid timing. */
  timing: string | null;
  nextRuns: string[];
}

function identifierSummary(identifier: IdentifierInfo | undefined): IdentifierSummary | null {
  return identifier ? { field: identifier.field, strategy: identifier.strategy, source: identifier.source } : null;
}

function safeRuns(runs: () => Date[]): string[] {
  try {
    return runs().map((run) => run.toISOString());
  } catch {
    return [];
  }
}
