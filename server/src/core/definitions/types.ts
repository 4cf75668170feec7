import type { Document, LineCounter } from 'yaml';
import type { ContainerOverride, DatastoreType, IncludeKind } from '../model';
import type { Problem, Range } from '../problems';

/** Where a definition was written, so any later check can point at one of its nodes. */
export interface DefinitionSource {
  file: string;
  /** Index of the YAML document inside the file (several per file are allowed). */
  document: number;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  range: Range;
}

export interface DatastoreDefinition {
  kind: 'Datastore';
  name: string;
  /** The numeric id of the API payloads: the declared one, or one derived from the name. */
  id: number;
  type: DatastoreType;
  description?: string;
  include: IncludeKind[];
  prune: boolean;
  recreate: boolean;
  prune_limit: number;
  /** Sync once, automatically, as soon as a scheduler finds the datastore without snapshots. */
  initial_sync: boolean;
  /**
   * The keys its type adds (`connection`, `schemas`, `root`, …) as written, `${env:…}` references
   * unexpanded; checked by the type's schema, read by its connector's settings (connectors/registry.ts).
   */
  settings: Readonly<Record<string, unknown>>;
  source: DefinitionSource;
}

export type ScheduleTiming =
  | { kind: 'hourly'; every: number; minute: number }
  | { kind: 'daily'; every: number; at: string }
  | { kind: 'weekly'; days: string[]; at: string }
  | { kind: 'monthly'; day: number; every: number; at: string }
  | { kind: 'cron'; expression: string };

export interface ScheduleDefinition {
  kind: 'Schedule';
  name: string;
  datastore: string;
  description?: string;
  enabled: boolean;
  /** Undefined when the definition does not name exactly one valid timing. */
  timing?: ScheduleTiming;
  /** Sync options; undefined ones fall back to the datastore's defaults. */
  prune?: boolean;
  recreate?: boolean;
  include?: IncludeKind[];
  source: DefinitionSource;
}

export interface OverridesDefinition {
  kind: 'Overrides';
  datastore: string;
  containers: Map<string, ContainerOverride>;
  source: DefinitionSource;
}

export interface ProjectSettings {
  /** Absolute project root. */
  root: string;
  /** Absolute folder of snapshot files. */
  snapshotsDir: string;
  /** Absolute folder of local state (history, caches, locks). */
  stateDir: string;
  exclude: string[];
  source?: DefinitionSource;
}

export type Definition = DatastoreDefinition | ScheduleDefinition | OverridesDefinition;

/** Everything the definitions of a workspace say, plus every problem found while reading them. */
export interface Workspace {
  project: ProjectSettings;
  datastores: DatastoreDefinition[];
  schedules: ScheduleDefinition[];
  overrides: OverridesDefinition[];
  /** Absolute paths of every file that holds at least one definition. */
  files: string[];
  problems: Problem[];
}
