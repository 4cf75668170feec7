import { hostname } from 'node:os';
import type { DatastoreDefinition } from '../definitions/types';
import { storeTypeOf } from '../connectors/registry';
import type { SyncOptions } from '../model';
import { describePlanChanges } from '../snapshots/changes';
import { summarize, type SyncPlan } from '../snapshots/plan';
import { durationMs } from './operationQuery';
import { operationTimestamp, type OperationRecord, type OperationResult } from './operationRecord';

/**
 * The record of an operation through its life: created `running`, updated with progress, then
 * finished as `success`, `warning`, `failure` or `aborted`; an aborted one may go back to
 * `running` once (per resume) and finish again.
 */
export function newOperationRecord(input: NewRecordInput): Omit<OperationRecord, 'id'> {
  const { datastore, options, started } = input;
  return {
    created: operationTimestamp(started),
    type: 'catalog',
    start_time: operationTimestamp(started),
    end_time: null,
    result: 'running',
    message: null,
    triggered_by: input.triggeredBy,
    datastore: {
      id: datastore.id, name: datastore.name, store_type: storeTypeOf(datastore.type), type: datastore.type,
      enrich_only: false, enrich_container_prefix: null, favorite: false,
    },
    schedule: input.schedule ?? null,
    include: storeTypeOf(datastore.type) === 'dfs' ? null : options.include,
    prune: options.prune,
    recreate: options.recreate,
    force_prune: options.forcePrune ?? false,
    progress: { done: 0, total: null, phase: 'discovering' },
    checkpoint: null,
    summary: null,
    changes: [],
    logs: [],
    process: { pid: process.pid, host: hostname() },
  };
}

export interface NewRecordInput {
  datastore: DatastoreDefinition;
  options: SyncOptions;
  started: Date;
  triggeredBy: string;
  schedule?: string | null;
}

/**
 * An aborted (or killed) record running again in this process; creation and start times stay the
 * original ones. `stoppedAt` is when it stopped working: its end, or for a killed one the last
 * time its record was written.
 */
export function resumedOperationRecord(record: OperationRecord, resumedAt: Date, stoppedAt?: Date): OperationRecord {
  const stopped = record.end_time ? new Date(Date.parse(record.end_time)) : stoppedAt ?? resumedAt;
  return {
    ...record,
    worked_ms: durationMs({ ...record, end_time: operationTimestamp(stopped) }, stopped),
    result: 'running',
    message: null,
    end_time: null,
    resumed_at: operationTimestamp(resumedAt),
    progress: { done: 0, total: null, phase: 'discovering' },
    process: { pid: process.pid, host: hostname() },
  };
}

/** The options an operation ran with, for a resume or a rerun. */
export function optionsOfRecord(record: OperationRecord): SyncOptions {
  return { prune: record.prune, recreate: record.recreate, include: record.include ? [...record.include] : ['table', 'view'], forcePrune: record.force_prune ?? false };
}

export function finishedOperationRecord(record: OperationRecord, outcome: FinishedOutcome, ended: Date): OperationRecord {
  const { plan, result } = outcome;
  const { process: _finished, ...rest } = record;
  // An aborted or failed operation did not apply its plan: its summary would claim what never happened.
  const completed = plan !== undefined && (result === 'success' || result === 'warning');
  return {
    ...rest,
    end_time: operationTimestamp(ended),
    result,
    message: outcome.message,
    progress: completed ? { done: plan.changes.length, total: plan.changes.length, phase: 'finished' } : record.progress,
    summary: completed ? summarize(plan) : null,
    changes: completed ? describePlanChanges(plan) : [],
    logs: outcome.logs,
  };
}

export interface FinishedOutcome {
  result: OperationResult;
  message: string | null;
  plan?: SyncPlan;
  logs: OperationRecord['logs'];
}
