import assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeDefinitionFile, type DefinitionFileAnalysis, type ProjectSettings, type Workspace } from '../../server/src/core';
import { locate } from '../../server/src/core/definitions/locate';
import { DocumentPartsAnalyzer, parsedPartsOf, splitDocuments } from '../../server/src/core/language/documentParts';
import { nodeInFile } from '../../server/src/core/language/nodeAt';
import { SnapshotCatalog } from '../../server/src/core/snapshots/snapshotCatalog';
import { documentSymbols } from '../../server/src/core/language/symbols';

const ROOT = path.resolve('/catalog-as-code-test');
const PROJECT: ProjectSettings = { root: ROOT, snapshotsDir: path.join(ROOT, 'snapshots'), stateDir: path.join(ROOT, '.cac'), exclude: [] };
const FILE = path.join(ROOT, 'datastores', 'all.yaml');

/** Documents the generated files are made of: valid ones, ones with schema or reference problems, odd ones. */
const DOCUMENTS = [
  'kind: Datastore\nname: a\ntype: sqlite\nconnection: { path: ./a.sqlite }\n',
  'kind: Datastore\nname: b\ntype: sqlitx\nconnection:\n  path: ./b.sqlite\n  pasword: x\n',
  'kind: Datastore\nname: c\ntype: postgresql\nconnection:\n  host: h\n  database: d\n  password: secret\n',
  'kind: Schedule\nname: s\ndatastore: a\ncron: "61 * * * *"\n',
  'kind: Schedule\nname: t\ndatastore: zz\nweekly: { days: [monday], at: "25:00" }\n',
  'kind: Overrides\ndatastore: a\ncontainers:\n  orders: { incremental_identifier: updated_at }\n',
  'kind: Datastore\nname: d\ntype: dfs\nroot: ./x\ndescription: |\n  --- not a marker, indented\n  more\n',
  'name: no-kind\n',
  'kind: Datastor\nname: e\n',
  '# only a comment\n',
  '',
  'kind: Datastore\nname: a\ntype: sqlite\nconnection: { path: ./dup.sqlite }\n',
  'kind: Datastore\nname: i\ntype: duckdb\nconnection: { path: ./i.duckdb } # trailing comment\n\n\n',
];
/** Documents the parser rejects: they send the file through the whole-file analysis. */
const BROKEN_DOCUMENTS = [
  'kind: Datastore\nname: f\nname: g\ntype: sqlite\n',
  'kind: Datastore\n\tname: tabs\n',
  'kind: Datastore\nname: "unterminated\n',
  'kind: Datastore\nname: h\ntype: [sqlite\n',
];
const LINES = ['---', '--- # marker with a comment', '', '# comment', 'kind: Datastore', 'name: x', 'type: mysql', '  host: h', 'extra: 1', 'connection:', '    deep: 1'];
const BROKEN_LINES = ['...', '%YAML 1.2', 'description: "a', '<<<<<<< HEAD', 'a: [1,'];

/** A small deterministic generator, so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function generate(next: () => number): string {
  const count = 2 + Math.floor(next() * 7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const docs = Array.from({ length: count }, () => (next() < 0.08 ? pick(BROKEN_DOCUMENTS) : pick(DOCUMENTS)));
  const leading = next() < 0.3 ? '# catalog file\n' : next() < 0.2 ? '---\n' : '';
  return leading + docs.join(next() < 0.5 ? '---\n' : '--- # next\n');
}

function edit(text: string, next: () => number): string {
  const lines = text.split('\n');
  const at = Math.floor(next() * lines.length);
  const pool = next() < 0.08 ? BROKEN_LINES : LINES;
  const line = pool[Math.floor(next() * pool.length)]!;
  const choice = next();
  if (choice < 0.3) lines.splice(at, 0, line);
  else if (choice < 0.5) lines.splice(at, 1);
  else if (choice < 0.8) lines[at] = `${lines[at] ?? ''}x`;
  else lines[at] = line;
  return lines.join('\n');
}

/** Everything of an analysis the rest of the engine reads, with ranges recomputed through each source. */
function summary(analysis: DefinitionFileAnalysis | undefined): unknown {
  if (!analysis) return undefined;
  const source = (s: { document: number; range: unknown } & Parameters<typeof locate>[0]): unknown => ({
    document: s.document, range: s.range, name: locate(s, ['name']), datastore: locate(s, ['datastore']), deep: locate(s, ['connection', 'path'], 'key'),
  });
  return {
    problems: analysis.problems.map((p) => JSON.stringify(p)).sort(),
    datastores: analysis.datastores.map((d) => ({ ...d, source: source(d.source) })),
    schedules: analysis.schedules.map((d) => ({ ...d, source: source(d.source) })),
    overrides: analysis.overrides.map((d) => ({ ...d, containers: [...d.containers], source: source(d.source) })),
  };
}

/** What the editor features read from an analysis: the outline, and the node under every line start. */
function features(analysis: DefinitionFileAnalysis | undefined, text: string): unknown {
  if (!analysis) return undefined;
  const view = { workspace: {} as Workspace, analysisOf: () => analysis, snapshots: new SnapshotCatalog(PROJECT.snapshotsDir) };
  const nodes = text.split('\n').map((_line, line) => {
    const found = nodeInFile(analysis, { line, character: 2 });
    return found && [found.documentIndex, found.path, found.target, found.range];
  });
  return { symbols: documentSymbols(view, FILE), nodes };
}

