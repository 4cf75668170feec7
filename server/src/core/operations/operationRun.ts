import * as fs from 'node:fs';
import { writeConnectorCache } from '../connectors/connectorCache';
import type { DiscoveryProgress, DiscoveryResult } from '../connectors/contract';
import type { DatastoreDefinition } from '../definitions/types';
import { removeFilesDurably, type FileStamp } from '../fs/atomicFiles';
import type { OperationStore } from '../history/operationStore';
import type { OperationProgress, OperationRecord } from '../history/operationRecord';
import { finishedOperationRecord, newOperationRecord, resumedOperationRecord, type FinishedOutcome } from '../history/recordLifecycle';
import type { SyncOptions } from '../model';
import { staleTempFilesIn, type CatalogState } from '../snapshots/catalogState';
import { datastoreSnapshotDir, stagingFolder } from '../snapshots/fileNames';
import { planHasChanges, type SyncPlan } from '../snapshots/plan';
import { forgetResync, recordResync, refreshResyncSignature, type ResyncRecord } from '../snapshots/resyncRecord';
import { AbortRequestWatcher } from './abortRequest';
import type { HeldLock, LockHolder } from './fileLock';
import { folderFingerprint, markWriter } from './lastWriter';
import { acquireDatastoreLock, datastoreBusyMessage } from './locks';
import { loadResumeCheckpoint, saveResumeCheckpoint, sealResumeCheckpoint, whyNotResumable, type LoadedCheckpoint } from './resumeCheckpoint';

/**
 * The bookkeeping around one sync, apart from the sync itself: the datastore's lock, the watch
 * for abort requests from other processes, the operation record and its throttled progress, the
 * resume checkpoint, and the local state a written sync leaves (the connector's cache and the
 * record that lets the next no-change sync replay this one). A dry run gets the same object
 * with nothing to keep: no lock, no record, no checkpoint, and nothing written.
 */
export interface OperationRun {
  /** The operation in history; undefined for a dry run. */
  readonly record: OperationRecord | undefined;
  /** Aborted by the host, or by an abort request another process left for this operation. */
  readonly signal: AbortSignal;
  /** When this run resumes an aborted operation: the catalog state and changes it was applying. */
  readonly checkpoint: LoadedCheckpoint | undefined;
  /** Discovery progress: to the host, into the record (at most every half second), and a moment to look for abort requests. */
  report(progress: DiscoveryProgress): void;
  /** A phase boundary: looks for an abort request now, and throws the abort's reason if the operation was aborted. */
  stopIfAborted(): void;
  /** A sync that replayed `record`: the record keeps the signature the source answered with. */
  replayed(record: ResyncRecord, signature: string | undefined): void;
  /** Before the first write: nothing older may be replayed, a killed sync's temp files go, and a resume can find the plan. */
  beginWrites(state: CatalogState, plan: SyncPlan): void;
  /** Temp files of a large plan prepared so far (nothing is visible yet). */
  staged(staged: number, total: number): void;
  /** Snapshot files written so far; also where an abort is honoured. */
  written(written: number, total: number): void;
  /** After the last write: the state the next sync starts from. */
  endWrites(state: CatalogState, plan: SyncPlan, discovery: DiscoveryResult, inputs: string, stamps: ReadonlyMap<string, FileStamp>): void;
  /**
   * For a run begun with `deferRecord`: the plan was confirmed, so the operation is recorded now
   * and may write. A no-op for other runs (recorded from the start, or dry).
   */
  confirm(): void;
  /** Records how the operation ended and releases the datastore (a deferred run never confirmed records nothing). */
  finish(outcome: FinishedOutcome): OperationRecord | undefined;
}

export interface RunRequest {
  stateDir: string;
  snapshotsDir: string;
  datastore: DatastoreDefinition;
  options: SyncOptions;
  /** Undefined for a dry run. */
  history: OperationStore | undefined;
  /** Continue this aborted operation instead of recording a new one. */
  resume?: OperationRecord;
  hostSignal: AbortSignal;
  onProgress?: (progress: DiscoveryProgress) => void;
  triggeredBy: string;
  schedule?: string | null;
  clock: () => Date;
  /**
   * Take the lock now but record the operation only at `confirm()`: a sync that checks its plan
   * against one a person previewed records nothing when the plan no longer matches.
   */
  deferRecord?: boolean;
}

/**
 * Starts the bookkeeping of a sync: for a written one, takes the datastore's lock and records the
 * operation (or marks the resumed one running again). Refused, with who holds the datastore, when
 * another sync runs it, or when a resumed operation is no longer resumable.
 */
