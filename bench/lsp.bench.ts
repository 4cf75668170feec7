/**
 * Language server benchmark: on a generated catalog of 1,000 datastores (their
 * snapshots holding 100,000 fields, one 5,000-line definition file), measures in one run
 *   - the floor F: the engine's parse + validate of that file, in process (`analyzeDefinitions`);
 *   - our server: one-line didChange → publishDiagnostics, and didOpen → first diagnostics;
 *   - yaml-language-server with the same JSON Schema: the same edits and open;
 *   - and the same edit measure on a 5,000-line single-document file, where re-parsing only the
 *     edited YAML document cannot help;
 *   - spawn → `catalog/workspaceLoaded` (median of --ready-runs sessions, target ≤ 500 ms) and the
 *     server process's peak RSS (a preload reports it when the process exits);
 *   - unless --no-growth, the same on a workspace of --growth-datastores datastores (5,000: about
 *     51,000 snapshots), and the growth exponents of ready time, edit time and peak RSS.
 * See bench/README.md ("Language server benchmark") for the method and the recorded results.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { analyzeDefinitions, readProjectSettings } from '../server/src/core';
import { CatalogProject } from '../server/src/core/language/catalogProject';
import { assertBench, BenchAssertion } from './lib/engine';
import { measureOurServer, measureOurServerReady, measureYamlLanguageServer, type ReadySession, type ServerRun } from './lib/lspSessions';
import { lspBenchWorkspace, type EditScenario, type LspBenchWorkspace } from './lib/lspWorkspace';
import { growthExponent, median, round1, round2, seriesOf, timedSync, type Series } from './lib/stats';
import { GROWTH_TARGET, count, formatGrowthTable, formatTable, ms, ratio, type GrowthFigure } from './lib/table';

const REPO = path.resolve(__dirname, '..');
const WORK = path.join(REPO, 'bench', '.work');

interface Options {
  datastores: number;
  containers: number;
  fields: number;
  edits: number;
  yls: boolean;
  readyRuns: number;
  /** Datastores of the growth workspace; undefined with --no-growth. */
  growthDatastores?: number;
}

/** Issue 19: spawn → workspace of ~11,000 snapshots loaded. */
const TARGET_READY_MS = 500;

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      datastores: { type: 'string', default: '1000' },
      containers: { type: 'string', default: '10' },
      fields: { type: 'string', default: '10' },
      edits: { type: 'string', default: '21' },
      'no-yls': { type: 'boolean', default: false },
      'ready-runs': { type: 'string', default: '3' },
      'growth-datastores': { type: 'string', default: '5000' },
      'no-growth': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const int = (name: string, raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new BenchAssertion(`--${name} must be a positive integer, not '${raw}'.`);
    return n;
  };
  return {
    datastores: int('datastores', values.datastores), containers: int('containers', values.containers), fields: int('fields', values.fields),
    edits: int('edits', values.edits), yls: !values['no-yls'], readyRuns: int('ready-runs', values['ready-runs']),
    growthDatastores: values['no-growth'] ? undefined : int('growth-datastores', values['growth-datastores']),
  };
}

const log = (line = ''): void => {
  process.stdout.write(line + '\n');
};

interface Floor {
  /** F: `analyzeDefinitions` of the file alone, the text after each edit, warm. */
  analyze: Series;
  parseOnly: Series;
  /** What the server does per edit, in process: re-analysis with its kept state plus every cross-file rule. */
  serverPass: Series;
}

