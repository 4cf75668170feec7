import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  activityQueryProblem, activityRange, checkRerun, checkResume, definitionProblem, deleteOperation, didYouMean, findDatastore, nearestNames, loadWorkspace, OperationStore, operationActivity, operationQueryProblem, presentOperation, readProjectSettings, requestOperationAbort, settle, type OperationPage, type SyncOutcome, type Workspace,
} from '../core';
import { validateActionBody, validateActivityQuery, validateListQuery, validateRunBody, type ListOperationsQuery } from './apiSchemas';
import { ApiError, readJsonBody, sendJson, sendNoContent } from './http';
import type { SyncLauncher } from './syncLauncher';

/**
 * The operations API, compatible with the seed's payloads:
 *
 * | route | answer |
 * |---|---|
 * | `POST /api/operations/run` | 202, the new operation (`Location` names it) |
 * | `GET /api/operations` | 200, a page: `{items, total, page, size, pages}`, and `facets` with `facets=true` |
 * | `GET /api/operations/activity?from=&to=&datastore=` | 200, operations per UTC day, totals, longest and failing ones |
 * | `GET /api/operations/{id}` | 200, the seed's page with that one operation |
 * | `POST /api/operations/{id}/abort` | 202, the operation (it ends `aborted` moments later) |
 * | `POST /api/operations/{id}/resume` | 202, the operation, running again |
 * | `POST /api/operations/{id}/rerun` | 202, the new operation |
 * | `DELETE /api/operations/{id}` | 204 |
 *
 * Ids are matched as integers and names are looked up among the definitions: nothing from a
 * request is ever joined into a path.
 */
export async function routeOperations(request: IncomingMessage, response: ServerResponse, url: URL, context: RouteContext): Promise<void> {
  const path = url.pathname.replace(/\/+$/, '');
  const method = request.method ?? 'GET';
  if (path === '/api/operations') {
    allow(method, ['GET']);
    return sendJson(response, 200, page(store(context).query(listQuery(url.searchParams), context.clock())));
  }
  if (path === '/api/operations/run') {
    allow(method, ['POST']);
    return runOperation(response, await readJsonBody(request), context);
  }
  if (path === '/api/operations/activity') {
    allow(method, ['GET']);
    return sendJson(response, 200, activity(url.searchParams, context));
  }
  const match = /^\/api\/operations\/([^/]+)(?:\/(abort|resume|rerun))?$/.exec(path);
  if (!match) throw new ApiError(404, 'not-found', `No route ${path}. The API serves /api/operations, /api/operations/run, /api/operations/activity and /api/operations/{id}[/abort|/resume|/rerun].`);
  const id = operationId(match[1]!);
  const action = match[2];
  if (!action) {
    allow(method, ['GET', 'DELETE']);
    if (method === 'DELETE') {
      settle(deleteOperation(store(context), id));
      return sendNoContent(response);
    }
    const record = store(context).get(id);
    if (!record) throw new ApiError(404, 'operation-not-found', `No operation with id ${id}.`);
    return sendJson(response, 200, page({ items: [record], total: 1, page: 1, size: 50, pages: 1 }));
  }
  allow(method, ['POST']);
  validateActionBody(await readJsonBody(request));
  if (action === 'abort') {
    const record = settle(requestOperationAbort(store(context), id, context.caller, context.clock()));
    context.launcher.abort(id, `abort requested by ${context.caller}`);
    return sendJson(response, 202, presentOperation(record), { Location: `/api/operations/${id}` });
  }
  const workspace = loadWorkspace(context.root);
  if (action === 'resume') {
    const { record, datastore } = settle(checkResume(store(context, workspace), workspace, id));
    return sendStarted(response, await context.launcher.start({ workspace, datastore, resume: record, triggeredBy: context.caller }));
  }
  const { datastore, options } = settle(checkRerun(store(context, workspace), workspace, id));
  return sendStarted(response, await context.launcher.start({ workspace, datastore, options, triggeredBy: context.caller }));
}

