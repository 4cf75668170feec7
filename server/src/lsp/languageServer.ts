import { performance } from 'node:perf_hooks';
import {
  TextDocuments, TextDocumentSyncKind,
  type ClientCapabilities, type Connection, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  CatalogCommands, TrustChangedNotification, WorkspaceCheckedNotification, WorkspaceLoadedNotification,
  type CatalogInitializationOptions, type TrustParams, type WorkspaceCheckedParams, type WorkspaceLoadedParams,
} from '../protocol/catalogProtocol';
import { DefinitionAnalysisCache, warmDatastore } from '../core';
import { registerCatalogRequests } from './catalogRequests';
import { CatalogSession } from './catalogSession';
import { pathOf } from './convert';
import { registerEditingFeatures } from './features/editingFeatures';
import type { FeatureContext } from './features/featureContext';
import { registerNavigationFeatures } from './features/navigationFeatures';
import { FileEvents } from './fileEvents';
import { SyncRunner } from './sync/syncRunner';

/**
 * Wires the catalog language server onto a connection: capabilities, document sync
 * (incremental), the workspace load, file watching and every feature. The only layer that
 * knows LSP; everything it answers comes from the engine (server/src/core).
 */
export function startLanguageServer(connection: Connection, host: LanguageServerHost = {}): void {
  const documents = new TextDocuments(TextDocument);
  const runner = new SyncRunner();
  let capabilities: ClientCapabilities = {};
  let options: CatalogInitializationOptions = {};
  let roots: string[] = [];
  const { analysisCache } = host;
  const cacheFor = analysisCache ? (root: string) => DefinitionAnalysisCache.forProject(analysisCache.dir, analysisCache.build, root) : undefined;
  const session = new CatalogSession(connection, (uri) => documents.get(uri)?.version, DEFAULT_VALIDATION_DELAY_MS, cacheFor);
  let trusted = true;
  const context: FeatureContext = { connection, documents, session, get capabilities() { return capabilities; }, get trusted() { return trusted; } };
  const fileEvents = new FileEvents(connection, (file) => session.fileChanged(file));
  let loaded = false;

  connection.onInitialize((params): InitializeResult => {
    capabilities = params.capabilities;
    options = (params.initializationOptions ?? {}) as CatalogInitializationOptions;
    if (typeof options.validationDelayMs === 'number') session.setValidationDelay(options.validationDelayMs);
    trusted = options.trusted !== false;
    const folders = params.workspaceFolders ?? [];
    roots = folders.map((f) => pathOf(f.uri)).filter((p): p is string => p !== undefined);
    const rootUri = params.rootUri ? pathOf(params.rootUri) : undefined;
    if (roots.length === 0 && rootUri) roots = [rootUri];
    else if (roots.length === 0 && params.rootPath) roots = [params.rootPath];
    const executeCommands = options.executeCommands !== false;
    registerCatalogRequests(context, runner, executeCommands);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
        completionProvider: { triggerCharacters: [':', ' ', '-', '"'], resolveProvider: false },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        ...(executeCommands ? { executeCommandProvider: { commands: [CatalogCommands.sync, CatalogCommands.preview] } } : {}),
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'cac-language-server', version: typeof CAC_VERSION === 'string' ? CAC_VERSION : '0.0.0-dev' },
    };
  });

  connection.onInitialized(() => {
    void (async () => {
      const started = performance.now();
      for (const root of roots) session.addRoot(root);
      // Buffers opened before the load finished were routed before their project existed.
      for (const document of documents.all()) {
        const file = pathOf(document.uri);
        if (file) session.bufferChanged(file, document.getText());
      }
      // Answer first: definitions are what features need; the snapshot checks follow below.
      session.analyzeAll();
      loaded = true;
      const canWatch = capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
      try {
        if (canWatch) await fileEvents.useClientWatcher();
        else {
          connection.console.info('The client cannot watch files (no dynamic registration of workspace/didChangeWatchedFiles); the server watches the workspace folders itself.');
          await fileEvents.useOwnWatcher(session.roots);
        }
      } catch (error) {
        connection.console.warn(`File changes on disk will not be seen: ${(error as Error).message}`);
      }
      if (capabilities.workspace?.workspaceFolders) {
        connection.workspace.onDidChangeWorkspaceFolders((event) => {
          for (const folder of event.removed) {
            const file = pathOf(folder.uri);
            if (file) session.removeRoot(file);
          }
          for (const folder of event.added) {
            const file = pathOf(folder.uri);
            if (file) session.addRoot(file);
          }
          session.validateNow();
        });
      }
      const projects = session.allProjects();
      const ready: WorkspaceLoadedParams = {
        roots: session.roots,
        files: projects.reduce((n, p) => n + p.fileCount, 0),
        datastores: projects.reduce((n, p) => n + p.workspace.datastores.length, 0),
        filesFromCache: projects.reduce((n, p) => n + p.analysesFromCache, 0),
        durationMs: Math.round(performance.now() - started),
        fileEvents: canWatch ? 'client' : 'server',
      };
      // Written out before the synchronous work below (parser warm-up, snapshot checks) holds the thread.
      await connection.sendNotification(WorkspaceLoadedNotification.method, ready);
      const filesWithProblems = await session.checkAll();
      const checked: WorkspaceCheckedParams = { roots: session.roots, filesWithProblems, durationMs: Math.round(performance.now() - started) };
      void connection.sendNotification(WorkspaceCheckedNotification.method, checked);
      session.saveCaches();
      warmTrees(session);
    })().catch((error: unknown) => connection.console.error(`Loading the workspace failed: ${(error as Error).stack ?? String(error)}`));
  });

  // A newly opened document is validated at once; edits wait for the validation delay.
  const justOpened = new Set<string>();
  documents.onDidOpen((event) => justOpened.add(event.document.uri));
  documents.onDidChangeContent((change) => {
    const opened = justOpened.delete(change.document.uri);
    const file = pathOf(change.document.uri);
    // Until the workspace is loaded, the load itself reads every open document.
    if (!file || !loaded) return;
    session.bufferChanged(file, change.document.getText(), opened);
  });
  documents.onDidClose((event) => {
    const file = pathOf(event.document.uri);
    if (file) session.bufferClosed(file);
  });

  connection.onNotification(TrustChangedNotification.method, (params: TrustParams) => {
    if (typeof params?.trusted === 'boolean') trusted = params.trusted;
  });

  registerEditingFeatures(context);
  registerNavigationFeatures(context);

  connection.onShutdown(async () => {
    runner.abortAll();
    session.dispose();
    await fileEvents.dispose();
  });

  documents.listen(connection);
  connection.listen();
}

/**
 * While idle after the load, reads each datastore's index and one snapshot (engine
 * `warmDatastore`), one datastore per turn of the event loop so requests and edits go first.
 */
function warmTrees(session: CatalogSession): void {
  const queue = session.allProjects().flatMap((project) => project.workspace.datastores.map((d) => ({ project, name: d.name })));
  const next = (): void => {
    const item = queue.shift();
    if (!item) return;
    try {
      warmDatastore(item.project, item.name);
    } catch {
      // A broken snapshot folder is reported when someone expands it; warming is best effort.
    }
    setImmediate(next);
  };
  setImmediate(next);
}

/** What the process running the server provides. */
export interface LanguageServerHost {
  /**
   * Where definition analyses are kept between sessions (outside any repository) and the build
   * that wrote them: an entry of another build is never used. None: every start analyzes all.
   */
  analysisCache?: { dir: string; build: string };
}

/** Edits closer together than this are validated together, this long after the last one (a burst of typing). */
const DEFAULT_VALIDATION_DELAY_MS = 25;

declare const CAC_VERSION: string | undefined;
