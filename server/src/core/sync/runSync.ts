import { COMPARING_SIGNATURE, ConnectorError, type ConnectorTarget, type DiscoveryProgress, type DiscoveryResult } from '../connectors/contract';
import type { DatastoreDefinition, Workspace } from '../definitions/types';
import { saveGroupingNotes } from '../history/groupingNotes';
import type { OperationStore } from '../history/operationStore';
import type { OperationRecord, OperationResult } from '../history/operationRecord';
import { optionsOfRecord } from '../history/recordLifecycle';
import type { ContainerOverride, OperationLogEntry, SyncOptions } from '../model';
import type { LockHolder } from '../operations/fileLock';
import { beginOperationRun, type OperationRun } from '../operations/operationRun';
import { mergeResumedChanges } from '../operations/resumeCheckpoint';
import { applySyncPlan } from '../snapshots/applyPlan';
import { SnapshotFolderError, readCatalogState, type CatalogState } from '../snapshots/catalogState';
import { datastoreSnapshotDir, stagingFolder } from '../snapshots/fileNames';
import { planHasChanges, type SyncPlan } from '../snapshots/plan';
import { recordFor, recordHolds, recordedFilesUnchanged, replayPlan, type ResyncRecord } from '../snapshots/resyncRecord';
import { redactCredentials } from '../text/redact';
import { ENGINE_VERSION } from '../version';
import { discover, type Discovered } from './discover';
import { ContainerPreparation } from './prepareContainer';
import { planFingerprint, plannedFileChanges } from './plannedFiles';
import { planSync } from './planSync';
import { resolveDatastore, resyncInputs } from './resolveDatastore';

/**
 * One sync operation of one datastore, the same for every host. Never throws for source or user
 * problems: they end the operation as `failure` with a message. Abort through `signal`, or an
 * abort request left by another process (operations/abortRequest.ts), ends it as `aborted`.
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
  const options = request.resume ? optionsOfRecord(request.resume) : {
    prune: request.options.prune ?? datastore.prune,
    recreate: request.options.recreate ?? datastore.recreate,
    include: request.options.include ?? datastore.include,
    forcePrune: request.options.forcePrune ?? false,
  };
  const begun = beginOperationRun({
    stateDir: workspace.project.stateDir,
    snapshotsDir: workspace.project.snapshotsDir,
    datastore,
    options,
    history: request.dryRun ? undefined : request.history,
    resume: request.resume,
    hostSignal: request.signal,
    onProgress: request.onProgress,
    triggeredBy: request.triggeredBy,
    schedule: request.schedule,
    clock: request.now ?? (() => new Date()),
    deferRecord: request.expectedPlan !== undefined,
  });
  if ('refused' in begun) {
    const { message, holder } = begun.refused;
    return { busy: holder, done: Promise.resolve({ datastore: datastore.name, result: 'refused', message, logs: [], changed: false, durationMs: 0, refused: { holder } }) };
  }
  return { operationId: begun.record?.id, record: begun.record, done: execute(request, options, begun) };
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
  /** The git user or OS user the host determined (operations/triggeredBy.ts). */
  triggeredBy: string;
  schedule?: string | null;
  history?: OperationStore;
  /** Continue this aborted operation (same id, same options) from its checkpoint instead of starting one. */
  resume?: OperationRecord;
  /** The clock for record times; tests pass a fixed one. */
  now?: () => Date;
  /** Snapshot files written between two abort checks and checkpoints (default 256). */
  writeBatchSize?: number;
  /**
   * Apply only this plan (`planFingerprint` of a preview a person looked at). The operation is
   * recorded once the fresh plan matches; when it does not, nothing is written or recorded and
   * the outcome is `stale` with the plan as it is now. Not for resumes.
   */
  expectedPlan?: string;
}

export interface StartedSync {
  /** Undefined for a dry run and for a refused sync. */
  operationId?: number;
  record?: OperationRecord;
  /** Set when another sync holds the datastore; `done` then resolves to the refusal at once. */
  busy?: LockHolder;
  done: Promise<SyncOutcome>;
}

/** An operation's result, or `refused` for a sync that never started. */
export type SyncResult = OperationResult | 'refused';

export interface SyncOutcome {
  datastore: string;
  /** `refused`: the sync never started (another holds the datastore, or a resume was not allowed); no operation was recorded. */
  result: SyncResult;
  message: string | null;
  plan?: SyncPlan;
  logs: OperationLogEntry[];
  /** True when the source reported no change since a recorded sync, so its result was replayed (snapshots/resyncRecord.ts). */
  replayed?: boolean;
  /** True when the sync wrote (or, in a dry run, would write) any committed file. */
  changed: boolean;
  durationMs: number;
  operationId?: number;
  operation?: OperationRecord;
  /** Set when the sync never started: the datastore was busy, or the operation could not be resumed. */
  refused?: { holder?: LockHolder };
  /**
   * With `expectedPlan`: the source or the snapshots moved since the preview, so the sync refused
   * (nothing written or recorded); `plan` is the plan now and `fingerprint` names it.
   */
  stale?: { fingerprint: string };
}

