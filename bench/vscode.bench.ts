/**
 * The extension in real VS Code: code-server (VS Code 1.100 workbench + Node extension host) driven
 * by Chromium through the test harness (test/vscode/launch/session.ts, browser/workbench.ts), a
 * fresh code-server session (fresh user data, fresh Chromium) for every run. Measures
 *   1. activation to a populated Datastores view on examples/shop: from page.goto to the first
 *      datastore row visible in the Catalog view (the Catalog view container opened by clicking
 *      its activity bar entry as soon as it shows), and from `.monaco-workbench` visible to that row;
 *      floor W = page.goto → `.monaco-workbench` visible (the workbench itself, no extension).
 *   2. expanding a datastore of 11,000 containers: on a copy of the tree benchmark's catalog
 *      (bench/.work/tree-11000, made by bench/lib/treeCatalog.ts), a click on the twistie of the
 *      datastore `big` until its first container rows are visible. Target (issue): ≤ 1 s.
 *
 * Times come from the page itself: an init script checks every animation frame (about 16 ms
 * apart) whether each watched element is visible and records performance.now(), and records the
 * mousedown of every click. Playwright's own waits poll up to 500 ms apart, so they only drive the
 * steps; they time nothing.
 *
 *   npm run bench:vscode                     (builds dist/ first)
 *   node --import tsx bench/vscode.bench.ts [--runs 5] [--settle 1000] [--eager] [--only shop|tree]
 *
 * See bench/README.md ("Extension in code-server") for the method and the recorded results.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { findCodeServer } from '../test/vscode/launch/codeServer';
import { startSession, type VsCodeSession } from '../test/vscode/launch/session';
import type { Workbench } from '../test/vscode/browser/workbench';
import { BenchAssertion, assertBench } from './lib/engine';
import { round1, seriesOf, type Series } from './lib/stats';
import { count, formatTable, ms, ratio } from './lib/table';
import { prepareTreeCatalog, TREE_DATASTORE, tableName, type TreeCatalog } from './lib/treeCatalog';

const REPO = path.resolve(__dirname, '..');
const WORK = path.join(REPO, 'bench', '.work');
const CLI = path.join(REPO, 'bin', 'cac.js');
const TABLES = 11_000;
const CHANGE_EVERY = 11;
/** The issue's target for the expansion: first container rows within 1 s of the click. */
const TARGET_EXPAND_MS = 1_000;
const VIEW_CONTAINER = 'Catalog';
const VIEW = 'Datastores';
const SHOP_DATASTORES = ['analytics', 'landing', 'shop_db'];
const CATALOG_ENTRY = `.part.activitybar .action-item[role="tab"] .action-label[aria-label^="${VIEW_CONTAINER}"]`;

interface Options {
  runs: number;
  settle: number;
  eager: boolean;
  only?: 'shop' | 'tree';
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      settle: { type: 'string', default: '1000' },
      eager: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
    strict: true,
  });
  const runs = Number(values.runs);
  const settle = Number(values.settle);
  if (!Number.isInteger(runs) || runs < 1) throw new BenchAssertion(`--runs must be a positive integer, not '${values.runs}'.`);
  if (!Number.isInteger(settle) || settle < 0) throw new BenchAssertion(`--settle must be a whole number of milliseconds, not '${values.settle}'.`);
  if (values.only !== undefined && values.only !== 'shop' && values.only !== 'tree') throw new BenchAssertion(`--only takes shop or tree, not '${values.only}'.`);
  return { runs, settle, eager: values.eager, ...(values.only ? { only: values.only } : {}) };
}

const log = (line = ''): void => {
  process.stdout.write(line + '\n');
};

// ---- the in-page probe --------------------------------------------------------------------

/**
 * Something to watch for: an element matching `selector`, or a row of the tree view `view` whose
 * label is one of `labels` (any row without `labels`) or starts with `labelPrefix`. Visible means a
 * non-empty box and not `visibility: hidden` (Playwright's definition).
 */
interface Watch {
  name: string;
  selector?: string;
  view?: string;
  labels?: string[];
  labelPrefix?: string;
}

interface ProbeState {
  /** performance.now() of the first animation frame at which each watch held. */
  marks: Record<string, number>;
  /** performance.now() of the last mousedown (event.timeStamp). */
  mousedown?: number;
  /** Animation frames checked so far. */
  frames: number;
  /** The document's performance.timeOrigin (epoch ms). */
  timeOrigin: number;
}

