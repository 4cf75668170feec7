import {
  OperationStore, startSync, type DatastoreDefinition, type OperationRecord, type SyncOptions, type SyncOutcome, type Workspace,
} from '../core';

/**
 * Runs the API's syncs in this process and keeps their abort controllers, so an abort of an
 * operation this server started takes effect at once (others are reached through the abort
 * request file, which the engine polls). On shutdown every running sync is aborted and awaited,
 * so each ends recorded as `aborted` and can be resumed.
 */
export class SyncLauncher {
  private readonly running = new Map<number, { controller: AbortController; done: Promise<SyncOutcome> }>();

  constructor(private readonly context: LaunchContext) {}

  /** Starts a sync (or resumes one); a refusal (busy datastore, not resumable) comes back at once. */
  async start(request: LaunchRequest): Promise<{ started: true; record: OperationRecord } | { started: false; outcome: SyncOutcome }> {
    const controller = new AbortController();
    const history = new OperationStore(request.workspace.project.stateDir);
    const started = startSync({
      workspace: request.workspace,
      datastore: request.datastore,
      options: request.options ?? {},
      resume: request.resume,
      dryRun: false,
      env: this.context.env,
      signal: controller.signal,
      triggeredBy: request.triggeredBy,
      history,
      now: this.context.now,
    });
    if (started.record === undefined) return { started: false, outcome: await started.done };
    const id = started.record.id;
    const done = started.done.then((outcome) => {
      this.running.delete(id);
      this.context.onFinished?.(outcome);
      return outcome;
    });
    this.running.set(id, { controller, done });
    return { started: true, record: history.get(id) ?? started.record };
  }

  /** Aborts a sync this server runs; false when it runs no such operation. */
  abort(id: number, reason: string): boolean {
    const running = this.running.get(id);
    if (!running) return false;
    running.controller.abort(new Error(reason));
    return true;
  }

  /** Resolves when the operation (if this server runs it) has finished. */
  async settled(id: number): Promise<void> {
    await this.running.get(id)?.done;
  }

  async abortAll(reason: string): Promise<void> {
    const pending = [...this.running.values()];
    for (const { controller } of pending) controller.abort(new Error(reason));
    await Promise.all(pending.map((p) => p.done));
  }

  get activeCount(): number {
    return this.running.size;
  }
}

export interface LaunchContext {
  env: Readonly<Record<string, string | undefined>>;
  now?: () => Date;
  onFinished?: (outcome: SyncOutcome) => void;
}

export interface LaunchRequest {
  workspace: Workspace;
  datastore: DatastoreDefinition;
  options?: Partial<SyncOptions>;
  resume?: OperationRecord;
  /** The caller, recorded as `triggered_by`. */
  triggeredBy: string;
}
