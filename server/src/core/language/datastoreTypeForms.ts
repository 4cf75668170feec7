import type { DatastoreTypeEntry, SettingsReader } from '../connectors/contract';
import { datastoreTypes } from '../connectors/registry';
import { SECRET_KEYS } from '../definitions/envReferences';
import type { StoreType } from '../model';

/**
 * Each registered datastore type with the settings a form should ask for ("Add Datastore"),
 * derived from the type's schema fragment: required keys first, then the optional ones in the
 * order the type declares them. Lists (`schemas`, `extensions`) and choices of mixed kinds are
 * left to the file, where completion knows them. A key the type reads as a file or folder is a
 * `path`; a secret key (SECRET_KEYS) is to be written as a `${env:VAR}` reference.
 */
export function datastoreTypeForms(): DatastoreTypeForm[] {
  return datastoreTypes().map((entry) => ({ type: entry.type, title: entry.title, storeType: entry.storeType, settings: settingsOf(entry) }));
}

export interface DatastoreTypeForm {
  type: string;
  title: string;
  storeType: StoreType;
  settings: SettingField[];
}

export interface SettingField {
  path: string[];
  title: string;
  required: boolean;
  secret: boolean;
  kind: 'string' | 'number' | 'path' | 'boolean';
  default?: string | number | boolean;
}

function settingsOf(entry: DatastoreTypeEntry): SettingField[] {
  const files = filePaths(entry);
  const fields: SettingField[] = [];
  const add = (path: string[], schema: object, required: boolean): void => {
    const kind = kindOf(schema as JsonSchema);
    if (!kind) return;
    const key = path[path.length - 1]!;
    const field: SettingField = {
      path, title: titleOf(key), required, secret: SECRET_KEYS.has(key),
      kind: kind === 'string' && files.has(path.join('.')) ? 'path' : kind,
    };
    const fallback = (schema as JsonSchema).default;
    if (typeof fallback === 'string' || typeof fallback === 'number' || typeof fallback === 'boolean') field.default = fallback;
    fields.push(field);
  };
  const { schema } = entry;
  for (const [key, property] of Object.entries(schema.connection ?? {})) add(['connection', key], property, (schema.connectionRequired ?? []).includes(key));
  for (const [key, property] of Object.entries(schema.properties ?? {})) add([key], property, (schema.required ?? []).includes(key));
  // Stable: declaration order inside each group.
  return [...fields.filter((f) => f.required), ...fields.filter((f) => !f.required)];
}

interface JsonSchema {
  type?: string | string[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  default?: unknown;
}

/** A key's kind in a form; undefined for lists, objects and mixed choices. */
function kindOf(schema: JsonSchema): SettingField['kind'] | undefined {
  const type = Array.isArray(schema.type) ? undefined : schema.type;
  if (type === 'string') return 'string';
  if (type === 'integer' || type === 'number') return 'number';
  if (type === 'boolean') return 'boolean';
  // `ssl: true | { mode, ca }`: the simple alternative is what a form can offer.
  for (const alternative of schema.oneOf ?? []) {
    const kind = kindOf(alternative);
    if (kind) return kind;
  }
  if (type === undefined && schema.enum?.length && schema.enum.every((v) => typeof v === 'boolean')) return 'boolean';
  return undefined;
}

/**
 * The settings the type reads as files or folders, learnt by letting it read an empty
 * definition: the type's own `settings` says which keys are paths, nothing is guessed.
 */
function filePaths(entry: DatastoreTypeEntry): Set<string> {
  const files = new Set<string>();
  const reader: SettingsReader = {
    string: () => undefined,
    file: (at) => {
      files.add(at.join('.'));
      return undefined;
    },
    number: () => undefined,
    strings: () => undefined,
    value: () => undefined,
  };
  try {
    entry.settings(reader);
  } catch {
    // A type whose reader needs values: its keys are then plain strings.
  }
  return files;
}

/** `connect_timeout_seconds` → `Connect timeout seconds`; `ssl` → `SSL`. */
function titleOf(key: string): string {
  const words = key.split('_').map((word) => (ACRONYMS.has(word) ? word.toUpperCase() : word)).join(' ');
  return words[0]!.toUpperCase() + words.slice(1);
}

const ACRONYMS = new Set(['ssl', 'ca', 'url', 'id', 'api']);
