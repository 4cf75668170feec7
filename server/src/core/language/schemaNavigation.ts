import { datastoreSchema } from '../definitions/datastoreSchema';
import overridesSchema from '../../../../schemas/overrides.schema.json';
import projectSchema from '../../../../schemas/project.schema.json';
import scheduleSchema from '../../../../schemas/schedule.schema.json';

/**
 * Reads the JSON Schemas in `schemas/` (the very files the validator and the Red Hat YAML
 * extension use) to answer editor questions: which keys may appear here, which values may this
 * key take, and what does it mean. So completion and hover can never drift from validation.
 */
export function schemasAt(kind: CatalogKind, path: readonly (string | number)[]): JsonSchema[] {
  const root = rootOf(kind);
  let current: JsonSchema[] = [root];
  for (const segment of path) {
    const next: JsonSchema[] = [];
    for (const schema of current.flatMap((s) => expand(root, s))) {
      if (typeof segment === 'number') {
        if (schema.items && typeof schema.items === 'object') next.push(schema.items);
        continue;
      }
      const property = schema.properties?.[segment];
      if (property) next.push(property);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') next.push(schema.additionalProperties);
    }
    current = next;
    if (current.length === 0) return [];
  }
  return current.flatMap((s) => expand(root, s));
}

/** The kinds a catalog document may declare; each has its own schema. */
export type CatalogKind = 'Datastore' | 'Schedule' | 'Overrides' | 'Project';

export const CATALOG_KINDS: readonly CatalogKind[] = ['Datastore', 'Schedule', 'Overrides', 'Project'];

export function isCatalogKind(value: unknown): value is CatalogKind {
  return typeof value === 'string' && (CATALOG_KINDS as readonly string[]).includes(value);
}

/** The subset of draft-07 our schemas use. */
export interface JsonSchema {
  $ref?: string;
  title?: string;
  description?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  definitions?: Record<string, JsonSchema>;
}

/** A key the mapping at some path may hold. */
export interface PropertyInfo {
  name: string;
  description?: string;
  required: boolean;
  /** What its value is: drives how a completion inserts it. */
  shape: 'mapping' | 'list' | 'scalar';
  schemas: JsonSchema[];
}

/** Every named property of the given schemas, in schema order, without duplicates. */
export function propertiesOf(kind: CatalogKind, schemas: readonly JsonSchema[]): PropertyInfo[] {
  const root = rootOf(kind);
  const byName = new Map<string, PropertyInfo>();
  for (const schema of schemas) {
    for (const [name, raw] of Object.entries(schema.properties ?? {})) {
      const property = expand(root, raw);
      const existing = byName.get(name);
      if (existing) {
        existing.schemas.push(...property);
        continue;
      }
      byName.set(name, {
        name,
        description: property.map((p) => p.description).find((d) => d !== undefined),
        required: schema.required?.includes(name) ?? false,
        shape: shapeOf(property),
        schemas: property,
      });
    }
  }
  return [...byName.values()];
}

/** The literal values a schema allows (enums, consts, booleans), with their documentation. */
export function valuesOf(schemas: readonly JsonSchema[]): { value: string | number | boolean | null; description?: string }[] {
  const values = new Map<string, { value: string | number | boolean | null; description?: string }>();
  const add = (value: unknown, description?: string): void => {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      const key = JSON.stringify(value);
      if (!values.has(key)) values.set(key, { value: value as string | number | boolean | null, description });
    }
  };
  for (const schema of schemas) {
    for (const value of schema.enum ?? []) add(value, schema.description);
    if (schema.const !== undefined) add(schema.const, schema.description);
    if (typesOf(schema).includes('boolean')) {
      add(true, schema.description);
      add(false, schema.description);
    }
  }
  return [...values.values()];
}

/** Markdown for a property or value: its description, its type and what it allows. */
export function describeSchemas(schemas: readonly JsonSchema[]): string {
  const parts: string[] = [];
  const description = schemas.map((s) => s.description).find((d) => d !== undefined);
  if (description) parts.push(description);
  const types = [...new Set(schemas.flatMap(typesOf))];
  const values = valuesOf(schemas).filter((v) => typeof v.value !== 'boolean');
  const facts: string[] = [];
  if (values.length > 0) facts.push(`One of ${values.map((v) => `\`${JSON.stringify(v.value)}\``).join(', ')}.`);
  else if (types.length > 0) facts.push(`Type: ${types.map(typeWord).join(' or ')}.`);
  for (const schema of schemas) {
    if (schema.pattern) facts.push(`Pattern: \`${schema.pattern}\`.`);
    if (schema.minimum !== undefined && schema.maximum !== undefined) facts.push(`From ${schema.minimum} to ${schema.maximum}.`);
    const items = schema.items?.enum;
    if (items) facts.push(`Items: ${items.map((v) => `\`${String(v)}\``).join(', ')}.`);
  }
  if (facts.length > 0) parts.push([...new Set(facts)].join(' '));
  return parts.join('\n\n');
}

/** The title and description of a kind's whole schema. */
export function describeKind(kind: CatalogKind): string {
  const root = rootOf(kind);
  return [root.title ? `**${root.title}**` : undefined, root.description].filter(Boolean).join('\n\n');
}

/** The schema of each kind; the datastore's is composed from the registered datastore types. */
function rootOf(kind: CatalogKind): JsonSchema {
  switch (kind) {
    case 'Datastore': return datastoreSchema() as JsonSchema;
    case 'Schedule': return scheduleSchema as JsonSchema;
    case 'Overrides': return overridesSchema as JsonSchema;
    case 'Project': return projectSchema as JsonSchema;
  }
}

/** Follows `$ref`s and flattens `oneOf`/`anyOf` branches; `allOf` conditionals only add requirements, so they are skipped. */
function expand(root: JsonSchema, schema: JsonSchema, depth = 0): JsonSchema[] {
  if (depth > 8) return [];
  if (schema.$ref) {
    const target = resolveRef(root, schema.$ref);
    return target ? expand(root, { ...target, description: schema.description ?? target.description }, depth + 1) : [];
  }
  const branches = [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])];
  if (branches.length === 0) return [schema];
  const { oneOf: _oneOf, anyOf: _anyOf, ...own } = schema;
  return [own, ...branches.flatMap((branch) => expand(root, { ...branch, description: branch.description ?? schema.description }, depth + 1))];
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
  const match = /^#\/definitions\/(.+)$/.exec(ref);
  return match ? root.definitions?.[match[1]!] : undefined;
}

function typesOf(schema: JsonSchema): string[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

function shapeOf(schemas: readonly JsonSchema[]): PropertyInfo['shape'] {
  const types = schemas.flatMap(typesOf);
  const scalar = types.some((t) => t !== 'object' && t !== 'array') || schemas.some((s) => s.enum !== undefined || s.const !== undefined);
  if (scalar) return 'scalar';
  if (types.includes('object')) return 'mapping';
  if (types.includes('array')) return 'list';
  return 'scalar';
}

function typeWord(type: string): string {
  return type === 'object' ? 'mapping' : type === 'array' ? 'list' : type;
}
