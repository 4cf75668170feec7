/**
 * Worker-thread entry: runs one sync (or preview) of one datastore through the engine, exactly
 * as `cac sync` does, and reports to the language server through `parentPort` (syncJob.ts).
 */
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import {
  definitionProblem, loadWorkspace, OperationStore, presentSyncOutcome, runSync, type OperationRecord, type SyncOutcome, type SyncOutcomeView,
} from '../../core';
import type { PreviewFile } from '../../protocol/catalogProtocol';
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

function failure(message: string): SyncOutcomeView {
  return { datastore: job.datastore, operation_id: null, result: 'failure', message, changed: false, duration_ms: 0, summary: null, changes: [], logs: [] };
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

async function run(): Promise<void> {
  // Unsaved editor buffers take the place of their files: a sync uses what the editor shows.
  const workspace = loadWorkspace(job.root, { overlay: new Map(job.buffers.map((buffer) => [buffer.path, buffer.text])) });
  const problem = definitionProblem(workspace);
  if (problem) {
    post({ type: 'finished', files: [], outcome: failure(problem) });
    return;
  }
  const datastore = workspace.datastores.find((d) => d.name === job.datastore);
  if (!datastore) {
    post({ type: 'finished', files: [], outcome: failure(`No datastore named '${job.datastore}' is defined under ${job.root}.`) });
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
  });
  post({ type: 'finished', outcome: presentSyncOutcome(outcome), files: job.dryRun ? filesOf(outcome) : [] });
}

run().catch((error: unknown) => {
  post({ type: 'finished', files: [], outcome: failure(`The sync of '${job.datastore}' failed unexpectedly: ${(error as Error).stack ?? String(error)}`) });
});
