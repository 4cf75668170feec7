import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import {
  ListDatastoresRequest, ListOperationsRequest, OperationActivityRequest,
  type OperationChangedParams, type OperationItem,
} from '../../../server/src/protocol/catalogProtocol';
import type { OperationActions } from '../operations/operationActions';
import type { CatalogServer } from '../server/catalogServer';
import { committedUri } from '../sync/previewDocuments';
import { workspaceProjects, type ProjectRef } from '../views/catalogProjects';
import { fetchOperation } from '../views/operationsTree';
import { runsQueryParams, type HostMessage, type OperationAction, type WebviewMessage } from './activityMessages';

export const ACTIVITY_VIEW_TYPE = 'catalogAsCode.activity';

/**
 * The Activity panel: the seed's operations insights (runs, heatmap, operation detail) in a
 * webview. The webview renders; this host answers its messages (activityMessages.ts) with the
 * language server's requests and runs its actions through the same OperationActions as the
 * Operations view, so the tree and the panel always agree. Live rows come from the server's
 * `catalog/operationChanged` notifications, forwarded as they arrive.
 */
export class ActivityPanel implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private panel: vscode.WebviewPanel | undefined;
  private project: ProjectRef = workspaceProjects()[0];
  private focus: { datastore?: string; operationId?: number } = {};
  private readonly panelDisposables: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly posted = new vscode.EventEmitter<HostMessage>();
  /** Every message sent to the webview (the extension-host tests read the protocol here). */
  readonly onDidPost = this.posted.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly server: CatalogServer,
    private readonly actions: OperationActions,
    /** The history changed under the Operations view (an operation was deleted here). */
    private readonly onDidDeleteOperation: () => void,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(ACTIVITY_VIEW_TYPE, this),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.sendInit()),
    );
  }

  /** Shows the panel (creating it once), for the project's operations, one datastore's, or with one operation's detail open. */
  async open(options: { datastore?: string; operationId?: number; projectUri?: string } = {}): Promise<void> {
    const project = await this.pickProject(options.projectUri);
    if (!project) return;
    this.project = project;
    this.focus = { datastore: options.datastore, operationId: options.operationId };
    if (this.panel) {
      this.panel.reveal();
      await this.sendInit();
      return;
    }
    const panel = vscode.window.createWebviewPanel(ACTIVITY_VIEW_TYPE, 'Catalog Activity', vscode.ViewColumn.Active, this.webviewOptions());
    this.adopt(panel);
  }

  /** Restores the panel after a window reload; the webview's own state (filters, selection) comes back through getState. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = this.webviewOptions();
    this.adopt(panel);
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** The webview's page and options as set (the extension-host tests check its CSP). */
  get webview(): { html: string; options: vscode.WebviewOptions } | undefined {
    return this.panel && { html: this.panel.webview.html, options: this.panel.webview.options };
  }

  /** A notification from the server: the webview updates its rows (live progress, starts and ends). */
  operationChanged(params: OperationChangedParams): void {
    this.post({ type: 'operationChanged', params });
  }

  /** The history changed outside the panel (an operation deleted from the Operations view). */
  historyChanged(): void {
    this.post({ type: 'historyChanged' });
  }

  /** Answers one message of the webview. Public for the extension-host tests, which drive the protocol as the webview does. */
  async receive(message: WebviewMessage): Promise<void> {
    const projectUri = this.project.projectUri;
    try {
      switch (message.type) {
        case 'ready':
          await this.sendInit();
          return;
        case 'runs': {
          const result = await this.server.request(ListOperationsRequest.type, { projectUri, ...runsQueryParams(message.query) });
          this.post({ type: 'runs', seq: message.seq, result });
          return;
        }
        case 'activity': {
          const result = await this.server.request(OperationActivityRequest.type, { projectUri, datastore: message.datastore });
          this.post({ type: 'activity', seq: message.seq, result });
          return;
        }
        case 'detail':
          this.post({ type: 'detail', seq: message.seq, item: await this.operation(message.operationId) });
          return;
        case 'action':
          await this.runAction(message.action, message.operationId);
          return;
        case 'openSnapshot':
          await vscode.window.showTextDocument(vscode.Uri.parse(message.uri), { preview: true, viewColumn: vscode.ViewColumn.Beside });
          return;
        case 'openDiff':
          await this.openDiff(message.uri);
          return;
      }
    } catch (error) {
      this.post({ type: 'error', seq: 'seq' in message ? message.seq : undefined, message: (error as Error).message });
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
    this.posted.dispose();
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'client', 'media', 'catalog.svg');
    panel.webview.html = this.html(panel.webview);
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((message: WebviewMessage) => this.receive(message)),
      panel.onDidDispose(() => {
        this.panel = undefined;
        for (const d of this.panelDisposables.splice(0)) d.dispose();
      }),
    );
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    // Only the bundle's folder; the view keeps its state with setState, so it need not stay alive hidden.
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')] };
  }

  private async sendInit(): Promise<void> {
    let datastores: string[] = [];
    try {
      datastores = (await this.server.request(ListDatastoresRequest.type, { projectUri: this.project.projectUri })).items.map((d) => d.name);
    } catch (error) {
      this.post({ type: 'error', message: (error as Error).message });
    }
    this.post({ type: 'init', project: this.project.label, datastores, focusDatastore: this.focus.datastore, focusOperation: this.focus.operationId, trusted: vscode.workspace.isTrusted });
    this.focus = {};
  }

  private operation(id: number): Promise<OperationItem | null> {
    return fetchOperation(this.server, this.project.projectUri, id);
  }

  private async runAction(action: OperationAction, operationId: number): Promise<void> {
    const item = await this.operation(operationId);
    if (!item) {
      this.post({ type: 'actionDone', action, operationId, ok: false });
      this.post({ type: 'error', message: `Operation #${operationId} is no longer in the history.` });
      return;
    }
    const op = { project: this.project, item };
    switch (action) {
      case 'abort':
        this.post({ type: 'actionDone', action, operationId, ok: await this.actions.abort(op) });
        return;
      case 'resume':
      case 'rerun': {
        // The new run shows up at once through operationChanged; this answers when it ends.
        const result = await (action === 'resume' ? this.actions.resume(op) : this.actions.rerun(op));
        this.post({ type: 'actionDone', action, operationId, ok: result !== undefined && result.result !== 'refused', newOperationId: result?.operationId ?? undefined });
        return;
      }
      case 'delete': {
        // The webview asked the person first (its inline confirmation).
        const deleted = await this.actions.delete(op, true);
        if (deleted) this.onDidDeleteOperation();
        this.post({ type: 'actionDone', action, operationId, ok: deleted });
        return;
      }
      case 'logs':
        await this.actions.showLogs(op);
        this.post({ type: 'actionDone', action, operationId, ok: true });
        return;
    }
  }

  /** The snapshot's uncommitted change (HEAD ↔ working tree), as the Source Control view shows it. */
  private async openDiff(uri: string): Promise<void> {
    const file = vscode.Uri.parse(uri);
    const exists = await vscode.workspace.fs.stat(file).then(() => true, () => false);
    const name = vscode.workspace.asRelativePath(file);
    // A pruned snapshot is gone from the working tree: its committed text is what there is to see.
    if (!exists) {
      await vscode.window.showTextDocument(committedUri(uri), { preview: true, viewColumn: vscode.ViewColumn.Beside });
      return;
    }
    await vscode.commands.executeCommand('vscode.diff', committedUri(uri), file, `${name} (HEAD ↔ working tree)`, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  }

  private post(message: HostMessage): void {
    this.posted.fire(message);
    void this.panel?.webview.postMessage(message);
  }

  private async pickProject(projectUri: string | undefined): Promise<ProjectRef | undefined> {
    const projects = workspaceProjects();
    if (projectUri !== undefined) return projects.find((p) => p.projectUri === projectUri) ?? { projectUri, label: vscode.workspace.asRelativePath(vscode.Uri.parse(projectUri)) };
    if (projects.length === 1) return projects[0];
    if (this.panel) return this.project;
    return (await vscode.window.showQuickPick(projects.map((p) => ({ label: p.label, project: p })), { title: 'Show the activity of which project?' }))?.project;
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomNonce();
    const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', name)).toString();
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="${vscode.env.language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" id="vscode-codicon-stylesheet" href="${asset('codicon.css')}" nonce="${nonce}">
<link rel="stylesheet" href="${asset('activity.css')}" nonce="${nonce}">
<title>Catalog Activity</title>
</head>
<body>
<main id="activity" aria-busy="true"><p class="loading">Loading the operation history…</p></main>
<script nonce="${nonce}" src="${asset('activity.js')}"></script>
</body>
</html>`;
  }
}

function randomNonce(): string {
  return randomBytes(18).toString('base64url');
}
