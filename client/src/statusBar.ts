import * as vscode from 'vscode';
import type { OperationChangedParams } from '../../server/src/protocol/catalogProtocol';
import type { ServerState } from './server/catalogServer';
import { formatCount } from './views/catalogProjects';

/**
 * One status bar item: the server starting or ready, a running operation with its progress, or
 * the last failure (until the next success of that datastore). Clicking it opens what it is about.
 */
export class CatalogStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('catalogAsCode.status', vscode.StatusBarAlignment.Left, 10);
  private serverState: ServerState = 'starting';
  private readonly running = new Map<number, OperationChangedParams>();
  private lastFailure: OperationChangedParams | undefined;

  constructor() {
    this.item.name = 'Catalog';
    this.render();
    this.item.show();
  }

  setServerState(state: ServerState): void {
    this.serverState = state;
    this.render();
  }

  operationChanged(params: OperationChangedParams): void {
    if (params.result === 'running') this.running.set(params.operationId, params);
    else {
      this.running.delete(params.operationId);
      if (params.result === 'failure') this.lastFailure = params;
      else if (this.lastFailure?.datastore === params.datastore) this.lastFailure = undefined;
    }
    this.render();
  }

  /** The text shown now (tests read it). */
  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    const item = this.item;
    item.backgroundColor = undefined;
    if (this.serverState === 'failed') {
      item.text = '$(error) Catalog';
      item.tooltip = 'The Catalog language server stopped. Click for its logs.';
      item.command = 'catalogAsCode.showLogs';
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      return;
    }
    if (this.serverState !== 'ready') {
      item.text = '$(loading~spin) Catalog';
      item.tooltip = this.serverState === 'restarting' ? 'Restarting the Catalog language server…' : 'Starting the Catalog language server…';
      item.command = 'catalogAsCode.showLogs';
      return;
    }
    const running = [...this.running.values()];
    if (running.length > 0) {
      const first = running[0];
      const progress = first.progress?.total ? ` ${formatCount(first.progress.done)}/${formatCount(first.progress.total)}` : '';
      item.text = `$(sync~spin) ${first.datastore}${progress}${running.length > 1 ? ` +${running.length - 1}` : ''}`;
      item.tooltip = running.map((r) => `#${r.operationId} syncing ${r.datastore}`).join('\n');
      item.command = 'catalogAsCode.operations.focus';
      return;
    }
    if (this.lastFailure) {
      item.text = `$(error) ${this.lastFailure.datastore}`;
      item.tooltip = `Operation #${this.lastFailure.operationId} (sync of ${this.lastFailure.datastore}) failed. Click for the Operations view.`;
      item.command = 'catalogAsCode.operations.focus';
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      return;
    }
    item.text = '$(database) Catalog';
    item.tooltip = vscode.workspace.isTrusted ? 'Catalog as Code: ready' : 'Catalog as Code: Restricted Mode (no syncs until the workspace is trusted)';
    item.command = 'catalogAsCode.datastores.focus';
  }
}
