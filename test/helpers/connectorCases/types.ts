import type { ConnectorTarget } from '../../../server/src/core/connectors/contract';
import type { ServerSettings } from '../../../server/src/core/connectors/serverSettings';
import type { DatastoreType } from '../../../server/src/core/model';

/**
 * One source kind in the shared connector suite (test/unit/connectors.test.ts). Every connector
 * runs the same cases; a case supplies its dialect's fixture SQL and how it spells names.
 */
export interface ConnectorCase {
  type: DatastoreType;
  /** Shown in test titles, e.g. "postgresql (PGlite)". Filled in once `unavailable` resolved. */
  label(): string;
  /** undefined when the source can be used; else why not and what to start. Never skipped under CI=true. */
  unavailable(): Promise<string | undefined>;
  /** A fresh, empty source of its own (a file, a database) that `dispose` removes. */
  createSource(): Promise<TestSource>;
  sql: FixtureSql;
  /** The container name the connector reports for a table of the fixture. */
  name(table: string, schema?: string): string;
  /** Why this source cannot show a behaviour of the contract (PGlite: one database, no cancel); undefined when it can. */
  cannot?(behaviour: 'cancel' | 'missing-database'): string | undefined;
  /** How `count(*)` comes back from `SqlConnector.query` in this driver. */
  count(n: number): unknown;
}

/** A source's settings, whichever its type: a server's, or an embedded database's file. */
export type SourceSettings = ServerSettings & { path?: string };

export interface TestSource {
  datastore: ConnectorTarget<SourceSettings>;
  /** Runs statements through a writable admin session (never the connector's). */
  run(sql: string): Promise<void>;
  /** Changes whenever the source's schema or data changes: proves a connector wrote nothing. */
  fingerprint(): Promise<string>;
  dispose(): Promise<void>;
}

export interface FixtureSql {
  /**
   * orders(id integer primary key, placed_at timestamp NOT NULL, note text DEFAULT 'none',
   * total numeric(10,2)) and a view recent(id, placed_at) over it.
   */
  orders: string;
  /** The default that `note` reports, as the database spells it. */
  noteDefault: RegExp;
  /** Objects whose names hold dots, spaces, quotes and non-ASCII letters; the names the connector must report. */
  hostileNames: { sql: string; expected: string[] };
  /** Types as the database spells them: container name -> field -> type. */
  typeSpelling: { sql: string; container: string; types: Record<string, string> };
  /** A generated (computed) column. */
  generated?: { sql: string; container: string; field: string };
  /** A declaratively partitioned table: one container, its key, and the partitions that must not be listed. */
  partitioned?: { sql: string; container: string; key: string[]; partitions: string[] };
  /** A statement that runs for many seconds, for the abort test; absent where a query cannot be cancelled. */
  slowQuery?: string;
  /** How to see whether `slowQuery` still runs on the server after an abort. */
  isSlowQueryRunning?(source: TestSource): Promise<boolean>;
}
