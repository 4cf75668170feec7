import type { StoreType } from '../model';
import type { Connector, ConnectorTarget, DatastoreTypeEntry } from './contract';
import { dfsType } from './dfs/datastoreType';
import { duckdbType } from './duckdb/datastoreType';
import { mariadbType, mysqlType } from './mysql/datastoreType';
import { postgresType } from './postgres/datastoreType';
import { sqliteType } from './sqlite/datastoreType';
import { azureBlobType } from './objectStore/azure/datastoreType';
import { gcsType } from './objectStore/gcs/datastoreType';
import { s3Type } from './objectStore/s3/datastoreType';

/**
 * The datastore types, declared once. Everything that names a type comes from here: the `type:`
 * values a definition may hold and the keys each adds (definitions/datastoreSchema.ts composes
 * the schema from the entries), the store type of the seed's payloads, the settings a connector
 * gets and the connector itself. Entries load no driver: a connector's code is imported when a
 * datastore of its type is first synced, so commands that never connect do not pay for it.
 */
const ENTRIES = new Map<string, DatastoreTypeEntry>();
let version = 0;

/**
 * Adds a datastore type. The shipped ones are registered below, in the order the schema lists
 * them; a type added elsewhere (a test's toy type) gets every behaviour the shipped ones get.
 * Returns what takes it away again (a test cleaning up after itself).
 */
export function registerDatastoreType<Settings>(entry: DatastoreTypeEntry<Settings>): () => void {
  if (ENTRIES.has(entry.type)) throw new Error(`Datastore type '${entry.type}' is registered twice.`);
  ENTRIES.set(entry.type, entry as DatastoreTypeEntry);
  version++;
  return () => {
    if (ENTRIES.get(entry.type) !== entry) return;
    ENTRIES.delete(entry.type);
    version++;
  };
}

for (const entry of [postgresType, mysqlType, mariadbType, sqliteType, duckdbType, dfsType, s3Type, azureBlobType, gcsType] as DatastoreTypeEntry[]) registerDatastoreType(entry);

/** Every registered type, in registration order. */
export function datastoreTypes(): DatastoreTypeEntry[] {
  return [...ENTRIES.values()];
}

/** The entry of one type; undefined for a type nobody registered. */
export function datastoreType(type: string): DatastoreTypeEntry | undefined {
  return ENTRIES.get(type);
}

/** Changes whenever a type is registered: a key for what is derived from the entries. */
export function registryVersion(): number {
  return version;
}

/** `jdbc` for databases, `dfs` for file stores. */
export function storeTypeOf(type: string): StoreType {
  return datastoreType(type)?.storeType ?? 'jdbc';
}

/** Opens the connector of a datastore's type. */
export async function openConnector(target: ConnectorTarget): Promise<Connector> {
  const entry = datastoreType(target.type);
  if (!entry) throw new Error(`Datastores of type '${target.type}' cannot be synced: no connector is registered for it.`);
  return entry.open(target);
}
