/**
 * Worker-thread entry: runs one sync (or preview) of one datastore through the engine, exactly
 * as `cac sync` does, and reports to the language server through `parentPort` (syncJob.ts).
 */
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import {
  definitionProblem, loadWorkspace, OperationStore, planFingerprint, plannedFileChanges, presentSyncOutcome, runSync,
  type OperationRecord, type SyncOutcome, type SyncOutcomeView,
} from '../../core';
import type { PreviewFile } from '../../protocol/catalogProtocol';
import type { MainMessage, PlanMessage, SyncJob, WorkerMessage } from './syncJob';

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

/** Tells the server the operation id as soon as the engine records it (or marks a resumed one running), so it can be aborted by id. */
class ReportingOperationStore extends OperationStore {
  private reported = false;

  override create(record: Omit<OperationRecord, 'id'>): OperationRecord {
    const created = super.create(record);
    this.started(created.id);
    return created;
  }

  override update(record: OperationRecord): void {
    super.update(record);
    if (record.result === 'running') this.started(record.id);
  }

  private started(operationId: number): void {
    if (this.reported) return;
    this.reported = true;
    post({ type: 'started', operationId });
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

function planOf(outcome: SyncOutcome): PlanMessage {
  const files = outcome.replayed ? [] : plannedFileChanges(outcome.plan);
  return { fingerprint: planFingerprint(files), files };
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
  const history = job.dryRun ? undefined : new ReportingOperationStore(workspace.project.stateDir);
  const resume = job.resume === undefined ? undefined : history?.get(job.resume);
  if (job.resume !== undefined && !resume) {
    post({ type: 'finished', files: [], outcome: failure(`Operation ${job.resume} no longer exists.`) });
    return;
  }
  const outcome = await runSync({
    workspace, datastore, options: job.options, dryRun: job.dryRun, signal: controller.signal,
    // Request secrets overlay the environment for this sync only; the engine never records them.
    env: job.env ? { ...process.env, ...job.env } : process.env,
    onProgress: (progress) => {
      checkAbortFlag();
      post({ type: 'progress', phase: progress.phase, done: progress.done, total: progress.total });
    },
    triggeredBy: job.triggeredBy,
    history,
    resume,
    expectedPlan: job.expectedPlan,
  });
  const wantsPlan = (job.dryRun && job.answer === 'plan') || outcome.stale !== undefined;
  const ok = outcome.result !== 'failure' && outcome.result !== 'aborted';
  post({
    type: 'finished',
    outcome: presentSyncOutcome(outcome),
    files: job.dryRun && job.answer !== 'plan' ? filesOf(outcome) : [],
    ...(wantsPlan && ok ? { plan: planOf(outcome) } : {}),
  });
}

run().catch((error: unknown) => {
  post({ type: 'finished', files: [], outcome: failure(`The sync of '${job.datastore}' failed unexpectedly: ${(error as Error).stack ?? String(error)}`) });
});
