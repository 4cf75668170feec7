import type { SqlConnector } from '../contract';
import type { ServerTarget } from '../serverSettings';
import { discover } from './discover';
import { clientConfig, openSession } from './session';

/**
 * PostgreSQL. The session is read-only at the database level (`default_transaction_read_only`,
 * and every catalog read runs in a `READ ONLY` transaction). Introspection is a constant number
 * of pg_catalog queries for the whole datastore, whatever its size: signature, relations,
 * columns, schemas, settings. Comments come from a `LEFT JOIN pg_description`, never
 * `col_description()` per row.
 */
export async function openPostgresConnector(datastore: ServerTarget): Promise<SqlConnector> {
  const config = clientConfig(datastore);
  const session = await openSession(datastore, config);
  return {
    discover: (request, context) => discover(datastore, request, context, session, () => openSession(datastore, config)),
    query: async (sql, signal) => (await session.run(sql, signal)).rows as unknown[],
    check: async (signal) => {
      const rows = (await session.run('SELECT current_setting(\'server_version\') AS version, current_user AS "user", current_database() AS database', signal)).rows as { version: string; user: string; database: string }[];
      const { version, user, database } = rows[0]!;
      return `Connected to PostgreSQL ${version} at ${config.host}:${config.port} as ${user}, database ${database} (read-only session).`;
    },
    close: () => session.close(),
  };
}
