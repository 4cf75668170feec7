import * as fs from 'node:fs';
import { ConnectorError, type ConnectorTarget, type DatastoreSchemaFragment, type SettingsReader } from './contract';
import { SCHEMAS_PROPERTY, withoutUndefined } from './sharedSettings';

/** The settings of a database server datastore (PostgreSQL, MySQL, MariaDB). */
export interface ServerSettings {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  ssl?: boolean | { mode?: string; ca?: string };
  connect_timeout_seconds?: number;
  statement_timeout_seconds?: number;
  /** The schemas (MySQL: databases) to sync; undefined: every one but the system ones. */
  schemas?: string[];
}

export type ServerTarget = ConnectorTarget<ServerSettings>;

/** The keys a server datastore adds to its definition. */
export const SERVER_SCHEMA: DatastoreSchemaFragment = {
  properties: { schemas: SCHEMAS_PROPERTY },
  connection: {
    host: { type: 'string', minLength: 1, description: 'Database server host name or address.' },
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'Database server port.' },
    database: { type: 'string', minLength: 1, description: 'Database to read.' },
    user: { type: 'string', minLength: 1, description: 'User to connect as; a read-only role is recommended.' },
    password: { type: 'string', description: 'Password as a `${env:VARIABLE}` reference; never a literal.' },
    ssl: {
      description: 'TLS: `true`, `false`, or options.',
      oneOf: [
        { type: 'boolean' },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            mode: { enum: ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'], description: 'TLS mode.' },
            ca: { type: 'string', description: 'Path of a CA certificate file, relative to this file.' },
          },
        },
      ],
    },
    connect_timeout_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 3600, description: 'Give up connecting after this many seconds (default 10).' },
    statement_timeout_seconds: { type: 'number', exclusiveMinimum: 0, maximum: 86400, description: 'Cancel any catalog query running longer than this (default 300).' },
  },
  required: ['connection'],
  connectionRequired: ['host', 'database'],
};

/** A server datastore's settings from its definition. */
export function readServerSettings(read: SettingsReader): ServerSettings {
  const settings: ServerSettings = {
    host: read.string(['connection', 'host']),
    port: read.number(['connection', 'port']),
    database: read.string(['connection', 'database']),
    user: read.string(['connection', 'user']),
    password: read.string(['connection', 'password']),
    ssl: readSsl(read),
    connect_timeout_seconds: read.number(['connection', 'connect_timeout_seconds']),
    statement_timeout_seconds: read.number(['connection', 'statement_timeout_seconds']),
    schemas: read.strings(['schemas']),
  };
  return withoutUndefined(settings);
}

function readSsl(read: SettingsReader): ServerSettings['ssl'] {
  const ssl = read.value(['connection', 'ssl']);
  if (ssl === undefined || typeof ssl === 'boolean') return ssl;
  const options: { mode?: string; ca?: string } = {};
  const mode = read.string(['connection', 'ssl', 'mode']);
  const ca = read.file(['connection', 'ssl', 'ca']);
  if (mode !== undefined) options.mode = mode;
  if (ca !== undefined) options.ca = ca;
  return options;
}

/*
 * Drivers such as `pg` wait forever by default; a catalog sync must not, so both timeouts always
 * have a value.
 */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
export const DEFAULT_STATEMENT_TIMEOUT_SECONDS = 300;

export interface ServerTimeouts {
  connectMs: number;
  statementMs: number;
}

export function serverTimeouts(connection: ServerSettings): ServerTimeouts {
  return {
    connectMs: Math.round((connection.connect_timeout_seconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS) * 1000),
    statementMs: Math.round((connection.statement_timeout_seconds ?? DEFAULT_STATEMENT_TIMEOUT_SECONDS) * 1000),
  };
}

/** host, database and user are required for a server datastore; say which one is missing. */
export function requireServerSettings(datastore: ServerTarget, defaultPort: number): { host: string; port: number; database: string; user: string } {
  const { host, port, database, user } = datastore.settings;
  const missing = (['host', 'database', 'user'] as const).filter((key) => !datastore.settings[key]);
  if (missing.length > 0 || !host || !database || !user) {
    throw new ConnectorError(`Datastore '${datastore.name}' (${datastore.type}) needs connection.${missing.join(', connection.')}. Add ${missing.length > 1 ? 'them' : 'it'} to its definition.`, 'connection-incomplete');
  }
  return { host, port: port ?? defaultPort, database, user };
}

/**
 * What `connection.ssl` asks for, in libpq's terms, for every server connector: undefined for no
 * TLS; `none` encrypts without checking the certificate (prefer, require); `chain` checks it
 * against the CA (verify-ca); `full` also checks the host name (verify-full, and `ssl: true`).
 * Without `ca`, the chain is checked against the system's CAs.
 * The CA file is read here so that a missing one is a located, actionable error.
 */
export interface TlsSettings {
  verify: 'none' | 'chain' | 'full';
  ca?: string;
}

export function tlsSettings(datastore: ServerTarget): TlsSettings | undefined {
  const ssl = datastore.settings.ssl;
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

/** True when connection.ssl is `prefer`: TLS when the server offers it, a plain connection otherwise. */
export function prefersTls(datastore: ServerTarget): boolean {
  const ssl = datastore.settings.ssl;
  return typeof ssl === 'object' && ssl.mode === 'prefer';
}

/**
 * A TLS handshake failure (Node's certificate checks) as a sentence that says what to change,
 * or undefined when `error` is not one. Shared by the server connectors. Drivers may wrap the
 * error under a code of their own (mysql2: HANDSHAKE_SSL_ERROR), so Node's message decides too.
 */
export function tlsFailure(error: unknown, datastore: ServerTarget, where: string): string | undefined {
  const err = error as Error & { code?: string };
  const what = `datastore '${datastore.name}'`;
  switch (tlsProblemOf(err)) {
    case 'host':
      return `The TLS certificate of the server at ${where} is not issued for host '${datastore.settings.host}' (${what}: ${err.message}). Set connection.host to a name the certificate lists, or use ssl: { mode: verify-ca } to check the certificate chain only.`;
    case 'untrusted':
      return `The TLS certificate of the server at ${where} is not signed by a CA this sync trusts (${what}: ${err.message}). Set connection.ssl.ca to the file of the CA that signed it.`;
    case 'expired':
      return `The TLS certificate of the server at ${where} is not valid now (${what}: ${err.message}). Renew the server's certificate.`;
    case 'other':
      return `TLS with the server at ${where} failed (${what}: ${err.message}). Check connection.ssl (mode and ca).`;
    default:
      return undefined;
  }
}

function tlsProblemOf(err: Error & { code?: string }): 'host' | 'untrusted' | 'expired' | 'other' | undefined {
  const code = err.code ?? '';
  const message = err.message ?? '';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /^Hostname\/IP does not match/i.test(message)) return 'host';
  if (UNTRUSTED_CODES.has(code) || /self.signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate|certificate signature failure/i.test(message)) return 'untrusted';
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID' || /certificate has expired|certificate is not yet valid/i.test(message)) return 'expired';
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'HANDSHAKE_SSL_ERROR') return 'other';
  return undefined;
}

const UNTRUSTED_CODES = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE']);