/**
 * The pipeline: resolve → discover → plan → apply → finish. Each step is a function of what the
 * ones before it produced; the operation's bookkeeping (lock, abort requests, record, checkpoint,
 * replay record) is `run`'s business, a no-op one for dry runs.
 */
async function execute(request: SyncRequest, options: SyncOptions, run: OperationRun): Promise<SyncOutcome> {
  const started = Date.now();
  const outcome: StartedOutcome = { datastore: request.datastore.name, result: 'running', message: null, logs: [], changed: false, durationMs: 0, operationId: run.record?.id };
  try {
    const { source, discovery, replay } = await resolveAndDiscover(request, options, run);
    const planned = plan(request, options, source, discovery, replay, run);
    Object.assign(outcome, { plan: planned.plan, replayed: planned.replayed, logs: planned.plan.logs, changed: planHasChanges(planned.plan) || run.checkpoint !== undefined });
    if (request.expectedPlan !== undefined) {
      const fingerprint = planFingerprint(plannedFileChanges(planned.plan));
      if (fingerprint !== request.expectedPlan) {
        outcome.durationMs = Date.now() - started;
        // Not confirmed: finishing releases the datastore and records nothing.
        return { ...finish(outcome, run), result: 'refused', refused: {}, stale: { fingerprint }, message: STALE_MESSAGE };
      }
      run.confirm();
    }
    if (planned.replayed) run.replayed(replay!, discovery.signature);
    else if (!request.dryRun) await apply(request, source, discovery, planned.plan, run);
    outcome.result = planned.plan.logs.some((l) => l.level !== 'info') ? 'warning' : 'success';
  } catch (error) {
    Object.assign(outcome, failure(error, request.datastore.name, run));
    // An applied preview that failed or was aborted is recorded like any sync; only a stale one is not.
    if (request.expectedPlan !== undefined) recordAnyway(run);
  }
  outcome.durationMs = Date.now() - started;
  return finish(outcome, run);
}

const STALE_MESSAGE = 'The source or the snapshots changed since the preview, so nothing was written: look at the new preview and apply that one.';

/** What a sync reads besides the source: its settings, the catalog as committed (or as a resumed sync left it), the overrides. */
interface ResolvedSync {
  target: ConnectorTarget;
  state: CatalogState;
  overrides: Map<string, ContainerOverride>;
  /** Everything besides the source and the snapshots that decides the result (snapshots/resyncRecord.ts). */
  inputs: string;
}

/**
 * The resolve and discover steps. A no-change resync is proven while it is checked: the connector
 * compares the source's signature with the recorded one (for PostgreSQL a new backend, ~12 ms
 * here, and a query) while this process checks every snapshot file the record lists (~11,000
 * lstats), reads the catalog state and checks the record against it. A replay needs all of it;
 * when the signature matched but the record does not hold, the source is described after all.
 */
async function resolveAndDiscover(request: SyncRequest, options: SyncOptions, run: OperationRun): Promise<{ source: ResolvedSync; discovery: Discovered; replay?: ResyncRecord }> {
  const { workspace, datastore } = request;
  const resolved = resolveDatastore(datastore, request.env);
  if ('error' in resolved) throw new ConnectorError(resolved.error, 'unset-env-variable');
  const { target } = resolved;
  const stateDir = workspace.project.stateDir;
  const overrides = overridesOf(workspace, datastore.name);
  const inputs = resyncInputs(target, options, overrides, ENGINE_VERSION);
  const describe = (): Promise<Discovered> => discover(target, { include: options.include }, stateDir, run, new ContainerPreparation(overrides));
  // A resume finishes the plan it saved; it never replays.
  const record = run.checkpoint ? undefined : recordFor(stateDir, datastore.name, inputs);
  let reported: (() => void) | undefined;
  const underWay = new Promise<void>((resolve) => (reported = resolve));
  const comparing = record === undefined ? undefined : discover(target, { include: options.include, unchangedSince: record.signature }, stateDir, run, new ContainerPreparation(overrides), (progress) => {
    if (progress.phase === COMPARING_SIGNATURE) reported!();
  });
  // Handled from the start: a connector failing while the state is read is reported when awaited below, never as unhandled.
  comparing?.catch(() => undefined);
  let source: ResolvedSync;
  let replay: ResyncRecord | undefined;
  try {
    // The record's files first: their lstats leave turns of the event loop in which the connector
    // connects and sends its query (a new PostgreSQL backend takes ~12 ms to start here).
    const filesHold = record !== undefined && await recordedFilesUnchanged(record, datastoreSnapshotDir(workspace.project.snapshotsDir, datastore.name), run.signal);
    // The reads below are synchronous: first let the connector send its query (it reports
    // COMPARING_SIGNATURE then), or settle, or have COMPARE_HEAD_START_MS; whichever comes first.
    if (comparing) await Promise.race([underWay, comparing.then(() => undefined, () => undefined), delay(COMPARE_HEAD_START_MS)]);
    const state = run.checkpoint?.state ?? readCatalogState(workspace.project.snapshotsDir, datastore.name, record?.index);
    source = { target, state, overrides, inputs };
    replay = filesHold && recordHolds(record, state) ? record : undefined;
  } catch (error) {
    // The connector closes its connection once its comparison settles.
    await comparing?.catch(() => undefined);
    throw error;
  }
  if (!comparing) return { source, discovery: await describe() };
  const discovery = await comparing;
  if (replay) return { source, discovery, replay };
  return { source, discovery: discovery.unchanged === true ? await describe() : discovery };
}

