import * as fs from 'node:fs';
import {
  ErrorCodes, LSPErrorCodes, ResponseError,
  type CancellationToken, type ProgressToken, type WorkDoneProgressReporter, type WorkDoneProgressServerReporter,
} from 'vscode-languageserver/node';
import {
  activityQueryProblem, activityRange, checkRerun, checkResume, deleteOperation, MAX_PAGE_SIZE, OperationStore, operationActivity, operationQueryProblem, planOverrideEdit, snapshotFileLocator, requestOperationAbort, triggeredBy, unknownDatastoreMessage,
  type ActionCheck, type CatalogProject,
} from '../core';
import {
  AbortOperationRequest, ApplyPreviewRequest, CatalogCommands, DeleteOperationRequest, ListOperationsRequest, OperationActivityRequest, OperationChangedNotification, OverrideEditRequest,
  PlanFileTextRequest, PreviewPlanRequest, PreviewRequest, RerunOperationRequest, ResumeOperationRequest, SyncRequest,
  type AbortOperationParams, type AbortOperationResult, type ApplyPreviewParams, type ApplyPreviewResult, type DeleteOperationResult, type ListOperationsParams,
  type ListOperationsResult, type OperationActionParams, type OperationActivityParams, type OperationActivityResult, type OperationChangedParams, type OverrideEditParams, type OverrideEditResult, type PlanFileText,
  type PlanFileTextParams, type PlanPreviewResult, type PreviewResult, type SyncParams, type SyncResult,
} from '../protocol/catalogProtocol';
import { pathOf, toOperationActivityResult, toOperationItem, toSyncResult, toWorkspaceEdit, uriOf } from './convert';
import { onCatalogRequest } from './onCatalogRequest';
import { registerTreeRequests } from './treeRequests';
import { refuseWhenRestricted, type FeatureContext } from './features/featureContext';
import { committedTextOf, PlanStore } from './sync/planStore';
import type { SyncJob } from './sync/syncJob';
import type { SyncOutcomeMessage, SyncRunner } from './sync/syncRunner';

/**
 * The `catalog/…` requests (protocol/catalogProtocol.ts) and the code-lens commands. A sync
 * runs in a worker thread, reports work-done progress, and ends `aborted` when the request or
 * its progress is cancelled, or `catalog/abortOperation` names it. Everything that connects to
 * a source or writes is refused in restricted mode (an untrusted workspace).
 */
export function registerCatalogRequests(context: FeatureContext, runner: SyncRunner, executeCommands: boolean): void {
  const { connection } = context;
  const plans = new PlanStore();
  onCatalogRequest(connection, SyncRequest.type, (params, token) => syncOrPreview(context, runner, params, false, token));
  onCatalogRequest(connection, PreviewRequest.type, (params, token) => syncOrPreview(context, runner, params, true, token) as Promise<PreviewResult | ResponseError<void>>);
  onCatalogRequest(connection, PreviewPlanRequest.type, (params, token) => previewPlan(context, runner, plans, params, token));
  onCatalogRequest(connection, PlanFileTextRequest.type, (params) => planFileText(plans, params));
  onCatalogRequest(connection, ApplyPreviewRequest.type, (params, token) => applyPreview(context, runner, plans, params, token));
  onCatalogRequest(connection, ResumeOperationRequest.type, (params, token) => resumeOrRerun(context, runner, params, 'resume', token));
  onCatalogRequest(connection, RerunOperationRequest.type, (params, token) => resumeOrRerun(context, runner, params, 'rerun', token));
  onCatalogRequest(connection, DeleteOperationRequest.type, (params) => deleteOperationRequest(context, params));
  onCatalogRequest(connection, AbortOperationRequest.type, (params) => abortOperation(context, runner, params));
  onCatalogRequest(connection, ListOperationsRequest.type, (params) => listOperations(context, params));
  onCatalogRequest(connection, OperationActivityRequest.type, (params) => operationActivityRequest(context, params));
  onCatalogRequest(connection, OverrideEditRequest.type, (params) => overrideEdit(context, params));
  registerTreeRequests(context);
  if (executeCommands) {
    connection.onExecuteCommand(async (params, token) => {
      const args = params.arguments?.[0] as SyncParams | undefined;
      if (params.command !== CatalogCommands.sync && params.command !== CatalogCommands.preview) {
        return new ResponseError(ErrorCodes.InvalidParams, `Unknown command '${params.command}'.`);
      }
      if (!args) return new ResponseError(ErrorCodes.InvalidParams, `${params.command} needs { datastore } as its argument.`);
      return syncOrPreview(context, runner, args, params.command === CatalogCommands.preview, token);
    });
  }
}

