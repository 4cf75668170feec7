/**
 * The custom messages of the Catalog as Code language server, typed once for the server and
 * its clients (the VS Code extension imports this file). Every method is namespaced
 * `catalog/…`; each namespace below has its `method`, its `type` and one line saying who sends
 * it and why. Standard LSP covers everything else (diagnostics, completion, hover, …).
 *
 * Long requests (`catalog/sync`, `catalog/preview`) report LSP work-done progress: pass a
 * `workDoneToken` in the params, or let the server create one with `window/workDoneProgress/create`
 * when the client announced `window.workDoneProgress`. Cancelling the request (`$/cancelRequest`)
 * or the server-created progress (`window/workDoneProgress/cancel`) aborts the operation, which
 * then ends `aborted`.
 */
/* eslint-disable @typescript-eslint/no-namespace -- the LSP convention (as in vscode-languageserver-protocol): each message is a namespace holding its method and type. */
import { NotificationType, RequestType, type ProgressToken, type WorkspaceEdit } from 'vscode-languageserver-protocol';

/*
 * The payloads are this module's own types, camelCase, filled by the server (lsp/convert.ts) from
 * the engine's values: a client depends on this file only, never on the engine's records.
 */

export type OperationResult = 'running' | 'success' | 'warning' | 'failure' | 'aborted';

/** Which containers a sync covers; files of a file store are always covered. */
export type IncludeKind = 'table' | 'view';

/**
 * What a sync does to one container: `missing` (the source no longer lists it; its snapshot is
 * kept), `pruned` (missing, snapshot deleted), `removed` (a person removed it from the catalog),
 * `still_removed` (removed, and not recreated), `recreated`, `new`, `changed`, `unchanged`.
 */
export type ChangeAction = 'new' | 'changed' | 'unchanged' | 'missing' | 'pruned' | 'recreated' | 'still_removed' | 'removed';

/** How many containers each action touched. */
export type ChangeSummary = Record<ChangeAction, number>;

export interface ContainerChange {
  name: string;
  action: ChangeAction;
  /** table, view, file…; absent when not known (records written before kinds were kept). */
  kind?: string;
  /** What happened, in short sentences (`field phone added (TEXT)`). */
  details?: string[];
}

/** A message an operation logged: a permission gap, an unreadable file, an override that cannot apply. */
export interface OperationLog {
  level: 'info' | 'warning' | 'error';
  /** Stable code, e.g. `file-unreadable`. */
  code: string;
  message: string;
  container?: string;
  /** Path relative to a file store's root. */
  file?: string;
  /** With code `globbed`: why files are one container (its pattern, the parts that vary, how many files, which were read). */
  grouping?: { pattern: string; files: number; varying: string[]; sampled: string[]; pinned?: boolean };
}

/** Which project a request is about: any file or folder URI inside it. Optional with one project open. */
export interface ProjectScoped {
  projectUri?: string;
}

export interface SyncParams extends ProjectScoped {
  /** The datastore's `name`. */
  datastore: string;
  /** Undefined options fall back to the datastore's defaults, as `cac sync` does. */
  prune?: boolean;
  recreate?: boolean;
  include?: IncludeKind[];
  forcePrune?: boolean;
  workDoneToken?: ProgressToken;
}

export interface SyncResult {
  datastore: string;
  /** The operation recorded in history; null for a preview, or when nothing could start. */
  operationId: number | null;
  /** `refused`: the sync never started (another sync holds the datastore); nothing was recorded. */
  result: OperationResult | 'refused';
  message: string | null;
  /** True when the sync wrote (or, in a preview, would write) any committed file. */
  changed: boolean;
  durationMs: number;
  summary: ChangeSummary | null;
  /** One entry per container that changed (unchanged ones are only counted in `summary`). */
  changes: ContainerChange[];
  logs: OperationLog[];
}

/** A preview: the sync's result plus every file it would write or delete, with the new text. */
export interface PreviewResult extends SyncResult {
  files: PreviewFile[];
}