/** How long a resync waits at most for the connector to send its signature query before it reads the catalog state meanwhile. */
const COMPARE_HEAD_START_MS = 100;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function plan(request: SyncRequest, options: SyncOptions, source: ResolvedSync, discovery: Discovered, replay: ResyncRecord | undefined, run: OperationRun): { plan: SyncPlan; replayed: boolean } {
  const replayed = discovery.unchanged === true && replay !== undefined;
  let planned = replayed
    ? replayPlan(replay, source.state, request.datastore.name)
    : planSync({ datastore: request.datastore, discovery, prepared: discovery.prepared, state: source.state, overrides: source.overrides, options });
  if (run.checkpoint) planned = { ...planned, changes: mergeResumedChanges(planned.changes, run.checkpoint.changes) };
  return { plan: planned, replayed };
}

async function apply(request: SyncRequest, source: ResolvedSync, discovery: DiscoveryResult, planned: SyncPlan, run: OperationRun): Promise<void> {
  run.beginWrites(source.state, planned);
  const stamps = await applySyncPlan(planned, source.state.dir, {
    signal: run.signal,
    stagingDir: stagingFolder(request.workspace.project.stateDir, request.datastore.name),
    batchSize: request.writeBatchSize,
    skipIdentical: run.checkpoint !== undefined,
    onWritten: (written, total) => run.written(written, total),
    onStaged: (staged, total) => run.staged(staged, total),
  });
  run.endWrites(source.state, planned, discovery, source.inputs, stamps);
  saveGroupingNotes(request.workspace.project.stateDir, request.datastore.name, planned.logs);
}

/** The outcome of a sync that started: it has an operation result. */
type StartedOutcome = SyncOutcome & { result: OperationResult };

function finish(outcome: StartedOutcome, run: OperationRun): SyncOutcome {
  // A driver's error may quote a connection URL: no credential reaches the record, the API or a terminal.
  if (outcome.message) outcome.message = redactCredentials(outcome.message);
  outcome.logs = outcome.logs.map((log) => (log.message.includes('@') || log.message.includes('=') ? { ...log, message: redactCredentials(log.message) } : log));
  const record = run.finish(outcome);
  if (record) Object.assign(outcome, { operation: record, operationId: record.id });
  return outcome;
}

function recordAnyway(run: OperationRun): void {
  try {
    run.confirm();
  } catch {
    // The history could not be written: the outcome still says what happened.
  }
}

function failure(error: unknown, datastore: string, run: OperationRun): Pick<SyncOutcome, 'result' | 'message'> {
  if (run.signal.aborted) return { result: 'aborted', message: abortMessage(run.record, (run.signal.reason as Error | undefined)?.message) };
  const message = error instanceof ConnectorError || error instanceof SnapshotFolderError
    ? error.message
    : `Sync of '${datastore}' failed: ${(error as Error).message ?? String(error)}`;
  return { result: 'failure', message };
}

function abortMessage(record: OperationRecord | undefined, reason: string | undefined): string {
  const why = reason && reason !== 'This operation was aborted' ? ` (${reason})` : '';
  const written = record?.checkpoint ? ` after writing ${record.checkpoint.written} of ${record.checkpoint.total} snapshot files` : ' before writing anything';
  const next = record ? ` Resume it with \`cac history resume ${record.id}\`, or rerun it from the start.` : '';
  return `The operation was aborted${why}${written}; every file is complete, old or new.${next}`;
}

function overridesOf(workspace: Workspace, datastore: string): Map<string, ContainerOverride> {
  const merged = new Map<string, ContainerOverride>();
  for (const overrides of workspace.overrides) {
    if (overrides.datastore !== datastore) continue;
    for (const [name, override] of overrides.containers) if (!merged.has(name)) merged.set(name, override);
  }
  return merged;
}
