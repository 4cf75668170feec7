import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { ConnectorError, type DiscoveryProgress } from '../connectors/connector';
import { openConnector } from '../connectors/registry';
import type { ContainerOverride, DatastoreDefinition, Workspace } from '../definitions/types';
import { removeFilesDurably, writeFilesAtomically, writeFileAtomicallySync } from '../fs/atomicFiles';
import type { OperationStore } from '../history/operationStore';
import { operationTimestamp, type OperationRecord, type OperationResult, type OperationSummary } from '../history/operationRecord';
import { storeTypeOf, type OperationLogEntry } from '../model';
import { SnapshotFolderError, readCatalogState } from './catalogState';
import { readConnectorCache, writeConnectorCache } from './connectorCache';
import { describeChange } from './describeChange';
import { planHasChanges, planSync, type SyncOptions, type SyncPlan } from './planSync';
import { resolveDatastore } from './resolveDatastore';
import { forgetResync, recordResync, replayPlan, resyncInputs, usableRecord } from './resyncShortcut';

/**
 * One sync operation of one datastore, the same for every host: discover → compare → plan →
 * write (unless dry-run) → record. Never throws for source or user problems: they end the
 * operation as `failure` with a message. Abort through `signal` ends it as `aborted`.
 */
export async function runSync(request: SyncRequest): Promise<SyncOutcome> {
  const { workspace, datastore, signal } = request;
  const options: SyncOptions = {
    prune: request.options.prune ?? datastore.prune,
    recreate: request.options.recreate ?? datastore.recreate,
    include: request.options.include ?? datastore.include,
    forcePrune: request.options.forcePrune ?? false,
  };
  const started = new Date();
  const history = request.dryRun ? undefined : request.history;
  let record = history?.create(initialRecord(request, options, started));
  const outcome: SyncOutcome = { datastore: datastore.name, result: 'running', message: null, logs: [], changed: false, durationMs: 0, operationId: record?.id };
  const report = (progress: DiscoveryProgress): void => {
    request.onProgress?.(progress);
    if (record && progress.total !== undefined) record.progress = { done: progress.done, total: progress.total };
  };
  try {
    const resolved = resolveDatastore(datastore, request.env);
    if ('error' in resolved) throw new ConnectorError(resolved.error, 'unset-env-variable');
    const state = readCatalogState(workspace.project.snapshotsDir, datastore.name);
    const overrides = overridesOf(workspace, datastore.name);
    const stateDir = workspace.project.stateDir;
    const inputs = resyncInputs(resolved.datastore, options, overrides, request.engineVersion ?? 'development');
    const record = usableRecord(stateDir, datastore.name, inputs, state);
    const connector = await openConnector(resolved.datastore);
    let discovery;
    try {
      discovery = await connector.discover({ include: options.include, unchangedSince: record?.signature }, {
        signal,
        onProgress: report,
        previousCache: readConnectorCache(workspace.project.stateDir, datastore.name),
      });
    } finally {
      await connector.close();
    }
    throwIfAborted(signal);
    const replayed = discovery.unchanged === true && record !== undefined;
    const plan = replayed ? replayPlan(record, state, datastore.name) : planSync({ datastore, discovery, state, overrides, options });
    outcome.plan = plan;
    outcome.replayed = replayed;
    outcome.logs = plan.logs;
    outcome.changed = planHasChanges(plan);
    if (!request.dryRun && !replayed) {
      // The record goes first: a crash after writing must not leave an older record that matches.
      forgetResync(stateDir, datastore.name);
      await applySyncPlan(plan, state.dir);
      if (discovery.cache !== undefined) writeConnectorCache(stateDir, datastore.name, discovery.cache);
      recordResync(stateDir, datastore.name, inputs, discovery.signature, state, plan);
    }
    outcome.result = plan.logs.some((l) => l.level !== 'info') ? 'warning' : 'success';
  } catch (error) {
    if (signal.aborted) {
      outcome.result = 'aborted';
      outcome.message = 'The operation was aborted; files already written are complete, the rest are unchanged.';
    } else {
      outcome.result = 'failure';
      outcome.message = error instanceof ConnectorError || error instanceof SnapshotFolderError
        ? error.message
        : `Sync of '${datastore.name}' failed: ${(error as Error).message ?? String(error)}`;
    }
  }
  outcome.durationMs = Date.now() - started.getTime();
  if (record && history) {
    record = finishRecord(record, outcome);
    history.update(record);
    outcome.operation = record;
  }
  return outcome;
}

export interface SyncRequest {
  workspace: Workspace;
  datastore: DatastoreDefinition;
  /** Undefined options fall back to the datastore's defaults. */
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
}

/**
 * Writes a plan: new and changed snapshots first (each atomically), then the index, then the
 * deletions. A crash between steps leaves every file old or new, and the next sync's
 * reconciliation (catalogState) adopts or re-lists whatever the index did not yet record.
 */
export async function applySyncPlan(plan: SyncPlan, dir: string): Promise<void> {
  if (!planHasChanges(plan)) return;
  fs.mkdirSync(dir, { recursive: true });
  await writeFilesAtomically(plan.writes);
  if (plan.indexChanged) writeFileAtomicallySync(plan.indexPath, plan.indexText);
  removeFilesDurably(plan.deletes);
}

export function summarize(plan: SyncPlan): OperationSummary {
  const summary: OperationSummary = { new: 0, changed: 0, unchanged: 0, missing: 0, pruned: 0, recreated: 0, skipped_removed: 0, removed_by_user: 0 };
  for (const change of plan.changes) summary[change.action] += 1;
  return summary;
}

function overridesOf(workspace: Workspace, datastore: string): Map<string, ContainerOverride> {
  const merged = new Map<string, ContainerOverride>();
  for (const overrides of workspace.overrides) {
    if (overrides.datastore !== datastore) continue;
    for (const [name, override] of overrides.containers) if (!merged.has(name)) merged.set(name, override);
  }
  return merged;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason ?? new Error('aborted');
}

function initialRecord(request: SyncRequest, options: SyncOptions, started: Date): Omit<OperationRecord, 'id'> {
  const { datastore } = request;
  return {
    created: operationTimestamp(started),
    type: 'catalog',
    start_time: operationTimestamp(started),
    end_time: null,
    result: 'running',
    message: null,
    triggered_by: request.triggeredBy,
    datastore: {
      id: datastore.id, name: datastore.name, store_type: storeTypeOf(datastore.type), type: datastore.type,
      enrich_only: false, enrich_container_prefix: null, favorite: false,
    },
    schedule: request.schedule ?? null,
    include: options.include,
    prune: options.prune,
    recreate: options.recreate,
    progress: { done: 0, total: null },
    summary: null,
    changes: [],
    logs: [],
    process: { pid: process.pid, host: hostname() },
  };
}

function finishRecord(record: OperationRecord, outcome: SyncOutcome): OperationRecord {
  const plan = outcome.plan;
  const { process: _finished, ...rest } = record;
  return {
    ...rest,
    end_time: operationTimestamp(new Date()),
    result: outcome.result,
    message: outcome.message,
    progress: plan ? { done: plan.changes.length, total: plan.changes.length } : record.progress,
    summary: plan ? summarize(plan) : null,
    changes: plan ? plan.changes.filter((c) => c.action !== 'unchanged').map((c) => describeChange(c)) : [],
    logs: outcome.logs,
  };
}
