import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import {
  CancellationTokenSource, createProtocolConnection, StreamMessageReader, StreamMessageWriter,
  type ClientCapabilities, type Diagnostic, type InitializeResult, type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { ensureBuilt } from './builtCli';
import { WorkspaceCheckedNotification, WorkspaceLoadedNotification, type WorkspaceLoadedParams } from '../../server/src/protocol/catalogProtocol';

const REPO = path.resolve(__dirname, '..', '..');

/**
 * How to start the server: the built bin (the default: what users run, and the only way its
 * sync worker thread can load), from source through tsx, or any command (another server).
 */
export type ServerLaunch = 'source' | 'bin' | { args: string[] };

/** Every message the server sent that tests assert on, in arrival order. */
export interface RecordedMessage {
  kind: 'notification' | 'request';
  method: string;
  params: unknown;
  /** performance.now() when it arrived (the benchmarks time the load's notifications). */
  receivedAt: number;
}

/**
 * A real LSP client over stdio (vscode-languageserver-protocol), driving a real server
 * process. Tests wait on what the server sends (diagnostics, readiness), never on sleeps.
 */
/** The servers' analysis caches go to a folder of the tests' own, not the user's cache folder. */
const TEST_CACHE_DIR = path.join(os.tmpdir(), 'cac-lsp-test-cache');

/** Where a server started by this client keeps the analyses of the project at `root` (see DefinitionAnalysisCache.forProject). */
export function analysisCacheFileOf(root: string): string {
  return path.join(TEST_CACHE_DIR, 'definitions', `${createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 20)}.json`);
}

export class LspTestClient {
  readonly connection: ProtocolConnection;
  readonly messages: RecordedMessage[] = [];
  readonly diagnostics = new Map<string, { diagnostics: Diagnostic[]; version?: number }>();
  /** Answers to `workspace/configuration`, by section. */
  settings: Record<string, unknown> = {};
  private readonly process: ChildProcess;
  private stderr = '';
  /** Pending waits, re-checked on every message from the server (no polling: the benchmarks time these). */
  private waiters: { check: () => boolean; resolve: () => void }[] = [];

  constructor(launch: ServerLaunch = 'bin', env: Record<string, string> = {}) {
    if (launch === 'bin') ensureBuilt();
    const args = typeof launch === 'object' ? launch.args : launch === 'bin'
      ? [path.join(REPO, 'bin', 'cac-language-server.js'), '--stdio']
      : ['--import', 'tsx', path.join(REPO, 'server', 'src', 'lsp', 'main.ts'), '--stdio'];
    this.process = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, CAC_TRIGGERED_BY: 'lsp-test@example.com', CAC_CACHE_DIR: TEST_CACHE_DIR, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
    });
    this.connection = createProtocolConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    // No notification handler is registered, so every notification arrives here.
    this.connection.onUnhandledNotification((message) => {
      const { method, params } = message;
      this.messages.push({ kind: 'notification', method, params, receivedAt: performance.now() });
      if (method === 'textDocument/publishDiagnostics') {
        const p = params as { uri: string; diagnostics: Diagnostic[]; version?: number };
        this.diagnostics.set(p.uri, { diagnostics: p.diagnostics, version: p.version });
      }
      this.wake();
    });
    for (const method of SERVER_REQUESTS) {
      this.connection.onRequest(method, (params: unknown) => {
        this.messages.push({ kind: 'request', method, params, receivedAt: performance.now() });
        this.wake();
        if (method === 'workspace/configuration') {
          return ((params as { items: { section?: string }[] }).items ?? []).map((item) => (item.section ? this.settings[item.section] ?? null : null));
        }
        return null;
      });
    }
    // `$/progress` for tokens the client did not register reaches no notification handler; the
    // connection object has this event though ProtocolConnection's type does not list it.
    (this.connection as unknown as { onUnhandledProgress: (listener: (params: unknown) => void) => void }).onUnhandledProgress((params) => {
      this.messages.push({ kind: 'notification', method: '$/progress', params, receivedAt: performance.now() });
      this.wake();
    });
    this.connection.listen();
  }

  /** Server output on stderr (logs), for failure messages. */
  get log(): string {
    return this.stderr;
  }

  async initialize(root: string, capabilities: ClientCapabilities = DEFAULT_CAPABILITIES, initializationOptions: object = {}): Promise<InitializeResult> {
    const result = await this.connection.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: uri(root),
      workspaceFolders: [{ uri: uri(root), name: path.basename(root) }],
      capabilities,
      initializationOptions,
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  /**
   * Initializes and waits for `catalog/workspaceLoaded` (definitions read, features answer) and
   * then `catalog/workspaceChecked` (every diagnostic published), so a test sees the whole load.
   */
  async start(root: string, capabilities: ClientCapabilities = DEFAULT_CAPABILITIES, initializationOptions: object = {}): Promise<WorkspaceLoadedParams> {
    await this.initialize(root, capabilities, initializationOptions);
    const loaded = (await this.waitForMessage(WorkspaceLoadedNotification.method)).params as WorkspaceLoadedParams;
    await this.waitForMessage(WorkspaceCheckedNotification.method);
    return loaded;
  }

  async open(file: string, text: string, version = 1): Promise<void> {
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(file), languageId: 'yaml', version, text } });
  }

  /** Replaces the whole text (as a client without incremental sync would). */
  async replace(file: string, text: string, version: number): Promise<void> {
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(file), version }, contentChanges: [{ text }] });
  }

  async edit(file: string, version: number, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri: uri(file), version }, contentChanges: [{ range, text }] });
  }

  request<R>(method: string, params: unknown, token?: CancellationTokenSource): Promise<R> {
    // An explicit `undefined` token would be sent as a second, positional parameter.
    return token ? this.connection.sendRequest<R>(method, params, token.token) : this.connection.sendRequest<R>(method, params);
  }

  /** Resolves once `check` holds, re-checked on every message from the server; a timeout shows the server's log. */
  waitFor(check: () => boolean, what: string, timeoutMs = 15000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`Timed out waiting for ${what}. Server log:\n${this.stderr.slice(-4000)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => w.check());
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }

  /** The first message with `method` after `from` messages (default: any so far). */
  async waitForMessage(method: string, from = 0, predicate: (params: unknown) => boolean = () => true): Promise<RecordedMessage> {
    let found: RecordedMessage | undefined;
    await this.waitFor(() => (found = this.messages.slice(from).find((m) => m.method === method && predicate(m.params))) !== undefined, method);
    return found!;
  }

  /** Waits for diagnostics of a file that satisfy `predicate`, and returns them. */
  async waitForDiagnostics(file: string, predicate: (diagnostics: Diagnostic[], version?: number) => boolean, what = 'diagnostics'): Promise<Diagnostic[]> {
    const key = uri(file);
    await this.waitFor(() => {
      const entry = this.diagnostics.get(key);
      return entry !== undefined && predicate(entry.diagnostics, entry.version);
    }, `${what} of ${file}`);
    return this.diagnostics.get(key)!.diagnostics;
  }

  /** Shuts the server down politely and waits for the process to exit. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.process.exitCode !== null) resolve(this.process.exitCode);
      else this.process.once('exit', (code) => resolve(code));
    });
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((resolve) => setTimeout(resolve, 5000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
    const code = await exited;
    clearTimeout(timer);
    this.connection.dispose();
    return code;
  }

  get exitCode(): number | null {
    return this.process.exitCode;
  }
}

/** Requests a server may send a client; each is recorded and answered (settings from `settings`). */
const SERVER_REQUESTS = ['client/registerCapability', 'client/unregisterCapability', 'window/workDoneProgress/create', 'workspace/configuration', 'window/showMessageRequest', 'window/showDocument', 'workspace/applyEdit'];

export function uri(file: string): string {
  return pathToFileURL(file).href;
}

/** A client like VS Code: watches files for the server, shows progress, applies versioned edits. */
export const DEFAULT_CAPABILITIES: ClientCapabilities = {
  workspace: {
    didChangeWatchedFiles: { dynamicRegistration: true },
    workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] },
    workspaceFolders: true,
  },
  window: { workDoneProgress: true },
  textDocument: {
    publishDiagnostics: { versionSupport: true },
    rename: { prepareSupport: true },
    completion: { completionItem: { snippetSupport: false } },
  },
};

/** A minimal client: no file watching, no progress, plain edits (as many editors start out). */
export const MINIMAL_CAPABILITIES: ClientCapabilities = {};
