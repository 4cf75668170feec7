import * as fs from 'node:fs';
import type { ConnectionSettings } from '../definitions/types';
import { ConnectorError, type ResolvedDatastore } from './connector';

/**
 * Settings shared by the client/server connectors. Drivers such as `pg` wait forever by default;
 * a catalog sync must not, so both timeouts always have a value.
 */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
export const DEFAULT_STATEMENT_TIMEOUT_SECONDS = 300;

export interface ServerTimeouts {
  connectMs: number;
  statementMs: number;
}

export function serverTimeouts(connection: ConnectionSettings): ServerTimeouts {
  return {
    connectMs: Math.round((connection.connect_timeout_seconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS) * 1000),
    statementMs: Math.round((connection.statement_timeout_seconds ?? DEFAULT_STATEMENT_TIMEOUT_SECONDS) * 1000),
  };
}

/** host, database and user are required for a server datastore; say which one is missing. */
export function requireServerSettings(datastore: ResolvedDatastore, defaultPort: number): { host: string; port: number; database: string; user: string } {
  const { host, port, database, user } = datastore.connection;
  const missing = (['host', 'database', 'user'] as const).filter((key) => !datastore.connection[key]);
  if (missing.length > 0 || !host || !database || !user) {
    throw new ConnectorError(`Datastore '${datastore.name}' (${datastore.type}) needs connection.${missing.join(', connection.')}. Add ${missing.length > 1 ? 'them' : 'it'} to its definition.`, 'connection-incomplete');
  }
  return { host, port: port ?? defaultPort, database, user };
}

/** Throws the signal's reason when it is aborted: connectors call this between catalog queries. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('The sync was aborted.');
}

/**
 * What `connection.ssl` asks for, in libpq's terms, for every server connector: undefined for no
 * TLS; `none` encrypts without checking the certificate (prefer, require); `chain` checks it
 * against the CA (verify-ca, and `ssl: true`); `full` also checks the host name (verify-full).
 * The CA file is read here so that a missing one is a located, actionable error.
 */
export interface TlsSettings {
  verify: 'none' | 'chain' | 'full';
  ca?: string;
}

export function tlsSettings(datastore: ResolvedDatastore): TlsSettings | undefined {
  const ssl = datastore.connection.ssl;
  if (ssl === undefined || ssl === false) return undefined;
  if (ssl === true) return { verify: 'full' };
  if (ssl.mode === 'disable') return undefined;
  if (ssl.mode === 'prefer' || ssl.mode === 'require') return { verify: 'none' };
  let ca: string | undefined;
  if (ssl.ca !== undefined) {
    try {
      ca = fs.readFileSync(ssl.ca, 'utf8');
    } catch (error) {
      throw new ConnectorError(`The CA file '${ssl.ca}' of datastore '${datastore.name}' cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Check connection.ssl.ca.`, 'ssl-ca-unreadable');
    }
  }
  return { verify: ssl.mode === 'verify-ca' ? 'chain' : 'full', ...(ca !== undefined ? { ca } : {}) };
}
