import * as vscode from 'vscode';
import { CatalogCommands, LocateRequest, type SyncParams } from '../../server/src/protocol/catalogProtocol';
import { ActivityPanel } from './activity/activityPanel';
import { DatastoreSetup } from './datastores/addDatastore';
import { SnapshotDecorations } from './decorations/snapshotDecorations';
import { OperationActions, type OperationRef } from './operations/operationActions';
import { IdentifierSettings, type ContainerRef } from './overrides/identifierSettings';
import { SecretEnv } from './secrets/secretEnv';
import { CatalogServer, reportRequestError } from './server/catalogServer';
import { CatalogStatusBar } from './statusBar';
import { committedUri, PreviewDocuments } from './sync/previewDocuments';
import { SyncFlow } from './sync/syncFlow';
import { DatastoresTree, type CatalogNode, type ContainerNode, type DatastoreNode, type MoreNode } from './views/datastoresTree';
import { OperationsTree, type OperationNode } from './views/operationsTree';
import { SchedulesTree } from './views/schedulesTree';

/** What `activate` returns: the extension's parts, for its extension-host tests (no other use). */
export interface CatalogExtensionApi {
  server: CatalogServer;
  datastores: DatastoresTree;
  schedules: SchedulesTree;
  operations: OperationsTree;
  sync: SyncFlow;
  identifiers: IdentifierSettings;
  setup: DatastoreSetup;
  operationActions: OperationActions;
  activity: ActivityPanel;
  decorations: SnapshotDecorations;
  statusBar: CatalogStatusBar;
  secrets: SecretEnv;
  /** Resolves once the server has loaded the workspace (the views have something to show). */
  ready(): Promise<void>;
  /** The views' state (the context key the welcome views read). */
  readonly state: ViewState;
  /** The extension's log folder (tests look through the logs for secrets). */
  readonly logUri: vscode.Uri;
}

type ViewState = 'loading' | 'ready' | 'noProject' | 'noDatastores' | 'serverFailed';
let viewState: ViewState = 'loading';
const stateEmitter = new vscode.EventEmitter<ViewState>();
const onDidSetState = stateEmitter.event;

/** Context key the welcome views read: loading, ready, noProject, noDatastores, serverFailed. */
const STATE_KEY = 'catalogAsCode.state';

