import type { Connection as CoreConnection } from 'mysql2';
import { ConnectorError, type SqlConnector } from '../contract';
import type { ServerTarget } from '../serverSettings';
import { killQuery } from './abort';
import { discover } from './discover';
import { connectionError, statementError } from './errors';
import { connect, connectionConfig, startSession, type Each, type Link, type Run, type Session } from './session';
import { refuseUnlessRead } from './statementGuard';

/**
 * MySQL and MariaDB (one connector: the catalogs are the same information_schema).
 *
 * Read-only at two levels. The session runs `SET SESSION TRANSACTION READ ONLY` with autocommit,
 * so every statement is its own read-only transaction; on MariaDB 10.11 that refuses DML and DDL
 * alike (CREATE/DROP/ALTER/RENAME/TRUNCATE, GRANT, even `SELECT NEXTVAL(seq)`) with
 * ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION. It does not refuse everything that has side effects
 * (`SET GLOBAL`, `FLUSH`, `ANALYZE TABLE`, `SELECT … INTO OUTFILE`, and DDL on servers where a
 * read-only transaction does not cover it), and a statement can switch the session back with
 * `SET SESSION TRANSACTION READ WRITE`; so `query()` also refuses any statement that is not a read
 * (first keyword SELECT, SHOW, DESCRIBE, EXPLAIN, WITH, VALUES, TABLE) before it reaches the server.
 * Multi-statement text is off, so nothing can follow a read in the same call.
 *
 * Bulk introspection, a constant number of statements whatever the size: grants, schemata,
 * InnoDB's table list, TABLES, COLUMNS (in two halves over two connections, streamed), and
 * STATISTICS and PARTITIONS for just the tables that need them — each read on its own and joined here, because a server-side join of two
 * information_schema views took 200 s for 11,000 tables (measured on MariaDB 10.11), against
 * 0.6 s for COLUMNS alone. Only columns MariaDB can read from the .frm files are asked for: any
 * that needs the table opened (CREATE_TIME, CREATE_OPTIONS, all of PARTITIONS) costs 2.5–3.5 s
 * for 11,000 tables on a server whose table cache is smaller than that.
 */
export async function openMySqlConnector(datastore: ServerTarget): Promise<SqlConnector> {
  const config = connectionConfig(datastore);
  const link = await openLink(datastore, config);
  return {
    discover: (request, context) => discover(datastore, link, request, context, () => openLink(datastore, config, link.session)),
    query: async (sql, signal) => {
      refuseUnlessRead(sql);
      return link.run(sql, signal);
    },
    check: async (signal) => {
      const rows = (await link.run('SELECT DATABASE() AS db', signal)) as { db: string | null }[];
      const { version, user, mariadb } = link.session;
      return `Connected to ${mariadb ? 'MariaDB' : 'MySQL'} ${version} at ${config.host}:${config.port} as ${user}, database ${rows[0]?.db ?? config.database} (read-only session).`;
    },
    close: () => link.close(),
  };
}

async function openLink(datastore: ServerTarget, config: ReturnType<typeof connectionConfig>, known?: Session): Promise<Link> {
  const connection = await connect(datastore, config);
  const state = { pending: 0, closed: false };
  let session: Session;
  try {
    session = await startSession(datastore, connection, known);
  } catch (error) {
    await connection.end().catch(() => connection.destroy());
    throw error instanceof ConnectorError ? error : connectionError(datastore, error);
  }

  /** Waits for a statement's answer; on abort, rejects at once and ends the statement from a second session. */
  const answer = async <T>(sql: string, signal: AbortSignal | undefined, pending: Promise<T>): Promise<T> => {
    state.pending++;
    // Counted down when the server answers, which after an abort can be later than our rejection.
    pending.then(() => state.pending--, () => state.pending--);
    try {
      if (!signal) return await pending;
      return await new Promise<T>((resolve, reject) => {
        const onAbort = (): void => {
          void killQuery(config, connection.threadId);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        pending.then(
          (result) => {
            signal.removeEventListener('abort', onAbort);
            // SLEEP() and some reads return normally when killed: an aborted call never resolves.
            if (signal.aborted) reject(signal.reason);
            else resolve(result);
          },
          (error: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(signal.aborted ? signal.reason : error);
          },
        );
      });
    } catch (error) {
      throw statementError(datastore, error, sql);
    }
  };

  const run: Run = async (sql, signal, values, rowsAsArray = false) => {
    signal?.throwIfAborted();
    return answer(sql, signal, connection.query({ sql, values, rowsAsArray }).then(([rows]) => rows as unknown[]));
  };

  // The callback-style connection under the promise one: its query objects emit rows one by one.
  // mysql2 keeps it as `connection`; its typings show that on pool connections only.
  const core = (connection as unknown as { connection: CoreConnection }).connection;
  const each: Each = async (sql, signal, values, onRow) => {
    signal.throwIfAborted();
    return answer(sql, signal, new Promise<void>((resolve, reject) => {
      let failure: { error: unknown } | undefined;
      // Without a callback, the query object emits each row as a 'result' event and keeps none.
      core.query({ sql, values, rowsAsArray: true })
        .on('result', (row: unknown) => {
          if (failure || signal.aborted) return;
          try {
            onRow(row as unknown[]);
          } catch (error) {
            // Thrown inside the driver's packet handling it would break the connection: kept for the end.
            failure = { error };
          }
        })
        .on('error', reject)
        .on('end', () => (failure ? reject(failure.error) : resolve()));
    }));
  };

  return {
    session,
    run,
    each,
    close: async () => {
      if (state.closed) return;
      state.closed = true;
      // `end` queues behind a running statement; after an abort that statement may still run.
      if (state.pending > 0) connection.destroy();
      else await connection.end().catch(() => connection.destroy());
    },
  };
}
