import * as fs from 'node:fs';
import { ConnectorError, type DiscoveryProgress } from '../connectors/connector';
import { openConnector } from '../connectors/registry';
import type { ContainerOverride, DatastoreDefinition, Workspace } from '../definitions/types';
import { removeFilesDurably, writeFilesInBatches, writeFileAtomicallySync, type FileStamp, type FileWrite } from '../fs/atomicFiles';
import type { OperationStore } from '../history/operationStore';
import type { OperationProgress, OperationRecord, OperationResult } from '../history/operationRecord';
import { finishedOperationRecord, newOperationRecord, optionsOfRecord, resumedOperationRecord } from '../history/recordLifecycle';
import type { OperationLogEntry } from '../model';
import { AbortRequestWatcher } from '../operations/abortRequest';
import type { HeldLock, LockHolder } from '../operations/fileLock';
import { acquireDatastoreLock, datastoreBusyMessage } from '../operations/locks';
import { loadResumeCheckpoint, mergeResumedChanges, saveResumeCheckpoint } from '../operations/resumeCheckpoint';
import { SnapshotFolderError, readCatalogState, staleTempFilesIn } from './catalogState';
import { readConnectorCache, writeConnectorCache } from './connectorCache';
import { planHasChanges, planSync, type SyncOptions, type SyncPlan } from './planSync';
import { resolveDatastore } from './resolveDatastore';
import { forgetResync, recordResync, replayPlan, resyncInputs, usableRecord } from './resyncShortcut';

export { summarize } from '../history/recordLifecycle';

/**
 * One sync operation of one datastore, the same for every host: discover → compare → plan →
 * write (unless dry-run) → record. Never throws for source or user problems: they end the
 * operation as `failure` with a message. Abort through `signal`, or an abort request left by
 * another process (operations/abortRequest.ts), ends it as `aborted`.
 */
export async function runSync(request: SyncRequest): Promise<SyncOutcome> {
  return startSync(request).done;
}

/**
 * The synchronous start of a sync: takes the datastore's lock and records the operation, so a
 * host (the HTTP API) can answer with the operation id at once and let `done` run on. A sync
 * refused because another one holds the datastore records nothing; its outcome says who holds it.
 */
export function startSync(request: SyncRequest): StartedSync {
  const { workspace, datastore } = request;
  const clock = request.now ?? (() => new Date());
  const options: SyncOptions = request.resume ? optionsOfRecord(request.resume) : {
    prune: request.options.prune ?? datastore.prune,
    recreate: request.options.recreate ?? datastore.recreate,
    include: request.options.include ?? datastore.include,
    forcePrune: request.options.forcePrune ?? false,
  };
  const history = request.dryRun ? undefined : request.history;
  if (!history) return { done: execute({ request, options, clock }) };

  const attempt = acquireDatastoreLock(workspace.project.stateDir, datastore.name, clock());
  if (!attempt.acquired) return { busy: attempt.holder, done: Promise.resolve(refusedOutcome(datastore.name, datastoreBusyMessage(datastore.name, attempt.holder), attempt.holder)) };
  const lock = attempt.lock;
  let record: OperationRecord;
  try {
    if (request.resume) {
      // Checked again under the lock: two resumes of one operation must not both run it.
      const current = history.get(request.resume.id);
      if (current?.result !== 'aborted') {
        lock.release();
        const state = current ? `is ${current.result}` : 'no longer exists';
        return { done: Promise.resolve(refusedOutcome(datastore.name, `Operation ${request.resume.id} ${state}; only an aborted operation can be resumed.`)) };
      }
      fs.rmSync(history.sidecarPath(current.id, 'abort'), { force: true });
      record = resumedOperationRecord(current, clock());
      history.update(record);
    } else {
      record = history.create(newOperationRecord({ datastore, options, started: clock(), triggeredBy: request.triggeredBy, schedule: request.schedule }));
    }
    lock.update({ operation_id: record.id });
  } catch (error) {
    lock.release();
    throw error;
  }
  return { operationId: record.id, record, done: execute({ request, options, clock, history, record, lock }) };
}

export interface SyncRequest {
  workspace: Workspace;
  datastore: DatastoreDefinition;
  /** Undefined options fall back to the datastore's defaults (ignored on resume: the record's apply). */
  options: Partial<SyncOptions>;
  dryRun: boolean;
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
  onProgress?: (progress: DiscoveryProgress) => void;
  /** The git user or OS user the host determined. */
  triggeredBy: string;
  schedule?: string | null;
  history?: OperationStore;
  /** The host's version: a new engine may render snapshots differently, so it never replays an older record. */
  engineVersion?: string;
  /** Continue this aborted operation (same id, same options) from its checkpoint instead of starting one. */
  resume?: OperationRecord;
  /** The clock for record times; tests pass a fixed one. */
  now?: () => Date;
  /** Snapshot files written between two abort checks and checkpoints (default 256). */
  writeBatchSize?: number;
}