export function beginOperationRun(request: RunRequest): OperationRun | { refused: { message: string; holder?: LockHolder } } {
  const { history, datastore } = request;
  if (!history) return new DryRun(request);
  const attempt = acquireDatastoreLock(request.stateDir, datastore.name, request.clock());
  if (!attempt.acquired) return { refused: { message: datastoreBusyMessage(datastore.name, attempt.holder), holder: attempt.holder } };
  const lock = attempt.lock;
  if (request.deferRecord && !request.resume) return new PendingRun(request, history, lock);
  try {
    let record: OperationRecord;
    if (request.resume) {
      // Checked again under the lock: two resumes of one operation must not both run it, and no
      // sync may have written the datastore between the check and now.
      const current = history.get(request.resume.id);
      const refusal = whyNotResumable(current, request.resume.id, { checkpoint: history.sidecarPath(request.resume.id, 'checkpoint'), stateDir: request.stateDir, snapshotsDir: request.snapshotsDir });
      if (refusal || !current) {
        lock.release();
        return { refused: { message: refusal ?? `Operation ${request.resume.id} no longer exists.` } };
      }
      fs.rmSync(history.sidecarPath(current.id, 'abort'), { force: true });
      record = resumedOperationRecord(current, request.clock(), history.lastWritten(current.id));
      history.update(record);
    } else {
      record = history.create(newOperationRecord({ datastore, options: request.options, started: request.clock(), triggeredBy: request.triggeredBy, schedule: request.schedule }));
    }
    lock.update({ operation_id: record.id });
    return new RecordedRun(request, history, lock, record);
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** A dry run: the host's signal and progress, and the replay record to read; nothing is kept. */
class DryRun implements OperationRun {
  readonly record = undefined;
  readonly checkpoint = undefined;
  readonly signal: AbortSignal;

  constructor(private readonly request: RunRequest) {
    this.signal = request.hostSignal;
  }

  report(progress: DiscoveryProgress): void {
    this.request.onProgress?.(progress);
  }

  stopIfAborted(): void {
    this.signal.throwIfAborted();
  }

  replayed(): void {}
  beginWrites(): void {}
  staged(): void {}
  written(): void {}
  endWrites(): void {}
  confirm(): void {}

  finish(): undefined {
    return undefined;
  }
}

/** Progress is written to the record at most this often (each write is an fsync). */
const PROGRESS_WRITE_MS = 500;

class RecordedRun implements OperationRun {
  readonly signal: AbortSignal;
  readonly checkpoint: LoadedCheckpoint | undefined;
  private readonly watcher: AbortRequestWatcher;
  private lastProgressWrite = 0;

  constructor(private readonly request: RunRequest, private readonly history: OperationStore, private readonly lock: HeldLock, public record: OperationRecord) {
    const requested = new AbortController();
    this.signal = AbortSignal.any([request.hostSignal, requested.signal]);
    this.watcher = new AbortRequestWatcher(history.sidecarPath(record.id, 'abort'), (r) => requested.abort(new Error(`abort requested by ${r.requested_by}`)));
    this.checkpoint = request.resume
      ? loadResumeCheckpoint(history.sidecarPath(record.id, 'checkpoint'), record.id, request.snapshotsDir, request.datastore.name)
      : undefined;
  }

  report(progress: DiscoveryProgress): void {
    // Progress callbacks are where synchronous connectors yield: look for abort requests and renew the lock here.
    this.watcher.check();
    this.lock.renewIfDue();
    this.request.onProgress?.(progress);
    if (progress.total !== undefined && progress.phase !== WRITING && progress.phase !== STAGING) this.setProgress({ done: progress.done, total: progress.total, phase: 'discovering' });
  }

  stopIfAborted(): void {
    this.watcher.check(true);
    this.signal.throwIfAborted();
  }

  confirm(): void {}

  replayed(record: ResyncRecord, signature: string | undefined): void {
    refreshResyncSignature(this.request.stateDir, this.request.datastore.name, record, signature);
  }

  beginWrites(state: CatalogState, plan: SyncPlan): void {
    // The replay record goes first: a crash after writing must not leave an older record that matches.
    forgetResync(this.request.stateDir, this.request.datastore.name);
    removeFilesDurably(this.checkpoint ? staleTempFilesIn(state.dir) : state.staleTempFiles ?? []);
    // Under the lock no other writer stages here: what is left was a killed sync's.
    removeFilesDurably(staleTempFilesIn(stagingFolder(this.request.stateDir, this.request.datastore.name)));
    if (!this.checkpoint && planHasChanges(plan)) saveResumeCheckpoint(this.history.sidecarPath(this.record.id, 'checkpoint'), this.record.id, state, plan);
    if (planHasChanges(plan)) markWriter(this.request.stateDir, this.request.datastore.name, this.record.id);
  }

  staged(staged: number, total: number): void {
    this.report({ phase: STAGING, done: staged, total });
  }

  written(written: number, total: number): void {
    this.watcher.check(true);
    this.record.checkpoint = { written, total };
    this.setProgress({ done: written, total, phase: 'writing' }, written === 0 || written === total);
    this.report({ phase: WRITING, done: written, total });
  }

  endWrites(state: CatalogState, plan: SyncPlan, discovery: DiscoveryResult, inputs: string, stamps: ReadonlyMap<string, FileStamp>): void {
    if (discovery.cache !== undefined) writeConnectorCache(this.request.stateDir, this.request.datastore.name, discovery.cache);
    recordResync(this.request.stateDir, this.request.datastore.name, inputs, discovery.signature, state, plan, stamps);
  }

  finish(outcome: FinishedOutcome): OperationRecord {
    this.watcher.stop();
    try {
      this.record = finishedOperationRecord(this.record, outcome, this.request.clock());
      this.history.update(this.record);
      fs.rmSync(this.history.sidecarPath(this.record.id, 'abort'), { force: true });
      // A finished operation is never resumed: its checkpoint has served. An aborted one's notes
      // how the folder looked, so a resume can tell that nothing changed it since.
      const checkpoint = this.history.sidecarPath(this.record.id, 'checkpoint');
      if (outcome.result !== 'aborted') fs.rmSync(checkpoint, { force: true });
      else sealResumeCheckpoint(checkpoint, folderFingerprint(datastoreSnapshotDir(this.request.snapshotsDir, this.request.datastore.name)));
      return this.record;
    } finally {
      this.lock.release();
    }
  }

  private setProgress(progress: OperationProgress, force = false): void {
    this.record.progress = progress;
    const now = Date.now();
    if (force || now - this.lastProgressWrite >= PROGRESS_WRITE_MS) {
      this.lastProgressWrite = now;
      this.history.update(this.record);
    }
  }
}

/**
 * A run that holds the datastore's lock but has no record yet (`deferRecord`): it discovers and
 * plans like a dry run; `confirm()` records the operation, from the time the run began, and hands
 * everything after to a recorded run. Abort requests from other processes need a record id, so
 * before `confirm()` only the host's signal can stop it.
 */
class PendingRun implements OperationRun {
  readonly checkpoint = undefined;
  private readonly started: Date;
  private confirmed: RecordedRun | undefined;

  constructor(private readonly request: RunRequest, private readonly history: OperationStore, private readonly lock: HeldLock) {
    this.started = request.clock();
  }

  get record(): OperationRecord | undefined {
    return this.confirmed?.record;
  }

  get signal(): AbortSignal {
    return this.confirmed?.signal ?? this.request.hostSignal;
  }

  report(progress: DiscoveryProgress): void {
    if (this.confirmed) return this.confirmed.report(progress);
    this.lock.renewIfDue();
    this.request.onProgress?.(progress);
  }

  stopIfAborted(): void {
    if (this.confirmed) return this.confirmed.stopIfAborted();
    this.signal.throwIfAborted();
  }

  confirm(): void {
    if (this.confirmed) return;
    // Should recording fail, finish() still releases the lock: the run is not confirmed.
    const { datastore, options, triggeredBy, schedule } = this.request;
    const record = this.history.create(newOperationRecord({ datastore, options, started: this.started, triggeredBy, schedule }));
    this.lock.update({ operation_id: record.id });
    this.confirmed = new RecordedRun(this.request, this.history, this.lock, record);
  }

  replayed(record: ResyncRecord, signature: string | undefined): void {
    this.confirmed?.replayed(record, signature);
  }

  beginWrites(state: CatalogState, plan: SyncPlan): void {
    this.recorded().beginWrites(state, plan);
  }

  staged(staged: number, total: number): void {
    this.recorded().staged(staged, total);
  }

  written(written: number, total: number): void {
    this.recorded().written(written, total);
  }

  endWrites(state: CatalogState, plan: SyncPlan, discovery: DiscoveryResult, inputs: string, stamps: ReadonlyMap<string, FileStamp>): void {
    this.recorded().endWrites(state, plan, discovery, inputs, stamps);
  }

  finish(outcome: FinishedOutcome): OperationRecord | undefined {
    if (this.confirmed) return this.confirmed.finish(outcome);
    this.lock.release();
    return undefined;
  }

  private recorded(): RecordedRun {
    if (!this.confirmed) throw new Error('A deferred operation must be confirmed before it writes.');
    return this.confirmed;
  }
}

/** The phase of the progress reports of the write phase (the others come from connectors). */
export const WRITING = 'writing';
/** Temp files of a large plan being prepared, before the first one is renamed into place. */
export const STAGING = 'staging';
