import type { DetectionOptions } from '../identifiers/identifiers';
import type { DiscoveredContainer, IncludeKind, OperationLogEntry, StoreType } from '../model';

/**
 * A datastore type, whole: the `type:` users write, the keys it adds to a Datastore definition
 * (as JSON Schema, from which the engine's validation, the editor's completion and hover, and
 * `schemas/datastore.schema.json` are all derived), how its settings are read, and how its
 * connector opens. Adding a type is one folder holding its entry and connector, one line in
 * registry.ts and one case in the shared connector tests; nothing else names a type.
 */
export interface DatastoreTypeEntry<Settings = unknown> {
  /** What users write as `type:`. */
  readonly type: string;
  /** `jdbc` for databases, `dfs` for file stores (the seed's API payloads). */
  readonly storeType: StoreType;
  /** How the schema's documentation names it: `PostgreSQL`, `a local folder of CSV, JSON and Parquet files`. */
  readonly title: string;
  /** The keys this type adds to a definition. */
  readonly schema: DatastoreSchemaFragment;
  /** The type's settings from its definition's keys; `read` expands `${env:…}` and resolves paths. */
  settings(read: SettingsReader): Settings;
  /** Opens a connector for one datastore of this type. Drivers are loaded here, on first use only. */
  open(target: ConnectorTarget<Settings>): Promise<Connector>;
}

/** The keys a datastore type adds to a Datastore definition, as JSON Schema (draft-07). */
export interface DatastoreSchemaFragment {
  /** Top-level keys besides the common ones (kind, name, type, include, prune, …). */
  properties?: Readonly<Record<string, object>>;
  /** Keys of `connection`. */
  connection?: Readonly<Record<string, object>>;
  /** Top-level keys a definition of this type must have. */
  required?: readonly string[];
  /** Keys its `connection` must have. */
  connectionRequired?: readonly string[];
}

/**
 * Reads one definition's settings, each named by its path (`['connection', 'host']`). Strings
 * have their `${env:…}` references expanded; an unset or empty variable is collected as an error
 * of the resolve step, never read as an empty string. Values are already checked by the schema.
 */
export interface SettingsReader {
  string(path: readonly string[]): string | undefined;
  /** A file or folder, expanded and made absolute against the definition file's folder. */
  file(path: readonly string[]): string | undefined;
  number(path: readonly string[]): number | undefined;
  strings(path: readonly string[]): string[] | undefined;
  /** A value as written (booleans, mixed types), not expanded. */
  value(path: readonly string[]): unknown;
}

/** One datastore as its connector sees it: its name and type, and its type's settings. */
export interface ConnectorTarget<Settings = unknown> {
  name: string;
  type: string;
  settings: Settings;
}

/**
 * One interface for every source. A connector only ever reads: database sessions are opened
 * read-only at the database level, files are opened for reading.
 */
export interface Connector {
  discover(request: DiscoveryRequest, context: DiscoveryContext): Promise<DiscoveryResult>;
  /**
   * One harmless read that proves the source answers ("Test Connection", `cac test-connection`):
   * resolves with a sentence saying what it reached (server version, user, database, folder),
   * rejects (a ConnectorError where it can) saying what failed.
   */
  check(signal: AbortSignal): Promise<string>;
  close(): Promise<void>;
}

/**
 * Connectors of SQL sources also expose their session, so tests can prove it refuses writes.
 * An abort of `signal` cancels the statement on the server (where the database can).
 */
export interface SqlConnector extends Connector {
  query(sql: string, signal?: AbortSignal): Promise<unknown[]>;
}

export interface DiscoveryRequest {
  include: IncludeKind[];
  /**
   * The source signature recorded after the last sync, offered when nothing else has changed
   * since. A connector whose current signature equals it may answer `unchanged` without
   * describing anything (see snapshots/resyncRecord.ts).
   */
  unchangedSince?: string;
}

export interface DiscoveryContext {
  signal: AbortSignal;
  onProgress?: (progress: DiscoveryProgress) => void;
  /**
   * What this connector stored after the last successful sync of this datastore (e.g. file
   * stats). Read from disk when first asked for: ask only when it is needed.
   */
  previousCache?: unknown;
  /**
   * Takes containers as soon as they are fully described, so the engine renders each while the
   * source still streams and no container's fields outlive it (a first sync of 10,000 tables
   * holds ~17 MB of them otherwise). A container handed over is left out of
   * `DiscoveryResult.containers`; a connector that never calls this returns them all there.
   * `detection` must be what the result's `detection` will be.
   */
  handOver?: (containers: readonly DiscoveredContainer[], detection: DetectionOptions | undefined) => void;
}

export interface DiscoveryProgress {
  /**
   * What the connector is doing, in words the progress display shows. One phase has a meaning
   * for the engine: {@link COMPARING_SIGNATURE}, reported once a resync's signature query is on
   * its way, so the engine reads its own side of the record while the source answers.
   */
  phase: string;
  done: number;
  total?: number;
}

/** The progress phase a connector reports when its signature query was sent (see {@link DiscoveryProgress.phase}). */
export const COMPARING_SIGNATURE = 'comparing signature';

export interface DiscoveryResult {
  containers: DiscoveredContainer[];
  /** False when the listing may have missed containers (errors, permission gaps): then nothing is pruned. */
  complete: boolean;
  logs: OperationLogEntry[];
  /** Containers that exist but could not be described: their snapshots are kept as they are. */
  unreadable?: string[];
  /**
   * The schemas this discovery was limited to (the datastore's `schemas`): a known container of
   * another schema is outside the sync's scope, so it is neither missing nor pruned. Undefined: all.
   */
  scope?: string[];
  /**
   * Set when the listing is complete for these schemas only: a known container of another schema
   * was not looked for (its schema may only be invisible to the sync user), so it is kept and
   * marked missing, never pruned.
   */
  listedSchemas?: string[];
  /** Saved by the engine only when the sync is written, and handed back as `previousCache` next time. */
  cache?: unknown;
  detection?: DetectionOptions;
  /**
   * A cheap fingerprint of everything this discovery described (schema catalog versions,
   * settings): equal signatures mean an equal discovery. Undefined when the source has none.
   */
  signature?: string;
  /** True when the signature equals `request.unchangedSince`: `containers` is then empty and must not be used. */
  unchanged?: boolean;
}

/** Thrown by connectors for conditions the user must fix (bad path, refused connection). */
export class ConnectorError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'ConnectorError';
    branded(this, CONNECTOR_ERROR);
  }

  /**
   * Each connector is a bundle of its own (scripts/build.mjs), with its own copy of this class:
   * `instanceof` answers by a brand every copy shares, not by the copy's prototype.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, CONNECTOR_ERROR);
  }
}

const CONNECTOR_ERROR = Symbol.for('catalog-as-code.ConnectorError');

/** Marks an error with a brand that survives being created in another bundle. */
export function branded(error: Error, brand: symbol): void {
  Object.defineProperty(error, brand, { value: true });
}

export function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