export interface PreviewFile {
  uri: string;
  action: 'write' | 'delete';
  /** The text that would be written (for `write`), so a client can show a diff before syncing. */
  text?: string;
}

/** client → server: sync one datastore and write its snapshots, recording an operation. */
export namespace SyncRequest {
  export const method = 'catalog/sync' as const;
  export const type = new RequestType<SyncParams, SyncResult, void>(method);
}

/** client → server: what a sync would change (a dry run); writes nothing, records nothing. */
export namespace PreviewRequest {
  export const method = 'catalog/preview' as const;
  export const type = new RequestType<SyncParams, PreviewResult, void>(method);
}

/** The history query of `cac history` and `GET /api/operations`, answered by the same engine function. */
export interface ListOperationsParams extends ProjectScoped {
  /** An operation id (`12` or `#12`), or part of a datastore, schedule or triggered-by text. */
  search?: string;
  /** `created` (the default) or `duration`. */
  sort?: 'created' | 'duration';
  /** `desc` (the default): newest or longest first. */
  order?: 'asc' | 'desc';
  /** `catalog` and `sync` name the same operation type. */
  type?: 'catalog' | 'sync';
  status?: OperationResult[];
  /** A datastore name or numeric id. */
  datastore?: string;
  /** Operations that changed or logged this container (table). */
  container?: string;
  /** 1-based page of `size` items (default 1 and 50; at most 1,000 per page). */
  page?: number;
  size?: number;
}

export interface ListOperationsResult {
  items: OperationItem[];
  total: number;
  page: number;
  size: number;
  pages: number;
}

/** One operation of the history (the seed's Operation Detail). */
export interface OperationItem {
  id: number;
  type: 'catalog';
  /** ISO 8601 UTC times. */
  created: string;
  startTime: string;
  endTime: string | null;
  result: OperationResult;
  message: string | null;
  triggeredBy: string;
  datastore: { id: number; name: string; storeType: 'jdbc' | 'dfs'; type: string };
  /** The schedule that started it; null for a manual run. */
  schedule: string | null;
  /** null for a file store, where include does not apply (files are always covered). */
  include: IncludeKind[] | null;
  prune: boolean;
  recreate: boolean;
  forcePrune: boolean;
  progress: { done: number; total: number | null; phase?: 'discovering' | 'writing' | 'finished' };
  /** Where an aborted operation stopped writing; null before writing started. */
  checkpoint: { written: number; total: number } | null;
  resumedAt: string | null;
  summary: ChangeSummary | null;
  changes: ContainerChange[];
  logs: OperationLog[];
}

/** client → server: the project's operation history, searched, filtered, sorted and paged like `cac history`. */
export namespace ListOperationsRequest {
  export const method = 'catalog/listOperations' as const;
  export const type = new RequestType<ListOperationsParams, ListOperationsResult, void>(method);
}

export interface AbortOperationParams {
  operationId: number;
}

export interface AbortOperationResult {
  /** True when a running sync of this server was asked to stop; it then ends `aborted`. */
  aborted: boolean;
  message: string;
}

/** client → server: abort a sync this server is running (cooperatively; written files stay complete). */
export namespace AbortOperationRequest {
  export const method = 'catalog/abortOperation' as const;
  export const type = new RequestType<AbortOperationParams, AbortOperationResult, void>(method);
}

export interface OperationChangedParams {
  operationId: number;
  datastore: string;
  result: OperationResult;
  progress?: { done: number; total: number | null };
}

/**
 * server → client: an operation started, progressed or finished (refresh views): one this server
 * runs, or any other whose record the server sees change (the CLI, a daemon, the API).
 */
export namespace OperationChangedNotification {
  export const method = 'catalog/operationChanged' as const;
  export const type = new NotificationType<OperationChangedParams>(method);
}

export interface WorkspaceLoadedParams {
  /** The project roots the server watches. */
  roots: string[];
  files: number;
  datastores: number;
  durationMs: number;
  /** How the server learns about changed files: the client's watcher, or its own. */
  fileEvents: 'client' | 'server';
}

