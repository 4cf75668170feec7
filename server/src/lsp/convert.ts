import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CompletionItemKind, DiagnosticSeverity, DiagnosticTag, InsertTextFormat, InsertTextMode, MarkupKind, SymbolKind,
  type CompletionItem, type Diagnostic, type DocumentSymbol, type Location, type Range, type WorkspaceEdit,
} from 'vscode-languageserver/node';
import {
  durationMs, ProblemCode, type ActivityOperation as EngineActivityOperation, type CatalogSymbol, type CompletionCandidate, type FileLocation, type OperationActivity, type OperationRecord, type Problem, type SyncOutcomeView,
} from '../core';
import type { ActivityOperation, ChangeAction, OperationActivityResult, OperationItem, SyncResult } from '../protocol/catalogProtocol';

/**
 * Maps the engine's plain data to LSP types and to the payloads of the catalog protocol, and
 * back. The engine's ranges are already zero-based with UTF-16 columns, which is LSP's default
 * position encoding.
 */

/** The absolute path of a `file:` URI; undefined for other schemes (untitled buffers, git views). */
export function pathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function uriOf(file: string): string {
  return pathToFileURL(file).href;
}

/** What a diagnostic carries back to `textDocument/codeAction`, so quick fixes need no recomputation. */
export interface DiagnosticData {
  suggestions?: string[];
}

export function toDiagnostic(problem: Problem): Diagnostic {
  const diagnostic: Diagnostic = {
    range: problem.range,
    severity: problem.severity === 'error' ? DiagnosticSeverity.Error : problem.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
    code: problem.code,
    source: 'cac',
    message: problem.message,
  };
  if (problem.code === ProblemCode.UnusedSuppression) diagnostic.tags = [DiagnosticTag.Unnecessary];
  if (problem.suggestions) diagnostic.data = { suggestions: problem.suggestions } satisfies DiagnosticData;
  return diagnostic;
}

/** The engine's view of a diagnostic the client sent back with a code action request. */
export function problemOf(diagnostic: Diagnostic, file: string): Pick<Problem, 'code' | 'severity' | 'range' | 'suggestions' | 'file'> | undefined {
  if (diagnostic.source !== 'cac' || typeof diagnostic.code !== 'string') return undefined;
  const data = diagnostic.data as DiagnosticData | undefined;
  return {
    code: diagnostic.code as Problem['code'],
    severity: diagnostic.severity === DiagnosticSeverity.Error ? 'error' : diagnostic.severity === DiagnosticSeverity.Warning ? 'warning' : 'info',
    range: diagnostic.range,
    suggestions: Array.isArray(data?.suggestions) ? data.suggestions.filter((s): s is string => typeof s === 'string') : undefined,
    file,
  };
}

export function toLocation(location: FileLocation): Location {
  return { uri: uriOf(location.file), range: location.range };
}

const COMPLETION_KINDS: Record<CompletionCandidate['kind'], CompletionItemKind> = {
  property: CompletionItemKind.Property,
  value: CompletionItemKind.Value,
  datastore: CompletionItemKind.Reference,
  container: CompletionItemKind.Class,
  field: CompletionItemKind.Field,
  preset: CompletionItemKind.Snippet,
  kind: CompletionItemKind.EnumMember,
  skeleton: CompletionItemKind.Snippet,
};

export function toCompletionItem(candidate: CompletionCandidate): CompletionItem {
  const item: CompletionItem = {
    label: candidate.label,
    kind: COMPLETION_KINDS[candidate.kind],
    textEdit: { range: candidate.replace, newText: candidate.insertText },
    insertTextFormat: InsertTextFormat.PlainText,
    // Inserted lines already carry their indentation; a client must not add its own.
    insertTextMode: InsertTextMode.asIs,
  };
  if (candidate.detail) item.detail = candidate.detail;
  if (candidate.documentation) item.documentation = { kind: MarkupKind.Markdown, value: candidate.documentation };
  if (candidate.filterText) item.filterText = candidate.filterText;
  if (candidate.sortText) item.sortText = candidate.sortText;
  if (candidate.preselect) item.preselect = true;
  return item;
}