function measureFloor(workspace: LspBenchWorkspace, scenario: EditScenario, runs: number): Floor {
  const { project } = readProjectSettings(workspace.root);
  const texts = Array.from({ length: runs + 3 }, (_, i) => scenario.textAfter(i));
  const analyze: number[] = [];
  const parseOnly: number[] = [];
  texts.forEach((text, i) => {
    const a = timedSync(() => analyzeDefinitions(project, [{ path: scenario.file, text }]));
    // With the options the engine parses with (safeYaml.ts): the library's own duplicate-key check is quadratic.
    const p = timedSync(() => parseAllDocuments(text, { uniqueKeys: false, merge: false, version: '1.2', schema: 'core', logLevel: 'error' }));
    if (i >= 3) {
      analyze.push(a.ms);
      parseOnly.push(p.ms);
    }
  });
  const model = new CatalogProject(workspace.root, true);
  model.problemsByFile();
  const serverPass: number[] = [];
  texts.forEach((text, i) => {
    const pass = timedSync(() => {
      model.setBuffer(scenario.file, text);
      return model.problemsByFile();
    });
    if (i >= 3) serverPass.push(pass.ms);
  });
  return { analyze: seriesOf(analyze), parseOnly: seriesOf(parseOnly), serverPass: seriesOf(serverPass) };
}

function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'MISS';
}

function floorRows(label: string, floor: Floor): string[][] {
  const F = floor.analyze.median;
  return [
    [`F = ${label}: engine parse + validate (analyzeDefinitions, in process)`, ms(F), `${ms(floor.analyze.min)}–${ms(floor.analyze.max)}`, ratio(1), '', ''],
    ['  yaml parseAllDocuments alone', ms(floor.parseOnly.median), `${ms(floor.parseOnly.min)}–${ms(floor.parseOnly.max)}`, ratio(floor.parseOnly.median / F), '', ''],
    ['  server pass in process (its kept state + cross-file rules, no LSP)', ms(floor.serverPass.median), `${ms(floor.serverPass.min)}–${ms(floor.serverPass.max)}`, ratio(floor.serverPass.median / F), '', ''],
  ];
}

/** One workspace's server figures: spawn → loaded, the server's peak RSS, and scenario A's edits. */
interface SizeRun {
  /** Spawn → `catalog/workspaceLoaded` with the analyses of an earlier session cached (the usual start). */
  ready: Series;
  /** Spawn → `catalog/workspaceChecked` (every diagnostic published), same sessions. */
  checked: Series;
  /** The first session on this build: nothing cached, every definition file parsed. */
  first: ReadySession;
  /** Median peak RSS of the ready-only sessions (spawn → loaded → checked → exit). */
  readyPeakRssMb: number;
  /** The edit session of scenario A, with its peak RSS. */
  session: ServerRun;
  edit: Series;
}

async function measureSize(workspace: LspBenchWorkspace, options: Options): Promise<SizeRun> {
  // The server's analysis cache for this workspace, emptied: the first session fills it.
  const cacheDir = path.join(WORK, 'lsp-cache', path.basename(workspace.root));
  fs.rmSync(cacheDir, { recursive: true, force: true });
  const first = await measureOurServerReady(workspace.root, cacheDir);
  assertBench(first.filesFromCache === 0, `a first session answered ${first.filesFromCache} files from an empty cache`);
  const readies: ReadySession[] = [];
  for (let i = 0; i < options.readyRuns; i++) {
    const ready = await measureOurServerReady(workspace.root, cacheDir);
    assertBench(ready.filesFromCache > 0, 'a session after the first one parsed every file again: the analysis cache was not used');
    readies.push(ready);
  }
  const session = await measureOurServer(workspace, workspace.multi, options.edits, 3, { peakRss: true });
  return {
    ready: seriesOf(readies.map((r) => r.readyMs)),
    checked: seriesOf(readies.map((r) => r.checkedMs)),
    first,
    readyPeakRssMb: median(readies.map((r) => r.peakRssMb)),
    session,
    edit: seriesOf(session.editMs),
  };
}

