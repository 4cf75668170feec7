import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { ensureBuilt } from '../../test/helpers/builtCli';
import { LspTestClient, uri, DEFAULT_CAPABILITIES } from '../../test/helpers/lspClient';
import { assertBench } from './engine';
import { PeakRssReport } from './peakRss';
import type { EditScenario, LspBenchWorkspace } from './lspWorkspace';

const REPO = path.resolve(__dirname, '..', '..');

/** A burst of keystrokes: `count` edits sent `gapMs` apart, then the wait for the last one's diagnostics. */
export interface BurstRun {
  count: number;
  gapMs: number;
  /** Last edit sent → publishDiagnostics carrying its version. */
  lastToDiagnosticsMs: number;
  /** How many times the file's diagnostics were published during the burst (validation passes). */
  publishes: number;
}

export interface ServerRun {
  /** Spawn → the server is ready (ours: `catalog/workspaceLoaded`; yaml-language-server: `initialize` answered). */
  readyMs: number;
  /** didOpen → the file's first publishDiagnostics. */
  openMs: number;
  /** didChange → publishDiagnostics for that change, per edit (after the warm-up edits). */
  editMs: number[];
  /** The first edit after opening (ours parses every document of the file once then). */
  firstEditMs?: number;
  burst?: BurstRun;
  /** The server process's peak RSS over the whole session (load, open, edits), when asked for. */
  peakRssMb?: number;
}

/**
 * Our server from the built bin, as users start it; with `peakRss`, the reporter is preloaded
 * into the server process (lib/reportPeakRss.cjs), which reports when `stop()` ends it. Callers
 * run `ensureBuilt()` before they start timing: a stale dist/ is rebuilt first, not inside a figure.
 */
function ourServer(peakRss?: PeakRssReport, env: Record<string, string> = {}): LspTestClient {
  const bin = path.join(REPO, 'bin', 'cac-language-server.js');
  return peakRss ? new LspTestClient({ args: peakRss.nodeArgs([bin, '--stdio']) }, { ...peakRss.env, ...env }) : new LspTestClient('bin', env);
}

/** One session that only loads the workspace and stops. */
export interface ReadySession {
  /** Spawn → `catalog/workspaceLoaded`: definitions analyzed, features answer. */
  readyMs: number;
  /** Spawn → `catalog/workspaceChecked`: the snapshot checks done and every diagnostic published. */
  checkedMs: number;
  /** Definition files the server answered from its analysis cache instead of parsing them. */
  filesFromCache: number;
  /** The server's peak RSS until it stopped. */
  peakRssMb: number;
}

/**
 * Spawn → `catalog/workspaceLoaded` and → `catalog/workspaceChecked`, then stop. `cacheDir` is
 * where the server keeps its definition analyses between sessions (CAC_CACHE_DIR): an empty one
 * times a first start on this build, one a session already filled times the usual start.
 */
export async function measureOurServerReady(root: string, cacheDir: string): Promise<ReadySession> {
  ensureBuilt();
  const peakRss = new PeakRssReport();
  try {
    const spawned = performance.now();
    const client = ourServer(peakRss, { CAC_CACHE_DIR: cacheDir });
    let session: Omit<ReadySession, 'peakRssMb'>;
    try {
      const loaded = await client.start(root, DEFAULT_CAPABILITIES);
      const arrival = (method: string): number => client.messages.find((m) => m.method === method)!.receivedAt - spawned;
      session = { readyMs: arrival('catalog/workspaceLoaded'), checkedMs: arrival('catalog/workspaceChecked'), filesFromCache: loaded.filesFromCache };
    } finally {
      await client.stop();
    }
    return { ...session, peakRssMb: peakRss.readMb() };
  } finally {
    peakRss.dispose();
  }
}

/**
 * Our server, from the built bin: ready, open the scenario's file (or `open`, a file the server
 * has never read), then `edits` one-line changes, each timed to the publishDiagnostics that
 * carries its version, then a burst of fast edits.
 */
export async function measureOurServer(
  workspace: LspBenchWorkspace, scenario: EditScenario, edits: number, warmup: number,
  options: { open?: { file: string; text: string }; peakRss?: boolean } = {},
): Promise<ServerRun> {
  const open = options.open ?? scenario;
  ensureBuilt();
  const peakRss = options.peakRss ? new PeakRssReport() : undefined;
  const spawned = performance.now();
  const client = ourServer(peakRss);
  let run: ServerRun;
  try {
    await client.start(workspace.root, DEFAULT_CAPABILITIES);
    const readyMs = client.messages.find((m) => m.method === 'catalog/workspaceLoaded')!.receivedAt - spawned;
    const opened = performance.now();
    await client.open(open.file, open.text, 1);
    await client.waitForDiagnostics(open.file, (_d, version) => version === 1, 'first diagnostics');
    const openMs = performance.now() - opened;
    const editMs: number[] = [];
    let firstEditMs: number | undefined;
    for (let i = 0; i < warmup + edits; i++) {
      const edit = scenario.edit(i);
      const version = i + 2;
      const sent = performance.now();
      await client.edit(open.file, version, edit.range, edit.text);
      const diagnostics = await client.waitForDiagnostics(open.file, (_d, v) => v === version, `diagnostics of edit ${i}`);
      const ms = performance.now() - sent;
      checkEditDiagnostics(diagnostics, scenario, edit.broken, 'cac-language-server');
      if (i === 0) firstEditMs = ms;
      if (i >= warmup) editMs.push(ms);
    }
    const burst = open.file === scenario.file ? await typingBurst(client, scenario, warmup + edits + 2, 10, 5) : undefined;
    run = { readyMs, openMs, editMs, firstEditMs, burst };
  } finally {
    await client.stop();
  }
  if (peakRss) {
    run.peakRssMb = peakRss.readMb();
    peakRss.dispose();
  }
  return run;
}

