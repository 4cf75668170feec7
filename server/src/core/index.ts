/** The engine's public surface: what the CLI, the language server and the HTTP API call. */
export { loadWorkspace, readProjectSettings, findDefinitionFiles } from './definitions/loadWorkspace';
export { analyzeDefinitions, type DefinitionFileText } from './definitions/analyzeDefinitions';
export { checkOverridesAgainstSnapshots } from './definitions/overrideChecks';
export type * from './definitions/types';
export * from './problems';
export * from './model';
export { runSync, applySyncPlan, summarize, type SyncRequest, type SyncOutcome } from './sync/runSync';
export { planSync, planHasChanges, type SyncPlan, type SyncOptions, type ContainerChange } from './sync/planSync';
export { describeChange, describeSnapshotChange } from './sync/describeChange';
export { OperationStore } from './history/operationStore';
export type { OperationRecord, OperationResult, OperationSummary } from './history/operationRecord';