/**
 * The probe as JavaScript source (not a compiled function: tsx adds helpers the page lacks). Runs
 * in the top document before the workbench's scripts; checks the watches at every animation frame.
 */
function probeScript(watches: Watch[]): string {
  return `(() => {
  if (window !== window.top || window.__cacProbe) return;
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const holds = (w) => {
    if (w.selector) { const e = document.querySelector(w.selector); return !!e && visible(e); }
    for (const pane of document.querySelectorAll('.part.sidebar .pane')) {
      const header = pane.querySelector('.pane-header');
      if (!header || !(header.getAttribute('aria-label') || '').startsWith(w.view)) continue;
      for (const row of pane.querySelectorAll('.pane-body .monaco-list-row')) {
        const label = ((row.querySelector('.label-name') || {}).textContent || '').trim();
        if (w.labels && !w.labels.includes(label)) continue;
        if (w.labelPrefix && !label.startsWith(w.labelPrefix)) continue;
        if (visible(row)) return true;
      }
    }
    return false;
  };
  const probe = { marks: {}, watches: ${JSON.stringify(watches)}, frames: 0, holds };
  window.__cacProbe = probe;
  const tick = () => {
    probe.frames++;
    const now = performance.now();
    for (const w of probe.watches) if (!(w.name in probe.marks) && holds(w)) probe.marks[w.name] = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  addEventListener('mousedown', (e) => { probe.mousedown = e.timeStamp; }, true);
})();`;
}

async function probeState(page: Page): Promise<ProbeState> {
  const text = await page.evaluate('JSON.stringify({ marks: window.__cacProbe.marks, mousedown: window.__cacProbe.mousedown, frames: window.__cacProbe.frames, timeOrigin: performance.timeOrigin })') as string;
  return JSON.parse(text) as ProbeState;
}

async function addWatch(page: Page, watch: Watch): Promise<void> {
  await page.evaluate(`window.__cacProbe.watches.push(${JSON.stringify(watch)})`);
}

/** Waits (bounded) until the probe recorded the mark `name`; returns the probe's state. */
async function waitForMark(workbench: Workbench, name: string, what: string, timeoutMs: number): Promise<ProbeState> {
  await workbench.waitFor(async () => (await workbench.page.evaluate(`${JSON.stringify(name)} in window.__cacProbe.marks`)) === true, what, timeoutMs);
  return probeState(workbench.page);
}

/** Waits every animation frame for a watch to hold (no polling delay before the next step). */
async function waitHolds(workbench: Workbench, watch: Omit<Watch, 'name'>, what: string, timeoutMs: number): Promise<void> {
  try {
    await workbench.page.waitForFunction(`window.__cacProbe.holds(${JSON.stringify(watch)})`, undefined, { polling: 'raf', timeout: timeoutMs });
  } catch {
    await workbench.waitFor(() => false, what, 0);
  }
}

// ---- runs ---------------------------------------------------------------------------------

interface Load {
  before: number;
  after: number;
  /** Processes of another VS Code test run (code-server, mocha test/vscode) at the session's start. */
  otherCodeServers: number;
}

interface ShopRun {
  /** Floor W: page.goto → .monaco-workbench visible. */
  workbench: number;
  activityBar: number;
  catalogEntry: number;
  /** page.goto → the first datastore row visible. */
  firstRow: number;
  /** .monaco-workbench visible → the first datastore row visible. */
  workbenchToRow: number;
  /** mousedown on the Catalog entry → the first datastore row visible. */
  clickToRow: number;
  /** Node's own page.goto → the document's navigation start (timeOrigin). */
  gotoToTimeOrigin: number;
  frames: number;
  load: Load;
}

interface TreeRun {
  workbench: number;
  /** page.goto → the row of `big` visible. */
  bigRow: number;
  /** mousedown on big's twistie → the first container row (t00000) visible. */
  expand: number;
  /** Container rows rendered after the expansion (the view's height; the tree renders only those). */
  rowsShown: number;
  /** The same after collapsing and expanding again (the extension holds the page). */
  reexpand: number;
  /** The row of big visible → the click (server ready + settle, or eager). */
  waitedBeforeClick: number;
  load: Load;
}

