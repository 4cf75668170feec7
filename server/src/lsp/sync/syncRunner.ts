import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SyncOutcomeView } from '../../core';
import type { PreviewFile } from '../../protocol/catalogProtocol';
import type { MainMessage, PlanMessage, SyncJob, WorkerMessage } from './syncJob';

/**
 * Runs syncs in worker threads (see syncJob.ts for why) and keeps track of the ones running,
 * so `catalog/abortOperation` can stop them by operation id. A worker that finished its job
 * waits (unreferenced) for the next one for `IDLE_WORKER_MS`: starting a thread and loading the
 * engine cost a preview ~100–200 ms each time. One idle worker is kept; a worker that failed or
 * exited is never reused.
 */
export class SyncRunner {
  private readonly byOperation = new Map<number, RunningSync>();
  private readonly active = new Set<RunningSync>();
  private idle: IdleWorker | undefined;
  private started = 0;

  start(job: Omit<SyncJob, 'abortFlag'>, hooks: SyncHooks = {}): RunningSync {
    const abortFlag = new SharedArrayBuffer(4);
    const worker = this.takeIdle() ?? this.spawn();
    worker.ref();
    let operationId: number | undefined;
    let settled = false;
    let finish!: (outcome: SyncOutcomeMessage, reusable: boolean) => void;
    const running: RunningSync = {
      done: new Promise((resolve) => {
        finish = (outcome, reusable) => {
          if (settled) return;
          settled = true;
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
          this.active.delete(running);
          if (operationId !== undefined) this.byOperation.delete(operationId);
          if (reusable) this.keepIdle(worker);
          else void worker.terminate();
          resolve(outcome);
        };
      }),
      abort: () => {
        if (settled) return;
        Atomics.store(new Int32Array(abortFlag), 0, 1);
        worker.postMessage({ type: 'abort' } satisfies MainMessage);
      },
    };
    const onMessage = (message: WorkerMessage): void => {
      if (message.type === 'started') {
        operationId = message.operationId;
        this.byOperation.set(operationId, running);
        hooks.onStarted?.(operationId);
      } else if (message.type === 'progress') {
        hooks.onProgress?.(message);
      } else {
        finish({ outcome: message.outcome, files: message.files, plan: message.plan }, true);
      }
    };
    const onError = (error: Error): void => finish(crashed(job, operationId, `The sync worker failed: ${error.stack ?? error.message}`), false);
    const onExit = (code: number): void => finish(crashed(job, operationId, `The sync worker stopped (exit code ${code}) before the sync finished.`), false);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ type: 'run', job: { ...job, abortFlag } } satisfies MainMessage);
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

  /** Aborts everything (server shutdown); each sync still ends and records `aborted`. The idle worker goes. */
  abortAll(): void {
    for (const running of this.active) running.abort();
    const idle = this.takeIdle();
    if (idle) void idle.terminate();
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Worker threads started so far (the second of two jobs in a row reuses the first's). */
  get workersStarted(): number {
    return this.started;
  }

  private spawn(): Worker {
    this.started++;
    const worker = new Worker(workerScript(), { stdout: true, stderr: true });
    // stdout is the LSP stream in --stdio mode: nothing from a worker may ever reach it.
    worker.stdout.pipe(process.stderr);
    worker.stderr.pipe(process.stderr);
    return worker;
  }

  private takeIdle(): Worker | undefined {
    const idle = this.idle;
    if (!idle) return undefined;
    this.idle = undefined;
    clearTimeout(idle.timer);
    idle.worker.off('exit', idle.onExit);
    return idle.worker;
  }

  private keepIdle(worker: Worker): void {
    if (this.idle) {
      void worker.terminate();
      return;
    }
    // An idle worker keeps no process alive, and leaves once it has waited long enough.
    worker.unref();
    const onExit = (): void => {
      if (this.idle?.worker === worker) this.idle = undefined;
    };
    worker.on('exit', onExit);
    const timer = setTimeout(() => {
      if (this.takeIdle() === worker) void worker.terminate();
    }, IDLE_WORKER_MS);
    timer.unref();
    this.idle = { worker, timer, onExit };
  }
}

/** How long a worker waits for the next job before it ends. */
const IDLE_WORKER_MS = 60_000;

interface IdleWorker {
  worker: Worker;
  timer: NodeJS.Timeout;
  onExit: () => void;
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
