import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction, ErrorAction, LanguageClient, ResponseError, State, TransportKind, WorkDoneProgress,
  type CloseHandlerResult, type ErrorHandlerResult, type LanguageClientOptions, type NotificationType, type RequestType, type ServerOptions,
} from 'vscode-languageclient/node';
import {
  OperationChangedNotification, TrustChangedNotification, WorkspaceLoadedNotification, RESTRICTED_MODE_ERROR,
  type CatalogInitializationOptions, type OperationChangedParams, type WorkspaceLoadedParams,
} from '../../../server/src/protocol/catalogProtocol';

/** A message's params as vscode-jsonrpc types them (null-typed params may be left out). */
type Param<P> = P extends null ? P | undefined : P;

export type ServerState = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';

/**
 * The extension's one connection to `cac-language-server` (over Node IPC). Everything the views
 * and flows show comes through `request`, typed by the server's protocol. A crash is announced
 * and the server restarted; after repeated crashes the state is `failed` and the views say so.
 */
export class CatalogServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private stateValue: ServerState = 'starting';
  private loaded: WorkspaceLoadedParams | undefined;
  private readonly crashes: number[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  private readonly loadedEmitter = new vscode.EventEmitter<WorkspaceLoadedParams>();
  private readonly operationEmitter = new vscode.EventEmitter<OperationChangedParams>();
  /** The server's state changed (starting, ready, restarting, failed). */
  readonly onDidChangeState = this.stateEmitter.event;
  /** The server (re)loaded the workspace: trees reload from here. */
  readonly onDidLoadWorkspace = this.loadedEmitter.event;
  /** An operation started, progressed or finished, in this server or elsewhere (CLI, daemon, API). */
  readonly onDidChangeOperation = this.operationEmitter.event;

  constructor(private readonly context: vscode.ExtensionContext, readonly log: vscode.LogOutputChannel) {
    this.disposables.push(this.stateEmitter, this.loadedEmitter, this.operationEmitter);
    this.disposables.push(vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void this.client?.sendNotification(TrustChangedNotification.type, { trusted: true });
      this.log.info('Workspace trusted: syncs and connection tests are allowed now.');
    }));
  }

  get state(): ServerState {
    return this.stateValue;
  }

  /** What the last workspace load reported; undefined before the first one. */
  get workspace(): WorkspaceLoadedParams | undefined {
    return this.loaded;
  }

  /** The server process id (tests kill it to prove the restart). */
  get processId(): number | undefined {
    const client = this.client as unknown as { _serverProcess?: { pid?: number } } | undefined;
    return client?._serverProcess?.pid;
  }

  async start(): Promise<void> {
    this.setState('starting');
    const client = this.createClient();
    this.client = client;
    client.onDidChangeState((event) => {
      if (event.newState === State.Running && this.stateValue === 'restarting') this.setState('starting');
    });
    client.onNotification(WorkspaceLoadedNotification.type, (params) => {
      this.loaded = params;
      this.setState('ready');
      this.loadedEmitter.fire(params);
    });
    client.onNotification(OperationChangedNotification.type, (params) => this.operationEmitter.fire(params));
    try {
      await client.start();
    } catch (error) {
      this.log.error(`The Catalog language server did not start: ${(error as Error).message}`);
      this.setState('failed');
      throw error;
    }
  }

  async restart(): Promise<void> {
    const old = this.client;
    this.client = undefined;
    this.crashes.length = 0;
    if (old) await old.dispose(2000).catch(() => undefined);
    await this.start();
  }

  /**
   * A typed request; server errors become `CatalogRequestError` with the server's message
   * (already written for people), restricted-mode refusals marked as such.
   */
  async request<P, R>(type: RequestType<P, R, void>, params: Param<P>, token?: vscode.CancellationToken): Promise<R> {
    const client = this.client;
    if (!client || this.stateValue === 'failed') throw new CatalogRequestError('The Catalog language server is not running. Restart it (Catalog: Restart Language Server) or see the logs.', 'serverDown');
    try {
      // By method name: a type object made by another copy of vscode-jsonrpc (a test bundle) would not be recognised.
      return await client.sendRequest<R>(type.method, params, token);
    } catch (error) {
      if (error instanceof ResponseError) {
        throw new CatalogRequestError(error.message, error.code === RESTRICTED_MODE_ERROR ? 'restricted' : error.code === -32800 ? 'cancelled' : 'server');
      }
      throw new CatalogRequestError((error as Error).message ?? String(error), 'server');
    }
  }

  notify<P>(type: NotificationType<P>, params: Param<P>): void {
    void this.client?.sendNotification(type.method, params);
  }

  /** Work-done progress the server reports against a token this client made. */
  onProgress(token: string, handler: (value: { kind: string; message?: string; percentage?: number }) => void): vscode.Disposable {
    if (!this.client) return new vscode.Disposable(() => undefined);
    return this.client.onProgress(WorkDoneProgress.type, token, handler);
  }

  /** LSP ↔ VS Code conversions of the running client (workspace edits). */
  get converter(): LanguageClient['protocol2CodeConverter'] | undefined {
    return this.client?.protocol2CodeConverter;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    void this.client?.dispose(2000).catch(() => undefined);
  }

  private setState(state: ServerState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.stateEmitter.fire(state);
  }

  private createClient(): LanguageClient {
    const configured = vscode.workspace.getConfiguration('catalogAsCode').get<string>('server.path')?.trim();
    const serverModule = configured ? configured : this.context.asAbsolutePath('dist/server.js');
    const runtime = serverRuntime();
    this.log.info(`Starting ${serverModule} on ${runtime ?? `the editor's runtime (Node.js ${process.versions.node})`}.`);
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc, runtime },
      debug: { module: serverModule, transport: TransportKind.ipc, runtime, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const initializationOptions: CatalogInitializationOptions = {
      // The extension runs the code-lens commands itself (through its sync flow, with previews and secrets).
      executeCommands: false,
      trusted: vscode.workspace.isTrusted,
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'yaml' }],
      initializationOptions,
      outputChannel: this.log,
      traceOutputChannel: this.log,
      // The server's own notifications say what went wrong; the client's popups would repeat them.
      revealOutputChannelOn: 4 /* Never */,
      errorHandler: {
        error: (): ErrorHandlerResult => ({ action: ErrorAction.Continue }),
        closed: (): CloseHandlerResult => this.serverClosed(),
      },
    };
    return new LanguageClient('catalogAsCode', 'Catalog Language Server', serverOptions, clientOptions);
  }

  /** Restart after a crash, unless it crashed 5 times in 3 minutes: then say so and stop trying. */
  private serverClosed(): CloseHandlerResult {
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length > 0 && now - this.crashes[0] > 180_000) this.crashes.shift();
    if (this.crashes.length >= 5) {
      this.setState('failed');
      void showError('The Catalog language server stopped 5 times in 3 minutes and will not be restarted.', this.log, [{ title: 'Restart', run: () => this.restart() }]);
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    this.setState('restarting');
    void vscode.window.showWarningMessage('The Catalog language server stopped unexpectedly; it is being restarted.', 'Show Logs').then((pick) => {
      if (pick) this.log.show(true);
    });
    return { action: CloseAction.Restart, handled: true };
  }
}

