import pg from 'pg';
import { prefersTls, requireServerSettings, serverTimeouts, tlsSettings, type ServerTarget } from '../serverSettings';
import { connectionError, NO_TLS_ON_SERVER } from './errors';

/** One read-only connection; its statements are cancelled on the server when the signal aborts. */
export interface Session {
  run: Run;
  /** Runs a query whose rows (as arrays) go to `onRow` as they arrive, none kept by the driver. */
  stream(sql: string, signal: AbortSignal, values: unknown[], onRow: (row: unknown[]) => void): Promise<void>;
  close(): Promise<void>;
}

export async function openSession(datastore: ServerTarget, config: pg.ClientConfig): Promise<Session> {
  const client = new pg.Client(config);
  // A broken connection after connect (server restart) must reject the running query, not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    // Again as a statement: poolers and some servers drop startup options.
    await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
  } catch (error) {
    await client.end().catch(() => undefined);
    // `prefer`: encryption when the server offers it, a plain connection otherwise (as libpq does).
    if (config.ssl && prefersTls(datastore) && NO_TLS_ON_SERVER.test((error as Error).message)) return openSession(datastore, { ...config, ssl: false });
    throw connectionError(datastore, error);
  }
  const cancellable = async <T>(pending: Promise<T>, signal: AbortSignal | undefined): Promise<T> => {
    if (!signal) return pending;
    const onAbort = (): void => void cancelBackend(config, client);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await pending;
    } catch (error) {
      // A cancelled statement reports the abort, not the server's cancel error.
      signal.throwIfAborted();
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
  const run = async (sql: string, signal: AbortSignal | undefined, values?: unknown[]): Promise<pg.QueryResult> => {
    signal?.throwIfAborted();
    return cancellable(client.query(sql, values), signal);
  };
  const stream = async (sql: string, signal: AbortSignal, values: unknown[], onRow: (row: unknown[]) => void): Promise<void> => {
    signal.throwIfAborted();
    // A Query with a 'row' listener and no callback does not accumulate rows: each dies young.
    const query = new pg.Query({ text: sql, values, rowMode: 'array' } as pg.QueryConfig<unknown[]>);
    const done = new Promise<void>((resolve, reject) => {
      query.on('row', (row: unknown[]) => onRow(row));
      query.on('end', () => resolve());
      query.on('error', reject);
    });
    client.query(query);
    return cancellable(done, signal);
  };
  return {
    run,
    stream,
    close: async () => {
      await client.end().catch(() => undefined);
    },
  };
}

export type Run = (sql: string, signal: AbortSignal | undefined, values?: unknown[]) => Promise<pg.QueryResult>;

export function clientConfig(datastore: ServerTarget): pg.ClientConfig {
  const { host, port, database, user } = requireServerSettings(datastore, 5432);
  const timeouts = serverTimeouts(datastore.settings);
  return {
    host, port, database, user,
    password: datastore.settings.password,
    ssl: sslOptions(datastore),
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    application_name: 'catalog-as-code',
    // Read-only for the whole session, before any statement of ours runs.
    options: '-c default_transaction_read_only=on',
  };
}

function sslOptions(datastore: ServerTarget): pg.ClientConfig['ssl'] {
  const tls = tlsSettings(datastore);
  if (!tls) return false;
  if (tls.verify === 'none') return { rejectUnauthorized: false };
  // verify-ca checks the chain only; verify-full (and `ssl: true`) also the host name.
  return tls.verify === 'chain' ? { rejectUnauthorized: true, ca: tls.ca, checkServerIdentity: () => undefined } : { rejectUnauthorized: true, ca: tls.ca };
}

/** Cancels the running statement from a second session (`pg_cancel_backend` of our backend). */
async function cancelBackend(config: pg.ClientConfig, client: pg.Client): Promise<void> {
  const pid = (client as unknown as { processID: number | null }).processID;
  if (pid === null) return;
  const canceller = new pg.Client({ ...config, statement_timeout: 10_000 });
  canceller.on('error', () => undefined);
  try {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // Best effort: the statement timeout still bounds the query, and closing the session ends it.
  } finally {
    await canceller.end().catch(() => undefined);
  }
}
