import type { DatastoreType, DiscoveredContainer, IncludeKind, OperationLogEntry } from '../model';
import type { DetectionOptions } from '../identifiers/identifiers';
import type { ConnectionSettings, GlobbingMode } from '../definitions/types';

/**
 * One interface for every source. A connector only ever reads: database sessions are opened
 * read-only at the database level, files are opened for reading. Adding a database means adding
 * one file that implements this and one entry in the registry and the shared connector tests.
 */
export interface Connector {
  discover(request: DiscoveryRequest, context: DiscoveryContext): Promise<DiscoveryResult>;
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
   * describing anything (see sync/resyncShortcut.ts).
   */
  unchangedSince?: string;
}

export interface DiscoveryContext {
  signal: AbortSignal;
  onProgress?: (progress: DiscoveryProgress) => void;
  /** What this connector stored after the last successful sync of this datastore (e.g. file stats). */
  previousCache?: unknown;
}

export interface DiscoveryProgress {
  phase: string;
  done: number;
  total?: number;
}

export interface DiscoveryResult {
  containers: DiscoveredContainer[];
  /** False when the listing may have missed containers (errors, permission gaps): then nothing is pruned. */
  complete: boolean;
  logs: OperationLogEntry[];
  /** Containers that exist but could not be described: their snapshots are kept as they are. */
  unreadable?: string[];
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

/** A datastore with `${env:…}` references expanded and relative paths made absolute. */
export interface ResolvedDatastore {
  name: string;
  type: DatastoreType;
  connection: ConnectionSettings;
  schemas?: string[];
  root?: string;
  extensions: string[];
  globbing: GlobbingMode;
  sample_files: number;
}

/** Thrown by connectors for conditions the user must fix (bad path, refused connection). */
export class ConnectorError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}
