/**
 * Worker-thread entry: runs syncs (and previews) through the engine, one job at a time, exactly
 * as `cac sync` does, and reports to the language server through `parentPort` (syncJob.ts). The
 * server keeps an idle worker for its next job, so a preview does not start a thread and load
 * the engine each time.
 */
import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import {
  definitionProblem, loadWorkspace, OperationStore, planFingerprint, plannedFileChanges, presentSyncOutcome, runSync,
  type OperationRecord, type SyncOutcome, type SyncOutcomeView,
} from '../../core';
import type { PreviewFile } from '../../protocol/catalogProtocol';
import type { MainMessage, PlanMessage, SyncJob, WorkerMessage } from './syncJob';

const port = parentPort!;

function post(message: WorkerMessage): void {
  port.postMessage(message);
}

/** The job running now, and how to stop it. */
let current: { controller: AbortController; abortFlag: Int32Array } | undefined;

function abort(): void {
  if (current && !current.controller.signal.aborted) current.controller.abort(new Error('aborted by the user'));
}

/** Called from connectors' progress callbacks: the only moments a synchronous discovery yields. */
function checkAbortFlag(): void {
  if (current && Atomics.load(current.abortFlag, 0) === 1) abort();
}

port.on('message', (message: MainMessage) => {
  if (message.type === 'abort') abort();
  else void runJob(message.job);
});

async function runJob(job: SyncJob): Promise<void> {
  const controller = new AbortController();
  current = { controller, abortFlag: new Int32Array(job.abortFlag) };
  try {
    post({ type: 'finished', ...(await run(job, controller.signal)) });
  } catch (error) {
    post({ type: 'finished', files: [], outcome: failure(job, `The sync of '${job.datastore}' failed unexpectedly: ${(error as Error).stack ?? String(error)}`) });
  } finally {
    current = undefined;
  }
}

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

function failure(job: SyncJob, message: string): SyncOutcomeView {
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

/** One job: what its `finished` message carries. */
async function run(job: SyncJob, signal: AbortSignal): Promise<Omit<Extract<WorkerMessage, { type: 'finished' }>, 'type'>> {
  // Unsaved editor buffers take the place of their files: a sync uses what the editor shows.
  const workspace = loadWorkspace(job.root, { overlay: new Map(job.buffers.map((buffer) => [buffer.path, buffer.text])) });
  const problem = definitionProblem(workspace);
  if (problem) return { files: [], outcome: failure(job, problem) };
  const datastore = workspace.datastores.find((d) => d.name === job.datastore);
  if (!datastore) return { files: [], outcome: failure(job, `No datastore named '${job.datastore}' is defined under ${job.root}.`) };
  const history = job.dryRun ? undefined : new ReportingOperationStore(workspace.project.stateDir);
  const resume = job.resume === undefined ? undefined : history?.get(job.resume);
  if (job.resume !== undefined && !resume) return { files: [], outcome: failure(job, `Operation ${job.resume} no longer exists.`) };
  const outcome = await runSync({
    workspace, datastore, options: job.options, dryRun: job.dryRun, signal,
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
  return {
    outcome: presentSyncOutcome(outcome),
    files: job.dryRun && job.answer !== 'plan' ? filesOf(outcome) : [],
    ...(wantsPlan && ok ? { plan: planOf(outcome) } : {}),
  };
}
