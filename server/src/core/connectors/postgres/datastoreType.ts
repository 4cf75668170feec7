import type { DatastoreTypeEntry } from '../contract';
import { SERVER_SCHEMA, readServerSettings, type ServerSettings } from '../serverSettings';

/** `type: postgresql`: a PostgreSQL server (10 or later), read through the `pg` driver. */
export const postgresType: DatastoreTypeEntry<ServerSettings> = {
  type: 'postgresql',
  storeType: 'jdbc',
  title: 'PostgreSQL',
  schema: SERVER_SCHEMA,
  settings: readServerSettings,
  open: async (target) => (await import('./postgresConnector')).openPostgresConnector(target),
};
