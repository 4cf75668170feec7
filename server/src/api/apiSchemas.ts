import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import listQuerySchema from '../../../schemas/api/list-operations-query.schema.json';
import actionSchema from '../../../schemas/api/operation-action.schema.json';
import activityQuerySchema from '../../../schemas/api/operation-activity-query.schema.json';
import runSchema from '../../../schemas/api/run-operation.schema.json';
import { ApiError } from './http';

/**
 * Request validation with the JSON Schemas in `schemas/api/` (draft-07, like every schema of the
 * project): the documents a client can read are the very rules the server applies. Booleans are
 * strict (`"prune": "yes"` is refused); only query strings are coerced, since they are all text.
 */
export interface RunOperationBody {
  type: 'catalog' | 'sync';
  datastore_id: number | string;
  prune?: boolean;
  recreate?: boolean;
  include?: ('table' | 'view')[];
  force_prune?: boolean;
}

export interface ListOperationsQuery {
  page?: number;
  size?: number;
  search?: string;
  sort?: 'created' | 'duration';
  order?: 'asc' | 'desc';
  type?: 'catalog' | 'sync';
  status?: ('running' | 'success' | 'warning' | 'failure' | 'aborted')[];
  datastore?: string;
  container?: string;
  /** UTC days, `YYYY-MM-DD`: created in [from, to). */
  from?: string;
  to?: string;
  facets?: boolean;
}

export function validateRunBody(body: unknown): RunOperationBody {
  if (body === undefined) throw new ApiError(400, 'invalid-body', `The body is missing: send ${RUN_EXAMPLE}.`);
  return check(validators().run, body, 'body') as RunOperationBody;
}

/** The actions (abort, resume, rerun) take no options: no body, or `{}`. */
export function validateActionBody(body: unknown): void {
  if (body !== undefined) check(validators().action, body, 'body');
}

export function validateListQuery(params: URLSearchParams): ListOperationsQuery {
  const query: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    if (key === 'status') {
      query.status = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    } else if (values.length > 1) {
      throw new ApiError(400, 'invalid-query', `Query parameter '${key}' is given ${values.length} times; give it once.`);
    } else {
      query[key] = values[0];
    }
  }
  return check(validators().list, query, 'query') as ListOperationsQuery;
}

export interface ActivityQueryParams {
  from?: string;
  to?: string;
  datastore?: string;
}

/** `GET /api/operations/activity`: from, to and datastore, each at most once. */
export function validateActivityQuery(params: URLSearchParams): ActivityQueryParams {
  const query: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    if (values.length > 1) throw new ApiError(400, 'invalid-query', `Query parameter '${key}' is given ${values.length} times; give it once.`);
    query[key] = values[0];
  }
  return check(validators().activity, query, 'query') as ActivityQueryParams;
}

const RUN_EXAMPLE = '{"type": "catalog", "datastore_id": <id or name>, "prune": false, "recreate": false, "include": ["table", "view"]}';

interface Validators {
  run: ValidateFunction;
  action: ValidateFunction;
  list: ValidateFunction;
  activity: ValidateFunction;
}

let compiled: Validators | undefined;

function validators(): Validators {
  if (!compiled) {
    const strict = new Ajv({ allErrors: true, strict: false });
    const coercing = new Ajv({ allErrors: true, strict: false, coerceTypes: true });
    compiled = { run: strict.compile(runSchema), action: strict.compile(actionSchema), list: coercing.compile(listQuerySchema), activity: strict.compile(activityQuerySchema) };
  }
  return compiled;
}

function check(validate: ValidateFunction, value: unknown, what: 'body' | 'query'): unknown {
  if (validate(value)) return value;
  const messages = describeErrors(validate.errors ?? [], what);
  const hint = what === 'body' && validate === validators().run ? ` Expected ${RUN_EXAMPLE}.` : '';
  throw new ApiError(400, what === 'body' ? 'invalid-body' : 'invalid-query', `${messages.join('; ')}.${hint}`);
}

/** One sentence per problem, naming the field; `oneOf` noise collapsed into one line per field. */
function describeErrors(errors: readonly ErrorObject[], what: 'body' | 'query'): string[] {
  const byField = new Map<string, string>();
  for (const error of errors) {
    const field = fieldName(error, what);
    if (byField.has(field) && error.keyword !== 'oneOf') continue;
    byField.set(field, `${field} ${describeError(error)}`);
  }
  return [...byField.values()];
}

function fieldName(error: ErrorObject, what: 'body' | 'query'): string {
  const path = error.instancePath.split('/').slice(1).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (what === 'query') return path.length > 0 ? `query parameter '${path[0]}'` : 'the query';
  return path.length > 0 ? `'${path.join('.')}'` : 'the body';
}

function describeError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `needs '${String(params.missingProperty)}'`;
    case 'additionalProperties':
      return `has an unknown property '${String(params.additionalProperty)}'`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'type':
      return `must be ${String(params.type)}`;
    case 'oneOf':
      return 'must be a positive integer id or a non-empty name';
    case 'uniqueItems':
      return 'must not repeat an item';
    default:
      return error.message ?? 'is not valid';
  }
}
