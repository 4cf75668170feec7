import * as vscode from 'vscode';
import {
  AbortOperationRequest, DeleteOperationRequest, RerunOperationRequest, ResumeOperationRequest,
  type OperationItem, type SyncResult,
} from '../../../server/src/protocol/catalogProtocol';
import { reportRequestError, type CatalogServer } from '../server/catalogServer';
import type { SecretEnv } from '../secrets/secretEnv';
import { fetchOperation, operationLogText } from '../views/operationsTree';
import type { DatastoresTree } from '../views/datastoresTree';
import type { ProjectRef } from '../views/catalogProjects';

export const OPERATION_LOG_SCHEME = 'catalog-operation';

export interface OperationRef {
  project: ProjectRef;
  item: OperationItem;
}

/**
 * The seed's operation actions, from the Operations view: Abort (running), Resume (aborted),
 * Rerun, Delete (finished), Show Logs (warning, failure). The server checks each against the
 * history (a running operation cannot be deleted, only an aborted one resumes).
 */
export class OperationActions implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly logs = new Map<string, string>();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(OPERATION_LOG_SCHEME, this);

  constructor(private readonly server: CatalogServer, private readonly secrets: SecretEnv, private readonly datastores: DatastoresTree) {}

  async abort(op: OperationRef): Promise<boolean> {
    try {
      const answer = await this.server.request(AbortOperationRequest.type, { projectUri: op.project.projectUri, operationId: op.item.id });
      // When it worked, the row itself turns aborted; only a refusal needs words.
      if (!answer.aborted) void vscode.window.showWarningMessage(answer.message);
      return answer.aborted;
    } catch (error) {
      await reportRequestError(error, `Abort of operation #${op.item.id}`, this.server.log);
      return false;
    }
  }

  resume(op: OperationRef): Promise<SyncResult | undefined> {
    return this.run(op, 'Resuming', ResumeOperationRequest.type);
  }

  rerun(op: OperationRef): Promise<SyncResult | undefined> {
    return this.run(op, 'Rerunning', RerunOperationRequest.type);
  }

  async delete(op: OperationRef, confirmed = false): Promise<boolean> {
    if (!confirmed) {
      const pick = await vscode.window.showWarningMessage(`Delete operation #${op.item.id} (sync of ${op.item.datastore.name}) from the history?`, { modal: true, detail: 'Its snapshots stay as they are; only the record goes.' }, 'Delete');
      if (pick !== 'Delete') return false;
    }
    try {
      const answer = await this.server.request(DeleteOperationRequest.type, { projectUri: op.project.projectUri, operationId: op.item.id });
      if (!answer.deleted) void vscode.window.showWarningMessage(answer.message);
      return answer.deleted;
    } catch (error) {
      await reportRequestError(error, `Delete of operation #${op.item.id}`, this.server.log);
      return false;
    }
  }

  /** The operation's logs as a read-only document (asked for whole: the Operations view lists summaries). */
  async showLogs(op: OperationRef): Promise<void> {
    let item: OperationItem | null;
    try {
      item = await fetchOperation(this.server, op.project.projectUri, op.item.id);
    } catch (error) {
      await reportRequestError(error, `Logs of operation #${op.item.id}`, this.server.log);
      return;
    }
    if (!item) {
      void vscode.window.showWarningMessage(`Operation #${op.item.id} is no longer in the history.`);
      return;
    }
    const uri = vscode.Uri.from({ scheme: OPERATION_LOG_SCHEME, path: `/operation-${item.id}-${item.datastore.name}.log` });
    this.logs.set(uri.toString(), operationLogText(item));
    await vscode.window.showTextDocument(uri, { preview: true });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.logs.get(uri.toString()) ?? 'These logs are no longer loaded: open them again from the Operations view.\n';
  }

  dispose(): void {
    this.registration.dispose();
  }

  private async run(op: OperationRef, verb: string, type: typeof ResumeOperationRequest.type): Promise<SyncResult | undefined> {
    const datastore = await this.datastores.findDatastore(op.item.datastore.name, op.project.projectUri);
    const env = datastore ? await this.secrets.envFor(datastore.item.envReferences) : undefined;
    try {
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${verb} operation #${op.item.id} (${op.item.datastore.name})`, cancellable: true },
        (_progress, token) => this.server.request(type, { projectUri: op.project.projectUri, operationId: op.item.id, env }, token));
      const done = `${verb.replace(/ing$/, 'ed').replace(/Rerunned/, 'Reran')} #${op.item.id}: operation #${result.operationId ?? '?'} ended ${result.result}.`;
      if (result.result === 'failure') void vscode.window.showErrorMessage(`${done} ${result.message ?? ''}`);
      else vscode.window.setStatusBarMessage(`$(check) ${done}`, 5000);
      return result;
    } catch (error) {
      await reportRequestError(error, `${verb} operation #${op.item.id}`, this.server.log);
      return undefined;
    }
  }
}