export async function activate(context: vscode.ExtensionContext): Promise<CatalogExtensionApi> {
  const log = vscode.window.createOutputChannel('Catalog', { log: true });
  context.subscriptions.push(log);
  await setState('loading');

  const server = new CatalogServer(context, log);
  const secrets = new SecretEnv(context.secrets);
  const datastores = new DatastoresTree(server);
  const schedules = new SchedulesTree(server);
  const operations = new OperationsTree(server);
  const previews = new PreviewDocuments(server);
  const sync = new SyncFlow(server, datastores, previews, secrets);
  const identifiers = new IdentifierSettings(server);
  const setup = new DatastoreSetup(server, secrets, sync);
  const operationActions = new OperationActions(server, secrets, datastores);
  // One watcher of YAML files: the trees follow definitions, the decorations follow snapshots.
  const yamlWatcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}');
  const decorations = new SnapshotDecorations(server, yamlWatcher);
  const statusBar = new CatalogStatusBar();
  const activity = new ActivityPanel(context.extensionUri, server, operationActions, () => operations.refresh());
  context.subscriptions.push(server, datastores, schedules, operations, previews, sync, operationActions, activity, decorations, statusBar);

  const datastoresView = vscode.window.createTreeView('catalogAsCode.datastores', { treeDataProvider: datastores, showCollapseAll: true });
  const schedulesView = vscode.window.createTreeView('catalogAsCode.schedules', { treeDataProvider: schedules });
  const operationsView = vscode.window.createTreeView('catalogAsCode.operations', { treeDataProvider: operations, showCollapseAll: true });
  context.subscriptions.push(datastoresView, schedulesView, operationsView);
  // A view message hides its welcome: say "Restricted Mode" only above a catalog there is.
  const restrictedMessage = (): void => {
    datastoresView.message = vscode.workspace.isTrusted || viewState !== 'ready' ? undefined : 'Restricted Mode: browsing the committed catalog. Trust the workspace to sync or test connections.';
  };
  restrictedMessage();
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(restrictedMessage), onDidSetState(restrictedMessage));
  // The Operations view's badge counts the operations running now (here or elsewhere).
  const running = new Set<number>();

  // Trees follow definition files, at most every 500 ms (a sync writing 11,000 snapshots is one refresh).
  let definitionsTimer: NodeJS.Timeout | undefined;
  const refreshDefinitions = (): void => {
    clearTimeout(definitionsTimer);
    definitionsTimer = setTimeout(() => {
      datastores.refresh();
      schedules.refresh();
    }, 500);
  };
  context.subscriptions.push({ dispose: () => clearTimeout(definitionsTimer) });

  let readyResolve: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (readyResolve = resolve));

  const refreshAll = (): void => {
    datastores.refresh();
    schedules.refresh();
    operations.refresh();
    decorations.scheduleReload();
  };

  context.subscriptions.push(
    server.onDidChangeState((state) => {
      statusBar.setServerState(state);
      if (state === 'failed') void setState('serverFailed');
    }),
    server.onDidLoadWorkspace(async (loaded) => {
      await setState(loaded.datastores > 0 ? 'ready' : (await hasProject()) ? 'noDatastores' : 'noProject');
      refreshAll();
      readyResolve();
    }),
    server.onDidChangeOperation((params) => {
      if (params.result === 'running') running.add(params.operationId);
      else running.delete(params.operationId);
      operationsView.badge = running.size > 0 ? { value: running.size, tooltip: `${running.size} running` } : undefined;
      operations.operationChanged(params);
      activity.operationChanged(params);
      statusBar.operationChanged(params);
      if (params.result !== 'running') {
        datastores.refresh();
        decorations.scheduleReload();
      }
    }),
    // Definitions created or deleted since the load (Create Catalog Project, Add Datastore): the welcome views follow.
    datastores.onDidLoadDatastores(async (count) => {
      if (viewState === 'loading' || viewState === 'serverFailed') return;
      const next = count > 0 ? 'ready' : (await hasProject()) ? 'noDatastores' : 'noProject';
      if (next !== viewState) {
        await setState(next);
        schedules.refresh();
        operations.refresh();
      }
    }),
    sync.onDidPreview((preview) => datastores.markChanges(preview.datastore.item.name, preview.result.changes)),
    sync.onDidEndSync(({ datastore, result }) => {
      datastores.markChanges(datastore, result.changes);
      refreshAll();
      // The Source Control view follows the written snapshots now rather than at its next poll.
      void vscode.commands.executeCommand('git.refresh').then(undefined, () => undefined);
    }),
    // Definitions edited by hand or by another tool: the trees follow.
    vscode.workspace.onDidSaveTextDocument((document) => {
      if (/\.ya?ml$/.test(document.fileName)) refreshDefinitions();
    }),
    // …and definitions written by other tools (git checkout, a generator, the terminal).
    yamlWatcher,
    yamlWatcher.onDidCreate(refreshDefinitions),
    yamlWatcher.onDidDelete(refreshDefinitions),
    yamlWatcher.onDidChange((uri) => {
      if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString() && d.isDirty)) refreshDefinitions();
    }),
  );

  const register = (id: string, run: (...args: never[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, run as (...args: unknown[]) => unknown));
  };
  register('catalogAsCode.refresh', refreshAll);
  register('catalogAsCode.showLogs', () => log.show(true));
  register('catalogAsCode.restartServer', async () => {
    await setState('loading');
    await server.restart().catch((error: unknown) => reportRequestError(error, 'Restart of the language server', log));
  });
  // A tree node, or (from a notification's button) a datastore's name as the second argument.
  register('catalogAsCode.previewSync', (node?: DatastoreNode, name?: string) => sync.preview(node ?? (name ? { datastore: name } : undefined)));
  register('catalogAsCode.syncNow', (node?: DatastoreNode) => sync.syncNow(node));
  register('catalogAsCode.applyPreview', () => sync.apply());
  register('catalogAsCode.discardPreview', () => sync.discard());
  register('catalogAsCode.showPreviewFiles', () => sync.showFiles());
  // The language server's code lenses carry these ids; the extension runs them through its flow.
  register(CatalogCommands.preview, (params?: SyncParams) => sync.preview(params?.datastore ? { datastore: params.datastore, projectUri: params.projectUri } : undefined));
  register(CatalogCommands.sync, (params?: SyncParams) => sync.syncNow(params?.datastore ? { datastore: params.datastore, projectUri: params.projectUri } : undefined));
  register('catalogAsCode.testConnection', async (node?: DatastoreNode) => {
    const target = node ?? await datastores.pick('Test the connection of which datastore?');
    if (target) await setup.testDatastore(target);
  });
  register('catalogAsCode.addDatastore', () => setup.add());
  register('catalogAsCode.newProject', (folder?: vscode.Uri) => setup.newProject(folder));
  register('catalogAsCode.setPassword', (node?: DatastoreNode) => setPassword(datastores, secrets, node));
  register('catalogAsCode.clearPassword', (node?: DatastoreNode) => clearPassword(datastores, secrets, node));
  register('catalogAsCode.loadMoreContainers', (node: MoreNode) => datastores.loadMore(node));
  register('catalogAsCode.openSnapshot', async (node: ContainerNode) => {
    if (node?.item.snapshotUri) await vscode.window.showTextDocument(vscode.Uri.parse(node.item.snapshotUri), { preview: true });
  });
  register('catalogAsCode.openDefinition', async (node?: DatastoreNode) => {
    const target = node ?? await datastores.pick('Open the definition of which datastore?');
    if (target) await vscode.window.showTextDocument(vscode.Uri.parse(target.item.definitionUri));
  });
  register('catalogAsCode.compareWithCommitted', async (node?: ContainerNode | vscode.Uri) => {
    const uri = node instanceof vscode.Uri ? node.toString() : node?.item.snapshotUri ?? vscode.window.activeTextEditor?.document.uri.toString();
    if (!uri) return;
    const name = vscode.workspace.asRelativePath(vscode.Uri.parse(uri));
    await vscode.commands.executeCommand('vscode.diff', committedUri(uri), vscode.Uri.parse(uri), `${name} (HEAD ↔ working tree)`);
  });
  register('catalogAsCode.editIdentifiers', (node: ContainerNode) => identifiers.edit(containerRef(node)));
  register('catalogAsCode.revealInCatalog', (uri?: vscode.Uri) => revealInCatalog(server, datastores, datastoresView, uri ?? vscode.window.activeTextEditor?.document.uri));
  register('catalogAsCode.abortOperation', (node: OperationRef) => operationActions.abort(node));
  register('catalogAsCode.resumeOperation', (node: OperationRef) => operationActions.resume(node));
  register('catalogAsCode.rerunOperation', (node: OperationRef) => operationActions.rerun(node));
  register('catalogAsCode.deleteOperation', async (node: OperationRef) => {
    if (await operationActions.delete(node)) {
      operations.refresh();
      activity.historyChanged();
    }
  });
  register('catalogAsCode.showOperationLogs', (node: OperationRef) => operationActions.showLogs(node));
  // From the Operations view's title, a datastore (its operations) or an operation (its detail).
  register('catalogAsCode.showActivity', (node?: DatastoreNode | OperationNode) => {
    if (node?.kind === 'datastore') return activity.open({ datastore: node.item.name, projectUri: node.project.projectUri });
    if (node?.kind === 'operation') return activity.open({ operationId: node.item.id, projectUri: node.project.projectUri });
    return activity.open();
  });

  try {
    await server.start();
  } catch {
    await setState('serverFailed');
  }
  void decorations.reload();

  return { server, datastores, schedules, operations, sync, identifiers, setup, operationActions, activity, decorations, statusBar, secrets, ready: () => ready, get state() { return viewState; }, logUri: context.logUri };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; the language client stops with them.
}

