import { createHash } from 'node:crypto';
import type { ConnectorTarget } from '../connectors/contract';
import { datastoreType } from '../connectors/registry';
import { SECRET_KEYS } from '../definitions/envReferences';
import { settingsReader } from '../definitions/settingsReader';
import type { DatastoreDefinition } from '../definitions/types';
import type { ContainerOverride, SyncOptions } from '../model';
import { compareText } from '../text/order';

/**
 * The resolve step: the datastore's settings as its type reads them (connectors/registry.ts),
 * `${env:…}` references expanded and relative paths resolved against the definition's folder.
 * An unset or empty variable is an error that names it: a sync never connects with an empty password.
 */
export function resolveDatastore(datastore: DatastoreDefinition, env: Readonly<Record<string, string | undefined>>): { target: ConnectorTarget } | { error: string } {
  const entry = datastoreType(datastore.type);
  if (!entry) return { error: `Datastore '${datastore.name}' has type '${datastore.type}', which no connector handles.` };
  const { read, missing } = settingsReader(datastore, env);
  const settings = entry.settings(read);
  if (missing.length > 0) {
    return { error: `Datastore '${datastore.name}': ${missing.join('; ')}. Set the variable${missing.length > 1 ? 's' : ''} in the environment and sync again.` };
  }
  return { target: { name: datastore.name, type: datastore.type, settings } };
}

/**
 * Everything besides the source and the snapshot files that decides a sync's result, as one hash
 * (snapshots/resyncRecord.ts). Secrets are left out: a rotated password changes no result.
 */
export function resyncInputs(target: ConnectorTarget, options: SyncOptions, overrides: ReadonlyMap<string, ContainerOverride>, engineVersion: string): string {
  const overrideList = [...overrides].sort(([a], [b]) => compareText(a, b));
  const settings = JSON.stringify(target.settings, (key, value: unknown) => (SECRET_KEYS.has(key) ? undefined : value));
  return createHash('sha1').update(JSON.stringify({ engineVersion, name: target.name, type: target.type, settings, options, overrides: overrideList })).digest('hex');
}
