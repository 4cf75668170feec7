/**
 * The data model shared by connectors, the sync engine and snapshots. Everything here is plain,
 * serialisable data: no classes, no host types.
 */

/**
 * The `type:` of a datastore: the name of a registered datastore type (connectors/registry.ts
 * declares them; `postgresql`, `sqlite`, `dfs`, …).
 */
export type DatastoreType = string;

/** `jdbc` for databases and `dfs` for file stores, as in the seed's API payloads. */
export type StoreType = 'jdbc' | 'dfs';

/** What a sync may include; files of a DFS datastore are always in scope. */
export type IncludeKind = 'table' | 'view';

/** What one sync is asked to do, as in the seed's Sync dialog (plus the prune guard's override). */
export interface SyncOptions {
  prune: boolean;
  recreate: boolean;
  include: IncludeKind[];
  /** Allow a prune larger than the datastore's `prune_limit`. */
  forcePrune?: boolean;
}

/** A user's choice of identifiers for one container (an `Overrides` entry). */
export interface ContainerOverride {
  /** A field name, null for "no identifier", undefined when not overridden. */
  incremental_identifier?: string | null;
  partition_identifier?: string | null;
}

/**
 * The kind of a container as the source spells it. `include` maps every kind to `table` or
 * `view` through {@link includeClassOf}.
 */
export type ContainerKind = 'table' | 'view' | 'materialized_view' | 'foreign_table' | 'file';

export function includeClassOf(kind: ContainerKind): IncludeKind | 'file' {
  switch (kind) {
    case 'view':
    case 'materialized_view':
      return 'view';
    case 'file':
      return 'file';
    default:
      return 'table';
  }
}

/** One field (column) of a container, in source order. */
export interface FieldInfo {
  name: string;
  /** The type as the source spells it: `character varying(160)`, `BIGINT`, `STRUCT(a BIGINT)`. */
  type: string;
  nullable: boolean;
  /** 1-based position inside the primary key, when the field belongs to it. */
  primary_key?: number;
  default?: string;
  comment?: string;
  /** True for generated (computed) columns. */
  generated?: boolean;
  /** True for identity, serial and auto-increment columns. */
  auto_increment?: boolean;
}

/** Facts about a file container that a reviewer needs; nothing that changes with data volume. */
export interface FileContainerInfo {
  /** Folder of the container relative to the datastore root, `.` for the root itself. */
  folder: string;
  /** The single file's name, or the glob pattern of a globbed container (`orders_*.csv`). */
  pattern: string;
  globbed: boolean;
  /** Lower-case extension without the dot: csv, tsv, json, jsonl, parquet. */
  extension: string;
  format: 'csv' | 'json' | 'jsonl' | 'parquet';
  /** For CSV/TSV: the dialect that was detected. */
  delimiter?: string;
  header?: boolean;
  /** Hive-style partition keys (`year=2024/month=01/`) in folder order. */
  hive_keys?: string[];
  /** Written by earlier versions; why files were grouped is now in the operation's log (`grouping`). */
  varying_tokens?: number[];
  /**
   * A lake table (Delta Lake, Apache Iceberg): the files are whichever its log or metadata names,
   * and `version` is the one read (Delta: the newest log version; Iceberg: the number of the
   * current metadata file, `v<N>.metadata.json` or `<N>-<uuid>.metadata.json`).
   */
  table?: LakeTableInfo;
}

export interface LakeTableInfo {
  format: 'delta' | 'iceberg';
  version: number;
}

/** A container as a connector discovered it, before identifiers are decided. */
export interface DiscoveredContainer {
  /** Unique within the datastore; the key users write in overrides (`public.orders`, `orders`). */
  name: string;
  kind: ContainerKind;
  /** Namespace (schema) for databases that have them; undefined for SQLite and file stores. */
  schema?: string;
  fields: FieldInfo[];
  /** Declared partition key columns (PostgreSQL `PARTITION BY`, MySQL partitioning). */
  partition_key?: string[];
  file?: FileContainerInfo;
  comment?: string;
}

export type IdentifierStrategy =
  | 'none'
  | 'last_modified'
  | 'batch_value'
  | 'postgres_commit_timestamp'
  | 'partition_key'
  | 'datetime'
  | 'order_by';

/** The effective incremental or partition identifier of a container. */
export interface IdentifierInfo {
  /** The field name, or `$last_modified` for a file's modification time; null when none. */
  field: string | null;
  /** For the order-by fallback: every ordering field, in order. */
  fields?: string[];
  strategy: IdentifierStrategy;
  source: 'detected' | 'override';
}

/** The virtual field that stands for a file's last-modified timestamp. */
export const FILE_LAST_MODIFIED = '$last_modified';

/** What a snapshot file holds: schema, never data volume, never run metadata. */
export interface ContainerSnapshot extends DiscoveredContainer {
  incremental_identifier: IdentifierInfo;
  partition_identifier: IdentifierInfo;
}

/** Severity of an operation log entry. */
export type LogLevel = 'info' | 'warning' | 'error';

/** A message an operation records: permission gaps, unreadable files, override problems. */
export interface OperationLogEntry {
  level: LogLevel;
  /** Stable code, e.g. `file-unreadable`, `override-unknown-field`. */
  code: string;
  message: string;
  container?: string;
  /** Path relative to the datastore root, for file stores. */
  file?: string;
  /** With code `globbed`: why the files of a file container are one container. */
  grouping?: FileGrouping;
  /** With code `store-usage`: what the sync asked of an object store. */
  usage?: { requests: number; bytes: number; retries: number };
}

/** Why files are one container: its pattern, what varies, how many files, which were read. */
export interface FileGrouping {
  pattern: string;
  files: number;
  /** Per wildcard part: its place and the text it stands for (`part 2 (*): 2024-01-01 … 2024-01-31`). */
  varying: string[];
  /** The files whose schemas were read, relative to the datastore root. */
  sampled: string[];
  pinned?: boolean;
}