async function setState(state: ViewState): Promise<void> {
  viewState = state;
  stateEmitter.fire(state);
  await vscode.commands.executeCommand('setContext', STATE_KEY, state);
}

async function hasProject(): Promise<boolean> {
  const found = await vscode.workspace.findFiles('**/catalog.yaml', '**/node_modules/**', 1);
  return found.length > 0;
}

function containerRef(node: ContainerNode): ContainerRef {
  return { projectUri: node.parent.project.projectUri, datastore: node.parent.item.name, container: node.item.name };
}

async function setPassword(tree: DatastoresTree, secrets: SecretEnv, node?: DatastoreNode): Promise<void> {
  const withSecrets = (await tree.datastores()).filter((d) => d.item.envReferences.length > 0);
  const target = node ?? (withSecrets.length === 1 ? withSecrets[0] : (await vscode.window.showQuickPick(withSecrets.map((d) => ({ label: d.item.name, description: d.item.envReferences.join(', '), node: d })), { title: 'Set a password of which datastore?' }))?.node);
  if (!target) {
    if (withSecrets.length === 0) void vscode.window.showInformationMessage('No datastore references an environment variable (${env:…}) in its connection settings.');
    return;
  }
  const variables = target.item.envReferences;
  const variable = variables.length === 1 ? variables[0] : await vscode.window.showQuickPick(variables, { title: `${target.item.name}: which variable?` });
  if (!variable) return;
  const value = await vscode.window.showInputBox({
    title: `Set Password: \${env:${variable}} of ${target.item.name}`,
    prompt: 'Kept in VS Code\'s secret storage and passed to syncs started from VS Code; never written to a file.',
    password: true, ignoreFocusOut: true,
  });
  if (value === undefined) return;
  await secrets.store(variable, value);
  vscode.window.setStatusBarMessage(`$(key) Stored \${env:${variable}} for ${target.item.name}`, 5000);
}

