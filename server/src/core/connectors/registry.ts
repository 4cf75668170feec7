import type { DatastoreType } from '../model';
import type { Connector, ResolvedDatastore } from './contract';

/**
 * Opens the connector of a datastore type. Drivers are imported on first use only, so commands
 * that never connect (validate, history) do not pay for loading DuckDB or PostgreSQL.
 */
export async function openConnector(datastore: ResolvedDatastore): Promise<Connector> {
  const open = OPENERS[datastore.type];
  if (!open) throw new Error(`Datastores of type '${datastore.type}' cannot be synced yet.`);
  return open(datastore);
}

type Opener = (datastore: ResolvedDatastore) => Promise<Connector>;

const OPENERS: Partial<Record<DatastoreType, Opener>> = {
  sqlite: async (d) => (await import('./sqlite')).openSqliteConnector(d),
  duckdb: async (d) => (await import('./duckdb')).openDuckDbConnector(d),
  postgresql: async (d) => (await import('./postgres')).openPostgresConnector(d),
  mysql: async (d) => (await import('./mysql/mysqlConnector')).openMySqlConnector(d),
  mariadb: async (d) => (await import('./mysql/mysqlConnector')).openMySqlConnector(d),
  dfs: async (d) => (await import('./dfs/dfsConnector')).openDfsConnector(d),
};
