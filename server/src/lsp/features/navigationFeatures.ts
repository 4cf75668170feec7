import {
  ErrorCodes, ResponseError,
  type CodeLens, type DocumentSymbol, type Location, type Range, type TextDocumentEdit, type TextEdit, type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { codeLenses, definitionAt, documentSymbols, prepareRenameAt, referencesAt, renameAt, type FileEdit } from '../../core';
import { CatalogCommands, type SyncParams } from '../../protocol/catalogProtocol';
import { toDocumentSymbol, toLocation, uriOf } from '../convert';
import { guarded, projectOf, type FeatureContext } from './featureContext';

/** Definition, references, rename, document symbols and code lenses, mapped to LSP. */
export function registerNavigationFeatures(context: FeatureContext): void {
  const { connection } = context;

  connection.onDefinition(guarded(context, 'definition', [] as Location[], (params) => {
    const target = projectOf(context, params.textDocument.uri);
    return target ? definitionAt(target.project, target.file, params.position).map(toLocation) : [];
  }));

  connection.onReferences(guarded(context, 'references', [] as Location[], (params) => {
    const target = projectOf(context, params.textDocument.uri);
    return target ? referencesAt(target.project, target.file, params.position, params.context.includeDeclaration).map(toLocation) : [];
  }));

  connection.onPrepareRename(guarded(context, 'prepareRename', null as { range: Range; placeholder: string } | null, (params) => {
    const target = projectOf(context, params.textDocument.uri);
    return (target && prepareRenameAt(target.project, target.file, params.position)) ?? null;
  }));

  connection.onRenameRequest(guarded(context, 'rename', null as WorkspaceEdit | ResponseError<void> | null, (params) => {
    const target = projectOf(context, params.textDocument.uri);
    if (!target) return null;
    const result = renameAt(target.project, target.file, params.position, params.newName);
    if ('error' in result) return new ResponseError(ErrorCodes.InvalidParams, result.error);
    return workspaceEdit(context, result.edits, result.snapshotFolder);
  }));

  connection.onDocumentSymbol(guarded(context, 'documentSymbol', [] as DocumentSymbol[], (params) => {
    const target = projectOf(context, params.textDocument.uri);
    return target ? documentSymbols(target.project, target.file).map(toDocumentSymbol) : [];
  }));

  connection.onCodeLens(guarded(context, 'codeLens', [] as CodeLens[], (params) => {
    const target = projectOf(context, params.textDocument.uri);
    if (!target) return [];
    return codeLenses(target.project, target.file).map((lens): CodeLens => {
      if (!lens.command) return { range: lens.range, command: { title: lens.title, command: '' } };
      const args: SyncParams = { datastore: lens.command.datastore, projectUri: uriOf(target.project.root) };
      const command = lens.command.action === 'sync' ? CatalogCommands.sync : CatalogCommands.preview;
      return { range: lens.range, command: { title: lens.title, command, arguments: [args] } };
    });
  }));
}

/**
 * The rename as a workspace edit: versioned document edits (and the snapshot folder's rename)
 * when the client supports them, plain per-URI changes otherwise.
 */
function workspaceEdit(context: FeatureContext, edits: readonly FileEdit[], folder: { from: string; to: string } | undefined): WorkspaceEdit {
  const byUri = new Map<string, TextEdit[]>();
  for (const edit of edits) {
    const uri = uriOf(edit.file);
    let list = byUri.get(uri);
    if (!list) byUri.set(uri, (list = []));
    list.push({ range: edit.range, newText: edit.newText });
  }
  const capabilities = context.capabilities.workspace?.workspaceEdit;
  if (!capabilities?.documentChanges) return { changes: Object.fromEntries(byUri) };
  const documentChanges: WorkspaceEdit['documentChanges'] = [...byUri].map(([uri, list]): TextDocumentEdit => ({
    textDocument: { uri, version: context.documents.get(uri)?.version ?? null },
    edits: list,
  }));
  if (folder && capabilities.resourceOperations?.includes('rename')) {
    documentChanges.push({ kind: 'rename', oldUri: uriOf(folder.from), newUri: uriOf(folder.to), options: { overwrite: false, ignoreIfExists: true } });
  }
  return { documentChanges };
}
