import type { DatastoreType, DiscoveredContainer, IncludeKind, OperationLogEntry } from '../model';
import type { DetectionOptions } from '../sync/identifiers';
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

/** Connectors of SQL sources also expose their session, so tests can prove it refuses writes. */
export interface SqlConnector extends Connector {
  query(sql: string): Promise<unknown[]>;
}

export interface DiscoveryRequest {
  include: IncludeKind[];
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
  /** Saved by the engine only when the sync is written, and handed back as `previousCache` next time. */
  cache?: unknown;
  detection?: DetectionOptions;
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