/** server → client: every project was read and its diagnostics published; features answer from now on. */
export namespace WorkspaceLoadedNotification {
  export const method = 'catalog/workspaceLoaded' as const;
  export const type = new NotificationType<WorkspaceLoadedParams>(method);
}

/** Command ids a code lens carries; `workspace/executeCommand` runs them as the requests above. */
export const CatalogCommands = {
  sync: 'catalog.sync',
  preview: 'catalog.preview',
} as const;

/** What a client may pass as `initializationOptions`. */
export interface CatalogInitializationOptions {
  /** Milliseconds to wait after the last edit before validating (default 25; 0 validates at once). */
  validationDelayMs?: number;
  /**
   * Set false when the client runs the lens commands itself (by sending `catalog/sync` and
   * `catalog/preview`); the server then does not register them for `workspace/executeCommand`.
   */
  executeCommands?: boolean;
}

/**
 * An identifier override set or dropped from a tree (the seed's container settings): the server
 * answers with the comment-preserving edit of the Overrides file (created when there is none),
 * for the client to apply. The same engine edit as `cac override set|unset`.
 */
export interface OverrideEditParams extends ProjectScoped {
  datastore: string;
  container: string;
  /** A field name, null for "no identifier", `automatic` to drop the override; absent: unchanged. */
  incrementalIdentifier?: string | null;
  partitionIdentifier?: string | null;
}

export interface OverrideEditResult {
  /** Empty when nothing changes. */
  edit: WorkspaceEdit;
  /** The Overrides file edited or created. */
  uri: string;
  created: boolean;
}

export namespace OverrideEditRequest {
  export const method = 'catalog/overrideEdit' as const;
  export const type = new RequestType<OverrideEditParams, OverrideEditResult, void>(method);
}

/** The datastores of a project, for a tree's first level. */
export interface DatastoreItem {
  name: string;
  type: string;
  storeType: 'jdbc' | 'dfs';
  /** Containers in its committed snapshots; 0 when never synced. */
  containers: number;
  lastOperation: { id: number; result: OperationResult; endTime: string | null } | null;
}

export namespace ListDatastoresRequest {
  export const method = 'catalog/listDatastores' as const;
  export const type = new RequestType<ProjectScoped, { items: DatastoreItem[] }, void>(method);
}

export interface ListContainersParams extends ProjectScoped {
  datastore: string;
  /** 0-based first container of the page (default 0) and the page size (default 200, at most 1,000). */
  offset?: number;
  limit?: number;
}

export interface IdentifierItem {
  field: string | null;
  strategy: string;
  source: 'detected' | 'override';
}

export interface ContainerItem {
  name: string;
  kind: string;
  missingFromSource: boolean;
  fields: number;
  incremental: IdentifierItem | null;
  partition: IdentifierItem | null;
}

export interface ListContainersResult {
  items: ContainerItem[];
  total: number;
  /** Containers removed from the catalog (kept out of syncs until one recreates them). */
  removed: string[];
}

export namespace ListContainersRequest {
  export const method = 'catalog/listContainers' as const;
  export const type = new RequestType<ListContainersParams, ListContainersResult, void>(method);
}

export interface ListFieldsParams extends ProjectScoped {
  datastore: string;
  container: string;
}

export interface FieldItem {
  name: string;
  type: string;
  nullable: boolean;
  primaryKey: number | null;
  identifierOf: ('incremental' | 'partition')[];
}

export namespace ListFieldsRequest {
  export const method = 'catalog/listFields' as const;
  export const type = new RequestType<ListFieldsParams, { items: FieldItem[] }, void>(method);
}

export interface ScheduleItem {
  name: string;
  datastore: string;
  enabled: boolean;
  timing: string | null;
  /** ISO 8601, UTC. */
  nextRuns: string[];
}

export namespace ListSchedulesRequest {
  export const method = 'catalog/listSchedules' as const;
  export const type = new RequestType<ProjectScoped, { items: ScheduleItem[] }, void>(method);
}
