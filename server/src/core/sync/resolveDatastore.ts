import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { ResolvedDatastore } from '../connectors/contract';
import { expandEnvReferences } from '../definitions/envReferences';
import type { ConnectionSettings, DatastoreDefinition } from '../definitions/types';
import type { ContainerOverride, SyncOptions } from '../model';
import { compareText } from '../text/order';

/** A datastore ready to connect to: references expanded, paths absolute. */
export type ResolvedSource = ResolvedDatastore;

/**
 * The resolve step: expands `${env:…}` references and resolves relative paths against the
 * definition's folder. An unset or empty variable is an error that names it: a sync never
 * connects with an empty password.
 */
export function resolveDatastore(datastore: DatastoreDefinition, env: Readonly<Record<string, string | undefined>>): { datastore: ResolvedSource } | { error: string } {
  const missing: string[] = [];
  const expand = (value: string, where: string): string => {
    const result = expandEnvReferences(value, env);
    for (const name of result.missing) missing.push(`${where} uses \${env:${name}}, but ${name} is not set`);
    for (const name of result.empty) missing.push(`${where} uses \${env:${name}}, but ${name} is empty`);
    return result.value;
  };
  const connection: ConnectionSettings = { ...datastore.connection };
  for (const [key, value] of Object.entries(datastore.connection)) {
    if (typeof value === 'string') (connection as Record<string, unknown>)[key] = expand(value, `connection.${key}`);
  }
  const folder = path.dirname(datastore.source.file);
  if (connection.path !== undefined) connection.path = path.resolve(folder, connection.path);
  const root = datastore.root === undefined ? undefined : path.resolve(folder, expand(datastore.root, 'root'));
  if (missing.length > 0) {
    return { error: `Datastore '${datastore.name}': ${missing.join('; ')}. Set the variable${missing.length > 1 ? 's' : ''} in the environment and sync again.` };
  }
  return {
    datastore: {
      name: datastore.name,
      type: datastore.type,
      connection,
      schemas: datastore.schemas,
      root,
      extensions: datastore.extensions,
      globbing: datastore.globbing,
      sample_files: datastore.sample_files,
    },
  };
}

/** Everything besides the source and the snapshot files that decides a sync's result, as one hash (snapshots/resyncRecord.ts). */
export function resyncInputs(datastore: ResolvedSource, options: SyncOptions, overrides: ReadonlyMap<string, ContainerOverride>, engineVersion: string): string {
  const { password: _secret, ...connection } = datastore.connection;
  const overrideList = [...overrides].sort(([a], [b]) => compareText(a, b));
  return createHash('sha1').update(JSON.stringify({ engineVersion, datastore: { ...datastore, connection }, options, overrides: overrideList })).digest('hex');
}
