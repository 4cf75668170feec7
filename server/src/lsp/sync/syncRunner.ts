import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SyncOutcomeView } from '../../core';
import type { PreviewFile } from '../../protocol/catalogProtocol';
import type { MainMessage, PlanMessage, SyncJob, WorkerMessage } from './syncJob';

/**
 * Runs syncs in worker threads (see syncJob.ts for why) and keeps track of the ones running,
 * so `catalog/abortOperation` can stop them by operation id.
 */
export class SyncRunner {
  private readonly byOperation = new Map<number, RunningSync>();
  private readonly active = new Set<RunningSync>();

  start(job: Omit<SyncJob, 'abortFlag'>, hooks: SyncHooks = {}): RunningSync {
    const abortFlag = new SharedArrayBuffer(4);
    const workerData: SyncJob = { ...job, abortFlag };
    const worker = new Worker(workerScript(), { workerData, stdout: true, stderr: true });
    // stdout is the LSP stream in --stdio mode: nothing from a worker may ever reach it.
    worker.stdout.pipe(process.stderr);
    worker.stderr.pipe(process.stderr);
    let operationId: number | undefined;
    let settled = false;
    const running: RunningSync = {
      done: new Promise((resolve) => {
        const finish = (outcome: SyncOutcomeMessage): void => {
          if (settled) return;
          settled = true;
          this.active.delete(running);
          if (operationId !== undefined) this.byOperation.delete(operationId);
          void worker.terminate();
          resolve(outcome);
        };
        worker.on('message', (message: WorkerMessage) => {
          if (message.type === 'started') {
            operationId = message.operationId;
            this.byOperation.set(operationId, running);
            hooks.onStarted?.(operationId);
          } else if (message.type === 'progress') {
            hooks.onProgress?.(message);
          } else {
            finish({ outcome: message.outcome, files: message.files, plan: message.plan });
          }
        });
        worker.on('error', (error) => finish(crashed(job, operationId, `The sync worker failed: ${error.stack ?? error.message}`)));
        worker.on('exit', (code) => finish(crashed(job, operationId, `The sync worker stopped (exit code ${code}) before the sync finished.`)));
      }),
      abort: () => {
        Atomics.store(new Int32Array(abortFlag), 0, 1);
        worker.postMessage({ type: 'abort' } satisfies MainMessage);
      },
    };
    this.active.add(running);
    return running;
  }

  /** Aborts a running sync by its operation id; false when this server runs no such sync. */
  abortOperation(operationId: number): boolean {
    const running = this.byOperation.get(operationId);
    if (!running) return false;
    running.abort();
    return true;
  }

  /** Aborts everything (server shutdown); each sync still ends and records `aborted`. */
  abortAll(): void {
    for (const running of this.active) running.abort();
  }

  get activeCount(): number {
    return this.active.size;
  }
}

export interface RunningSync {
  done: Promise<SyncOutcomeMessage>;
  abort(): void;
}

export interface SyncOutcomeMessage {
  outcome: SyncOutcomeView;
  files: PreviewFile[];
  /** For `answer: 'plan'` and a stale `expectedPlan`: the plan to keep. */
  plan?: PlanMessage;
}

export interface SyncHooks {
  onStarted?(operationId: number): void;
  onProgress?(progress: { phase: string; done: number; total?: number }): void;
}

function crashed(job: Omit<SyncJob, 'abortFlag'>, operationId: number | undefined, message: string): SyncOutcomeMessage {
  return {
    outcome: { datastore: job.datastore, operation_id: operationId ?? null, result: 'failure', message, changed: false, duration_ms: 0, summary: null, changes: [], logs: [] },
    files: [],
  };
}

/**
 * The bundled worker (`dist/lspSyncWorker.js`), next to the bundled server. A server run from
 * its TypeScript source (under tsx) uses the repository's built worker too: tsx cannot load
 * TypeScript in a worker thread on Node 20 (its module hooks are not inherited by workers), so
 * `npm run build` is needed before syncing from a source-run server.
 */
function workerScript(): string {
  const besideServer = path.join(__dirname, 'lspSyncWorker.js');
  if (__filename.endsWith('.js') && fs.existsSync(besideServer)) return besideServer;
  return path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'lspSyncWorker.js');
}