const SYMBOL_KINDS: Record<CatalogSymbol['kind'], SymbolKind> = {
  datastore: SymbolKind.Class,
  schedule: SymbolKind.Event,
  overrides: SymbolKind.Namespace,
  project: SymbolKind.Package,
  container: SymbolKind.Struct,
  identifier: SymbolKind.Field,
};

export function toDocumentSymbol(symbol: CatalogSymbol): DocumentSymbol {
  return {
    name: symbol.name,
    detail: symbol.detail,
    kind: SYMBOL_KINDS[symbol.kind],
    range: symbol.range,
    selectionRange: symbol.selectionRange,
    children: symbol.children.map(toDocumentSymbol),
  };
}

export function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** A sync's outcome as the engine presents it to every host, in the protocol's shape. */
export function toSyncResult(view: SyncOutcomeView): SyncResult {
  return {
    datastore: view.datastore,
    operationId: view.operation_id,
    result: view.result,
    message: view.message,
    changed: view.changed,
    durationMs: view.duration_ms,
    summary: view.summary,
    changes: view.changes,
    logs: view.logs,
  };
}

/**
 * An operation record in the protocol's shape: camelCase, no internal fields; `snapshotUriOf`
 * gives each change its snapshot file (null when not known).
 */
/** An operation record in the protocol's shape; a summary leaves out its changes and logs (not their counts). */
export function toOperationItem(record: OperationRecord, snapshotUriOf: (change: OperationRecord['changes'][number]) => string | null, now: Date, summaryOnly = false): OperationItem {
  let warningCount = 0;
  for (const log of record.logs) if (log.level !== 'info') warningCount++;
  return {
    id: record.id,
    type: record.type,
    created: record.created,
    startTime: record.start_time,
    endTime: record.end_time,
    result: record.result,
    message: record.message,
    triggeredBy: record.triggered_by,
    datastore: { id: record.datastore.id, name: record.datastore.name, storeType: record.datastore.store_type, type: record.datastore.type },
    schedule: record.schedule,
    include: record.include,
    prune: record.prune,
    recreate: record.recreate,
    forcePrune: record.force_prune ?? false,
    progress: record.progress,
    durationMs: durationMs(record, now),
    checkpoint: record.checkpoint ?? null,
    resumedAt: record.resumed_at ?? null,
    summary: record.summary,
    // Records are local files: an action this engine does not know is passed on as it is.
    changes: summaryOnly ? [] : record.changes.map((change) => ({ ...change, action: change.action as ChangeAction, snapshotUri: snapshotUriOf(change) })),
    logs: summaryOnly ? [] : record.logs,
    warningCount,
  };
}

/** The engine's activity in the protocol's shape (camelCase). */
export function toOperationActivityResult(activity: OperationActivity): OperationActivityResult {
  return {
    from: activity.from,
    to: activity.to,
    datastore: activity.datastore,
    days: activity.days.map((day) => ({ ...day })),
    totals: { ...activity.totals },
    maxPerDay: activity.max_per_day,
    longest: activity.longest.map(toActivityOperation),
    running: activity.running.map(toActivityOperation),
    failing: activity.failing.map(toActivityOperation),
  };
}

function toActivityOperation(operation: EngineActivityOperation): ActivityOperation {
  return {
    id: operation.id,
    datastore: { id: operation.datastore.id, name: operation.datastore.name },
    result: operation.result,
    created: operation.created,
    startTime: operation.start_time,
    endTime: operation.end_time,
    durationMs: operation.duration_ms,
    message: operation.message,
  };
}

/**
 * A planned file edit as an LSP WorkspaceEdit: the smallest single replacement between the old and
 * the new text (so the client keeps the cursor and undo history around it), or a file creation.
 */
export function toWorkspaceEdit(edit: { file: string; before: string | null; after: string }): WorkspaceEdit {
  const uri = uriOf(edit.file);
  if (edit.before === null) {
    return { documentChanges: [{ kind: 'create', uri, options: { ignoreIfExists: true } }, { textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: edit.after }] }] };
  }
  const { before, after } = edit;
  if (before === after) return { changes: {} };
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { changes: { [uri]: [{ range: { start: positionAt(before, start), end: positionAt(before, before.length - end) }, newText: after.slice(start, after.length - end) }] } };
}

/** A UTF-16 offset as an LSP position (LSP's default encoding). */
function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}
