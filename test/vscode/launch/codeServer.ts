/**
 * Starts code-server (a real VS Code 1.100 workbench and Node extension host, served on loopback)
 * with a fresh user-data folder and extensions folder, for one test file. See
 * /work/shared/notes/vscode-e2e.md and .ci/install-e2e (which installs it).
 *
 * Verified on code-server 4.100.3:
 * - an extension folder that is a symlink (`<publisher>.<name>-<version>` → the repository root)
 *   is scanned and activated; `require` inside it resolves from the real path, so the repository's
 *   node_modules serve the extension;
 * - code-server's own environment reaches the extension host's `process.env`;
 * - the extension host starts only when a browser opens the workbench (see browser/workbench.ts);
 * - `security.workspace.trust.enabled: false` makes the folder trusted; `true` with
 *   `startupPrompt: never` opens it in Restricted Mode without the trust dialog.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readManifest, type ExtensionManifest } from './build';
import { ARTIFACTS_DIR, REPO, fileSafe } from './paths';

export type Trust = 'trusted' | 'restricted';

export interface CodeServerOptions {
  /** Names the artifacts folder: test-artifacts/vscode/<name>/ (code-server.log, logs/). */
  name: string;
  /** The folder to open. */
  workspace: string;
  /** `trusted` (default): workspace trust off. `restricted`: Restricted Mode, no prompt. */
  trust?: Trust;
  /** Extension folders to load (each holds a package.json), linked as `<publisher>.<name>-<version>`. */
  extensions: string[];
  /**
   * A prepared extensions folder to use instead of a fresh one: e.g. one that `code-server
   * --install-extension <vsix> --extensions-dir` filled ({@link installVsix} in vsix.ts). `extensions`
   * are linked into it as well and registered in its extensions.json. stop() leaves it in place.
   */
  extensionsDir?: string;
  /** Added to code-server's environment, which the extension host inherits. */
  env?: Record<string, string>;
  /** Merged over the default user settings. */
  settings?: Record<string, unknown>;
  /** Bound on the server's start (default 60 s). */
  startTimeoutMs?: number;
}

export interface CodeServer {
  url: string;
  port: number;
  pid: number;
  workspace: string;
  userDataDir: string;
  logFile: string;
  /** The workbench URL opening the workspace folder. */
  folderUrl: string;
  /** The last lines of code-server's output, for failure messages. */
  logTail(lines?: number): string;
  /** Whether the code-server process has exited. */
  hasExited(): boolean;
  /** Kills the process group, keeps the logs under test-artifacts/, removes the temporary folders. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The code-server binary: $CAC_CODE_SERVER (.ci/run sets it from .ci/install-e2e), else the cache
 * .ci/install-e2e fills ($CAC_E2E_CACHE or ~/.cache/catalog-as-code-e2e). Undefined when absent.
 */
export function findCodeServer(): string | undefined {
  const fromEnv = process.env.CAC_CODE_SERVER;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`CAC_CODE_SERVER=${fromEnv} does not exist; run .ci/install-e2e.`);
    return fromEnv;
  }
  const cache = process.env.CAC_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'catalog-as-code-e2e');
  const bin = path.join(cache, 'node_modules', '.bin', 'code-server');
  return fs.existsSync(bin) ? bin : undefined;
}

/**
 * For a mocha `before` hook: the code-server binary, or skips the suite with a message when it is
 * not installed outside CI. In CI (CI set) a missing code-server fails instead.
 */
export function requireCodeServer(context: Mocha.Context): string {
  const bin = findCodeServer();
  if (bin) return bin;
  const message = 'code-server is not installed: run .ci/install-e2e (or set CAC_CODE_SERVER) to run the VS Code tests.';
  if (process.env.CI) throw new Error(`${message} CI is set, so this fails instead of skipping.`);
  console.warn(`      skipped: ${message}`);
  context.skip();
}