function sinceGoto(state: ProbeState, workbench: Workbench, mark: string): number {
  const at = state.marks[mark];
  assertBench(at !== undefined, `the probe did not record '${mark}'`);
  return state.timeOrigin + at - workbench.openTimes.gotoEpochMs;
}

function between(state: ProbeState, from: string | number | undefined, to: string): number {
  const start = typeof from === 'string' ? state.marks[from] : from;
  const end = state.marks[to];
  assertBench(start !== undefined && end !== undefined, `the probe did not record ${String(from)} or '${to}'`);
  return end - start;
}

/** Other VS Code test runs on the machine: code-server servers and mocha runs of test/vscode (ours is neither). */
function otherCodeServers(): number {
  const result = spawnSync('pgrep', ['-f', 'code-server.*--user-data-dir|mocha.*test/vscode'], { encoding: 'utf8' });
  return result.stdout.split('\n').filter(Boolean).filter((pid) => Number(pid) !== process.pid).length;
}

async function withSession<T>(name: string, bin: string, watches: Watch[], workspaceFolder: string | undefined, body: (session: VsCodeSession, load: Load) => Promise<T>): Promise<T> {
  const load: Load = { before: os.loadavg()[0]!, after: 0, otherCodeServers: otherCodeServers() };
  const session = await startSession({
    name, bin, trust: 'trusted',
    ...(workspaceFolder ? { workspaceFolder } : {}),
    open: { framePolling: true, beforeGoto: async (page) => {
      await page.addInitScript({ content: probeScript(watches) });
    } },
  });
  try {
    return await body(session, load);
  } catch (error) {
    await session.workbench.screenshot('failed').catch(() => undefined);
    throw error;
  } finally {
    load.after = os.loadavg()[0]!;
    await session.stop();
  }
}

/** Opens the Catalog view container as a person would (its activity bar entry as soon as it shows) and the Datastores view. */
async function openCatalogView(workbench: Workbench): Promise<number | undefined> {
  await waitHolds(workbench, { selector: CATALOG_ENTRY }, `the activity bar entry "${VIEW_CONTAINER}"`, 60_000);
  await workbench.openViewContainer(VIEW_CONTAINER);
  const clickedAt = (await probeState(workbench.page)).mousedown;
  await workbench.expandView(VIEW);
  return clickedAt;
}

async function shopRun(bin: string, run: number): Promise<ShopRun> {
  const watches: Watch[] = [
    { name: 'workbench', selector: '.monaco-workbench' },
    { name: 'activityBar', selector: '.part.activitybar' },
    { name: 'catalogEntry', selector: CATALOG_ENTRY },
    { name: 'firstRow', view: VIEW, labels: SHOP_DATASTORES },
  ];
  return withSession(`bench-vscode-shop-${run}`, bin, watches, undefined, async ({ workbench }, load) => {
    const clickedAt = await openCatalogView(workbench);
    const state = await waitForMark(workbench, 'firstRow', `a datastore row (${SHOP_DATASTORES.join(', ')}) in the ${VIEW} view`, 120_000);
    const shown = await workbench.waitForRows(VIEW, SHOP_DATASTORES, 30_000);
    assertBench(SHOP_DATASTORES.every((d) => shown.includes(d)), `the ${VIEW} view shows ${JSON.stringify(shown)}`);
    const firstRow = sinceGoto(state, workbench, 'firstRow');
    return {
      workbench: sinceGoto(state, workbench, 'workbench'),
      activityBar: sinceGoto(state, workbench, 'activityBar'),
      catalogEntry: sinceGoto(state, workbench, 'catalogEntry'),
      firstRow,
      workbenchToRow: between(state, 'workbench', 'firstRow'),
      // No mousedown when the container was already selected (it is not, in a fresh profile).
      clickToRow: clickedAt === undefined ? Number.NaN : state.marks.firstRow! - clickedAt,
      gotoToTimeOrigin: state.timeOrigin - workbench.openTimes.gotoEpochMs,
      frames: state.frames,
      load,
    };
  });
}