/** A catalog with nothing in it: what spawning the server costs before any work. */
async function measureEmptyCatalog(runs: number): Promise<{ ready: Series; readyPeakRssMb: number }> {
  const root = path.join(WORK, 'lsp-empty');
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'catalog.yaml'), 'kind: Project\nsnapshots: snapshots\nstate: .cac\n');
  const sessions = [];
  for (let i = 0; i < runs; i++) sessions.push(await measureOurServerReady(root, path.join(WORK, 'lsp-cache', 'lsp-empty')));
  return { ready: seriesOf(sessions.map((r) => r.readyMs)), readyPeakRssMb: median(sessions.map((r) => r.peakRssMb)) };
}

function mb(value: number): string {
  return `${value.toFixed(1)} MB`;
}

async function main(): Promise<void> {
  const options = parseOptions();
  if (!fs.existsSync(path.join(REPO, 'dist', 'server.js'))) throw new BenchAssertion('dist/server.js is missing: run `npm run build` first (npm run bench:lsp does).');
  log(`Language server benchmark · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · load ${os.loadavg()[0]!.toFixed(2)}`);
  const generated = timedSync(() => lspBenchWorkspace(WORK, options.datastores, options.containers, options.fields));
  const workspace = generated.value;
  const { multi, single } = workspace;
  log(`Workspace ${path.relative(REPO, workspace.root)}: ${workspace.datastores} datastores, ${workspace.snapshotFiles} snapshot files, ${workspace.fields} fields (ready in ${ms(generated.ms)} ms).`);
  log(`A: ${path.relative(workspace.root, multi.file)}, ${multi.lines} lines, ${options.datastores} documents; edit line ${multi.editLine + 1}: 'type: sqlite' ↔ 'sqlitx' (the broken one drops the datastore: its schedule and overrides in other files get errors too).`);
  log(`B: ${path.relative(workspace.root, single.file)}, ${single.lines} lines, one document; edit line ${single.editLine + 1}: 'updated_at' ↔ 'updated_ax' (an unknown field, checked against the snapshots).`);
  log(`${options.edits} timed edits after 3 warm-up edits, each awaited; medians.`);
  log();

  const floorA = measureFloor(workspace, multi, options.edits);
  const floorB = measureFloor(workspace, single, options.edits);
  const at1 = await measureSize(workspace, options);
  const ours = at1.session;
  const oursB = await measureOurServer(workspace, single, options.edits, 3);
  // A fresh server opening a new, unsaved 5,000-line file it has never read: every document parsed.
  const unseen = { file: path.join(path.dirname(multi.file), 'unsaved-copy.yaml'), text: multi.text.replace(/name: ds/g, 'name: copy') };
  const coldOpen = await measureOurServer(workspace, multi, 1, 0, { open: unseen });
  const empty = await measureEmptyCatalog(options.readyRuns);
  const yls: ServerRun | undefined = options.yls ? await measureYamlLanguageServer(workspace, multi, options.edits, 3) : undefined;

  const F = floorA.analyze.median;
  const FB = floorB.analyze.median;
  const edit = seriesOf(ours.editMs);
  const editB = seriesOf(oursB.editMs);
  const ylsEdit = yls ? seriesOf(yls.editMs) : undefined;
  const rows: string[][] = [
    ...floorRows('A', floorA),
    ['A · cac-language-server: didChange → publishDiagnostics', ms(edit.median), `${ms(edit.min)}–${ms(edit.max)}`, ratio(edit.median / F), '≤ 2× F', verdict(edit.median <= 2 * F)],
  ];
  if (ylsEdit) {
    rows.push(['A · yaml-language-server: didChange → publishDiagnostics', ms(ylsEdit.median), `${ms(ylsEdit.min)}–${ms(ylsEdit.max)}`, ratio(ylsEdit.median / F), '', '']);
    rows.push(['A · ours faster than yaml-language-server by', `${(ylsEdit.median / edit.median).toFixed(1)}×`, '', '', '≥ 3×', verdict(ylsEdit.median / edit.median >= 3)]);
  }
  if (ours.firstEditMs !== undefined) rows.push(['A · cac-language-server: first edit right after open (all documents parsed once)', ms(ours.firstEditMs), '', ratio(ours.firstEditMs / F), '', '']);
  rows.push(['A · cac-language-server: didOpen → first diagnostics (file as on disk)', ms(ours.openMs), '', ratio(ours.openMs / F), '≤ 250 ms', verdict(ours.openMs <= 250)]);
  rows.push(['A · cac-language-server: didOpen → first diagnostics (new file, all parsed)', ms(coldOpen.openMs), '', ratio(coldOpen.openMs / F), '≤ 250 ms', verdict(coldOpen.openMs <= 250)]);
  if (yls) rows.push(['A · yaml-language-server: didOpen → first diagnostics', ms(yls.openMs), '', ratio(yls.openMs / F), '', '']);
  if (ours.burst) {
    const b = ours.burst;
    rows.push([`A · cac: ${b.count} edits ${b.gapMs} ms apart → last one's diagnostics (${b.publishes} pass${b.publishes === 1 ? '' : 'es'})`, ms(b.lastToDiagnosticsMs), '', ratio(b.lastToDiagnosticsMs / F), '', '']);
  }
  rows.push(...floorRows('B', floorB));
  rows.push(['B · cac-language-server: didChange → publishDiagnostics', ms(editB.median), `${ms(editB.min)}–${ms(editB.max)}`, ratio(editB.median / FB), '≤ 2× F', verdict(editB.median <= 2 * FB)]);
  const readyPass = at1.ready.median <= TARGET_READY_MS;
  rows.push([`cac-language-server: spawn → workspace loaded (${count(workspace.snapshotFiles)} snapshots, analyses cached by an earlier session; ${at1.ready.samples.length} sessions)`, ms(at1.ready.median), `${ms(at1.ready.min)}–${ms(at1.ready.max)}`, '', `≤ ${TARGET_READY_MS} ms`, verdict(readyPass)]);
  rows.push(['  same, the first session on this build (nothing cached: every definition file parsed)', ms(at1.first.readyMs), '', '', '', '']);
  rows.push(['  spawn → every diagnostic published (catalog/workspaceChecked: snapshot checks done)', ms(at1.checked.median), `${ms(at1.checked.min)}–${ms(at1.checked.max)}`, '', '', '']);
  rows.push(['  same, an empty catalog (Node start, bundle load, LSP handshake)', ms(empty.ready.median), `${ms(empty.ready.min)}–${ms(empty.ready.max)}`, '', '', '']);
  if (yls) rows.push(['yaml-language-server: spawn → initialized', ms(yls.readyMs), '', '', '', '']);
  log(formatTable(['measure', 'median ms', 'range', '× F', 'target', 'verdict'], rows));
  log();
  log(formatTable(['memory (the server process, whole node process)', 'peak RSS'], [
    [`cac-language-server: spawn → workspace loaded (median of ${options.readyRuns})`, mb(at1.readyPeakRssMb)],
    ['cac-language-server: whole session A (load, open, edits, burst)', mb(ours.peakRssMb!)],
    ['cac-language-server: an empty catalog', mb(empty.readyPeakRssMb)],
  ]));
  log();
  const passes = [edit.median <= 2 * F, editB.median <= 2 * FB, coldOpen.openMs <= 250, ours.openMs <= 250, readyPass, ...(ylsEdit ? [ylsEdit.median / edit.median >= 3] : [])];
  log(`Overall: ${passes.every(Boolean) ? 'PASS' : 'MISS'} (targets: didChange → diagnostics ≤ 2× F, ≥ 3× faster than yaml-language-server, first diagnostics ≤ 250 ms, workspace loaded ≤ ${TARGET_READY_MS} ms)`);

  let growth: { snapshots: [number, number]; exponents: Record<string, number> } | undefined;
  if (options.growthDatastores !== undefined) {
    const larger = timedSync(() => lspBenchWorkspace(WORK, options.growthDatastores!, options.containers, options.fields));
    const workspace2 = larger.value;
    log(`\nGrowth workspace ${path.relative(REPO, workspace2.root)}: ${count(workspace2.datastores)} datastores, ${count(workspace2.snapshotFiles)} snapshot files, A = ${count(workspace2.multi.lines)} lines (ready in ${ms(larger.ms)} ms). Measuring …`);
    const at2 = await measureSize(workspace2, options);
    const n1 = workspace.snapshotFiles;
    const n2 = workspace2.snapshotFiles;
    const above = (value: number, base: number): number => Math.max(value - base, Number.EPSILON);
    const figures: (GrowthFigure & { key: string })[] = [
      { key: 'readyMs', label: 'spawn → workspace loaded', small: at1.ready.median, large: at2.ready.median, unit: 'ms', target: GROWTH_TARGET },
      { key: 'editMs', label: 'A edit: didChange → publishDiagnostics', small: at1.edit.median, large: at2.edit.median, unit: 'ms', target: GROWTH_TARGET },
      { key: 'peakRss', label: 'peak RSS, whole session A', small: ours.peakRssMb!, large: at2.session.peakRssMb!, unit: 'MB', target: GROWTH_TARGET },
      { key: 'readyPeakRss', label: 'peak RSS at workspace loaded', small: at1.readyPeakRssMb, large: at2.readyPeakRssMb, unit: 'MB' },
      { key: 'readyMsAboveEmpty', label: 'spawn → loaded above an empty catalog', small: above(at1.ready.median, empty.ready.median), large: above(at2.ready.median, empty.ready.median), unit: 'ms' },
      { key: 'peakRssAboveEmpty', label: 'session peak RSS above an empty catalog', small: above(ours.peakRssMb!, empty.readyPeakRssMb), large: above(at2.session.peakRssMb!, empty.readyPeakRssMb), unit: 'MB' },
    ];
    log(`\n== Growth: ${count(n1)} → ${count(n2)} snapshots (${count(workspace.datastores)} → ${count(workspace2.datastores)} datastores), medians ==`);
    log(formatGrowthTable({ small: n1, large: n2, noun: 'snapshots' }, figures));
    log('(exponent = ln(x2/x1) / ln(n2/n1): 1 is linear, 2 quadratic. Whole-process figures include a fixed part (Node\'s start, the bundle, 40–60 MB of baseline memory); the rows "above an empty catalog" (context, no target) show the work\'s own.)');
    growth = { snapshots: [n1, n2], exponents: Object.fromEntries(figures.map((f) => [f.key, round2(growthExponent(n1, f.small, n2, f.large))])) };
  }
  log(`Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
  fs.mkdirSync(WORK, { recursive: true });
  fs.writeFileSync(path.join(WORK, 'lsp-results.json'), JSON.stringify({
    when: new Date().toISOString(), node: process.version, cpus: os.cpus().length, load: os.loadavg(),
    workspace: { root: workspace.root, datastores: workspace.datastores, snapshotFiles: workspace.snapshotFiles, fields: workspace.fields },
    floorA, floorB, ours: { ...ours, edit }, oursB: { ...oursB, edit: editB }, coldOpen, yls: yls ? { ...yls, edit: ylsEdit } : null,
    medians: { F: round1(F), FB: round1(FB), edit: round1(edit.median), editB: round1(editB.median), yls: ylsEdit ? round1(ylsEdit.median) : null, open: round1(ours.openMs), coldOpen: round1(coldOpen.openMs) },
    ready: { ...at1.ready, targetMs: TARGET_READY_MS, pass: readyPass, firstSessionNothingCached: at1.first, checked: at1.checked, emptyCatalog: empty.ready },
    peakRssMb: { loaded: round1(at1.readyPeakRssMb), sessionA: round1(ours.peakRssMb!), emptyCatalog: round1(empty.readyPeakRssMb) },
    growth: growth ?? null,
  }, null, 2) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof BenchAssertion ? 'check failed' : 'error'}: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