export function defaultSettings(trust: Trust): Record<string, unknown> {
  return {
    'security.workspace.trust.enabled': trust === 'restricted',
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'never',
    'security.workspace.trust.untrustedFiles': 'open',
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.settings.enableNaturalLanguageSearch': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'update.showReleaseNotes': false,
    'git.autofetch': false,
    'git.openRepositoryInParentFolders': 'never',
    'chat.commandCenter.enabled': false,
    'files.autoSave': 'off',
    'window.dialogStyle': 'custom',
  };
}

/** Starts code-server on a free loopback port; resolves once it listens. */
export async function startCodeServer(bin: string, options: CodeServerOptions): Promise<CodeServer> {
  const trust = options.trust ?? 'trusted';
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-code-server-'));
  const userDataDir = path.join(temp, 'user-data');
  const extensionsDir = options.extensionsDir ?? path.join(temp, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...defaultSettings(trust), ...options.settings }, null, 2));
  for (const dir of options.extensions) {
    const manifest = readManifest(dir);
    const folder = `${manifest.publisher}.${manifest.name}-${manifest.version}`.toLowerCase();
    fs.symlinkSync(dir, path.join(extensionsDir, folder), 'dir');
    if (options.extensionsDir) registerExtension(extensionsDir, folder, manifest);
  }
  const artifacts = path.join(ARTIFACTS_DIR, 'vscode', fileSafe(options.name));
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });
  const logFile = path.join(artifacts, 'code-server.log');
  const log = fs.openSync(logFile, 'w');

  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  // Inside a VS Code terminal these make code-server hand the folder to that VS Code instead.
  for (const key of Object.keys(env)) if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete env[key];
  // No gallery: nothing leaves loopback (the default, open-vsx.org, is unreachable here anyway).
  env.EXTENSIONS_GALLERY = JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item', resourceUrlTemplate: 'http://127.0.0.1:9/resource/{publisher}/{name}/{version}/{path}' });
  const args = [
    '--config', path.join(temp, 'config.yaml'),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    options.workspace,
  ];
  fs.writeSync(log, `$ ${bin} ${args.join(' ')}\n`);
  // detached: its own process group, so stop() ends the extension hosts and language servers too.
  const child = spawn(bin, args, { cwd: temp, env, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  running.set(child.pid!, temp);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  const logTail = (lines = 40) => tail(logFile, lines);
  let stopped: Promise<void> | undefined;
  const server: CodeServer = {
    url: `http://127.0.0.1:${port}/`,
    port,
    pid: child.pid!,
    workspace: options.workspace,
    userDataDir,
    logFile,
    folderUrl: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(options.workspace)}`,
    logTail,
    hasExited: () => exitCode !== undefined,
    stop: () => (stopped ??= stop(child, exited, () => exitCode !== undefined).then(() => {
      running.delete(child.pid!);
      keepLogsAndClean(userDataDir, artifacts, temp);
    })),
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exitCode !== undefined) {
      await server.stop();
      throw new Error(`code-server exited (code ${exitCode}) before listening on 127.0.0.1:${port}. Its output (${logFile}):\n${logTail()}`);
    }
    if (fs.readFileSync(logFile, 'utf8').includes('HTTP server listening on') && (await canConnect(port))) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not listen on 127.0.0.1:${port} within ${options.startTimeoutMs ?? 60_000} ms. Its output (${logFile}):\n${logTail()}`);
    }
    await sleep(100);
  }
}

/**
 * Adds a linked extension folder to the extensions.json of an extensions folder that has one (one
 * written by `--install-extension`): VS Code loads the folders that file lists, not every folder
 * present. A folder without extensions.json needs nothing (VS Code scans it on first start).
 */