async function treeRun(bin: string, folder: string, run: number, options: Options): Promise<TreeRun> {
  const first = tableName(0);
  const watches: Watch[] = [
    { name: 'workbench', selector: '.monaco-workbench' },
    { name: 'bigRow', view: VIEW, labels: [TREE_DATASTORE] },
    { name: 'firstContainer', view: VIEW, labels: [first] },
  ];
  return withSession(`bench-vscode-tree-${run}`, bin, watches, folder, async ({ workbench }, load) => {
    await openCatalogView(workbench);
    await waitForMark(workbench, 'bigRow', `the row of the datastore ${TREE_DATASTORE} in the ${VIEW} view`, 120_000);
    const row = await workbench.row(VIEW, TREE_DATASTORE);
    assertBench(await row.getAttribute('aria-expanded') === 'false', `the row ${TREE_DATASTORE} starts collapsed`);
    if (!options.eager) {
      // A person reads the tree first: the server is ready (the status bar says "Catalog"), then a pause.
      await workbench.waitForStatusBarItem('database', 'Catalog', 60_000);
      await workbench.page.waitForTimeout(options.settle);
    }
    await row.locator('.monaco-tl-twistie').click();
    let state = await waitForMark(workbench, 'firstContainer', `the container ${first} under ${TREE_DATASTORE}`, 60_000);
    const clicked = state.mousedown;
    assertBench(clicked !== undefined, 'the probe saw no mousedown on the twistie');
    // The view shows the first rows of the page in order (the "Load 200 more…" row, 201st, is below the fold).
    const labels = (await workbench.rowLabels(VIEW)).slice(1);
    assertBench(labels.length >= 3 && labels.every((label, i) => label === tableName(i)), `the rows under ${TREE_DATASTORE} are ${JSON.stringify(labels)}, not ${tableName(0)}, ${tableName(1)}, …`);
    const expand = state.marks.firstContainer! - clicked;
    const waitedBeforeClick = clicked - state.marks.bigRow!;

    // Again, with the page held by the extension: collapse, wait until the rows are gone, expand.
    await workbench.collapseRow(VIEW, TREE_DATASTORE);
    await workbench.waitFor(async () => !(await workbench.rowLabels(VIEW)).includes(first), `the row ${first} to go after collapsing ${TREE_DATASTORE}`, 10_000);
    await addWatch(workbench.page, { name: 'reexpanded', view: VIEW, labels: [first] });
    await row.locator('.monaco-tl-twistie').click();
    state = await waitForMark(workbench, 'reexpanded', `the container ${first} after expanding ${TREE_DATASTORE} again`, 30_000);
    return {
      workbench: sinceGoto(state, workbench, 'workbench'),
      bigRow: sinceGoto(state, workbench, 'bigRow'),
      expand, waitedBeforeClick, rowsShown: labels.length,
      reexpand: state.marks.reexpanded! - state.mousedown!,
      load,
    };
  });
}

// ---- the copy of the tree catalog ---------------------------------------------------------

/** Path, type, size and mtime of every entry under the folders: any write changes it. */
function fingerprint(root: string, entries: string[]): { hash: string; files: number } {
  const hash = createHash('sha1');
  let files = 0;
  for (const entry of entries) {
    const base = path.join(root, entry);
    const names = fs.statSync(base).isDirectory() ? ['', ...(fs.readdirSync(base, { recursive: true }) as string[])].sort() : [''];
    for (const name of names) {
      const stat = fs.lstatSync(path.join(base, name), { bigint: true });
      if (stat.isFile()) files++;
      hash.update(`${path.join(entry, name)}\0${stat.mode}\0${stat.isDirectory() ? 0 : stat.size}\0${stat.mtimeNs}\n`);
    }
  }
  return { hash: hash.digest('hex'), files };
}

const COPY_ENTRIES = ['catalog', 'db.sqlite', 'small.sqlite'];

/**
 * bench/.work/vscode-tree-11000/: a copy of the tree catalog (catalog/, with its snapshots and
 * .cac) and regular-file copies of base.sqlite (as db.sqlite, which big.yaml's `../../db.sqlite`
 * names) and small.sqlite. Made once and reused while its fingerprint is the one recorded.
 */
