import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { ConnectorTarget, SettingsReader } from '../connectors/contract';
import { datastoreType } from '../connectors/registry';
import { SECRET_KEYS, expandEnvReferences } from '../definitions/envReferences';
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
  const missing: string[] = [];
  const folder = path.dirname(datastore.source.file);
  const valueAt = (at: readonly string[]): unknown => at.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), datastore.settings);
  const string = (at: readonly string[]): string | undefined => {
    const value = valueAt(at);
    if (typeof value !== 'string') return undefined;
    const result = expandEnvReferences(value, env);
    for (const name of result.missing) missing.push(`${at.join('.')} uses \${env:${name}}, but ${name} is not set`);
    for (const name of result.empty) missing.push(`${at.join('.')} uses \${env:${name}}, but ${name} is empty`);
    return result.value;
  };
  const read: SettingsReader = {
    string,
    file: (at) => {
      const value = string(at);
      return value === undefined ? undefined : path.resolve(folder, value);
    },
    number: (at) => {
      const value = valueAt(at);
      return typeof value === 'number' ? value : undefined;
    },
    strings: (at) => {
      const value = valueAt(at);
      return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
    },
    value: valueAt,
  };
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