describe('language engine: re-analyzing one YAML document at a time', () => {
  it('splits where YAML splits documents, keeping a comment-only start with the first one', () => {
    assert.deepEqual(splitDocuments('# head\n---\na: 1\n--- # c\nb: 2\n'), [{ firstLine: 0, text: '# head\n---\na: 1\n' }, { firstLine: 3, text: '--- # c\nb: 2\n' }]);
    assert.deepEqual(splitDocuments('a: 1\n---\nb: |\n  ---\n---x: 1\n')?.length, 2);
    assert.equal(splitDocuments('%YAML 1.2\n---\na: 1\n'), undefined);
    assert.equal(splitDocuments('a: 1\n...\n---\nb: 1\n'), undefined);
  });

  it('gives exactly the whole-file analysis, and the same outline and nodes, across 1,200 random files and edits', function () {
    this.timeout(60000);
    let partial = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const next = random(seed);
      const analyzer = new DocumentPartsAnalyzer();
      let text = generate(next);
      for (let step = 0; step < 8; step++) {
        const incremental = analyzer.analyze(PROJECT, { path: FILE, text });
        const whole = analyzeDefinitionFile(PROJECT, { path: FILE, text });
        const where = `seed ${seed}, step ${step}:\n${text}`;
        assert.deepEqual(summary(incremental), summary(whole), where);
        assert.deepEqual(features(incremental, text), features(whole, text), where);
        if (incremental && parsedPartsOf(incremental).length > 1) partial++;
        text = edit(text, next);
      }
    }
    // Many edits break a document (a duplicated key, a marker turned into text), which sends the file through the whole-file analysis.
    assert.ok(partial > 250, `the per-document path ran only ${partial} times`);
  });

  it('re-parses only the edited document of a long file', () => {
    const docs = Array.from({ length: 200 }, (_, i) => `kind: Datastore\nname: ds${i}\ntype: sqlite\nconnection: { path: ./ds${i}.sqlite }\n`);
    const analyzer = new DocumentPartsAnalyzer();
    const before = analyzer.analyze(PROJECT, { path: FILE, text: docs.join('---\n') })!;
    docs[150] = docs[150]!.replace('sqlite\n', 'sqlitx\n');
    docs.splice(10, 0, 'kind: Schedule\nname: new\ndatastore: ds1\nhourly: { every: 1 }\n');
    const after = analyzer.analyze(PROJECT, { path: FILE, text: docs.join('---\n') })!;
    // Documents before the insertion are the very same objects; the rest are re-read, not re-parsed.
    assert.equal(after.datastores[0], before.datastores[0]);
    const named = (analysis: DefinitionFileAnalysis, name: string) => analysis.datastores.find((d) => d.name === name)!;
    assert.equal(named(after, 'ds180').source.doc, named(before, 'ds180').source.doc);
    assert.deepEqual([named(after, 'ds180').source.document, named(before, 'ds180').source.document], [181, 180]);
    assert.deepEqual(after.problems.map((p) => [p.code, p.range.start.line]), [['schema-violation', 151 * 5 + 2]]);
  });
});

describe('language server model: an open buffer, analyzed one document at a time', () => {
  it('reads a file from disk as `cac validate` does, then re-uses every unedited document across edits', async () => {
    const { CatalogProject } = await import('../../server/src/core/language/catalogProject');
    const { cleanupWorkspace, writeWorkspace } = await import('../helpers/workspace');
    const docs = Array.from({ length: 50 }, (_, i) => `kind: Datastore\nname: ds${i}\ntype: sqlite\nconnection: { path: ./ds${i}.sqlite }\n`);
    const root = writeWorkspace({ 'datastores/all.yaml': docs.join('---\n') });
    try {
      const project = new CatalogProject(root, true);
      const file = path.join(root, 'datastores', 'all.yaml');
      const ds40 = (): DefinitionFileAnalysis['datastores'][number] => project.workspace.datastores.find((d) => d.name === 'ds40')!;
      const fromDisk = ds40();
      assert.equal(project.analysisOf(file)!.parsed.documents.length, 50, 'one parse of the whole file');
      project.setBuffer(file, docs.join('---\n'));
      project.primeDocumentParts(file);
      assert.equal(ds40(), fromDisk, 'opening the file as it is on disk keeps its analysis');
      docs[3] = docs[3]!.replace('sqlite\n', 'duckdb\n');
      project.setBuffer(file, docs.join('---\n'));
      const firstEdit = ds40();
      assert.equal(project.workspace.datastores.find((d) => d.name === 'ds3')!.type, 'duckdb');
      assert.notEqual(firstEdit.source.doc, fromDisk.source.doc, 'the edit is answered from the per-document parses');
      project.setBuffer(file, docs.join('---\n').replace('name: ds3\n', 'name: ds3b\n'));
      assert.equal(ds40().source.doc, firstEdit.source.doc, 'an unedited document is not parsed again');
      assert.deepEqual(project.problemsByFile().get(file), []);
    } finally {
      cleanupWorkspace(root);
    }
  });
});