export interface RouteContext {
  root: string;
  launcher: SyncLauncher;
  clock: () => Date;
  /** Who sent the request (access.ts `callerOf`): `triggered_by` of what it starts. */
  caller: string;
}

async function runOperation(response: ServerResponse, body: unknown, context: RouteContext): Promise<void> {
  const run = validateRunBody(body);
  const workspace = loadWorkspace(context.root);
  const problem = definitionProblem(workspace);
  if (problem) throw new ApiError(409, 'invalid-definitions', problem);
  const datastore = findDatastore(workspace, run.datastore_id);
  if (!datastore) {
    // The nearest name helps a typo; the whole list would tell any caller every datastore there is.
    const nearest = typeof run.datastore_id === 'string' ? nearestNames(run.datastore_id, workspace.datastores.map((d) => d.name), 1) : [];
    throw new ApiError(404, 'datastore-not-found', `No datastore with id or name ${JSON.stringify(String(run.datastore_id).slice(0, 100))}.${didYouMean(nearest)}`);
  }
  const options = { prune: run.prune, recreate: run.recreate, include: run.include ? [...run.include].sort() : undefined, forcePrune: run.force_prune };
  sendStarted(response, await context.launcher.start({ workspace, datastore, options, triggeredBy: context.caller }));
}

function sendStarted(response: ServerResponse, started: Awaited<ReturnType<SyncLauncher['start']>>): void {
  if (!started.started) throw refusal(started.outcome);
  sendJson(response, 202, presentOperation(started.record), { Location: `/api/operations/${started.record.id}` });
}

function refusal(outcome: SyncOutcome): ApiError {
  const holder = outcome.refused?.holder;
  if (holder) return new ApiError(409, 'datastore-busy', outcome.message ?? 'The datastore is busy.', holder.operation_id !== null ? { operation_id: holder.operation_id } : {});
  return new ApiError(409, 'not-startable', outcome.message ?? 'The operation could not be started.');
}

/** The activity of [from, to) (UTC days; by default the last 365 up to today), as `cac history activity --format json` prints it. */
function activity(params: URLSearchParams, context: RouteContext): ReturnType<typeof operationActivity> {
  const given = validateActivityQuery(params);
  const now = context.clock();
  const query = { ...activityRange(now, given.from, given.to), datastore: given.datastore };
  const problem = activityQueryProblem(query);
  if (problem) throw new ApiError(400, 'invalid-query', problem);
  return operationActivity(store(context).list(), query, now);
}

/** The list's query: the schema's rules, then the created range as the engine checks it (a real day, from not after to). */
function listQuery(params: URLSearchParams): ListOperationsQuery {
  const query = validateListQuery(params);
  const problem = operationQueryProblem(query);
  if (problem) throw new ApiError(400, 'invalid-query', problem);
  return query;
}

function page(result: OperationPage): Record<string, unknown> {
  const shown: Record<string, unknown> = { items: result.items.map(presentOperation), total: result.total, page: result.page, size: result.size, pages: result.pages };
  if (result.facets) shown.facets = result.facets;
  return shown;
}

function operationId(text: string): number {
  if (!/^[1-9][0-9]{0,14}$/.test(text)) throw new ApiError(404, 'operation-not-found', `No operation '${decodeSafely(text)}': operation ids are positive integers.`);
  return Number(text);
}

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method)) throw new ApiError(405, 'method-not-allowed', `${method} is not allowed here; use ${methods.join(' or ')}.`, { headers: { Allow: methods.join(', ') } });
}

function store(context: RouteContext, workspace?: Workspace): OperationStore {
  return new OperationStore((workspace?.project ?? readProjectSettings(context.root).project).stateDir);
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text).slice(0, 64);
  } catch {
    return text.slice(0, 64);
  }
}
