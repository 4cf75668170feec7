/** Opening the connection: its options (TLS, timeouts, utf8mb4) and the read-only session. */
import * as net from 'node:net';
import mysql from 'mysql2/promise';
import { ConnectorError } from '../contract';
import { prefersTls, requireServerSettings, serverTimeouts, tlsSettings, type ServerTarget } from '../serverSettings';
import { connectionError } from './errors';

export type Run = (sql: string, signal: AbortSignal | undefined, values?: unknown[], rowsAsArray?: boolean) => Promise<unknown[]>;

/**
 * Streams a read's rows (as arrays) to `onRow` as they arrive, without keeping them: what a large
 * read keeps is then what `onRow` builds from it, not 200,000 row arrays (which cost Node half
 * its time in garbage collection). Rows arriving after an abort are dropped.
 */
export type Each = (sql: string, signal: AbortSignal, values: unknown[], onRow: (row: unknown[]) => void) => Promise<void>;

export interface Session {
  mariadb: boolean;
  version: string;
  user: string;
}

/** One connection with its read-only session; `run` ends its statement on the server (KILL QUERY) on abort. */
export interface Link {
  session: Session;
  run: Run;
  each: Each;
  close(): Promise<void>;
}

export function connectionConfig(datastore: ServerTarget): mysql.ConnectionOptions {
  const { host, port, database, user } = requireServerSettings(datastore, 3306);
  return {
    host, port, database, user,
    password: datastore.settings.password,
    connectTimeout: serverTimeouts(datastore.settings).connectMs,
    ssl: sslOptions(datastore),
    // Identifiers hold any Unicode letter (`Tablo ı`); utf8mb4 round-trips them exactly.
    charset: 'utf8mb4',
    // One statement per call: nothing can ride behind a read that `query()` let through.
    multipleStatements: false,
    dateStrings: true,
    connectAttributes: { program_name: 'catalog-as-code' },
  };
}

function sslOptions(datastore: ServerTarget): mysql.SslOptions | undefined {
  const tls = tlsSettings(datastore);
  if (!tls) return undefined;
  if (tls.verify === 'none') return { rejectUnauthorized: false };
  const host = datastore.settings.host ?? '';
  if (tls.verify === 'full' && net.isIP(host) !== 0) {
    // mysql2 skips the host-name check for an IP address (it checks 'localhost' instead), so
    // verify-full would silently be verify-ca, and the password would go to any server the CA signed.
    throw new ConnectorError(`connection.ssl of datastore '${datastore.name}' asks to verify the server's host name, which the MySQL driver cannot do for an IP address (connection.host is '${host}'). Set connection.host to the name in the server's certificate, or use ssl: { mode: verify-ca } to check the certificate chain only.`, 'ssl-unsupported-host');
  }
  return { ca: tls.ca, rejectUnauthorized: true, verifyIdentity: tls.verify === 'full' };
}

export async function connect(datastore: ServerTarget, config: mysql.ConnectionOptions): Promise<mysql.Connection> {
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection(config);
  } catch (error) {
    // `prefer`: encryption when the server offers it, plain otherwise.
    if (prefersTls(datastore) && (error as { code?: string }).code === 'HANDSHAKE_NO_SSL_SUPPORT') {
      return connect({ ...datastore, settings: { ...datastore.settings, ssl: false } }, { ...config, ssl: undefined });
    }
    throw connectionError(datastore, error);
  }
  // A broken connection while idle (server restart) must fail the next statement, not the process.
  connection.on('error', () => undefined);
  return connection;
}

/**
 * Flavour, read-only session and statement timeout: two or three statements at open. A helper
 * connection of a discovery passes the main connection's session and skips the version query.
 */
export async function startSession(datastore: ServerTarget, connection: mysql.Connection, known?: Session): Promise<Session> {
  let session = known;
  if (!session) {
    const [rows] = await connection.query('SELECT VERSION() AS version, CURRENT_USER() AS user');
    const { version, user } = (rows as { version: string; user: string }[])[0]!;
    session = { mariadb: /mariadb/i.test(version), version, user };
  }
  const statementMs = serverTimeouts(datastore.settings).statementMs;
  // MariaDB counts max_statement_time in seconds (any statement); MySQL max_execution_time in ms (SELECT only).
  const timeout = session.mariadb ? `max_statement_time = ${statementMs / 1000}` : `max_execution_time = ${statementMs}`;
  await connection.query(`SET SESSION TRANSACTION READ ONLY`);
  try {
    await connection.query(`SET SESSION ${timeout}`);
  } catch (error) {
    // MySQL before 5.7.8 has no statement timeout: say so instead of running unbounded silently.
    throw new ConnectorError(`The server of datastore '${datastore.name}' (${session.version}) does not accept a statement timeout (${(error as Error).message}). MySQL 5.7.8+ or MariaDB 10.1+ is required.`, 'server-unsupported');
  }
  return session;
}
