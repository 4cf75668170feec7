/** The engine's public surface: what the CLI, the language server and the HTTP API call. */
export { loadWorkspace, readProjectSettings, findDefinitionFiles } from './definitions/loadWorkspace';
export { analyzeDefinitions, type DefinitionFileText } from './definitions/analyzeDefinitions';
export { checkOverridesAgainstSnapshots } from './definitions/overrideChecks';
export type * from './definitions/types';
export * from './problems';
export * from './model';
export { runSync, type SyncRequest, type SyncOutcome } from './sync/runSync';
export { applySyncPlan } from './snapshots/applyPlan';
export { summarize } from './snapshots/plan';
export { planSync } from './sync/planSync';
export { planHasChanges, type SyncPlan, type ContainerChange } from './snapshots/plan';
export { type SyncOptions } from './model';
export { describeChange, describePlanChanges, describeSnapshotChange, describeSummary } from './snapshots/changes';
export { OperationStore } from './history/operationStore';
export type { OperationRecord, OperationResult, OperationSummary } from './history/operationRecord';
export {
  analyzeDefinitionFile, analyzeParsedYaml, combineDefinitionFiles, mentionsCatalogKind, type DefinitionFileAnalysis,
} from './definitions/analyzeDefinitions';
export { isDefinitionPath, readDefinitionText } from './definitions/loadWorkspace';
export { SNAPSHOTS_ON_DISK, type SnapshotSource } from './snapshots/snapshotCatalog';
export { datastoreSnapshotDir } from './snapshots/fileNames';
// Language features: plain data over the engine, mapped to LSP by server/src/lsp.
export type { CatalogView, FileEdit, FileLocation, TextEdit } from './language/catalogView';
export { SnapshotCatalog } from './snapshots/snapshotCatalog';
export { DocumentPartsAnalyzer } from './language/documentParts';
export { completionsAt, type CompletionCandidate } from './language/completion';
export { hoverAt, type HoverContent } from './language/hover';
export { definitionAt, prepareRenameAt, referencesAt, renameAt, unknownDatastoreMessage, type RenameResult } from './language/navigation';
export { documentSymbols, type CatalogSymbol } from './language/symbols';
export { codeLenses, type CodeLensData } from './language/codeLenses';
export { quickFixesFor, type QuickFix } from './language/quickFixes';
export { applySuppressions, isSuppressible, suppressInFile } from './language/suppressions';
export { describeTiming, upcomingRuns } from './language/scheduleText';
