/**
 * Worker-thread entry: runs one sync (or preview) of one datastore through the engine, exactly
 * as `cac sync` does, and reports to the language server through `parentPort` (syncJob.ts).
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import {
  OperationStore, analyzeDefinitions, describePlanChanges, findDefinitionFiles, hasErrors, isDefinitionPath, readDefinitionText,
  readProjectSettings, runSync, summarize, type OperationRecord, type Problem, type SyncOutcome, type Workspace,
} from '../../core';
import type { PreviewFile, SyncResult } from '../../protocol/catalogProtocol';
import type { MainMessage, SyncJob, WorkerMessage } from './syncJob';

const job = workerData as SyncJob;
const port = parentPort!;
const controller = new AbortController();
const abortFlag = new Int32Array(job.abortFlag);

function post(message: WorkerMessage): void {
  port.postMessage(message);
}

function abort(): void {
  if (!controller.signal.aborted) controller.abort(new Error('aborted by the user'));
}

/** Called from connectors' progress callbacks: the only moments a synchronous discovery yields. */
function checkAbortFlag(): void {
  if (Atomics.load(abortFlag, 0) === 1) abort();
}

port.on('message', (message: MainMessage) => {
  if (message.type === 'abort') abort();
});

/** Tells the server the operation id as soon as the engine records it, so it can be aborted by id. */
class ReportingOperationStore extends OperationStore {
  override create(record: Omit<OperationRecord, 'id'>): OperationRecord {
    const created = super.create(record);
    post({ type: 'started', operationId: created.id });
    return created;
  }
}

/** The workspace as `loadWorkspace` reads it, with unsaved buffers in place of their files. */
function loadWithBuffers(): Workspace {
  const { project, problems } = readProjectSettings(job.root);
  const buffers = new Map(job.buffers.map((b) => [b.path, b.text]));
  const catalogFile = path.join(project.root, 'catalog.yaml');
  const texts: { path: string; text: string }[] = [];
  const seen = new Set<string>();
  for (const file of findDefinitionFiles(project)) {
    seen.add(file);
    const text = buffers.get(file) ?? readDefinitionText(file, file === catalogFile ? [] : problems);
    if (text !== undefined) texts.push({ path: file, text });
  }
  for (const [file, text] of buffers) if (!seen.has(file) && isDefinitionPath(project, file)) texts.push({ path: file, text });
  const workspace = analyzeDefinitions(project, texts);
  workspace.problems.unshift(...problems);
  return workspace;
}

function failure(message: string): SyncResult {
  return { datastore: job.datastore, operationId: null, result: 'failure', message, changed: false, durationMs: 0, summary: null, changes: [], logs: [] };
}

function toResult(outcome: SyncOutcome): SyncResult {
  return {
    datastore: outcome.datastore,
    operationId: outcome.operationId ?? null,
    result: outcome.result,
    message: outcome.message,
    changed: outcome.changed,
    durationMs: outcome.durationMs,
    summary: outcome.plan ? summarize(outcome.plan) : null,
    changes: outcome.plan ? describePlanChanges(outcome.plan) : [],
    logs: outcome.logs,
  };
}

function filesOf(outcome: SyncOutcome): PreviewFile[] {
  const plan = outcome.plan;
  if (!plan || outcome.replayed) return [];
  const text = (content: string | Uint8Array): string => (typeof content === 'string' ? content : Buffer.from(content).toString('utf8'));
  const files: PreviewFile[] = plan.writes.map((w) => ({ uri: pathToFileURL(w.path).href, action: 'write', text: text(w.content) }));
  if (plan.indexChanged) files.push({ uri: pathToFileURL(plan.indexPath).href, action: 'write', text: plan.indexText });
  for (const file of plan.deletes) files.push({ uri: pathToFileURL(file).href, action: 'delete' });
  return files;
}

function where(problem: Problem): string {
  return `${problem.file}:${problem.range.start.line + 1}:${problem.range.start.character + 1}`;
}

async function run(): Promise<void> {
  const workspace = loadWithBuffers();
  const errors = workspace.problems.filter((p) => p.severity === 'error');
  if (hasErrors(workspace.problems)) {
    post({ type: 'finished', files: [], result: failure(`Nothing was synced: the definitions have ${errors.length} error${errors.length === 1 ? '' : 's'} (first: ${where(errors[0]!)}: ${errors[0]!.message}). Fix them and sync again.`) });
    return;
  }
  const datastore = workspace.datastores.find((d) => d.name === job.datastore);
  if (!datastore) {
    post({ type: 'finished', files: [], result: failure(`No datastore named '${job.datastore}' is defined under ${job.root}.`) });
    return;
  }
  const outcome = await runSync({
    workspace, datastore, options: job.options, dryRun: job.dryRun, env: process.env, signal: controller.signal,
    onProgress: (progress) => {
      checkAbortFlag();
      post({ type: 'progress', phase: progress.phase, done: progress.done, total: progress.total });
    },
    triggeredBy: job.triggeredBy,
    history: job.dryRun ? undefined : new ReportingOperationStore(workspace.project.stateDir),
    engineVersion: job.engineVersion,
  });
  post({ type: 'finished', result: toResult(outcome), files: job.dryRun ? filesOf(outcome) : [] });
}

run().catch((error: unknown) => {
  post({ type: 'finished', files: [], result: failure(`The sync of '${job.datastore}' failed unexpectedly: ${(error as Error).stack ?? String(error)}`) });
});
