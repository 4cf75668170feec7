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
export type { WorkspaceEdit } from 'vscode-languageserver-protocol';

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
  /**
   * The snapshot file of this container (where it was, for a removed or pruned one), filled by
   * catalog/listOperations; null when not known (its datastore is no longer defined).
   */
  snapshotUri?: string | null;
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

export interface SyncParams extends ProjectScoped, RequestSecrets {
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
  /** Operations created on or after this UTC day, `YYYY-MM-DD` (included). */
  from?: string;
  /** Operations created before this UTC day, `YYYY-MM-DD` (excluded): one day D is `from: D, to: D+1`. */
  to?: string;
  /** true: the result also carries `facets`, the counts a filter panel shows. */
  facets?: boolean;
  /**
   * true: the items leave out `changes` and `logs` (empty arrays; `summary` still counts the
   * changes), so a runs list stays small when a sync changed 20,000 containers. Ask for one
   * operation (`search: '#12'`) to get them.
   */
  summaryOnly?: boolean;
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
  /** Present when the params asked for `facets`. */
  facets?: OperationFacets;
}

/**
 * Counts for a filter panel, as faceted search counts them: each dimension counts the operations
 * matching every other filter of the params (search, container, from and to included) and
 * ignores its own, so the status counts are what each status would find with the other filters.
 */
export interface OperationFacets {
  /** Every result, 0 included. */
  status: Record<OperationResult, number>;
  /** Every operation is a sync (`catalog`, also called `sync`). */
  type: { catalog: number };
  /** The datastores with at least one operation, sorted by name. */
  datastores: { name: string; count: number }[];
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
  /** Working time in ms: start to end (a resumed operation leaves out the time it stood aborted); a running one until the answer was made. */
  durationMs: number;
  /** Where an aborted operation stopped writing; null before writing started. */
  checkpoint: { written: number; total: number } | null;
  resumedAt: string | null;
  summary: ChangeSummary | null;
  /** Empty in a summary (`summaryOnly`). */
  changes: ContainerChange[];
  /** Empty in a summary (`summaryOnly`). */
  logs: OperationLog[];
  /** How many of its logs are warnings or errors, a summary's too: a list can say "2 warnings" without carrying the logs. */
  warningCount: number;
}

/** client → server: the project's operation history, searched, filtered, sorted and paged like `cac history`. */
export namespace ListOperationsRequest {
  export const method = 'catalog/listOperations' as const;
  export const type = new RequestType<ListOperationsParams, ListOperationsResult, void>(method);
}

export interface AbortOperationParams extends ProjectScoped {
  operationId: number;
}

export interface AbortOperationResult {
  /** True when the running sync was asked to stop (this server's, or another process's through its abort marker); it then ends `aborted`. */
  aborted: boolean;
  message: string;
}

/** client → server: abort a running sync, this server's or one the CLI, a daemon or the API runs (cooperatively; written files stay complete). */
export namespace AbortOperationRequest {
  export const method = 'catalog/abortOperation' as const;
  export const type = new RequestType<AbortOperationParams, AbortOperationResult, void>(method);
}

export interface OperationChangedParams {
  operationId: number;
  datastore: string;
  result: OperationResult;
  /** `phase`: what the sync is counting (`listing`, `describing`, `staging`, `writing`…), when this server runs it. */
  progress?: { done: number; total: number | null; phase?: string };
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
  /** Definition files answered from the analyses the server kept from an earlier session (not parsed again). */
  filesFromCache: number;
  durationMs: number;
  /** How the server learns about changed files: the client's watcher, or its own. */
  fileEvents: 'client' | 'server';
}

/**
 * server → client: every project's definition files were read and analyzed; features (trees,
 * completion, navigation, syncs) answer from now on. The checks that read snapshots follow in
 * the background: {@link WorkspaceCheckedNotification} says when all diagnostics are out.
 */
export namespace WorkspaceLoadedNotification {
  export const method = 'catalog/workspaceLoaded' as const;
  export const type = new NotificationType<WorkspaceLoadedParams>(method);
}

