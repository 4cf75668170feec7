import type { IncludeKind, PlannedFileChange, SyncOutcomeView } from '../../core';
import type { PreviewFile } from '../../protocol/catalogProtocol';

/**
 * The messages between the language server and the worker threads that run its syncs, one at a
 * time each. A sync runs off the main thread so diagnostics and completion stay responsive while
 * a database is described (opening a large DuckDB file alone blocks for seconds), and so an abort
 * reaches connectors whose discovery is synchronous: the main thread raises the job's shared
 * flag, which the worker checks on every progress callback.
 */
export interface SyncJob {
  root: string;
  datastore: string;
  options: { prune?: boolean; recreate?: boolean; include?: IncludeKind[]; forcePrune?: boolean };
  dryRun: boolean;
  /** Unsaved editor buffers of definition files: a sync uses what the editor shows. */
  buffers: { path: string; text: string }[];
  triggeredBy: string;
  /** One Int32: set to 1 by the main thread to abort. */
  abortFlag: SharedArrayBuffer;
  /** Request secrets: overlay the server's environment for this sync only; never logged or recorded. */
  env?: Record<string, string>;
  /** What a dry run answers: every file with its text (`catalog/preview`), or the plan to keep (`catalog/previewPlan`). */
  answer?: 'texts' | 'plan';
  /** Write only the plan with this fingerprint (`catalog/applyPreview`); a stale one comes back as the plan now. */
  expectedPlan?: string;
  /** Resume this aborted operation (its own options, from its checkpoint). */
  resume?: number;
}

/** A plan a preview showed, for the server to keep until it is applied. */
export interface PlanMessage {
  fingerprint: string;
  files: PlannedFileChange[];
}

export type WorkerMessage =
  | { type: 'started'; operationId: number }
  | { type: 'progress'; phase: string; done: number; total?: number }
  | { type: 'finished'; outcome: SyncOutcomeView; files: PreviewFile[]; plan?: PlanMessage };

/** `run` gives an idle worker its next job; `abort` stops the one it runs (ignored when it runs none). */
export type MainMessage = { type: 'run'; job: SyncJob } | { type: 'abort' };
