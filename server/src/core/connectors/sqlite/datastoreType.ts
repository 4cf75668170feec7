import type { DatastoreTypeEntry } from '../contract';
import type { SqliteSettings } from './sqliteConnector';
import { DATABASE_FILE_PROPERTY } from '../sharedSettings';

/** `type: sqlite`: a SQLite database file, opened read-only with `better-sqlite3`. */
export const sqliteType: DatastoreTypeEntry<SqliteSettings> = {
  type: 'sqlite',
  storeType: 'jdbc',
  title: 'SQLite',
  schema: { connection: { path: DATABASE_FILE_PROPERTY }, required: ['connection'], connectionRequired: ['path'] },
  settings: (read) => ({ path: read.file(['connection', 'path']) }),
  open: async (target) => (await import('./sqliteConnector')).openSqliteConnector(target),
};
