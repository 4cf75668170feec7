import * as fs from 'node:fs';
import {
  ErrorCodes, ResponseError,
  type CancellationToken, type WorkDoneProgressReporter, type WorkDoneProgressServerReporter,
} from 'vscode-languageserver/node';
import { MAX_PAGE_SIZE, OperationStore, planOverrideEdit, queryOperations, triggeredBy, unknownDatastoreMessage, type CatalogProject } from '../core';
import {
  AbortOperationRequest, CatalogCommands, ListOperationsRequest, OperationChangedNotification, OverrideEditRequest, PreviewRequest, SyncRequest,
  type ListOperationsParams, type ListOperationsResult, type OverrideEditParams, type OverrideEditResult, type PreviewResult, type SyncParams, type SyncResult,
} from '../protocol/catalogProtocol';
import { pathOf, toOperationItem, toSyncResult, toWorkspaceEdit, uriOf } from './convert';
import { onCatalogRequest } from './onCatalogRequest';
import { registerTreeRequests } from './treeRequests';
import type { FeatureContext } from './features/featureContext';
import type { SyncRunner } from './sync/syncRunner';

/**
 * The `catalog/…` requests (protocol/catalogProtocol.ts) and the code-lens commands. A sync
 * runs in a worker thread, reports work-done progress, and ends `aborted` when the request or
 * its progress is cancelled, or `catalog/abortOperation` names it.
 */
export function registerCatalogRequests(context: FeatureContext, runner: SyncRunner, executeCommands: boolean): void {
  const { connection } = context;
  onCatalogRequest(connection, SyncRequest.type, (params, token) => runSyncRequest(context, runner, params, false, token));
  onCatalogRequest(connection, PreviewRequest.type, (params, token) => runSyncRequest(context, runner, params, true, token) as Promise<PreviewResult | ResponseError<void>>);
  onCatalogRequest(connection, ListOperationsRequest.type, (params) => listOperations(context, params));
  onCatalogRequest(connection, OverrideEditRequest.type, (params) => overrideEdit(context, params));
  registerTreeRequests(context);
  onCatalogRequest(connection, AbortOperationRequest.type, (params) => {
    if (!Number.isSafeInteger(params?.operationId)) return new ResponseError(ErrorCodes.InvalidParams, 'operationId must be an integer.');
    const aborted = runner.abortOperation(params.operationId);
    return {
      aborted,
      message: aborted
        ? `Operation ${params.operationId} is being aborted; it ends 'aborted' once the current step stops.`
        : `Operation ${params.operationId} is not a sync running in this language server (finished, or started elsewhere), so it cannot be aborted here.`,
    };
  });
  if (executeCommands) {
    connection.onExecuteCommand(async (params, token) => {
      const args = params.arguments?.[0] as SyncParams | undefined;
      if (params.command !== CatalogCommands.sync && params.command !== CatalogCommands.preview) {
        return new ResponseError(ErrorCodes.InvalidParams, `Unknown command '${params.command}'.`);
      }
      if (!args) return new ResponseError(ErrorCodes.InvalidParams, `${params.command} needs { datastore } as its argument.`);
      return runSyncRequest(context, runner, args, params.command === CatalogCommands.preview, token);
    });
  }
}

async function runSyncRequest(context: FeatureContext, runner: SyncRunner, params: SyncParams, dryRun: boolean, token: CancellationToken): Promise<SyncResult | PreviewResult | ResponseError<void>> {
  if (!params || typeof params.datastore !== 'string' || params.datastore === '') {
    return new ResponseError(ErrorCodes.InvalidParams, 'Name the datastore to sync: { "datastore": "<name>" }.');
  }
  const project = projectFor(context, params);
  if (!project) return new ResponseError(ErrorCodes.InvalidParams, `No open catalog project defines datastore '${params.datastore}'. Pass projectUri (a file or folder of the project).`);
  if (!project.workspace.datastores.some((d) => d.name === params.datastore)) {
    return new ResponseError(ErrorCodes.InvalidParams, unknownDatastoreMessage(project, params.datastore));
  }
  const progress = await progressFor(context, params);
  const verb = dryRun ? 'Previewing the sync of' : 'Syncing';
  progress.begin(`${verb} ${params.datastore}`, 0, 'starting', true);
  const running = runner.start({
    root: project.root,
    datastore: params.datastore,
    options: { prune: params.prune, recreate: params.recreate, include: params.include, forcePrune: params.forcePrune },
    dryRun,
    buffers: context.documents.all().flatMap((document) => {
      const file = pathOf(document.uri);
      return file && project.owns(file) ? [{ path: file, text: document.getText() }] : [];
    }),
    triggeredBy: triggeredBy(project.root, process.env),
  }, {
    onStarted: (operationId) => void context.connection.sendNotification(OperationChangedNotification.method, { operationId, datastore: params.datastore, result: 'running' }),
    onProgress: throttledProgress(progress),
  });
  const cancel = token.onCancellationRequested(() => running.abort());
  const cancelProgress = 'token' in progress ? (progress as WorkDoneProgressServerReporter).token.onCancellationRequested(() => running.abort()) : undefined;
  try {
    const { outcome, files } = await running.done;
    const result = toSyncResult(outcome);
    if (!dryRun) {
      // Our own writes: refresh override diagnostics now rather than wait for the file watcher.
      project.datastoreSynced(params.datastore);
      context.session.schedule();
      if (result.operationId !== null) {
        void context.connection.sendNotification(OperationChangedNotification.method, { operationId: result.operationId, datastore: result.datastore, result: result.result });
      }
    }
    return dryRun ? { ...result, files } : result;
  } finally {
    cancel.dispose();
    cancelProgress?.dispose();
    progress.done();
  }
}

function projectFor(context: FeatureContext, params: SyncParams): CatalogProject | undefined {
  const explicit = params.projectUri ? pathOf(params.projectUri) : undefined;
  if (explicit) return context.session.projectAt(explicit);
  const projects = context.session.allProjects();
  return projects.find((p) => p.workspace.datastores.some((d) => d.name === params.datastore)) ?? context.session.projectAt(undefined);
}

/** The client's token when it sent one; else one the server creates (if the client shows progress). */
async function progressFor(context: FeatureContext, params: SyncParams): Promise<WorkDoneProgressReporter> {
  if (params.workDoneToken !== undefined) return context.connection.window.attachWorkDoneProgress(params.workDoneToken);
  try {
    return await context.connection.window.createWorkDoneProgress();
  } catch (error) {
    // A client that refuses the token still gets its sync, only without progress.
    context.connection.console.warn(`No progress for this sync: window/workDoneProgress/create failed (${(error as Error).message}).`);
    return { begin: () => undefined, report: () => undefined, done: () => undefined };
  }
}

/** Progress at most every whole percent (or every 100 ms without a total), always increasing. */
function throttledProgress(progress: WorkDoneProgressReporter): (p: { phase: string; done: number; total?: number }) => void {
  let lastPercent = -1;
  let lastTime = 0;
  return (p) => {
    const now = Date.now();
    if (p.total !== undefined && p.total > 0) {
      const percent = Math.min(100, Math.floor((p.done / p.total) * 100));
      if (percent <= lastPercent) return;
      lastPercent = percent;
      progress.report(percent, `${p.phase} ${p.done}/${p.total}`);
    } else if (now - lastTime >= 100) {
      lastTime = now;
      progress.report(`${p.phase} ${p.done}`);
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
  const page = queryOperations(new OperationStore(project.settings.stateDir).list(), query, new Date());
  return { ...page, items: page.items.map(toOperationItem) };
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
