import { datastoreTypes, registryVersion } from '../connectors/registry';
import type { DatastoreTypeEntry } from '../connectors/contract';

/**
 * The JSON Schema (draft-07) of a Datastore definition, composed from the common keys below and
 * the keys each registered datastore type adds. The engine validates with it, the editor's
 * completion and hover read it, and `schemas/datastore.schema.json` is this value written out
 * (`npm run schemas`; a test keeps the file equal to it) for the Red Hat YAML extension.
 */
export function datastoreSchema(): object {
  if (composed?.version !== registryVersion()) composed = { version: registryVersion(), schema: compose(datastoreTypes()) };
  return composed.schema;
}

let composed: { version: number; schema: object } | undefined;

/** The keys every datastore has, whatever its type. The other keys of a definition are its type's settings. */
export const COMMON_DATASTORE_KEYS: ReadonlySet<string> = new Set(['kind', 'name', 'id', 'description', 'type', 'include', 'prune', 'recreate', 'prune_limit', 'initial_sync']);

const COMMON_PROPERTIES: Record<string, object> = {
  kind: { const: 'Datastore', description: 'Marks this document as a datastore definition.' },
  name: {
    type: 'string',
    pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$',
    description: 'Unique name of the datastore: its id in the CLI and API and the folder of its snapshots. Letters, digits, `_`, `.` and `-`, starting with a letter or digit.',
  },
  id: { type: 'integer', minimum: 1, description: 'Optional numeric id for the API (`datastore_id`); derived from the name when absent.' },
  description: { type: 'string', description: 'Free text shown in the editor.' },
  include: { $ref: '#/definitions/include' },
  prune: { type: 'boolean', description: 'Default for syncs: delete snapshots of containers that are gone from the source.' },
  recreate: { type: 'boolean', description: 'Default for syncs: bring back containers that were removed from the catalog.' },
  initial_sync: {
    type: 'boolean',
    description: 'Sync this datastore once as soon as a scheduler (`cac daemon`, `cac schedule run-due`) finds it without snapshots: prune off, recreate off, tables and views (the seed\'s "Initiate Sync" when a datastore is added). Default false.',
  },
  prune_limit: {
    type: 'number',
    exclusiveMinimum: 0,
    maximum: 1,
    description: "Largest share of the datastore's containers one prune may delete (default 0.5); a larger prune is refused unless forced.",
  },
};

function compose(entries: readonly DatastoreTypeEntry[]): object {
  const properties = new Map<string, DeclaredKey>();
  const connection = new Map<string, DeclaredKey>();
  for (const entry of entries) {
    for (const [key, schema] of Object.entries(entry.schema.properties ?? {})) declare(properties, key, schema, entry, 'key');
    for (const [key, schema] of Object.entries(entry.schema.connection ?? {})) declare(connection, key, schema, entry, 'connection key');
  }
  const typeList = entries.map((entry) => `${entry.type} (${entry.title})`).join(', ');
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Catalog as Code datastore',
    description: 'A source the sync operation reads: a database or a file store. Secrets only by ${env:VAR} reference.',
    type: 'object',
    required: ['kind', 'name', 'type'],
    additionalProperties: false,
    properties: {
      kind: COMMON_PROPERTIES.kind,
      name: COMMON_PROPERTIES.name,
      id: COMMON_PROPERTIES.id,
      description: COMMON_PROPERTIES.description,
      type: { enum: entries.map((entry) => entry.type), description: `Kind of source: ${typeList}.` },
      ...(connection.size > 0 ? { connection: { $ref: '#/definitions/connection' } } : {}),
      include: COMMON_PROPERTIES.include,
      prune: COMMON_PROPERTIES.prune,
      recreate: COMMON_PROPERTIES.recreate,
      prune_limit: COMMON_PROPERTIES.prune_limit,
      initial_sync: COMMON_PROPERTIES.initial_sync,
      ...documented(properties, entries.length),
    },
    allOf: entries.filter(hasRequirements).map((entry) => ({
      if: { properties: { type: { const: entry.type } }, required: ['type'] },
      then: {
        ...(entry.schema.required?.length ? { required: [...entry.schema.required] } : {}),
        ...(entry.schema.connectionRequired?.length ? { properties: { connection: { required: [...entry.schema.connectionRequired] } } } : {}),
      },
    })),
    definitions: {
      include: {
        type: 'array',
        items: { enum: ['table', 'view'] },
        uniqueItems: true,
        minItems: 1,
        description: 'Which containers a sync covers: tables, views or both (default both).',
      },
      connection: {
        type: 'object',
        additionalProperties: false,
        description: 'How to reach the source. Secrets such as `password` must be `${env:VARIABLE}` references.',
        properties: documented(connection, entries.length),
      },
    },
  };
}

interface DeclaredKey {
  schema: object;
  /** The titles of the types that declare it. */
  titles: string[];
}

/** A key two types both declare must mean the same: one schema for both, or the registry is wrong. */
function declare(into: Map<string, DeclaredKey>, key: string, schema: object, entry: DatastoreTypeEntry, what: string): void {
  if (COMMON_DATASTORE_KEYS.has(key) || key === 'connection') throw new Error(`Datastore type '${entry.type}' declares ${what} '${key}', which every datastore has already.`);
  const existing = into.get(key);
  if (!existing) into.set(key, { schema, titles: [entry.title] });
  else if (JSON.stringify(existing.schema) !== JSON.stringify(schema)) {
    throw new Error(`Datastore type '${entry.type}' declares ${what} '${key}' unlike another type does; share one schema for it (connectors/sharedSettings.ts).`);
  } else existing.titles.push(entry.title);
}

/** Each key's schema, its description led by the types it belongs to when not every type has it ("SQLite and DuckDB: …"). */
function documented(keys: ReadonlyMap<string, DeclaredKey>, typeCount: number): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [key, { schema, titles }] of keys) {
    const description = (schema as { description?: string }).description;
    if (description === undefined || titles.length === typeCount) out[key] = schema;
    else out[key] = { ...schema, description: `${listOf(titles)}: ${/^[A-Z][a-z]/.test(description) ? description[0]!.toLowerCase() + description.slice(1) : description}` };
  }
  return out;
}

function listOf(titles: readonly string[]): string {
  return titles.length === 1 ? titles[0]! : `${titles.slice(0, -1).join(', ')} and ${titles[titles.length - 1]}`;
}

function hasRequirements(entry: DatastoreTypeEntry): boolean {
  return (entry.schema.required?.length ?? 0) > 0 || (entry.schema.connectionRequired?.length ?? 0) > 0;
}

/** The schema as `schemas/datastore.schema.json` holds it: two-space JSON and a final newline. */
export function datastoreSchemaText(): string {
  return `${JSON.stringify(datastoreSchema(), null, 2)}\n`;
}