/** Sends `count` one-line edits `gapMs` apart (fast typing) and times the last one's diagnostics. */
async function typingBurst(client: LspTestClient, scenario: EditScenario, firstVersion: number, count: number, gapMs: number): Promise<BurstRun> {
  const key = uri(scenario.file);
  // A pause first, as a person's burst of typing follows one.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const before = client.messages.length;
  let sent = 0;
  for (let i = 0; i < count; i++) {
    const edit = scenario.edit(i);
    sent = performance.now();
    await client.edit(scenario.file, firstVersion + i, edit.range, edit.text);
    if (i < count - 1) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  const last = firstVersion + count - 1;
  await client.waitForDiagnostics(scenario.file, (_d, v) => v === last, 'diagnostics of the burst');
  const lastToDiagnosticsMs = performance.now() - sent;
  const publishes = client.messages.slice(before).filter((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string }).uri === key).length;
  return { count, gapMs, lastToDiagnosticsMs, publishes };
}

/**
 * yaml-language-server 1.25 with our datastore JSON Schema mapped to the big file
 * (`yaml.schemas`), SchemaStore and the Kubernetes store off, and a dead proxy so nothing
 * leaves the machine. Its own defaults otherwise (as a user gets them).
 */
export async function measureYamlLanguageServer(workspace: LspBenchWorkspace, scenario: EditScenario, edits: number, warmup: number): Promise<ServerRun> {
  const spawned = performance.now();
  const client = new LspTestClient({ args: [path.join(REPO, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server'), '--stdio'] }, {
    HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', http_proxy: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9',
  });
  const publishes = (): number => client.messages.filter((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string }).uri === uri(scenario.file)).length;
  try {
    const settings = {
      validate: true, hover: true, completion: true,
      // An absolute glob: its `**` would not enter the dot folder bench/.work.
      schemas: { [uri(path.join(REPO, 'schemas', 'datastore.schema.json'))]: [`${workspace.root.split(path.sep).join('/')}/datastores/*.yaml`] },
      schemaStore: { enable: false },
      kubernetesCRDStore: { enable: false },
    };
    // It asks for its settings with workspace/configuration, and also takes them pushed.
    client.settings = { yaml: settings };
    await client.initialize(workspace.root, { textDocument: { publishDiagnostics: { versionSupport: true } } });
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { yaml: settings } });
    const readyMs = performance.now() - spawned;
    const opened = performance.now();
    await client.open(scenario.file, scenario.text, 1);
    await client.waitFor(() => publishes() >= 1, 'yaml-language-server first diagnostics', 60000);
    const openMs = performance.now() - opened;
    const editMs: number[] = [];
    for (let i = 0; i < warmup + edits; i++) {
      const edit = scenario.edit(i);
      const before = publishes();
      const sent = performance.now();
      await client.edit(scenario.file, i + 2, edit.range, edit.text);
      await client.waitFor(() => publishes() > before, `yaml-language-server diagnostics of edit ${i}`, 60000);
      const ms = performance.now() - sent;
      checkEditDiagnostics(client.diagnostics.get(uri(scenario.file))!.diagnostics, scenario, edit.broken, 'yaml-language-server');
      if (i >= warmup) editMs.push(ms);
    }
    return { readyMs, openMs, editMs };
  } finally {
    await client.stop();
  }
}

/** Both servers must really validate: the broken edit yields an error on its line, the fix removes it. */
function checkEditDiagnostics(diagnostics: readonly Diagnostic[], scenario: EditScenario, broken: boolean, who: string): void {
  const onLine = diagnostics.filter((d) => d.range.start.line === scenario.editLine);
  if (broken) assertBench(onLine.length > 0, `${who} reported nothing on line ${scenario.editLine + 1} of ${scenario.file} after the breaking edit: it is not validating (${JSON.stringify(diagnostics.slice(0, 3))}).`);
  else assertBench(onLine.length === 0, `${who} still reports line ${scenario.editLine + 1} of ${scenario.file} after the fix: ${JSON.stringify(onLine)}.`);
}
