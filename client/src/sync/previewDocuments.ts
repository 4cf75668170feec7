import * as vscode from 'vscode';
import { CommittedTextRequest, PlanFileTextRequest, type PlanFileText } from '../../../server/src/protocol/catalogProtocol';
import type { CatalogServer } from '../server/catalogServer';

/** Read-only documents of a preview: a planned file's committed and planned texts. */
export const PREVIEW_SCHEME = 'catalog-preview';
/** Read-only documents of a file's text at git's HEAD (Compare with Committed). */
export const COMMITTED_SCHEME = 'catalog-committed';

export type PreviewSide = 'committed' | 'planned';

/** The URI of one side of a planned file: the file's path (so the editor knows it is YAML), the plan in the query. */
export function previewUri(fileUri: string, planId: string, side: PreviewSide): vscode.Uri {
  const file = vscode.Uri.parse(fileUri);
  return file.with({ scheme: PREVIEW_SCHEME, query: new URLSearchParams({ plan: planId, side, file: fileUri }).toString() });
}

export function committedUri(fileUri: string): vscode.Uri {
  const file = vscode.Uri.parse(fileUri);
  return file.with({ scheme: COMMITTED_SCHEME, query: new URLSearchParams({ file: fileUri }).toString() });
}

/**
 * Serves both schemes from the server, one file at a time: a preview of 10,000 files fetches
 * only the texts someone opens. Texts of a plan never change, so they are cached until it is dropped.
 */
export class PreviewDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, Promise<PlanFileText>>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registrations: vscode.Disposable[];

  constructor(private readonly server: CatalogServer) {
    this.registrations = [
      vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this),
      vscode.workspace.registerTextDocumentContentProvider(COMMITTED_SCHEME, this),
    ];
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const query = new URLSearchParams(uri.query);
    const file = query.get('file') ?? '';
    if (uri.scheme === COMMITTED_SCHEME) {
      const { text } = await this.server.request(CommittedTextRequest.type, { uri: file }, token);
      return text ?? '';
    }
    const planId = query.get('plan') ?? '';
    const key = `${planId}\u0000${file}`;
    let texts = this.texts.get(key);
    if (!texts) {
      texts = this.server.request(PlanFileTextRequest.type, { planId, uri: file });
      this.texts.set(key, texts);
      texts.catch(() => this.texts.delete(key));
    }
    try {
      const { committed, planned } = await texts;
      return (query.get('side') === 'committed' ? committed : planned) ?? '';
    } catch (error) {
      return `# This preview is no longer available: ${(error as Error).message}\n# Preview the sync again.\n`;
    }
  }

  /** Forgets a plan's texts (applied or discarded). */
  dropPlan(planId: string): void {
    for (const key of [...this.texts.keys()]) if (key.startsWith(`${planId}\u0000`)) this.texts.delete(key);
  }

  dispose(): void {
    for (const r of this.registrations) r.dispose();
    this.changed.dispose();
  }
}