async function clearPassword(tree: DatastoresTree, secrets: SecretEnv, node?: DatastoreNode): Promise<void> {
  const variables = [...new Set((node ? [node] : await tree.datastores()).flatMap((d) => d.item.envReferences))];
  const stored: string[] = [];
  for (const v of variables) if (await secrets.has(v)) stored.push(v);
  if (stored.length === 0) {
    void vscode.window.showInformationMessage('No password is stored for this workspace\'s datastores.');
    return;
  }
  const picked = await vscode.window.showQuickPick(stored, { title: 'Forget which stored values?', canPickMany: true });
  for (const v of picked ?? []) await secrets.clear(v);
}

async function revealInCatalog(server: CatalogServer, tree: DatastoresTree, view: vscode.TreeView<CatalogNode>, uri: vscode.Uri | undefined): Promise<void> {
  if (!uri) return;
  try {
    const located = await server.request(LocateRequest.type, { uri: uri.toString() });
    if (!located.datastore) {
      void vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(uri)} is neither a snapshot nor a datastore definition of the catalog.`);
      return;
    }
    const datastore = await tree.findDatastore(located.datastore, located.projectUri ?? undefined);
    if (!datastore) return;
    const container = located.container ? await tree.findContainer(datastore, located.container) : undefined;
    await view.reveal(container ?? datastore, { select: true, focus: true, expand: container ? false : true });
  } catch (error) {
    await reportRequestError(error, 'Reveal in Catalog', server.log);
  }
}

export type { OperationNode };
