import { CodeActionKind, type CodeAction, type CompletionList, type Hover } from 'vscode-languageserver/node';
import { completionsAt, hoverAt, quickFixesFor } from '../../core';
import { problemOf, toCompletionItem } from '../convert';
import { guarded, projectOf, type FeatureContext } from './featureContext';

/** Completion, hover and quick fixes: the engine's language features mapped to LSP. */
export function registerEditingFeatures(context: FeatureContext): void {
  const { connection, documents } = context;

  connection.onCompletion(guarded(context, 'completion', null as CompletionList | null, (params) => {
    const target = projectOf(context, params.textDocument.uri);
    const document = documents.get(params.textDocument.uri);
    if (!target || !document) return null;
    const view = { workspace: target.project.latestWorkspace, analysisOf: (f: string) => target.project.analysisOf(f), snapshots: target.project.snapshots };
    const candidates = completionsAt(view, target.file, document.getText(), params.position);
    return { isIncomplete: false, items: candidates.map(toCompletionItem) };
  }));

  connection.onHover(guarded(context, 'hover', null as Hover | null, (params) => {
    const target = projectOf(context, params.textDocument.uri);
    if (!target) return null;
    const content = hoverAt(target.project, target.file, params.position);
    return content ? { contents: { kind: 'markdown', value: content.markdown }, range: content.range } : null;
  }));

  connection.onCodeAction(guarded(context, 'codeAction', [] as CodeAction[], (params) => {
    const target = projectOf(context, params.textDocument.uri);
    const text = documents.get(params.textDocument.uri)?.getText() ?? (target ? target.project.textOf(target.file) : undefined);
    if (!target || text === undefined) return [];
    if (params.context.only && !params.context.only.some((kind) => CodeActionKind.QuickFix.startsWith(kind))) return [];
    const actions: CodeAction[] = [];
    for (const diagnostic of params.context.diagnostics) {
      const problem = problemOf(diagnostic, target.file);
      if (!problem) continue;
      for (const fix of quickFixesFor(problem, text)) {
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: fix.isPreferred,
          edit: { changes: { [params.textDocument.uri]: fix.edits } },
        });
      }
    }
    return actions;
  }));
}