/** `catalog/sync`, `catalog/preview` and the lens commands. */
async function syncOrPreview(context: FeatureContext, runner: SyncRunner, params: SyncParams, dryRun: boolean, token: CancellationToken): Promise<SyncResult | PreviewResult | ResponseError<void>> {
  const checked = checkSyncParams(context, params);
  if (checked instanceof ResponseError) return checked;
  const { project, env } = checked;
  const done = await runJob(context, runner, project, { datastore: params.datastore, options: optionsOf(params), dryRun, env, answer: 'texts' }, params.workDoneToken, token);
  const result = toSyncResult(done.outcome);
  return dryRun ? { ...result, files: done.files } : result;
}

async function previewPlan(context: FeatureContext, runner: SyncRunner, plans: PlanStore, params: SyncParams, token: CancellationToken): Promise<PlanPreviewResult | ResponseError<void>> {
  const checked = checkSyncParams(context, params);
  if (checked instanceof ResponseError) return checked;
  const { project, env } = checked;
  const options = optionsOf(params);
  const done = await runJob(context, runner, project, { datastore: params.datastore, options, dryRun: true, env, answer: 'plan' }, params.workDoneToken, token);
  return planPreview(plans, project, params.datastore, options, done);
}

/** A preview's answer, its plan kept under a new id (none when it could not plan). */
function planPreview(plans: PlanStore, project: CatalogProject, datastore: string, options: SyncJob['options'], done: SyncOutcomeMessage): PlanPreviewResult {
  const result = toSyncResult(done.outcome);
  if (!done.plan) return { ...result, planId: null, files: [] };
  const kept = plans.keep({
    root: project.root, datastore, options, fingerprint: done.plan.fingerprint,
    files: new Map(done.plan.files.map((f) => [uriOf(f.path), { path: f.path, planned: f.text, committedHash: f.committedHash }])),
  });
  return {
    ...result,
    planId: kept.planId,
    files: done.plan.files.map((f) => ({ uri: uriOf(f.path), action: f.action, ...(f.container !== undefined ? { container: f.container } : {}), committedHash: f.committedHash })),
  };
}

function planFileText(plans: PlanStore, params: PlanFileTextParams): PlanFileText | ResponseError<void> {
  if (typeof params?.planId !== 'string' || typeof params.uri !== 'string') return new ResponseError(ErrorCodes.InvalidParams, 'Name the plan and the file: { "planId": "…", "uri": "file:…" }.');
  const plan = plans.get(params.planId);
  if (!plan) return new ResponseError(ErrorCodes.InvalidParams, `No preview '${params.planId}' is held (the server restarted, it was applied, or a newer preview replaced it): preview again.`);
  const file = plan.files.get(params.uri);
  if (!file) return new ResponseError(ErrorCodes.InvalidParams, `The preview '${params.planId}' does not change ${params.uri}.`);
  const committed = committedTextOf(file);
  if (committed === undefined) return new ResponseError(LSPErrorCodes.ContentModified, `${file.path} changed on disk since the preview: preview again to compare it.`);
  return { committed, planned: file.planned };
}

