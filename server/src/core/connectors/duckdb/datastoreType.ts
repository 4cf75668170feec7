import type { DatastoreTypeEntry } from '../contract';
import type { DuckDbSettings } from './duckdbConnector';
import { DATABASE_FILE_PROPERTY, SCHEMAS_PROPERTY } from '../sharedSettings';

/** `type: duckdb`: a DuckDB database file, opened read-only with `@duckdb/node-api`. */
export const duckdbType: DatastoreTypeEntry<DuckDbSettings> = {
  type: 'duckdb',
  storeType: 'jdbc',
  title: 'DuckDB',
  schema: { properties: { schemas: SCHEMAS_PROPERTY }, connection: { path: DATABASE_FILE_PROPERTY }, required: ['connection'], connectionRequired: ['path'] },
  settings: (read) => {
    const schemas = read.strings(['schemas']);
    return { path: read.file(['connection', 'path']), ...(schemas ? { schemas } : {}) };
  },
  open: async (target) => (await import('./duckdbConnector')).openDuckDbConnector(target),
};
