/**
 * One VS Code session for one test file: a fresh copy of examples/shop (or an empty folder),
 * code-server with the extension under test (the repository root, linked; or installed from its VSIX in a prepared
 * extensions folder) and optionally the test-runner extension, and
 * Chromium showing the workbench (code-server starts the extension host only for a connected
 * workbench). `stop()` closes everything and keeps the logs in test-artifacts/vscode/<name>/.
 */
import { Workbench, type OpenOptions } from '../browser/workbench';
import { startCodeServer, prepareEmptyWorkspace, prepareShopWorkspace, removeWorkspace, type CodeServer, type Trust } from './codeServer';
import { REPO, RUNNER_EXTENSION_DIR } from './paths';

export interface SessionOptions {
  /** Names the artifacts: test-artifacts/vscode/<name>/ and screenshots <name>-<step>.png. */
  name: string;
  /** The code-server binary (requireCodeServer). */
  bin: string;
  trust?: Trust;
  /** Also load the test-runner extension (out/vscode-tests/runner-extension). */
  runner?: boolean;
  /** Environment of code-server and so of the extension host. */
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
  /**
   * An extensions folder in which the extension under test is already installed (from its VSIX:
   * vsix.ts installVsix): code-server loads it from there and the repository is not linked.
   */
  extensionsDir?: string;
  /** The folder opened: a fresh copy of examples/shop (default) or an empty folder without a catalog. */
  workspace?: 'shop' | 'empty';
  /**
   * Open this existing folder as it is instead (not copied, and not removed by stop()); `workspace`
   * is then ignored. For benchmarks over a large prepared catalog (bench/vscode.bench.ts).
   */
  workspaceFolder?: string;
  /** Runs on the fresh workspace copy before code-server starts (e.g. to give it an operation history). */
  prepare?: (workspace: string) => void;
  /** Passed to Workbench.open (e.g. an init script to add before the page navigates). */
  open?: Omit<OpenOptions, 'name'>;
}

export interface VsCodeSession {
  server: CodeServer;
  workbench: Workbench;
  workspace: string;
  stop(): Promise<void>;
}

export async function startSession(options: SessionOptions): Promise<VsCodeSession> {
  const own = options.workspaceFolder === undefined;
  const workspace = options.workspaceFolder ?? (options.workspace === 'empty' ? prepareEmptyWorkspace() : prepareShopWorkspace());
  const remove = (): void => {
    if (own) removeWorkspace(workspace);
  };
  let server: CodeServer | undefined;
  try {
    options.prepare?.(workspace);
    server = await startCodeServer(options.bin, {
      name: options.name,
      workspace,
      trust: options.trust ?? 'trusted',
      extensions: [...(options.extensionsDir ? [] : [REPO]), ...(options.runner ? [RUNNER_EXTENSION_DIR] : [])],
      ...(options.extensionsDir ? { extensionsDir: options.extensionsDir } : {}),
      env: options.env ?? {},
      settings: options.settings ?? {},
    });
    let workbench: Workbench;
    try {
      workbench = await Workbench.open(server.folderUrl, { ...options.open, name: options.name });
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\ncode-server's output (${server.logFile}):\n${server.logTail()}`, { cause: error });
    }
    const started = server;
    let stopped: Promise<void> | undefined;
    return {
      server: started,
      workbench,
      workspace,
      stop: () => (stopped ??= (async () => {
        await workbench.close();
        await started.stop();
        remove();
      })()),
    };
  } catch (error) {
    await server?.stop();
    remove();
    throw error;
  }
}
