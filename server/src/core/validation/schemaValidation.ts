import type Ajv from 'ajv';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import overridesSchema from '../../../../schemas/overrides.schema.json';
import projectSchema from '../../../../schemas/project.schema.json';
import scheduleSchema from '../../../../schemas/schedule.schema.json';
import snapshotIndexSchema from '../../../../schemas/snapshot-index.schema.json';
import snapshotSchema from '../../../../schemas/snapshot.schema.json';
import { ProblemCode } from '../problems';
import * as precompiled from './compiledValidators.generated';
import { nearestNames } from '../text/nearestNames';
import { sha1Hex } from '../text/sha1';

/**
 * Validates plain values against the JSON Schemas in `schemas/`: the very files the editor's YAML
 * tooling uses, so the engine and the editor can never disagree about shape.
 */
export function validateAgainstSchema(schema: SchemaName, value: unknown): SchemaIssue[] {
  return issuesOf(validatorFor(schema), value);
}

/**
 * Validates against a schema composed at run time (the datastore schema, derived from the
 * registered datastore types); each schema object is compiled once.
 */
export function validateAgainstComposedSchema(schema: object, value: unknown): SchemaIssue[] {
  let validate = COMPOSED.get(schema);
  if (!validate) COMPOSED.set(schema, (validate = precompiledFor('datastore', schema) ?? compiler().compile(schema)));
  return issuesOf(validate, value);
}

export type SchemaName = 'schedule' | 'overrides' | 'project' | 'snapshot' | 'snapshot-index';

/** A schema violation located by its path inside the validated value. */
export interface SchemaIssue {
  path: (string | number)[];
  /** Whether the problem sits on the key of the last path segment or on its value. */
  target: 'key' | 'value';
  code: ProblemCode;
  message: string;
  suggestions?: string[];
}

/** The schemas by name (also read by precompileSchemas.ts and the meta-schema test). */
export const SCHEMAS: Record<SchemaName, object> = {
  schedule: scheduleSchema,
  overrides: overridesSchema,
  project: projectSchema,
  snapshot: snapshotSchema,
  'snapshot-index': snapshotIndexSchema,
};

let ajv: Ajv | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();
const COMPOSED = new WeakMap<object, ValidateFunction>();

// `verbose` gives each error its parentSchema, whose property names feed "did you mean".
// Our own schemas are checked against the JSON Schema meta-schema by a test, not on every
// start: compiling the meta-schema was most of a cold `cac` run's validation cost.
export const AJV_OPTIONS: Options = { allErrors: true, strict: false, allowUnionTypes: true, verbose: true, validateSchema: false };

function compiler(): Ajv {
  if (!ajv) {
    // Required here, not imported: with the validators compiled ahead of time, most runs never
    // compile a schema, and ajv's compiler costs ~10 ms to initialize.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { default: AjvCompiler } = require('ajv') as typeof import('ajv');
    ajv = new AjvCompiler(AJV_OPTIONS);
    for (const [key, schema] of Object.entries(SCHEMAS)) ajv.addSchema(schema, `${key}.schema.json`);
  }
  return ajv;
}

function validatorFor(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) compiled.set(name, (validate = precompiledFor(name, SCHEMAS[name]) ?? compiler().getSchema(`${name}.schema.json`)!));
  return validate;
}

/** Which schemas validate with their ahead-of-time validator (the others compile at run time). */
export function precompiledSchemaNames(datastore: object): string[] {
  return [...(Object.keys(SCHEMAS) as SchemaName[]).filter((name) => precompiledFor(name, SCHEMAS[name])), ...(precompiledFor('datastore', datastore) ? ['datastore'] : [])];
}

/** The ahead-of-time validator of `schema`, if it was generated from exactly this schema. */
function precompiledFor(name: SchemaName | 'datastore', schema: object): ValidateFunction | undefined {
  const id = identifierOf(name);
  const validators = precompiled as unknown as Record<string, ValidateFunction | undefined> & { fingerprints: Record<string, string> };
  const validate = validators[id];
  return validate && validators.fingerprints[id] === fingerprintOf(schema) ? validate : undefined;
}

