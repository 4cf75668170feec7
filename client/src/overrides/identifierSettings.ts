import * as vscode from 'vscode';
import {
  IdentifierChoicesRequest, OverrideEditRequest,
  type IdentifierCandidate, type IdentifierItem, type OverrideEditResult,
} from '../../../server/src/protocol/catalogProtocol';
import { reportRequestError, type CatalogServer } from '../server/catalogServer';

/** What to set: a field name, null for "no identifier", `automatic` to drop the override, undefined to leave it. */
export interface IdentifierChoice {
  incrementalIdentifier?: string | null;
  partitionIdentifier?: string | null;
}

export interface ContainerRef {
  projectUri?: string;
  datastore: string;
  container: string;
}

/**
 * The seed's container Settings (the gear on a container): pick the incremental and the partition
 * identifier among the fields the sync accepts, or "automatic" to drop the override. The server
 * answers with a comment-preserving edit of the Overrides file (created when there is none),
 * which is applied and saved here; the next sync keeps it.
 */
export class IdentifierSettings {
  constructor(private readonly server: CatalogServer) {}

  /** Asks (unless `choice` is given), then edits and saves the Overrides file. Returns the edited file's URI. */
  async edit(target: ContainerRef, choice?: IdentifierChoice): Promise<vscode.Uri | undefined> {
    try {
      const picked = choice ?? await this.ask(target);
      if (!picked) return undefined;
      const answer = await this.server.request(OverrideEditRequest.type, { ...target, ...picked });
      return await this.applyEdit(answer, target);
    } catch (error) {
      await reportRequestError(error, `Identifier settings of ${target.container}`, this.server.log);
      return undefined;
    }
  }

  private async ask(target: ContainerRef): Promise<IdentifierChoice | undefined> {
    const choices = await this.server.request(IdentifierChoicesRequest.type, target);
    const incremental = await pickIdentifier(`${target.container}: incremental identifier (1/2)`, 'the column that tells new or changed rows', choices.incremental.current, choices.incremental.candidates);
    if (incremental === CANCELLED) return undefined;
    const partition = await pickIdentifier(`${target.container}: partition identifier (2/2)`, 'the column scans split the data by', choices.partition.current, choices.partition.candidates);
    if (partition === CANCELLED) return undefined;
    return { incrementalIdentifier: incremental, partitionIdentifier: partition };
  }

  private async applyEdit(answer: OverrideEditResult, target: ContainerRef): Promise<vscode.Uri | undefined> {
    const uri = vscode.Uri.parse(answer.uri);
    const changes = Object.keys(answer.edit.changes ?? {}).length + (answer.edit.documentChanges?.length ?? 0);
    if (changes === 0) {
      void vscode.window.showInformationMessage(`The identifiers of ${target.container} are already set that way.`);
      return uri;
    }
    const converter = this.server.converter;
    if (!converter) throw new Error('The language server is not running.');
    const edit = await converter.asWorkspaceEdit(answer.edit);
    if (!edit || !(await vscode.workspace.applyEdit(edit))) throw new Error(`VS Code did not apply the edit of ${vscode.workspace.asRelativePath(uri)}.`);
    // The edit lands in a (possibly unopened) document: save it so the sync reads it.
    const document = await vscode.workspace.openTextDocument(uri);
    await document.save();
    // The tree shows the snapshot, which changes with the next sync: say when the choice takes effect.
    const file = vscode.workspace.asRelativePath(uri);
    void vscode.window.showInformationMessage(`${answer.created ? 'Created' : 'Updated'} ${file}: the next sync of ${target.datastore} uses the identifiers set for ${target.container}.`, 'Preview Sync…', 'Open File').then((pick) => {
      if (pick === 'Open File') void vscode.window.showTextDocument(uri);
      else if (pick) void vscode.commands.executeCommand('catalogAsCode.previewSync', undefined, target.datastore);
    });
    return uri;
  }
}

const CANCELLED = Symbol('cancelled');

async function pickIdentifier(title: string, what: string, current: IdentifierItem | null, candidates: IdentifierCandidate[]): Promise<string | null | undefined | typeof CANCELLED> {
  type Item = vscode.QuickPickItem & { value: string | null | undefined };
  const isOverride = current?.source === 'override';
  const items: Item[] = [
    {
      label: '$(sparkle) Automatic',
      description: !isOverride && current?.field ? `detected: ${current.field}` : !isOverride ? 'nothing detected' : 'drop the override',
      detail: `Let each sync detect ${what}.`,
      value: 'automatic',
      picked: !isOverride,
    },
    ...candidates.map((c): Item => ({
      label: `$(symbol-field) ${c.field}`,
      description: `${c.type} · ${c.strategy}${isOverride && current?.field === c.field ? ' · current' : ''}`,
      value: c.field,
    })),
    { label: '$(circle-slash) None', description: isOverride && current?.field === null ? 'current' : undefined, detail: 'No identifier: syncs and scans read everything.', value: null },
  ];
  if (candidates.length === 0) items.splice(1, 0, { label: 'No field of this container can serve', kind: vscode.QuickPickItemKind.Separator, value: undefined });
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: `Current: ${current?.field ?? 'none'} (${current?.source ?? 'detected'})`, ignoreFocusOut: true });
  if (!pick) return CANCELLED;
  return pick.value;
}