function prepareCopy(tree: TreeCatalog): { root: string; folder: string; fingerprint: string; files: number; copiedMs?: number } {
  const root = path.join(WORK, `vscode-tree-${tree.tables}`);
  const marker = path.join(WORK, `vscode-tree-${tree.tables}.json`);
  const source = fs.readFileSync(path.join(tree.workDir, 'generated.json'), 'utf8');
  if (fs.existsSync(marker) && fs.existsSync(root)) {
    const saved = JSON.parse(fs.readFileSync(marker, 'utf8')) as { source: string; fingerprint: string };
    const now = fingerprint(root, COPY_ENTRIES);
    if (saved.source === source && saved.fingerprint === now.hash) return { root, folder: path.join(root, 'catalog'), fingerprint: now.hash, files: now.files };
    log(`The copy ${path.relative(REPO, root)} changed or its source was regenerated: copying again.`);
  }
  if (fs.existsSync(root)) fs.renameSync(root, path.join(WORK, `trash-vscode-tree-${process.pid}`));
  const start = performance.now();
  fs.mkdirSync(root, { recursive: true });
  fs.cpSync(tree.catalog, path.join(root, 'catalog'), { recursive: true, verbatimSymlinks: true });
  fs.copyFileSync(path.join(tree.workDir, 'base.sqlite'), path.join(root, 'db.sqlite'));
  fs.copyFileSync(path.join(tree.workDir, 'small.sqlite'), path.join(root, 'small.sqlite'));
  const copiedMs = performance.now() - start;
  const now = fingerprint(root, COPY_ENTRIES);
  fs.writeFileSync(marker, JSON.stringify({ source, fingerprint: now.hash, files: now.files, copiedMs: Math.round(copiedMs), at: new Date().toISOString() }, null, 2) + '\n');
  return { root, folder: path.join(root, 'catalog'), fingerprint: now.hash, files: now.files, copiedMs };
}

// ---- main ---------------------------------------------------------------------------------

function range(series: Series): string {
  return `${ms(series.min)}–${ms(series.max)}`;
}

function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'MISS';
}