export function identifierOf(name: string): string {
  return name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

export function fingerprintOf(schema: object): string {
  return sha1Hex(JSON.stringify(schema));
}

function issuesOf(validate: ValidateFunction, value: unknown): SchemaIssue[] {
  if (validate(value)) return [];
  return toIssues(validate.errors ?? [], value);
}

function toIssues(errors: ErrorObject[], root: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  // `if`/`then` wrappers and `oneOf` summaries only repeat what their branches already said.
  const failedBranches = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
  for (const error of failedBranches) {
    const issue = toIssue(error, root);
    const key = `${issue.path.join('\u0000')}|${issue.code}|${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function toIssue(error: ErrorObject, root: unknown): SchemaIssue {
  const path = parsePointer(error.instancePath);
  const where = path.length ? `'${path.join('.')}'` : 'This document';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const property = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const suggestions = nearestNames(property, allowed);
      const hint = suggestions.length ? ` Did you mean '${suggestions[0]}'?` : allowed.length ? ` Allowed here: ${allowed.join(', ')}.` : '';
      return { path: [...path, property], target: 'key', code: ProblemCode.UnknownProperty, message: `Unknown property '${property}'.${hint}`, suggestions };
    }
    case 'required':
      return { path, target: 'key', code: ProblemCode.MissingProperty, message: `${where} is missing the required property '${String(params.missingProperty)}'; add it.` };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const actual = valueAt(root, path);
      const suggestions = typeof actual === 'string'
        ? nearestNames(actual, (params.allowedValues as unknown[]).filter((v): v is string => typeof v === 'string'))
        : [];
      return { path, target: 'value', code: ProblemCode.SchemaViolation, message: `${where} must be one of ${allowed.join(', ')}.`, suggestions };
    }
    case 'const':
      return { path, target: 'value', code: ProblemCode.SchemaViolation, message: `${where} must be ${JSON.stringify(params.allowedValue)}.` };
    case 'type':
      return { path, target: 'value', code: ProblemCode.SchemaViolation, message: `${where} must be ${article(String(params.type))}.` };
    case 'pattern':
      return { path, target: 'value', code: ProblemCode.SchemaViolation, message: `${where} has an invalid format. ${(error.parentSchema as { patternErrorMessage?: string } | undefined)?.patternErrorMessage ?? patternHint(path)}` };
    case 'minItems':
    case 'maxItems': {
      const limit = Number(params.limit);
      const bound = error.keyword === 'minItems' ? 'at least' : 'at most';
      return { path, target: 'value', code: ProblemCode.SchemaViolation, message: `${where} must list ${bound} ${limit} item${limit === 1 ? '' : 's'}.` };
    }
    case 'minLength':
    case 'maxLength': {
      const limit = Number(params.limit);
      if (error.keyword === 'minLength' && limit === 1) return { path, target: 'value', code: ProblemCode.SchemaViolation, message: `${where} must not be empty.` };
      return { path, target: 'value', code: ProblemCode.SchemaViolation, message: `${where} must be ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${limit} characters long.` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'more than', exclusiveMaximum: 'less than' } as const;
      return { path, target: 'value', code: ProblemCode.SchemaViolation, message: `${where} must be ${words[error.keyword]} ${String(params.limit)}.` };
    }
    case 'uniqueItems':
      return { path, target: 'value', code: ProblemCode.SchemaViolation, message: `${where} lists the same value twice (items ${Number(params.j) + 1} and ${Number(params.i) + 1}); list each once.` };
    default:
      return { path, target: 'value', code: ProblemCode.SchemaViolation, message: `${where} ${error.message ?? 'is invalid'}.` };
  }
}

function patternHint(path: (string | number)[]): string {
  const last = path[path.length - 1];
  if (last === 'at') return 'Write a UTC time as HH:MM, for example "00:00" or "14:30".';
  if (last === 'name') return 'Use letters, digits, "_", "." and "-", starting with a letter or digit (at most 64 characters).';
  return 'See the schema for the expected format.';
}

function article(type: string): string {
  const words = type.split(',').map((t) => (t === 'integer' ? 'an integer' : t === 'object' ? 'a mapping' : t === 'array' ? 'a list' : t === 'null' ? 'null' : `a ${t}`));
  return words.join(' or ');
}

function parsePointer(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer.slice(1).split('/').map((raw) => {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : segment;
  });
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let current = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