async function applyPreview(context: FeatureContext, runner: SyncRunner, plans: PlanStore, params: ApplyPreviewParams, token: CancellationToken): Promise<ApplyPreviewResult | ResponseError<void>> {
  const restricted = refuseWhenRestricted(context);
  if (restricted) return restricted;
  if (typeof params?.planId !== 'string') return new ResponseError(ErrorCodes.InvalidParams, 'Name the preview to apply: { "planId": "…" }.');
  const env = envOf(params);
  if (env instanceof ResponseError) return env;
  const plan = plans.get(params.planId);
  const project = plan ? context.session.projectAt(plan.root) : undefined;
  if (!plan || !project || project.root !== plan.root) {
    return { status: 'expired', message: `The preview '${params.planId}' is no longer held (the server restarted, it was applied, or a newer preview replaced it): preview again.` };
  }
  const done = await runJob(context, runner, project, { datastore: plan.datastore, options: plan.options, dryRun: false, env, expectedPlan: plan.fingerprint }, params.workDoneToken, token, `Applying the preview of ${plan.datastore}`);
  // Only a stale apply brings a plan back: the sync refused, wrote and recorded nothing.
  if (done.plan) {
    plans.drop(plan.planId);
    const message = done.outcome.message ?? 'The source or the snapshots changed since the preview.';
    const now = { ...done, outcome: { ...done.outcome, result: done.outcome.logs.some((l) => l.level !== 'info') ? 'warning' as const : 'success' as const, message: null, operation_id: null } };
    return { status: 'stale', message, preview: planPreview(plans, project, plan.datastore, plan.options, now) };
  }
  const result = toSyncResult(done.outcome);
  // A busy datastore or a failed connection leaves the plan as it was: it may be applied again.
  if (result.result === 'success' || result.result === 'warning' || result.result === 'aborted') plans.drop(plan.planId);
  return { status: 'applied', result };
}

async function resumeOrRerun(context: FeatureContext, runner: SyncRunner, params: OperationActionParams, action: 'resume' | 'rerun', token: CancellationToken): Promise<SyncResult | ResponseError<void>> {
  const restricted = refuseWhenRestricted(context);
  if (restricted) return restricted;
  const target = operationTarget(context, params);
  if (target instanceof ResponseError) return target;
  const env = envOf(params);
  if (env instanceof ResponseError) return env;
  const { project, store } = target;
  // The engine's own checks, as `cac history resume|rerun` and the API make them; the sync re-checks a resume under the datastore's lock.
  const job: Pick<SyncJob, 'datastore' | 'options' | 'resume'> | ResponseError<void> = action === 'resume'
    ? valueOf(checkResume(store, project.workspace, params.operationId), ({ datastore }) => ({ datastore: datastore.name, options: {}, resume: params.operationId }))
    : valueOf(checkRerun(store, project.workspace, params.operationId), ({ datastore, options }) => ({ datastore: datastore.name, options }));
  if (job instanceof ResponseError) return job;
  const title = action === 'resume' ? `Resuming operation ${params.operationId} (${job.datastore})` : `Rerunning operation ${params.operationId} (${job.datastore})`;
  const done = await runJob(context, runner, project, { ...job, dryRun: false, env }, params.workDoneToken, token, title);
  return toSyncResult(done.outcome);
}

function deleteOperationRequest(context: FeatureContext, params: OperationActionParams): DeleteOperationResult | ResponseError<void> {
  const target = operationTarget(context, params);
  if (target instanceof ResponseError) return target;
  const check = deleteOperation(target.store, params.operationId);
  if (!check.ok && check.reason === 'not-found') return new ResponseError(ErrorCodes.InvalidParams, check.message);
  return check.ok ? { deleted: true, message: `Operation ${params.operationId} deleted.` } : { deleted: false, message: check.message };
}

/**
 * Stops a sync this server runs at once; one running elsewhere (the CLI, a daemon, the API)
 * through the engine's abort request, which that process polls.
 */
function abortOperation(context: FeatureContext, runner: SyncRunner, params: AbortOperationParams): AbortOperationResult | ResponseError<void> {
  if (!Number.isSafeInteger(params?.operationId)) return new ResponseError(ErrorCodes.InvalidParams, 'operationId must be an integer.');
  const id = params.operationId;
  if (runner.abortOperation(id)) return { aborted: true, message: `Operation ${id} is being aborted; it ends 'aborted' once the current step stops.` };
  // Without a projectUri: the project whose history runs that id.
  const named = typeof params.projectUri === 'string' ? context.session.projectAt(pathOf(params.projectUri)) : undefined;
  const candidates = named ? [named] : context.session.allProjects();
  const stores = candidates.map((project) => ({ project, store: new OperationStore(project.settings.stateDir) }));
  const target = stores.find(({ store }) => store.get(id)?.result === 'running') ?? stores[0];
  if (!target) return new ResponseError(ErrorCodes.InvalidParams, 'No catalog project is open.');
  const check = requestOperationAbort(target.store, id, triggeredBy(target.project.root, process.env), new Date());
  return check.ok
    ? { aborted: true, message: `Operation ${id} (running in another process) was asked to stop; it ends 'aborted' at its next check.` }
    : { aborted: false, message: check.message };
}