function registerExtension(extensionsDir: string, folder: string, manifest: ExtensionManifest): void {
  const file = path.join(extensionsDir, 'extensions.json');
  if (!fs.existsSync(file)) return;
  const id = `${manifest.publisher}.${manifest.name}`.toLowerCase();
  const entries = (JSON.parse(fs.readFileSync(file, 'utf8')) as { identifier: { id: string } }[]).filter((e) => e.identifier.id.toLowerCase() !== id);
  const location = path.join(extensionsDir, folder);
  entries.push({
    identifier: { id },
    version: manifest.version,
    location: { $mid: 1, fsPath: location, external: pathToFileURL(location).href, path: location, scheme: 'file' },
    relativeLocation: folder,
    metadata: { installedTimestamp: Date.now(), source: 'vsix' },
  } as { identifier: { id: string } });
  fs.writeFileSync(file, JSON.stringify(entries));
}

/** Process groups (and temporary folders) of servers not stopped yet: killed and removed if the test process exits first (Ctrl-C, a crash). */
const running = new Map<number, string>();
process.on('exit', () => {
  for (const [pid, temp] of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
    fs.rmSync(temp, { recursive: true, force: true });
  }
});

/** SIGTERM to the process group, SIGKILL after 5 s; never waits longer than 10 s. */
async function stop(child: ChildProcess, exited: Promise<number | null>, hasExited: () => boolean): Promise<void> {
  const group = -child.pid!;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(group, name);
    } catch {
      // The group is gone already.
    }
  };
  if (!hasExited()) {
    signal('SIGTERM');
    if ((await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)])) === false) {
      signal('SIGKILL');
      await Promise.race([exited, sleep(5_000)]);
    }
  }
  // Children (extension host, language server) may outlive the server in its group.
  signal('SIGKILL');
}

function keepLogsAndClean(userDataDir: string, artifacts: string, temp: string): void {
  const logs = path.join(userDataDir, 'logs');
  try {
    if (fs.existsSync(logs)) fs.cpSync(logs, path.join(artifacts, 'logs'), { recursive: true });
  } catch (error) {
    console.warn(`could not keep code-server's logs: ${String(error)}`);
  }
  fs.rmSync(temp, { recursive: true, force: true });
}

/**
 * A fresh copy of examples/shop in a temporary folder (named `shop`): its sources built by
 * examples/shop/setup.mjs (SQLite, DuckDB, Parquet), and a git repository with everything but those
 * generated sources committed, so snapshot changes show against HEAD. Remove it with {@link removeWorkspace}.
 */
export function prepareShopWorkspace(): string {
  const source = path.join(REPO, 'examples', 'shop');
  const workspace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cac-vscode-workspace-')), 'shop');
  const generated = /\.(sqlite|duckdb|wal|parquet)$/;
  fs.cpSync(source, workspace, { recursive: true, filter: (file) => !generated.test(file) && path.basename(file) !== '.cac' });
  run(process.execPath, [path.join(source, 'setup.mjs'), workspace], REPO);
  fs.mkdirSync(path.join(workspace, '.git', 'info'), { recursive: true });
  run('git', ['init', '-q', '-b', 'main'], workspace);
  fs.writeFileSync(path.join(workspace, '.git', 'info', 'exclude'), '*.sqlite\n*.duckdb\n*.wal\ndata/landing/**/*.parquet\n.cac/\n');
  run('git', ['add', '-A'], workspace);
  run('git', ['-c', 'user.name=Catalog Tests', '-c', 'user.email=tests@example.invalid', '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'shop example'], workspace);
  return workspace;
}

/**
 * An empty folder (named `project`, no catalog, no git repository): what a person has before
 * "Create Catalog Project". Remove it with {@link removeWorkspace}.
 */
export function prepareEmptyWorkspace(): string {
  const workspace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cac-vscode-workspace-')), 'project');
  fs.mkdirSync(workspace);
  return workspace;
}

export function removeWorkspace(workspace: string): void {
  fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
}

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (status ${result.status}): ${result.error?.message ?? ''}${result.stderr}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
