/**
 * Language server benchmark: on a generated catalog of 1,000 datastores (their
 * snapshots holding 100,000 fields, one 5,000-line definition file), measures in one run
 *   - the floor F: the engine's parse + validate of that file, in process (`analyzeDefinitions`);
 *   - our server: one-line didChange → publishDiagnostics, and didOpen → first diagnostics;
 *   - yaml-language-server with the same JSON Schema: the same edits and open;
 *   - and the same edit measure on a 5,000-line single-document file, where re-parsing only the
 *     edited YAML document cannot help.
 * See bench/README.md ("Language server benchmark") for the method and the recorded results.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { analyzeDefinitions, readProjectSettings } from '../server/src/core';
import { CatalogProject } from '../server/src/core/language/catalogProject';
import { BenchAssertion } from './lib/engine';
import { measureOurServer, measureYamlLanguageServer, type ServerRun } from './lib/lspSessions';
import { lspBenchWorkspace, type EditScenario, type LspBenchWorkspace } from './lib/lspWorkspace';
import { round1, seriesOf, timedSync, type Series } from './lib/stats';
import { formatTable, ms, ratio } from './lib/table';

const REPO = path.resolve(__dirname, '..');
const WORK = path.join(REPO, 'bench', '.work');

interface Options {
  datastores: number;
  containers: number;
  fields: number;
  edits: number;
  yls: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      datastores: { type: 'string', default: '1000' },
      containers: { type: 'string', default: '10' },
      fields: { type: 'string', default: '10' },
      edits: { type: 'string', default: '21' },
      'no-yls': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const int = (name: string, raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new BenchAssertion(`--${name} must be a positive integer, not '${raw}'.`);
    return n;
  };
  return { datastores: int('datastores', values.datastores), containers: int('containers', values.containers), fields: int('fields', values.fields), edits: int('edits', values.edits), yls: !values['no-yls'] };
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
  const ours = await measureOurServer(workspace, multi, options.edits, 3);
  const oursB = await measureOurServer(workspace, single, options.edits, 3);
  // A fresh server opening a new, unsaved 5,000-line file it has never read: every document parsed.
  const unseen = { file: path.join(path.dirname(multi.file), 'unsaved-copy.yaml'), text: multi.text.replace(/name: ds/g, 'name: copy') };
  const coldOpen = await measureOurServer(workspace, multi, 1, 0, unseen);
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
  rows.push(['cac-language-server: spawn → workspace loaded', ms(ours.readyMs), '', '', '', '']);
  if (yls) rows.push(['yaml-language-server: spawn → initialized', ms(yls.readyMs), '', '', '', '']);
  log(formatTable(['measure', 'median ms', 'range', '× F', 'target', 'verdict'], rows));
  log();
  const passes = [edit.median <= 2 * F, editB.median <= 2 * FB, coldOpen.openMs <= 250, ours.openMs <= 250, ...(ylsEdit ? [ylsEdit.median / edit.median >= 3] : [])];
  log(`Overall: ${passes.every(Boolean) ? 'PASS' : 'MISS'} (targets: didChange → diagnostics ≤ 2× F, ≥ 3× faster than yaml-language-server, first diagnostics ≤ 250 ms)`);
  fs.mkdirSync(WORK, { recursive: true });
  fs.writeFileSync(path.join(WORK, 'lsp-results.json'), JSON.stringify({
    when: new Date().toISOString(), node: process.version, cpus: os.cpus().length, load: os.loadavg(),
    workspace: { root: workspace.root, datastores: workspace.datastores, snapshotFiles: workspace.snapshotFiles, fields: workspace.fields },
    floorA, floorB, ours: { ...ours, edit }, oursB: { ...oursB, edit: editB }, coldOpen, yls: yls ? { ...yls, edit: ylsEdit } : null,
    medians: { F: round1(F), FB: round1(FB), edit: round1(edit.median), editB: round1(editB.median), yls: ylsEdit ? round1(ylsEdit.median) : null, open: round1(ours.openMs), coldOpen: round1(coldOpen.openMs) },
  }, null, 2) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof BenchAssertion ? 'check failed' : 'error'}: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
