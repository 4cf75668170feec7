import * as path from 'node:path';
import type { SettingsReader } from '../connectors/contract';
import { expandEnvReferences } from './envReferences';
import type { DatastoreDefinition } from './types';

/**
 * How a datastore type reads its settings (connectors/registry.ts): `${env:…}` references
 * expanded from `env`, relative files resolved against the definition's folder. What could not
 * be expanded is collected (`missing`, one sentence each), and every file read is noted (`files`),
 * so a sync can refuse to connect and `cac validate` can say what it knows without connecting.
 */
export function settingsReader(datastore: DatastoreDefinition, env: Readonly<Record<string, string | undefined>>): ReadSettings {
  const missing: string[] = [];
  const unset: { at: readonly string[]; variable: string }[] = [];
  const files: { at: readonly string[]; file: string }[] = [];
  const folder = path.dirname(datastore.source.file);
  const valueAt = (at: readonly string[]): unknown => at.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), datastore.settings);
  const string = (at: readonly string[]): string | undefined => {
    const value = valueAt(at);
    if (typeof value !== 'string') return undefined;
    const result = expandEnvReferences(value, env);
    for (const name of result.missing) {
      missing.push(`${at.join('.')} uses \${env:${name}}, but ${name} is not set`);
      unset.push({ at, variable: name });
    }
    for (const name of result.empty) {
      missing.push(`${at.join('.')} uses \${env:${name}}, but ${name} is empty`);
      unset.push({ at, variable: name });
    }
    return result.value;
  };
  const read: SettingsReader = {
    string,
    file: (at) => {
      const value = string(at);
      if (value === undefined) return undefined;
      const file = path.resolve(folder, value);
      files.push({ at, file });
      return file;
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
  return { read, missing, unset, files };
}

export interface ReadSettings {
  read: SettingsReader;
  /** One sentence per reference that could not be expanded. */
  missing: string[];
  /** The same, as the setting's path and the variable. */
  unset: { at: readonly string[]; variable: string }[];
  /** Every local file or folder the settings named, resolved. */
  files: { at: readonly string[]; file: string }[];
}