export interface StartedSync {
  /** Undefined for a dry run and for a refused sync. */
  operationId?: number;
  record?: OperationRecord;
  /** Set when another sync holds the datastore; `done` then resolves to the refusal at once. */
  busy?: LockHolder;
  done: Promise<SyncOutcome>;
}

export interface SyncOutcome {
  datastore: string;
  result: OperationResult;
  message: string | null;
  plan?: SyncPlan;
  logs: OperationLogEntry[];
  /** True when the source reported no change since a recorded sync, so its result was replayed (resyncShortcut.ts). */
  replayed?: boolean;
  /** True when the sync wrote (or, in a dry run, would write) any committed file. */
  changed: boolean;
  durationMs: number;
  operationId?: number;
  operation?: OperationRecord;
  /** Set when the sync never started: the datastore was busy, or the operation could not be resumed. */
  refused?: { holder?: LockHolder };
}

/**
 * Writes a plan: new and changed snapshots first (each atomically, in batches), then the index,
 * then the deletions. A crash or an abort between batches leaves every file old or new; an abort
 * is honoured only before the index is written, so an aborted sync never leaves an index that
 * lists files it did not write. The next sync's reconciliation (catalogState) adopts whatever
 * the index did not yet record, and a resume finishes the plan.
 */
export async function applySyncPlan(plan: SyncPlan, dir: string, options: ApplyOptions = {}): Promise<Map<string, FileStamp>> {
  const stamps = new Map<string, FileStamp>();
  if (!planHasChanges(plan)) return stamps;
  fs.mkdirSync(dir, { recursive: true });
  const writes = options.skipIdentical ? plan.writes.filter((write) => !holdsContent(write)) : plan.writes;
  options.onWritten?.(0, writes.length);
  await writeFilesInBatches(writes, {
    batchSize: options.batchSize ?? DEFAULT_WRITE_BATCH,
    signal: options.signal,
    onStaged: options.onStaged,
    onCommitted: options.onWritten,
    stamps,
  });
  options.signal?.throwIfAborted();
  if (plan.indexChanged) writeFileAtomicallySync(plan.indexPath, plan.indexText);
  removeFilesDurably(plan.deletes);
  return stamps;
}

export interface ApplyOptions {
  signal?: AbortSignal;
  batchSize?: number;
  /** Called before the first batch (0) and after each one, with the files written so far. */
  onWritten?: (written: number, total: number) => void;
  /** Temp files prepared so far, when a large plan is flushed to disk once before any is renamed. */
  onStaged?: (staged: number, total: number) => void;
  /** Skip files whose content on disk is already the planned one (a resume's finished containers). */
  skipIdentical?: boolean;
}

const DEFAULT_WRITE_BATCH = 256;
/** The phase of the progress reports of the write phase (the others come from connectors). */
export const WRITING = 'writing';
/** Temp files of a large plan being prepared, before the first one is renamed into place. */
export const STAGING = 'staging';
/** Progress is written to the record at most this often (each write is an fsync). */
const PROGRESS_WRITE_MS = 500;

interface RunContext {
  request: SyncRequest;
  options: SyncOptions;
  clock: () => Date;
  history?: OperationStore;
  record?: OperationRecord;
  lock?: HeldLock;
}