export interface WorkspaceCheckedParams {
  roots: string[];
  /** Definition files with at least one problem (errors, warnings and hints). */
  filesWithProblems: number;
  /** Since the load started (the same clock as {@link WorkspaceLoadedParams.durationMs}). */
  durationMs: number;
}

/** server → client: after workspaceLoaded, every definition file was checked (overrides against snapshots included) and its diagnostics published. */
export namespace WorkspaceCheckedNotification {
  export const method = 'catalog/workspaceChecked' as const;
  export const type = new NotificationType<WorkspaceCheckedParams>(method);
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
  /** False in an untrusted workspace (see `catalog/trustChanged`); default true. */
  trusted?: boolean;
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
export interface DatastoreItem extends DatastoreDetails {
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
  /** Its snapshot file; null when it has none (a removed container). */
  snapshotUri: string | null;
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

/*
 * ---------------------------------------------------------------------------------------------
 * The editor's flows (issue 16): previews a person applies, secrets for one request, restricted
 * mode, operation actions, identifier choices, new definitions, connection tests, snapshot
 * changes against git. Each request is answered by the engine; the VS Code extension is one client.
 * ---------------------------------------------------------------------------------------------
 */

/**
 * Values of `${env:VAR}` references for one request only (from the editor's secret storage):
 * they overlay the server's environment for that sync or test and are never stored, logged or
 * recorded. Keys are variable names.
 */
export interface RequestSecrets {
  env?: Record<string, string>;
}

/** `catalog/preview` answer for editors: a plan to apply, its files listed without their texts. */
export interface PlanPreviewResult extends SyncResult {
  /** Names this exact plan for `catalog/applyPreview`; null when the preview could not plan (failure). */
  planId: string | null;
  files: PlannedFile[];
}

export interface PlannedFile {
  uri: string;
  action: 'write' | 'delete';
  /** The container the file describes; absent for a datastore's index file. */
  container?: string;
  /** sha256 (hex) of the file's text on disk when the preview was made; null when it does not exist. */
  committedHash: string | null;
}

/** client → server: what a sync would write, as a plan the user can look at file by file, then apply. Writes nothing, records nothing. */
export namespace PreviewPlanRequest {
  export const method = 'catalog/previewPlan' as const;
  export const type = new RequestType<SyncParams, PlanPreviewResult, void>(method);
}

export interface PlanFileTextParams {
  planId: string;
  uri: string;
}

export interface PlanFileText {
  /** The text on disk when the preview was made (null: the file did not exist). */
  committed: string | null;
  /** The text the plan writes (null: the plan deletes the file). */
  planned: string | null;
}

/** client → server: the two texts of one planned file, on request (10,000 changed files do not travel at once). */
export namespace PlanFileTextRequest {
  export const method = 'catalog/planFileText' as const;
  export const type = new RequestType<PlanFileTextParams, PlanFileText, void>(method);
}

export interface ApplyPreviewParams extends RequestSecrets {
  planId: string;
  workDoneToken?: ProgressToken;
}

/**
 * `applied`: the sync ran and wrote exactly the previewed files (its operation is recorded).
 * `stale`: the source or the snapshots moved since the preview; nothing was written or recorded,
 * and `preview` is the new plan to show instead. `expired`: the server no longer holds the plan
 * (restarted, or a newer preview replaced it); preview again.
 */
export type ApplyPreviewResult =
  | { status: 'applied'; result: SyncResult }
  | { status: 'stale'; message: string; preview: PlanPreviewResult }
  | { status: 'expired'; message: string };

/** client → server: write exactly the plan a preview showed, or say why not. Cancellable like `catalog/sync`. */
export namespace ApplyPreviewRequest {
  export const method = 'catalog/applyPreview' as const;
  export const type = new RequestType<ApplyPreviewParams, ApplyPreviewResult, void>(method);
}

export interface OperationActionParams extends ProjectScoped, RequestSecrets {
  operationId: number;
  workDoneToken?: ProgressToken;
}

/** client → server: resume an aborted operation (same id, from its checkpoint). */
export namespace ResumeOperationRequest {
  export const method = 'catalog/resumeOperation' as const;
  export const type = new RequestType<OperationActionParams, SyncResult, void>(method);
}

/** client → server: run an operation's datastore again with the same options (a new operation). */
export namespace RerunOperationRequest {
  export const method = 'catalog/rerunOperation' as const;
  export const type = new RequestType<OperationActionParams, SyncResult, void>(method);
}

export interface DeleteOperationResult {
  deleted: boolean;
  message: string;
}

/** client → server: delete a finished operation from history (a running one is refused). */
export namespace DeleteOperationRequest {
  export const method = 'catalog/deleteOperation' as const;
  export const type = new RequestType<OperationActionParams, DeleteOperationResult, void>(method);
}

/** The extra a datastore item carries for editors (`catalog/listDatastores`). */
export interface DatastoreDetails {
  /** The definition file. */
  definitionUri: string;
  /** The folder of its snapshots (may not exist yet). */
  snapshotsUri: string;
  /** `${env:VAR}` variables its connection settings reference (for "Set Password…"). */
  envReferences: string[];
  /** The options a sync without any takes (the seed's automatic sync defaults come from here). */
  defaults: { prune: boolean; recreate: boolean; include: IncludeKind[] | null };
}

/** What a snapshot or definition file is, for "Reveal in Catalog". */
export interface LocateParams {
  uri: string;
}

export interface LocateResult {
  /** Null when the file is neither a snapshot nor a definition of an open project. */
  datastore: string | null;
  container: string | null;
  projectUri: string | null;
}

export namespace LocateRequest {
  export const method = 'catalog/locate' as const;
  export const type = new RequestType<LocateParams, LocateResult, void>(method);
}

export interface IdentifierCandidate {
  field: string;
  type: string;
  /** How the sync would use it (`timestamp`, `id`, `date`…). */
  strategy: string;
}

export interface IdentifierChoicesParams extends ProjectScoped {
  datastore: string;
  container: string;
}

export interface IdentifierChoices {
  incremental: { current: IdentifierItem | null; candidates: IdentifierCandidate[] };
  partition: { current: IdentifierItem | null; candidates: IdentifierCandidate[] };
}

/** client → server: the fields that can serve as each identifier of a container (the sync's own rules), and what is set now. */
export namespace IdentifierChoicesRequest {
  export const method = 'catalog/identifierChoices' as const;
  export const type = new RequestType<IdentifierChoicesParams, IdentifierChoices, void>(method);
}

/** A datastore type and what a definition of it needs (for an "Add Datastore" form). */
export interface DatastoreTypeItem {
  type: string;
  title: string;
  storeType: 'jdbc' | 'dfs';
  /** The settings to ask for, in order. `secret`: ask for an env reference or a value for secret storage. */
  settings: { path: string[]; title: string; required: boolean; secret: boolean; kind: 'string' | 'number' | 'path' | 'boolean'; default?: string | number | boolean }[];
}

export namespace ListDatastoreTypesRequest {
  export const method = 'catalog/listDatastoreTypes' as const;
  export const type = new RequestType<ProjectScoped, { items: DatastoreTypeItem[] }, void>(method);
}

export interface NewDatastoreParams extends ProjectScoped {
  name: string;
  type: string;
  /** Values by dotted path (`connection.host`, `root`); secrets only as `${env:VAR}` references. */
  settings: Record<string, string | number | boolean>;
}

export interface NewDatastoreResult {
  /** Creates the definition file (in the folder the project's datastores use). */
  edit: WorkspaceEdit;
  uri: string;
  text: string;
}

/** client → server: the definition file of a new datastore, validated, as an edit to apply. */
export namespace NewDatastoreRequest {
  export const method = 'catalog/newDatastore' as const;
  export const type = new RequestType<NewDatastoreParams, NewDatastoreResult | { problems: string[] }, void>(method);
}

export interface NewProjectParams {
  /** The folder to hold `catalog.yaml`. */
  folderUri: string;
}

/** client → server: a new project's `catalog.yaml` and a first datastore skeleton, as one edit. */
export namespace NewProjectRequest {
  export const method = 'catalog/newProject' as const;
  export const type = new RequestType<NewProjectParams, { edit: WorkspaceEdit; datastoreUri: string }, void>(method);
}

export interface TestConnectionParams extends ProjectScoped, RequestSecrets {
  /** A datastore of the project… */
  datastore?: string;
  /** …or a definition not written yet (`catalog/newDatastore`'s params). */
  definition?: NewDatastoreParams;
}

export interface TestConnectionResult {
  ok: boolean;
  /** `Connected to PostgreSQL 16.4 as reader (read-only).` or what failed and what to do. */
  message: string;
  durationMs: number;
}

/** client → server: open the source read-only, run one harmless read, close. Refused in restricted mode. */
export namespace TestConnectionRequest {
  export const method = 'catalog/testConnection' as const;
  export const type = new RequestType<TestConnectionParams, TestConnectionResult, void>(method);
}

export interface SnapshotChange {
  uri: string;
  datastore: string;
  container: string | null;
  change: 'added' | 'modified' | 'deleted';
}

/** client → server: snapshot files that differ from git's HEAD (working tree, staged or not). Empty outside git; refused in restricted mode (git runs the repository's configuration). */
export namespace SnapshotChangesRequest {
  export const method = 'catalog/snapshotChanges' as const;
  export const type = new RequestType<ProjectScoped, { items: SnapshotChange[] }, void>(method);
}

/** client → server: a file's text at git's HEAD (null when HEAD does not have it). Refused in restricted mode. */
export namespace CommittedTextRequest {
  export const method = 'catalog/committedText' as const;
  export const type = new RequestType<{ uri: string }, { text: string | null }, void>(method);
}

/** Sent as `initializationOptions.trusted` and by this notification when the user grants trust. */
export interface TrustParams {
  trusted: boolean;
}

/**
 * client → server: the workspace's trust changed. Untrusted (restricted mode), the server
 * validates, completes and answers trees from committed files, and refuses every request that
 * connects to a source or writes (sync, preview, apply, resume, rerun, test connection).
 */
export namespace TrustChangedNotification {
  export const method = 'catalog/trustChanged' as const;
  export const type = new NotificationType<TrustParams>(method);
}

/** The code of the error the server answers in restricted mode. */
export const RESTRICTED_MODE_ERROR = -32901;

/**
 * The Activity insights (`cac history activity`, `GET /api/operations/activity`): days are UTC
 * days, `YYYY-MM-DD`; the range is [from, to), by default the last 365 days up to today.
 */
export interface OperationActivityParams extends ProjectScoped {
  /** First UTC day, included. */
  from?: string;
  /** The UTC day after the last one, excluded. */
  to?: string;
  /** A datastore name or numeric id. */
  datastore?: string;
}

export interface ActivityCounts {
  total: number;
  running: number;
  success: number;
  warning: number;
  failure: number;
  aborted: number;
}

export interface ActivityDay extends ActivityCounts {
  date: string;
  /** Heatmap intensity: 0 for none, then 1–4 by quarters of `maxPerDay`. */
  level: 0 | 1 | 2 | 3 | 4;
}

export interface ActivityOperation {
  id: number;
  datastore: { id: number; name: string };
  result: OperationResult;
  created: string;
  startTime: string;
  endTime: string | null;
  /** Working time when finished, elapsed time when running. */
  durationMs: number;
  message: string | null;
}

export interface OperationActivityResult {
  from: string;
  to: string;
  datastore: string | null;
  /** One per UTC day of [from, to), in order. */
  days: ActivityDay[];
  totals: ActivityCounts;
  maxPerDay: number;
  /** Finished operations, longest first. */
  longest: ActivityOperation[];
  /** Running operations, longest elapsed first. */
  running: ActivityOperation[];
  /** Failures and warnings, newest first. */
  failing: ActivityOperation[];
}

/** client → server: operations per UTC day, totals per result, the longest and failing ones (the Activity heatmap). */
export namespace OperationActivityRequest {
  export const method = 'catalog/operationActivity' as const;
  export const type = new RequestType<OperationActivityParams, OperationActivityResult, void>(method);
}