/**
 * The Node.js that runs the server: the setting, else (desktop VS Code runs extensions on
 * Electron, whose ABI the SQLite driver is not built for) a `node` on PATH, else the editor's own.
 */
function serverRuntime(): string | undefined {
  const configured = vscode.workspace.getConfiguration('catalogAsCode').get<string>('server.runtime')?.trim();
  if (configured) return configured;
  if (!process.versions.electron) return undefined;
  const name = process.platform === 'win32' ? 'node.exe' : 'node';
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

export type RequestErrorKind = 'server' | 'restricted' | 'cancelled' | 'serverDown';

export class CatalogRequestError extends Error {
  constructor(message: string, readonly kind: RequestErrorKind) {
    super(message);
  }
}

export interface MessageAction {
  title: string;
  run: () => unknown;
}

/**
 * An error notification that always offers Show Logs (the message is also logged). It does not
 * wait for the answer: a flow goes on (or ends) while the notification stays until dismissed.
 */
export function showError(message: string, log: vscode.LogOutputChannel, actions: MessageAction[] = []): Promise<void> {
  log.error(message);
  void vscode.window.showErrorMessage(message, ...actions.map((a) => a.title), 'Show Logs').then(async (pick) => {
    if (pick === 'Show Logs') log.show(true);
    else await actions.find((a) => a.title === pick)?.run();
  });
  return Promise.resolve();
}

/** The message of a failed request, for people: restricted mode gets its own wording. */
export function reportRequestError(error: unknown, what: string, log: vscode.LogOutputChannel): Promise<void> {
  if (error instanceof CatalogRequestError && error.kind === 'cancelled') return Promise.resolve();
  if (error instanceof CatalogRequestError && error.kind === 'restricted') {
    log.warn(`${what}: ${error.message}`);
    void vscode.window.showWarningMessage(`${what}: ${error.message}`, 'Manage Workspace Trust').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return Promise.resolve();
  }
  return showError(`${what}: ${(error as Error).message}`, log);
}