function loadNote(loads: Load[]): string {
  const all = loads.flatMap((l) => [l.before, l.after]);
  const others = Math.max(...loads.map((l) => l.otherCodeServers));
  return `load average (1 min) ${Math.min(...all).toFixed(2)}–${Math.max(...all).toFixed(2)} across the sessions; ${others ? `another VS Code test run going on (up to ${others} code-server/mocha process(es))` : 'no other VS Code test run seen'}`;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const bin = findCodeServer();
  if (!bin) throw new BenchAssertion('code-server is not installed: run .ci/install-e2e (or set CAC_CODE_SERVER).');
  if (!fs.existsSync(path.join(REPO, 'dist', 'client.js'))) throw new BenchAssertion('dist/client.js is missing: run `npm run build` first (npm run bench:vscode does).');
  log(`Extension in code-server · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  log(`${options.runs} runs per figure, each a fresh code-server + Chromium session; medians. Times are taken in the page (every animation frame).`);
  log();
  const results: Record<string, unknown> = { when: new Date().toISOString(), node: process.version, cpus: os.cpus().length, options };

  if (options.only !== 'tree') {
    const runs: ShopRun[] = [];
    for (let i = 1; i <= options.runs; i++) {
      const r = await shopRun(bin, i);
      runs.push(r);
      log(`  shop run ${i}: goto → workbench ${ms(r.workbench)} ms, → first datastore row ${ms(r.firstRow)} ms (workbench → row ${ms(r.workbenchToRow)} ms; Catalog click → row ${ms(r.clickToRow)} ms); load ${r.load.before.toFixed(2)} → ${r.load.after.toFixed(2)}`);
    }
    const s = (pick: (r: ShopRun) => number): Series => seriesOf(runs.map(pick));
    const W = s((r) => r.workbench);
    const row = (label: string, series: Series, floor = true): string[] => [label, ms(series.median), range(series), floor ? ratio(series.median / W.median) : ''];
    log();
    log(`1. Activation to a populated ${VIEW} view, examples/shop (${SHOP_DATASTORES.length} datastores); ${loadNote(runs.map((r) => r.load))}`);
    log(formatTable(['measure', 'median ms', 'range', '× W'], [
      row('W = page.goto → .monaco-workbench visible (the workbench, floor)', W),
      row('  page.goto → activity bar visible', s((r) => r.activityBar)),
      row(`  page.goto → "${VIEW_CONTAINER}" activity bar entry visible (clicked then)`, s((r) => r.catalogEntry)),
      row(`page.goto → first datastore row visible`, s((r) => r.firstRow)),
      row(`.monaco-workbench visible → first datastore row visible`, s((r) => r.workbenchToRow)),
      row(`  click on "${VIEW_CONTAINER}" → first datastore row visible`, s((r) => r.clickToRow), false),
      row('  context: page.goto (Node) → navigation start (page timeOrigin)', s((r) => r.gotoToTimeOrigin), false),
    ]));
    log();
    results.shop = { runs, W: W, firstRow: s((r) => r.firstRow), workbenchToRow: s((r) => r.workbenchToRow), clickToRow: s((r) => r.clickToRow) };
  }

  if (options.only !== 'shop') {
    const tree = prepareTreeCatalog(path.join(REPO, 'bench'), TABLES, CHANGE_EVERY, CLI);
    const copy = prepareCopy(tree);
    log(`Tree catalog: ${path.relative(REPO, copy.folder)} (${count(copy.files)} files; ${copy.copiedMs === undefined ? 'copy reused' : `copied now in ${ms(copy.copiedMs)} ms`}), datastore '${TREE_DATASTORE}' of ${count(tree.tables)} containers; click ${options.eager ? 'as soon as its row shows (--eager)' : `${count(options.settle)} ms after the server is ready (status bar "Catalog")`}.`);
    const runs: TreeRun[] = [];
    for (let i = 1; i <= options.runs; i++) {
      const r = await treeRun(bin, copy.folder, i, options);
      runs.push(r);
      const after = fingerprint(copy.root, COPY_ENTRIES);
      assertBench(after.hash === copy.fingerprint, `session ${i} modified the catalog copy ${path.relative(REPO, copy.root)} (fingerprint changed; ${after.files} files, was ${copy.files})`);
      log(`  tree run ${i}: click → first containers ${ms(r.expand)} ms (${r.rowsShown} rows shown), again ${ms(r.reexpand)} ms; goto → ${TREE_DATASTORE} row ${ms(r.bigRow)} ms; load ${r.load.before.toFixed(2)} → ${r.load.after.toFixed(2)}; copy unchanged`);
    }
    const s = (pick: (r: TreeRun) => number): Series => seriesOf(runs.map(pick));
    const expand = s((r) => r.expand);
    const pass = expand.median <= TARGET_EXPAND_MS;
    log();
    log(`2. Expanding '${TREE_DATASTORE}' (${count(tree.tables)} containers, pages of 200); ${loadNote(runs.map((r) => r.load))}`);
    log(formatTable(['measure', 'median ms', 'range', 'target', 'verdict'], [
      ['click on the twistie → first container rows visible', ms(expand.median), range(expand), `≤ ${count(TARGET_EXPAND_MS)} ms`, verdict(pass)],
      ['  collapse, then click again → first rows (page held by the extension)', ms(s((r) => r.reexpand).median), range(s((r) => r.reexpand)), '', ''],
      [`  context: page.goto → row of ${TREE_DATASTORE} visible`, ms(s((r) => r.bigRow).median), range(s((r) => r.bigRow)), '', ''],
      ['  context: page.goto → .monaco-workbench visible', ms(s((r) => r.workbench).median), range(s((r) => r.workbench)), '', ''],
      [`  context: row of ${TREE_DATASTORE} visible → click`, ms(s((r) => r.waitedBeforeClick).median), range(s((r) => r.waitedBeforeClick)), '', ''],
    ]));
    log();
    log(`Overall: ${verdict(pass)} (target: first container rows ≤ ${count(TARGET_EXPAND_MS)} ms after the click; the catalog copy was not modified by any session).`);
    results.tree = { runs, expand, pass, copy: { folder: path.relative(REPO, copy.folder), files: copy.files } };
  }
  results.medians = {
    ...(results.shop ? { W: round1((results.shop as { W: Series }).W.median), firstRow: round1((results.shop as { firstRow: Series }).firstRow.median) } : {}),
    ...(results.tree ? { expand: round1((results.tree as { expand: Series }).expand.median) } : {}),
  };
  fs.mkdirSync(WORK, { recursive: true });
  fs.writeFileSync(path.join(WORK, 'vscode-results.json'), JSON.stringify(results, null, 2) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof BenchAssertion ? 'check failed' : 'error'}: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