/** The project and secrets of a sync request, or why it cannot run (restricted mode first: nothing else is worth checking). */
function checkSyncParams(context: FeatureContext, params: SyncParams): { project: CatalogProject; env: Record<string, string> | undefined } | ResponseError<void> {
  const restricted = refuseWhenRestricted(context);
  if (restricted) return restricted;
  if (!params || typeof params.datastore !== 'string' || params.datastore === '') {
    return new ResponseError(ErrorCodes.InvalidParams, 'Name the datastore to sync: { "datastore": "<name>" }.');
  }
  const env = envOf(params);
  if (env instanceof ResponseError) return env;
  const project = projectFor(context, params);
  if (!project) return new ResponseError(ErrorCodes.InvalidParams, `No open catalog project defines datastore '${params.datastore}'. Pass projectUri (a file or folder of the project).`);
  if (!project.workspace.datastores.some((d) => d.name === params.datastore)) {
    return new ResponseError(ErrorCodes.InvalidParams, unknownDatastoreMessage(project, params.datastore));
  }
  return { project, env };
}

/** Request secrets, checked for shape only: a message never quotes a value. */
function envOf(params: { env?: unknown }): Record<string, string> | undefined | ResponseError<void> {
  const env = params.env;
  if (env === undefined || env === null) return undefined;
  if (typeof env !== 'object' || Array.isArray(env) || Object.entries(env).some(([key, value]) => !ENV_NAME.test(key) || typeof value !== 'string')) {
    return new ResponseError(ErrorCodes.InvalidParams, 'env must map variable names (letters, digits, _) to string values.');
  }
  return { ...(env as Record<string, string>) };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function optionsOf(params: SyncParams): SyncJob['options'] {
  return { prune: params.prune, recreate: params.recreate, include: params.include, forcePrune: params.forcePrune };
}

function projectFor(context: FeatureContext, params: SyncParams): CatalogProject | undefined {
  const explicit = params.projectUri ? pathOf(params.projectUri) : undefined;
  if (explicit) return context.session.projectAt(explicit);
  const projects = context.session.allProjects();
  return projects.find((p) => p.workspace.datastores.some((d) => d.name === params.datastore)) ?? context.session.projectAt(undefined);
}

function operationTarget(context: FeatureContext, params: OperationActionParams): { project: CatalogProject; store: OperationStore } | ResponseError<void> {
  if (!Number.isSafeInteger(params?.operationId)) return new ResponseError(ErrorCodes.InvalidParams, 'operationId must be an integer.');
  const project = context.session.projectAt(params.projectUri ? pathOf(params.projectUri) : undefined);
  if (!project) return new ResponseError(ErrorCodes.InvalidParams, 'Several projects are open: pass projectUri (a file or folder of the project).');
  return { project, store: new OperationStore(project.settings.stateDir) };
}

/** An engine action check as this protocol answers it: no such operation is a bad parameter; a refusal says what to do instead. */
function valueOf<T, R>(check: ActionCheck<T>, use: (value: T) => R): R | ResponseError<void> {
  if (check.ok) return use(check.value);
  return new ResponseError(check.reason === 'not-found' ? ErrorCodes.InvalidParams : LSPErrorCodes.RequestFailed, check.message);
}

/**
 * Runs one job in a worker: work-done progress (cancelling it, or the request, aborts the
 * sync), `catalog/operationChanged` when the operation starts, as it progresses and when it
 * ends, and fresh diagnostics after a sync that wrote.
 */
async function runJob(
  context: FeatureContext, runner: SyncRunner, project: CatalogProject,
  job: Pick<SyncJob, 'datastore' | 'options' | 'dryRun' | 'env' | 'answer' | 'expectedPlan' | 'resume'>,
  workDoneToken: ProgressToken | undefined, token: CancellationToken, title?: string,
): Promise<SyncOutcomeMessage> {
  const progress = await progressFor(context, workDoneToken);
  progress.begin(title ?? `${job.dryRun ? 'Previewing the sync of' : 'Syncing'} ${job.datastore}`, 0, 'starting', true);
  const operation = operationNotifier(context, job.datastore);
  const reportProgress = throttledProgress(progress);
  const running = runner.start({
    ...job,
    root: project.root,
    buffers: context.documents.all().flatMap((document) => {
      const file = pathOf(document.uri);
      return file && project.owns(file) ? [{ path: file, text: document.getText() }] : [];
    }),
    triggeredBy: triggeredBy(project.root, process.env),
  }, {
    onStarted: (operationId) => operation.started(operationId),
    onProgress: (p) => {
      reportProgress(p);
      operation.progressed(p);
    },
  });
  const cancel = token.onCancellationRequested(() => running.abort());
  const cancelProgress = 'token' in progress ? (progress as WorkDoneProgressServerReporter).token.onCancellationRequested(() => running.abort()) : undefined;
  try {
    const done = await running.done;
    const operationId = done.outcome.operation_id;
    if (!job.dryRun && operationId !== null) {
      // Our own writes: refresh override diagnostics now rather than wait for the file watcher.
      project.datastoreSynced(job.datastore);
      context.session.schedule();
      const result = done.outcome.result === 'refused' ? 'failure' : done.outcome.result;
      void context.connection.sendNotification(OperationChangedNotification.method, { operationId, datastore: job.datastore, result } satisfies OperationChangedParams);
    }
    return done;
  } finally {
    cancel.dispose();
    cancelProgress?.dispose();
    progress.done();
  }
}

/** `catalog/operationChanged` for an operation this server runs: once started, then its progress at most every 250 ms. */
function operationNotifier(context: FeatureContext, datastore: string): { started(operationId: number): void; progressed(p: { done: number; total?: number; phase?: string }): void } {
  let operationId: number | undefined;
  let last = 0;
  const send = (params: OperationChangedParams): void => void context.connection.sendNotification(OperationChangedNotification.method, params);
  return {
    started(id) {
      operationId = id;
      // The first progress waits a full interval: a quick sync sends only its start and its end.
      last = Date.now();
      send({ operationId: id, datastore, result: 'running' });
    },
    progressed(p) {
      const now = Date.now();
      if (operationId === undefined || now - last < OPERATION_PROGRESS_MS) return;
      last = now;
      send({ operationId, datastore, result: 'running', progress: { done: p.done, total: p.total ?? null, ...(p.phase ? { phase: p.phase } : {}) } });
    },
  };
}

const OPERATION_PROGRESS_MS = 250;

/** The client's token when it sent one; else one the server creates (if the client shows progress). */
async function progressFor(context: FeatureContext, workDoneToken: ProgressToken | undefined): Promise<WorkDoneProgressReporter> {
  if (workDoneToken !== undefined) return context.connection.window.attachWorkDoneProgress(workDoneToken);
  try {
    return await context.connection.window.createWorkDoneProgress();
  } catch (error) {
    // A client that refuses the token still gets its sync, only without progress.
    context.connection.console.warn(`No progress for this sync: window/workDoneProgress/create failed (${(error as Error).message}).`);
    return { begin: () => undefined, report: () => undefined, done: () => undefined };
  }
}

/**
 * Progress at most every 100 ms, and at once when the phase changes. A sync has several phases
 * (listing, reading files, writing), each counting from 0: the message says the phase and its
 * count; the percentage is the current phase's, sent only while it rises (LSP asks percentages
 * to rise; a client keeps the last one when a new phase starts lower).
 */
function throttledProgress(progress: WorkDoneProgressReporter): (p: { phase: string; done: number; total?: number }) => void {
  let lastPercent = -1;
  let lastTime = 0;
  let lastPhase = '';
  return (p) => {
    const now = Date.now();
    const phaseChanged = p.phase !== lastPhase;
    if (!phaseChanged && now - lastTime < 100 && !(p.total !== undefined && p.done === p.total)) return;
    lastPhase = p.phase;
    lastTime = now;
    if (p.total !== undefined && p.total > 0) {
      const percent = Math.min(100, Math.floor((p.done / p.total) * 100));
      const message = `${p.phase} ${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')}`;
      if (percent > lastPercent) {
        lastPercent = percent;
        progress.report(percent, message);
      } else progress.report(message);
    } else {
      progress.report(`${p.phase} ${p.done.toLocaleString('en-US')}`);
    }
  };
}

function listOperations(context: FeatureContext, params: ListOperationsParams): ListOperationsResult | ResponseError<void> {
  const file = params?.projectUri ? pathOf(params.projectUri) : undefined;
  const project = context.session.projectAt(file);
  if (!project) return new ResponseError(ErrorCodes.InvalidParams, 'Several projects are open: pass projectUri (a file or folder of the project).');
  const { projectUri: _project, ...query } = params ?? {};
  if (query.size !== undefined && !(Number.isInteger(query.size) && query.size >= 1 && query.size <= MAX_PAGE_SIZE)) {
    return new ResponseError(ErrorCodes.InvalidParams, `size must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
  }
  if (query.page !== undefined && !(Number.isInteger(query.page) && query.page >= 1)) return new ResponseError(ErrorCodes.InvalidParams, 'page must be an integer from 1.');
  for (const key of ['from', 'to'] as const) {
    if (query[key] !== undefined && typeof query[key] !== 'string') return new ResponseError(ErrorCodes.InvalidParams, `${key} must be a string.`);
  }
  for (const key of ['facets', 'summaryOnly'] as const) {
    if (query[key] !== undefined && typeof query[key] !== 'boolean') return new ResponseError(ErrorCodes.InvalidParams, `${key} must be a boolean.`);
  }
  const { summaryOnly, ...engineQuery } = query;
  const problem = operationQueryProblem(query);
  if (problem) return new ResponseError(ErrorCodes.InvalidParams, problem);
  const now = new Date();
  const page = new OperationStore(project.settings.stateDir).query(engineQuery, now);
  // Each datastore's catalog is read once for the page, however many changes it lists.
  const locators = new Map<string, ReturnType<typeof snapshotFileLocator>>();
  const snapshotUriOf = (datastore: string, change: { name: string; kind?: string }): string | null => {
    if (!locators.has(datastore)) locators.set(datastore, snapshotFileLocator(project, datastore));
    const locate = locators.get(datastore);
    return locate ? uriOf(locate(change.name, change.kind)) : null;
  };
  if (summaryOnly) return { ...page, items: page.items.map((record) => toOperationItem(record, () => null, now, true)) };
  return { ...page, items: page.items.map((record) => toOperationItem(record, (change) => snapshotUriOf(record.datastore.name, change), now)) };
}

/** `catalog/operationActivity`: the engine's activity of one project (core/history/activity.ts). */
function operationActivityRequest(context: FeatureContext, params: OperationActivityParams): OperationActivityResult | ResponseError<void> {
  const project = context.session.projectAt(params?.projectUri ? pathOf(params.projectUri) : undefined);
  if (!project) return new ResponseError(ErrorCodes.InvalidParams, 'Several projects are open: pass projectUri (a file or folder of the project).');
  for (const key of ['from', 'to', 'datastore'] as const) {
    if (params?.[key] !== undefined && typeof params[key] !== 'string') return new ResponseError(ErrorCodes.InvalidParams, `${key} must be a string.`);
  }
  const now = new Date();
  const query = { ...activityRange(now, params?.from, params?.to), datastore: params?.datastore };
  const problem = activityQueryProblem(query);
  if (problem) return new ResponseError(ErrorCodes.InvalidParams, problem);
  return toOperationActivityResult(operationActivity(new OperationStore(project.settings.stateDir).list(), query, now));
}

function overrideEdit(context: FeatureContext, params: OverrideEditParams): OverrideEditResult | ResponseError<void> {
  if (!params || typeof params.datastore !== 'string' || typeof params.container !== 'string') {
    return new ResponseError(ErrorCodes.InvalidParams, 'Name the container: { "datastore": "<name>", "container": "<name>", "incrementalIdentifier"?: …, "partitionIdentifier"?: … }.');
  }
  const project = context.session.projectAt(params.projectUri ? pathOf(params.projectUri) : undefined);
  if (!project) return new ResponseError(ErrorCodes.InvalidParams, 'Several projects are open: pass projectUri (a file or folder of the project).');
  const set = { incremental_identifier: params.incrementalIdentifier, partition_identifier: params.partitionIdentifier };
  const snapshot = project.snapshots.container(params.datastore, params.container)?.snapshot;
  // Open buffers are what the user sees: the edit applies to them, not to the file on disk.
  const planned = planOverrideEdit(project.workspace, { datastore: params.datastore, container: params.container, set, snapshot }, (file) => project.textOf(file) ?? readIfExists(file));
  if ('error' in planned) return new ResponseError(ErrorCodes.InvalidParams, planned.error);
  return { edit: toWorkspaceEdit(planned), uri: uriOf(planned.file), created: planned.before === null };
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
