/**
 * The engine's public surface: everything the CLI, the language server and the HTTP API may
 * call. Hosts import from here and nowhere deeper (a lint rule holds them to it), so what the
 * engine offers its hosts is this one list.
 */

// Plain data shared by every layer.
export * from './model';
export * from './problems';
export { ENGINE_VERSION } from './version';
export { compareByName, compareText } from './text/order';
export { didYouMean, nearestNames } from './text/nearestNames';
export { visible } from './text/visible';
export { isFolder } from './fs/readFiles';
export { writeFileAtomicallySync } from './fs/atomicFiles';

// Definitions: reading and validating what users write.
export type * from './definitions/types';
export { loadWorkspace, readWorkspaceFile } from './definitions/loadWorkspace';
export { PROJECT_FILE, isProjectFile, readProjectSettings } from './definitions/projectSettings';
export { findDefinitionFiles, isDefinitionPath, mentionsCatalogKind, readDefinitionText } from './definitions/definitionFiles';
export { analyzeDefinitionFile, analyzeDefinitions, analyzeParsedYaml, combineDefinitionFiles, type DefinitionFileAnalysis, type DefinitionFileText } from './definitions/analyzeDefinitions';
export { checkOverridesAgainstSnapshots } from './definitions/overrideChecks';
export { checkSurroundings } from './definitions/environmentChecks';
export { planOverrideEdit, type OverrideEdit, type OverrideEditRequest } from './definitions/overrideEdits';
export { nextRuns } from './definitions/scheduleTiming';

// Snapshots: the committed catalog.
export { datastoreSnapshotDir, encodeSnapshotBase } from './snapshots/fileNames';
export { SNAPSHOTS_ON_DISK, SnapshotCatalog, type SnapshotSource } from './snapshots/snapshotCatalog';
export { countBreaking, describeChange, describePlanChanges, describeSnapshotChange, describeSummary, type DescribedChange } from './snapshots/changes';
export { planHasChanges, summarize, type ChangeSummary, type ContainerChange, type SyncPlan } from './snapshots/plan';

// Sync: the pipeline every host runs.
export { runSync, startSync, type StartedSync, type SyncOutcome, type SyncRequest } from './sync/runSync';
export { presentSyncOutcome, type SyncOutcomeView } from './sync/presentOutcome';
export { hashOfText, planFingerprint, plannedFileChanges, type PlannedFileChange } from './sync/plannedFiles';
export { removeContainers, type RemoveRequest } from './sync/removeContainers';

// Operations and their history.
export { OperationStore } from './history/operationStore';
export { type OperationRow } from './history/operationIndex';
export { OPERATION_RESULTS, presentOperation, type OperationRecord, type OperationResult, type OperationSummary } from './history/operationRecord';
export {
  DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, durationMs, operationQueryProblem, OperationQueryError, queryOperations, type OperationFacets, type OperationPage, type OperationQuery,
} from './history/operationQuery';
export {
  activityLevel, activityQueryProblem, activityRange, ActivityQueryError, DEFAULT_ACTIVITY_LIMIT, operationActivity,
  type ActivityCounts, type ActivityDay, type ActivityOperation, type ActivityQuery, type OperationActivity,
} from './history/activity';
export { isUtcDay } from './history/utcDays';
export {
  ActionRefused, checkRerun, checkResume, definitionProblem, deleteOperation, findDatastore, requestOperationAbort, settle,
  type ActionCheck, type ActionRefusal,
} from './operations/operationActions';
export { triggeredBy } from './operations/triggeredBy';
export type { LockHolder } from './operations/fileLock';

// Schedules.
export { runDueSchedules, type ScheduleReport } from './schedules/runDue';
export { INITIAL_SYNC_TRIGGER, runInitialSync, runScheduledSync, scheduledRunners, syncOptionsOfSchedule, type ScheduleHost } from './schedules/scheduledSync';
export { abortableSleep, runScheduler, type SchedulerEvent } from './schedules/scheduler';
export { ScheduleStateStore } from './schedules/scheduleState';

// Reviews of snapshot changes: `cac diff`, and `cac sync --format markdown`.
export { compareSnapshotTrees } from './review/compareSnapshotTrees';
export { openGitRepository, readGitSnapshots, resolveCommit, type GitCatalogRepository } from './review/gitSnapshotTree';
export { ReviewInputError, readWorkingTreeSnapshots, treeAfterPlan, type SnapshotTree } from './review/snapshotTree';
export { reviewSyncOutcomes, type SyncToReview } from './review/syncReview';
export { DEFAULT_MARKDOWN_BUDGET, GITHUB_COMMENT_LIMIT, renderReviewMarkdown, reviewMarker, sidesLine, type MarkdownOptions } from './review/renderMarkdown';
export { renderReviewText, type TextStyle } from './review/renderText';
export { reviewJson } from './review/reviewJson';
export type * from './review/reviewModel';

// Language features: plain data over the engine, which an editor host maps to its protocol.
export { CatalogProject } from './language/catalogProject';
export { DefinitionAnalysisCache } from './language/definitionCache';
export type { CatalogView, FileEdit, FileLocation, TextEdit } from './language/catalogView';
export { DocumentPartsAnalyzer } from './language/documentParts';
export { completionsAt, type CompletionCandidate } from './language/completion';
export { hoverAt, type HoverContent } from './language/hover';
export { containerFields, containerPage, datastoreSummaries, scheduleSummaries, snapshotFileLocator, warmDatastore, type ContainerPage, type DatastoreSummary, type FieldSummary, type ScheduleSummary } from './language/catalogTree';
export { definitionAt, prepareRenameAt, referencesAt, renameAt, unknownDatastoreMessage, type RenameResult } from './language/navigation';
export { documentSymbols, type CatalogSymbol } from './language/symbols';
export { codeLenses, type CodeLensData } from './language/codeLenses';
export { quickFixesFor, type QuickFix } from './language/quickFixes';
export { applySuppressions, isSuppressible, suppressInFile } from './language/suppressions';
export { describeTiming, upcomingRuns } from './language/scheduleText';

// Editor flows (issue 16): what a file is, identifier choices, new definitions, connection tests, changes against git.
export { envReferencesOf, syncDefaultsOf, type SyncDefaults } from './definitions/datastoreFacts';
export { locateFile } from './language/locateFile';
export { identifierChoices, type IdentifierChoices } from './language/identifierChoices';
export { datastoreTypeForms, type DatastoreTypeForm, type SettingField } from './language/datastoreTypeForms';
export { draftDatastore, planNewDatastore, planNewProject, type NewDatastoreRequest, type NewFile } from './language/newDefinitions';
export { testConnection, type ConnectionTestOptions, type ConnectionTestResult } from './language/connectionTest';
export { committedText, snapshotChanges, type SnapshotFileChange } from './language/gitChanges';