async function execute(context: RunContext): Promise<SyncOutcome> {
  const { request, options, history, lock } = context;
  const { workspace, datastore } = request;
  let record = context.record;
  const started = Date.now();
  const outcome: SyncOutcome = { datastore: datastore.name, result: 'running', message: null, logs: [], changed: false, durationMs: 0, operationId: record?.id };
  const requested = new AbortController();
  const signal = AbortSignal.any([request.signal, requested.signal]);
  const watcher = record && history
    ? new AbortRequestWatcher(history.sidecarPath(record.id, 'abort'), (r) => requested.abort(new Error(`abort requested by ${r.requested_by}`)))
    : undefined;
  let lastProgressWrite = 0;
  const setProgress = (progress: OperationProgress, force = false): void => {
    if (!record || !history) return;
    record.progress = progress;
    const now = Date.now();
    if (force || now - lastProgressWrite >= PROGRESS_WRITE_MS) {
      lastProgressWrite = now;
      history.update(record);
    }
  };
  const report = (progress: DiscoveryProgress): void => {
    // Progress callbacks are where synchronous connectors yield: check for abort requests and renew the lock here.
    watcher?.check();
    lock?.renewIfDue();
    request.onProgress?.(progress);
    if (progress.total !== undefined && progress.phase !== WRITING && progress.phase !== STAGING) setProgress({ done: progress.done, total: progress.total, phase: 'discovering' });
  };
  try {
    const resolved = resolveDatastore(datastore, request.env);
    if ('error' in resolved) throw new ConnectorError(resolved.error, 'unset-env-variable');
    const stateDir = workspace.project.stateDir;
    const checkpoint = record && history && request.resume
      ? loadResumeCheckpoint(history.sidecarPath(record.id, 'checkpoint'), record.id, workspace.project.snapshotsDir, datastore.name)
      : undefined;
    const state = checkpoint?.state ?? readCatalogState(workspace.project.snapshotsDir, datastore.name);
    const overrides = overridesOf(workspace, datastore.name);
    const inputs = resyncInputs(resolved.datastore, options, overrides, request.engineVersion ?? 'development');
    const resync = checkpoint ? undefined : usableRecord(stateDir, datastore.name, inputs, state);
    const connector = await openConnector(resolved.datastore);
    let discovery;
    try {
      discovery = await connector.discover({ include: options.include, unchangedSince: resync?.signature }, {
        signal,
        onProgress: report,
        previousCache: readConnectorCache(stateDir, datastore.name),
      });
    } finally {
      await connector.close();
    }
    watcher?.check(true);
    signal.throwIfAborted();
    const replayed = discovery.unchanged === true && resync !== undefined;
    let plan = replayed ? replayPlan(resync, state, datastore.name) : planSync({ datastore, discovery, state, overrides, options });
    if (checkpoint) plan = { ...plan, changes: mergeResumedChanges(plan.changes, checkpoint.changes) };
    outcome.plan = plan;
    outcome.replayed = replayed;
    outcome.logs = plan.logs;
    outcome.changed = planHasChanges(plan) || checkpoint !== undefined;
    if (!request.dryRun && !replayed) {
      // The record goes first: a crash after writing must not leave an older record that matches.
      forgetResync(stateDir, datastore.name);
      removeFilesDurably(checkpoint ? staleTempFilesIn(state.dir) : state.staleTempFiles ?? []);
      if (record && history && planHasChanges(plan) && !checkpoint) saveResumeCheckpoint(history.sidecarPath(record.id, 'checkpoint'), record.id, state, plan);
      const written = await applySyncPlan(plan, state.dir, {
        signal,
        batchSize: request.writeBatchSize,
        skipIdentical: checkpoint !== undefined,
        onWritten: (written, total) => {
          watcher?.check(true);
          if (record) record.checkpoint = { written, total };
          setProgress({ done: written, total, phase: 'writing' }, written === 0 || written === total);
          report({ phase: WRITING, done: written, total });
        },
        onStaged: (staged, total) => report({ phase: STAGING, done: staged, total }),
      });
      if (discovery.cache !== undefined) writeConnectorCache(stateDir, datastore.name, discovery.cache);
      recordResync(stateDir, datastore.name, inputs, discovery.signature, state, plan, written);
    }
    outcome.result = plan.logs.some((l) => l.level !== 'info') ? 'warning' : 'success';
  } catch (error) {
    if (signal.aborted) {
      outcome.result = 'aborted';
      outcome.message = abortMessage(record, (signal.reason as Error | undefined)?.message);
    } else {
      outcome.result = 'failure';
      outcome.message = error instanceof ConnectorError || error instanceof SnapshotFolderError
        ? error.message
        : `Sync of '${datastore.name}' failed: ${(error as Error).message ?? String(error)}`;
    }
  } finally {
    watcher?.stop();
  }
  outcome.durationMs = Date.now() - started;
  try {
    if (record && history) {
      record = finishedOperationRecord(record, outcome, context.clock());
      history.update(record);
      outcome.operation = record;
      fs.rmSync(history.sidecarPath(record.id, 'abort'), { force: true });
      // A finished operation is never resumed: its checkpoint has served.
      if (outcome.result !== 'aborted') fs.rmSync(history.sidecarPath(record.id, 'checkpoint'), { force: true });
    }
  } finally {
    lock?.release();
  }
  return outcome;
}

function abortMessage(record: OperationRecord | undefined, reason: string | undefined): string {
  const why = reason && reason !== 'This operation was aborted' ? ` (${reason})` : '';
  const written = record?.checkpoint ? ` after writing ${record.checkpoint.written} of ${record.checkpoint.total} snapshot files` : ' before writing anything';
  const next = record ? ` Resume it with \`cac history resume ${record.id}\`, or rerun it from the start.` : '';
  return `The operation was aborted${why}${written}; every file is complete, old or new.${next}`;
}

function refusedOutcome(datastore: string, message: string, holder?: LockHolder): SyncOutcome {
  return { datastore, result: 'failure', message, logs: [], changed: false, durationMs: 0, refused: { holder } };
}

/** True when the file already holds exactly this content (a resumed write that is already done). */
function holdsContent(write: FileWrite): boolean {
  const expected = typeof write.content === 'string' ? Buffer.from(write.content, 'utf8') : write.content;
  try {
    const stat = fs.lstatSync(write.path);
    return stat.isFile() && stat.size === expected.length && fs.readFileSync(write.path).equals(expected);
  } catch {
    return false;
  }
}

function overridesOf(workspace: Workspace, datastore: string): Map<string, ContainerOverride> {
  const merged = new Map<string, ContainerOverride>();
  for (const overrides of workspace.overrides) {
    if (overrides.datastore !== datastore) continue;
    for (const [name, override] of overrides.containers) if (!merged.has(name)) merged.set(name, override);
  }
  return merged;
}

