import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  analyzeDefinitions, findDefinitionFiles, loadWorkspace, readProjectSettings,
  type Problem, type ProblemCode, type ProjectSettings, type Workspace,
} from '../../server/src/core';
import { expandEnvReferences, findEnvReferences } from '../../server/src/core/definitions/envReferences';
import { resolveDatastore } from '../../server/src/core/sync/resolveDatastore';
import { cleanupWorkspace, writeWorkspace, positionOf } from '../helpers/workspace';

/** A project rooted at a folder that never exists: analyzeDefinitions reads nothing from disk. */
const ROOT = path.resolve('/catalog-as-code-test');
const PROJECT: ProjectSettings = { root: ROOT, snapshotsDir: path.join(ROOT, 'snapshots'), stateDir: path.join(ROOT, '.cac'), exclude: [] };

/** Analyzes in-memory files (relative path → text) as the language server does with open buffers. */
function analyze(files: Record<string, string>): Workspace {
  return analyzeDefinitions(PROJECT, Object.entries(files).map(([relative, text]) => ({ path: path.join(ROOT, relative), text })));
}

function withCode(workspace: Workspace, code: ProblemCode): Problem[] {
  return workspace.problems.filter((p) => p.code === code);
}

function codes(workspace: Workspace): ProblemCode[] {
  return workspace.problems.map((p) => p.code);
}


/** The range a problem should have when it covers exactly `needle`, found on one line of `text`. */
function rangeOf(text: string, needle: string, occurrence = 1): Problem['range'] {
  const start = positionOf(text, needle, occurrence);
  return { start, end: { line: start.line, character: start.character + needle.length } };
}

const sqliteStore = (name: string): string => `kind: Datastore\nname: ${name}\ntype: sqlite\nconnection:\n  path: ./${name}.sqlite\n`;
const dfsStore = (name: string): string => `kind: Datastore\nname: ${name}\ntype: dfs\nroot: ./data\n`;
const postgresStore = (name: string, password: string): string =>
  `kind: Datastore\nname: ${name}\ntype: postgresql\nconnection:\n  host: 127.0.0.1\n  database: shop\n  user: reader\n  password: ${password}\n`;

describe('loading a workspace from disk', () => {
  let root: string;
  afterEach(() => cleanupWorkspace(root));

  it('reads every kind from the conventional folders', () => {
    root = writeWorkspace({
      'datastores/warehouse.yaml': sqliteStore('warehouse'),
      'schedules/nightly.yaml': 'kind: Schedule\nname: nightly-warehouse\ndatastore: warehouse\ndaily: { every: 1, at: "00:00" }\n',
      'overrides/warehouse.yaml': 'kind: Overrides\ndatastore: warehouse\ncontainers:\n  orders:\n    incremental_identifier: updated_at\n',
    });
    const workspace = loadWorkspace(root);
    assert.deepEqual(workspace.problems, []);
    assert.deepEqual(workspace.datastores.map((d) => d.name), ['warehouse']);
    assert.deepEqual(workspace.schedules.map((s) => [s.name, s.datastore, s.timing]), [['nightly-warehouse', 'warehouse', { kind: 'daily', every: 1, at: '00:00' }]]);
    assert.deepEqual(workspace.overrides.map((o) => [o.datastore, [...o.containers]]), [['warehouse', [['orders', { incremental_identifier: 'updated_at' }]]]]);
    assert.deepEqual(workspace.files, [
      path.join(root, 'datastores/warehouse.yaml'),
      path.join(root, 'overrides/warehouse.yaml'),
      path.join(root, 'schedules/nightly.yaml'),
    ]);
  });

  it('reads definitions from any folder, not only the conventional ones', () => {
    root = writeWorkspace({ 'teams/sales/catalog/stores.yml': dfsStore('landing') });
    assert.deepEqual(loadWorkspace(root).datastores.map((d) => d.name), ['landing']);
  });

  it('reads several documents of different kinds from one file, remembering each document', () => {
    root = writeWorkspace({
      'all.yaml': `${sqliteStore('shop')}---\n${dfsStore('landing')}---\nkind: Schedule\nname: hourly-shop\ndatastore: shop\nhourly: { every: 1 }\n`,
    });
    const workspace = loadWorkspace(root);
    assert.deepEqual(workspace.problems, []);
    assert.deepEqual(workspace.datastores.map((d) => [d.name, d.source.document]), [['shop', 0], ['landing', 1]]);
    assert.deepEqual(workspace.schedules.map((s) => [s.name, s.source.document]), [['hourly-shop', 2]]);
    assert.equal(workspace.datastores[1]!.source.range.start.line, 6);
  });

  it('ignores YAML files that carry none of our kinds, such as a GitHub workflow or a compose file', () => {
    root = writeWorkspace({
      'ci/build.yml': 'name: build\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n',
      'docker-compose.yaml': 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: hunter2\n',
      'k8s/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n',
      'broken-but-not-ours.yaml': 'key: [unclosed\n\tand: tabs\n',
      'datastores/shop.yaml': sqliteStore('shop'),
    });
    const workspace = loadWorkspace(root);
    assert.deepEqual(workspace.problems, []);
    assert.deepEqual(workspace.files, [path.join(root, 'datastores/shop.yaml')]);
  });

  it('warns about a misspelt kind in a catalog file, on its value, and suggests the nearest kind', () => {
    const text = `${sqliteStore('shop')}---\nkind: Scheduel\nname: nightly\ndatastore: shop\ndaily: { at: "00:00" }\n`;
    const workspace = analyze({ 'catalog/all.yaml': text });
    assert.deepEqual(codes(workspace), ['unknown-kind']);
    const [problem] = workspace.problems;
    assert.equal(problem!.severity, 'warning');
    assert.equal(problem!.file, path.join(ROOT, 'catalog/all.yaml'));
    assert.deepEqual(problem!.range, rangeOf(text, 'Scheduel'));
    assert.deepEqual(problem!.suggestions, ['Schedule']);
    assert.deepEqual(workspace.schedules, []);
    assert.deepEqual(workspace.datastores.map((d) => d.name), ['shop']);
  });

  it('warns about a kind written in the wrong case instead of silently ignoring the file', () => {
    const text = 'kind: datastore\nname: shop\ntype: sqlite\nconnection:\n  path: ./shop.sqlite\n';
    const workspace = analyze({ 'datastores/shop.yaml': text });
    assert.deepEqual(codes(workspace), ['unknown-kind']);
    assert.deepEqual(workspace.problems[0]!.range, rangeOf(text, 'datastore'));
    assert.deepEqual(workspace.problems[0]!.suggestions, ['Datastore']);
  });

  it('warns about a document without a kind in a catalog file, at its first key', () => {
    const text = `${dfsStore('landing')}---\nname: orphan\ntype: dfs\n`;
    const workspace = analyze({ 'datastores/landing.yaml': text });
    assert.deepEqual(codes(workspace), ['unknown-kind']);
    assert.deepEqual(workspace.problems[0]!.range.start, positionOf(text, 'name: orphan'));
  });

  it('takes the snapshots and state folders from catalog.yaml, relative to the root', () => {
    root = writeWorkspace({ 'catalog.yaml': 'kind: Project\nsnapshots: catalog/snapshots\nstate: .state\n' });
    const { project, problems } = readProjectSettings(root);
    assert.deepEqual(problems, []);
    assert.equal(project.root, path.resolve(root));
    assert.equal(project.snapshotsDir, path.join(root, 'catalog', 'snapshots'));
    assert.equal(project.stateDir, path.join(root, '.state'));
    assert.deepEqual(loadWorkspace(root).problems, []);
  });

  it('defaults to snapshots/ and .cac/ without a catalog.yaml', () => {
    root = writeWorkspace({ 'datastores/shop.yaml': sqliteStore('shop') });
    const { project } = readProjectSettings(root);
    assert.equal(project.snapshotsDir, path.join(root, 'snapshots'));
    assert.equal(project.stateDir, path.join(root, '.cac'));
    assert.deepEqual(project.exclude, []);
  });

  it('skips files and folders matched by the exclude globs of catalog.yaml', () => {
    root = writeWorkspace({
      'catalog.yaml': 'kind: Project\nexclude: ["vendor/**", "**/fixtures", "scratch.yaml"]\n',
      'datastores/shop.yaml': sqliteStore('shop'),
      'vendor/datastores/shop.yaml': sqliteStore('shop'),
      'tests/fixtures/shop.yaml': sqliteStore('shop'),
      'scratch.yaml': sqliteStore('shop'),
    });
    const workspace = loadWorkspace(root);
    assert.deepEqual(workspace.problems, []);
    assert.deepEqual(workspace.files, [path.join(root, 'catalog.yaml'), path.join(root, 'datastores/shop.yaml')]);
  });

  it('never searches the snapshots and state folders, node_modules or hidden folders', () => {
    root = writeWorkspace({
      'catalog.yaml': 'kind: Project\nsnapshots: out/snapshots\nstate: out/state\n',
      'datastores/shop.yaml': sqliteStore('shop'),
      'out/snapshots/shop/x.yaml': sqliteStore('shop'),
      'out/state/x.yaml': sqliteStore('shop'),
      'node_modules/pkg/x.yaml': sqliteStore('shop'),
      '.github/workflows/x.yaml': sqliteStore('shop'),
    });
    const { project } = readProjectSettings(root);
    assert.deepEqual(findDefinitionFiles(project), [path.join(root, 'catalog.yaml'), path.join(root, 'datastores/shop.yaml')]);
  });

  it('reports a snapshots or state folder outside the project on its value and keeps the default', () => {
    const text = 'kind: Project\nsnapshots: ../elsewhere\nstate: .\n';
    root = writeWorkspace({ 'catalog.yaml': text });
    const { project, problems } = readProjectSettings(root);
    assert.deepEqual(problems.map((p) => [p.code, p.severity, p.range]), [
      ['schema-violation', 'error', rangeOf(text, '../elsewhere')],
      ['schema-violation', 'error', rangeOf(text, '.', 3)],
    ]);
    assert.equal(problems[0]!.file, path.join(root, 'catalog.yaml'));
    assert.equal(project.snapshotsDir, path.join(root, 'snapshots'));
    assert.equal(project.stateDir, path.join(root, '.cac'));
    assert.deepEqual(loadWorkspace(root).problems.map((p) => p.code), ['schema-violation', 'schema-violation']);
  });

  it('reports an unknown property of catalog.yaml with a suggestion', () => {
    const text = 'kind: Project\nsnapshot: out\n';
    root = writeWorkspace({ 'catalog.yaml': text });
    const problems = loadWorkspace(root).problems;
    assert.deepEqual(problems.map((p) => [p.code, p.range, p.suggestions]), [['unknown-property', rangeOf(text, 'snapshot'), ['snapshots']]]);
  });

  it('reports Project settings outside the root catalog.yaml and ignores them', () => {
    const text = 'kind: Project\nsnapshots: other\n';
    root = writeWorkspace({ 'sub/settings.yaml': text });
    const workspace = loadWorkspace(root);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.severity, p.range]), [['duplicate-project', 'warning', rangeOf(text, 'Project')]]);
    assert.equal(workspace.project.snapshotsDir, path.join(root, 'snapshots'));
  });

  it('treats a folder with a catalog.yaml of its own as another project, not as a warning', () => {
    root = writeWorkspace({ 'sub/catalog.yaml': 'kind: Project\nsnapshots: other\n', 'sub/d.yaml': 'kind: Datastore\nname: inner\ntype: dfs\nroot: .\n' });
    const workspace = loadWorkspace(root);
    assert.deepEqual([workspace.problems, workspace.datastores.length], [[], 0]);
  });

  it('reports an oversized catalog.yaml once', () => {
    root = writeWorkspace({ 'catalog.yaml': `kind: Project\n${'#'.repeat(3 * 1024 * 1024)}\n` });
    assert.deepEqual(loadWorkspace(root).problems.map((p) => [p.code, p.file]), [['file-too-large', path.join(root, 'catalog.yaml')]]);
  });
});

describe('schema validation of definitions', () => {
  it('reports an unknown property on its key and suggests the nearest property', () => {
    const text = 'kind: Datastore\nnmae: shop\ntype: sqlite\nconnection:\n  path: ./shop.sqlite\n';
    const workspace = analyze({ 'datastores/shop.yaml': text });
    const [problem] = withCode(workspace, 'unknown-property');
    assert.equal(problem!.severity, 'error');
    assert.deepEqual(problem!.range, rangeOf(text, 'nmae'));
    assert.deepEqual(problem!.suggestions, ['name']);
    assert.match(problem!.message, /nmae/);
  });

  it('reports an unknown connection property on its key with a suggestion', () => {
    const text = 'kind: Datastore\nname: shop\ntype: postgresql\nconnection:\n  hots: db\n  host: db\n  database: shop\n';
    const workspace = analyze({ 'datastores/shop.yaml': text });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range, p.suggestions]), [['unknown-property', rangeOf(text, 'hots'), ['host']]]);
  });

  it('reports an unknown property of an override on its key with a suggestion', () => {
    const text = 'kind: Overrides\ndatastore: shop\ncontainers:\n  orders:\n    incremental_identifer: updated_at\n';
    const workspace = analyze({ 'datastores/shop.yaml': sqliteStore('shop'), 'overrides/shop.yaml': text });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range, p.suggestions]), [['unknown-property', rangeOf(text, 'incremental_identifer'), ['incremental_identifier']]]);
  });

  it('reports a missing required property at the first key of the document and drops the definition', () => {
    const text = 'kind: Datastore\ntype: dfs\nroot: ./data\n';
    const workspace = analyze({ 'datastores/x.yaml': text });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.severity, p.range]), [['missing-property', 'error', rangeOf(text, 'kind')]]);
    assert.match(workspace.problems[0]!.message, /'name'/);
    assert.deepEqual(workspace.datastores, []);
  });

  it('reports a missing type, a missing schedule datastore and missing override containers', () => {
    const workspace = analyze({
      'a.yaml': 'kind: Datastore\nname: shop\n',
      'b.yaml': 'kind: Schedule\nname: nightly\ndaily: { at: "00:00" }\n',
      'c.yaml': 'kind: Overrides\ndatastore: shop\n',
    });
    assert.deepEqual(workspace.problems.map((p) => [path.basename(p.file), p.code]), [
      ['a.yaml', 'missing-property'], ['b.yaml', 'missing-property'], ['c.yaml', 'missing-property'],
    ]);
    assert.match(workspace.problems[0]!.message, /'type'/);
    assert.match(workspace.problems[1]!.message, /'datastore'/);
    assert.match(workspace.problems[2]!.message, /'containers'/);
  });

  it('reports a type that is not allowed on its value and suggests the nearest type', () => {
    const text = 'kind: Datastore\nname: warehouse\ntype: postgres\nconnection:\n  host: db\n  database: shop\n';
    const workspace = analyze({ 'datastores/warehouse.yaml': text });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range, p.suggestions]), [['schema-violation', rangeOf(text, 'postgres'), ['postgresql']]]);
    assert.deepEqual(workspace.datastores, []);
  });

  it('requires connection.path for sqlite and duckdb, on the connection key when the mapping exists', () => {
    const withoutConnection = 'kind: Datastore\nname: shop\ntype: sqlite\n';
    const withoutPath = 'kind: Datastore\nname: lake\ntype: duckdb\nconnection:\n  host: db\n';
    const workspace = analyze({ 'a.yaml': withoutConnection, 'b.yaml': withoutPath });
    assert.deepEqual(workspace.problems.map((p) => [path.basename(p.file), p.code, p.range]), [
      ['a.yaml', 'missing-property', rangeOf(withoutConnection, 'kind')],
      ['b.yaml', 'missing-property', rangeOf(withoutPath, 'connection')],
    ]);
    assert.match(workspace.problems[0]!.message, /'connection'/);
    assert.match(workspace.problems[1]!.message, /'path'/);
  });

  it('requires root for a dfs datastore', () => {
    const text = 'kind: Datastore\nname: landing\ntype: dfs\nextensions: [csv]\n';
    const workspace = analyze({ 'a.yaml': text });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range]), [['missing-property', rangeOf(text, 'kind')]]);
    assert.match(workspace.problems[0]!.message, /'root'/);
  });

  it('requires host and database for postgresql, mysql and mariadb', () => {
    for (const type of ['postgresql', 'mysql', 'mariadb']) {
      const text = `kind: Datastore\nname: db\ntype: ${type}\nconnection:\n  port: 5432\n`;
      const workspace = analyze({ 'a.yaml': text });
      assert.deepEqual(workspace.problems.map((p) => [p.code, p.range]), [
        ['missing-property', rangeOf(text, 'connection')],
        ['missing-property', rangeOf(text, 'connection')],
      ], type);
      const messages = workspace.problems.map((p) => p.message).join('\n');
      assert.match(messages, /'host'/);
      assert.match(messages, /'database'/);
    }
  });

  it('accepts a complete definition of every datastore type', () => {
    const workspace = analyze({
      'a.yaml': [
        postgresStore('pg', '${env:PG_PASSWORD}'),
        'kind: Datastore\nname: my\ntype: mysql\nconnection: { host: db, database: shop, port: 3306, ssl: { mode: require } }\n',
        'kind: Datastore\nname: maria\ntype: mariadb\nconnection: { host: db, database: shop, ssl: true }\n',
        sqliteStore('lite'),
        'kind: Datastore\nname: duck\ntype: duckdb\nconnection: { path: ./duck.db }\n',
        'kind: Datastore\nname: landing\ntype: dfs\nroot: ./data\nextensions: [csv, parquet]\nglobbing: folder\nsample_files: 5\n',
      ].join('---\n'),
    });
    assert.deepEqual(workspace.problems, []);
    assert.deepEqual(workspace.datastores.map((d) => [d.name, d.type]), [
      ['pg', 'postgresql'], ['my', 'mysql'], ['maria', 'mariadb'], ['lite', 'sqlite'], ['duck', 'duckdb'], ['landing', 'dfs'],
    ]);
    assert.deepEqual(workspace.datastores[5]!.settings, { root: './data', extensions: ['csv', 'parquet'], globbing: 'folder', sample_files: 5 });
  });

  it('reports an include value that is not table or view on the value, with a suggestion', () => {
    const text = 'kind: Datastore\nname: shop\ntype: sqlite\nconnection: { path: ./shop.sqlite }\ninclude: [table, views]\n';
    const workspace = analyze({ 'a.yaml': text });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range, p.suggestions]), [['schema-violation', rangeOf(text, 'views'), ['view']]]);
  });

  it('reports an empty include list', () => {
    const text = 'kind: Datastore\nname: shop\ntype: sqlite\nconnection: { path: ./shop.sqlite }\ninclude: []\n';
    const workspace = analyze({ 'a.yaml': text });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range]), [['schema-violation', rangeOf(text, '[]')]]);
  });

  it('reads include, defaulting to tables and views', () => {
    const workspace = analyze({
      'a.yaml': `${sqliteStore('all')}---\n${sqliteStore('tables')}include: [table]\n---\n${sqliteStore('views')}include: [view]\n`,
    });
    assert.deepEqual(workspace.problems, []);
    assert.deepEqual(workspace.datastores.map((d) => [d.name, d.include]), [['all', ['table', 'view']], ['tables', ['table']], ['views', ['view']]]);
  });

  it('reports a datastore name that cannot be a folder name', () => {
    const text = 'kind: Datastore\nname: ../escape\ntype: dfs\nroot: ./data\n';
    const workspace = analyze({ 'a.yaml': text });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range]), [['schema-violation', rangeOf(text, '../escape')]]);
  });

  it('reports a value of the wrong type on the value', () => {
    const text = 'kind: Datastore\nname: shop\ntype: sqlite\nconnection:\n  path: ./shop.sqlite\nprune: "yes"\n';
    const workspace = analyze({ 'a.yaml': text });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range]), [['schema-violation', rangeOf(text, '"yes"')]]);
  });
});

describe('schema messages read as sentences, never as raw validator phrases', () => {
  it('says what a bound, a length or a repeated item means', () => {
    const text = 'kind: Datastore\nname: files\ntype: dfs\nroot: ""\nextensions: [csv, csv]\nsample_files: 0\nprune_limit: 0\n---\nkind: Datastore\nname: f2\ntype: dfs\nroot: data\nextensions: []\n';
    const messages = analyze({ 'datastores/a.yaml': text }).problems.map((p) => p.message).sort();
    assert.deepEqual(messages, [
      "'extensions' lists the same value twice (items 1 and 2); list each once.",
      "'extensions' must list at least 1 item.",
      "'prune_limit' must be more than 0.",
      "'root' must not be empty.",
      "'sample_files' must be at least 1.",
    ]);
  });
});

describe('checks across files', () => {
  it('reports a duplicate datastore name at the second definition, ignoring case', () => {
    const second = sqliteStore('Warehouse');
    const workspace = analyze({ 'datastores/a.yaml': sqliteStore('warehouse'), 'datastores/b.yaml': second });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.file, p.range]), [
      ['duplicate-name', path.join(ROOT, 'datastores/b.yaml'), rangeOf(second, 'Warehouse')],
    ]);
    assert.match(workspace.problems[0]!.message, /^Datastore 'Warehouse' is already defined as 'warehouse' at datastores\/a\.yaml:2\. /);
  });

  it('reports a duplicate datastore name inside one file at the second document', () => {
    const text = `${dfsStore('landing')}---\n${dfsStore('landing')}`;
    const workspace = analyze({ 'a.yaml': text });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range]), [['duplicate-name', rangeOf(text, 'landing', 2)]]);
  });

  it('reports a duplicate schedule name at the second schedule', () => {
    const schedule = 'kind: Schedule\nname: nightly\ndatastore: shop\ndaily: { at: "00:00" }\n';
    const workspace = analyze({ 'datastores/shop.yaml': sqliteStore('shop'), 'schedules/a.yaml': schedule, 'schedules/b.yaml': schedule.replace('nightly', 'Nightly') });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.file, p.range.start]), [
      ['duplicate-name', path.join(ROOT, 'schedules/b.yaml'), { line: 1, character: 6 }],
    ]);
  });

  it('reports two datastores declaring the same id on the second id', () => {
    const second = `${dfsStore('two')}id: 7\n`;
    const workspace = analyze({ 'a.yaml': `${dfsStore('one')}id: 7\n`, 'b.yaml': second });
    assert.deepEqual(workspace.problems.map((p) => [p.code, path.basename(p.file), p.range]), [['duplicate-name', 'b.yaml', rangeOf(second, '7')]]);
  });

  it('derives a stable positive id from the name when none is declared', () => {
    const [first] = analyze({ 'a.yaml': dfsStore('landing') }).datastores;
    const [again] = analyze({ 'b.yaml': dfsStore('landing') }).datastores;
    assert.ok(Number.isSafeInteger(first!.id) && first!.id > 0);
    assert.equal(first!.id, again!.id);
  });

  it('reports a schedule naming an unknown datastore on its value, with the nearest name', () => {
    const schedule = 'kind: Schedule\nname: nightly\ndatastore: warehous\ndaily: { at: "00:00" }\n';
    const workspace = analyze({ 'datastores/w.yaml': sqliteStore('warehouse'), 'schedules/n.yaml': schedule });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.severity, p.range, p.suggestions]), [
      ['unknown-datastore', 'error', rangeOf(schedule, 'warehous'), ['warehouse']],
    ]);
    assert.match(workspace.problems[0]!.message, /warehous/);
  });

  it('reports overrides naming an unknown datastore on its value, with the nearest name', () => {
    const overrides = 'kind: Overrides\ndatastore: shpo\ncontainers:\n  orders:\n    partition_identifier: placed_at\n';
    const workspace = analyze({ 'datastores/shop.yaml': sqliteStore('shop'), 'overrides/shop.yaml': overrides });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range, p.suggestions]), [['unknown-datastore', rangeOf(overrides, 'shpo'), ['shop']]]);
  });

  it('does not suggest anything for an unknown datastore far from every name', () => {
    const schedule = 'kind: Schedule\nname: nightly\ndatastore: inventory\ndaily: { at: "00:00" }\n';
    const workspace = analyze({ 'datastores/shop.yaml': sqliteStore('shop'), 'schedules/n.yaml': schedule });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.suggestions]), [['unknown-datastore', undefined]]);
  });

  it('reports the same container overridden twice at the second override', () => {
    const first = 'kind: Overrides\ndatastore: shop\ncontainers:\n  orders:\n    incremental_identifier: updated_at\n';
    const second = 'kind: Overrides\ndatastore: shop\ncontainers:\n  customers:\n    incremental_identifier: updated_at\n  orders:\n    incremental_identifier: null\n';
    const workspace = analyze({ 'datastores/shop.yaml': sqliteStore('shop'), 'overrides/a.yaml': first, 'overrides/b.yaml': second });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.file, p.range]), [
      ['duplicate-name', path.join(ROOT, 'overrides/b.yaml'), rangeOf(second, 'orders')],
    ]);
    assert.match(workspace.problems[0]!.message, /orders/);
  });

  it('allows the same container name in the overrides of two datastores', () => {
    const overrides = (datastore: string): string => `kind: Overrides\ndatastore: ${datastore}\ncontainers:\n  orders:\n    partition_identifier: null\n`;
    const workspace = analyze({ 'd.yaml': `${sqliteStore('a')}---\n${sqliteStore('b')}`, 'o.yaml': `${overrides('a')}---\n${overrides('b')}` });
    assert.deepEqual(workspace.problems, []);
    assert.deepEqual(workspace.overrides.map((o) => o.containers.get('orders')), [{ partition_identifier: null }, { partition_identifier: null }]);
  });
});

describe('secrets and ${env:…} references', () => {
  it('reports a literal password as an error that never repeats it, and suggests a reference', () => {
    const text = postgresStore('warehouse', 'hunter2');
    const workspace = analyze({ 'datastores/warehouse.yaml': text });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.severity, p.range, p.suggestions]), [
      ['literal-secret', 'error', rangeOf(text, 'hunter2'), ['${env:WAREHOUSE_PASSWORD}']],
    ]);
    assert.ok(!workspace.problems[0]!.message.includes('hunter2'));
  });

  it('reports a password that mixes a reference with literal text, without repeating the text', () => {
    const workspace = analyze({ 'a.yaml': postgresStore('warehouse', 's3cr3t-${env:PG_SUFFIX}') });
    assert.deepEqual(codes(workspace), ['literal-secret']);
    assert.ok(!workspace.problems[0]!.message.includes('s3cr3t'));
  });

  it('accepts an empty password, which commits no secret', () => {
    const workspace = analyze({ 'a.yaml': postgresStore('warehouse', '""') });
    assert.deepEqual(workspace.problems, []);
  });

  it('accepts a password given as an environment reference', () => {
    const workspace = analyze({ 'datastores/warehouse.yaml': postgresStore('warehouse', '${env:PG_PASSWORD}') });
    assert.deepEqual(workspace.problems, []);
    assert.equal((workspace.datastores[0]!.settings.connection as { password: string }).password, '${env:PG_PASSWORD}');
  });

  for (const bad of ['${env:}', '${foo}', '${env:A B}', '${env:1ABC}', '${ENV:X}']) {
    it(`reports ${bad} as an invalid reference on the value`, () => {
      const text = postgresStore('warehouse', `"${bad}"`);
      const workspace = analyze({ 'a.yaml': text });
      assert.deepEqual(workspace.problems.map((p) => [p.code, p.range]), [['invalid-env-reference', rangeOf(text, `"${bad}"`)]]);
      assert.ok(workspace.problems[0]!.message.includes(bad));
    });
  }

  it('reports an unclosed reference as invalid', () => {
    const text = 'kind: Datastore\nname: landing\ntype: dfs\nroot: ${env:LANDING_ROOT\n';
    const workspace = analyze({ 'a.yaml': text });
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range]), [['invalid-env-reference', rangeOf(text, '${env:LANDING_ROOT')]]);
  });

  it('reports an invalid reference outside secrets, in a host', () => {
    const text = 'kind: Datastore\nname: db\ntype: postgresql\nconnection:\n  host: ${env:DB HOST}\n  database: shop\n';
    assert.deepEqual(codes(analyze({ 'a.yaml': text })), ['invalid-env-reference']);
  });

  it('finds every reference and the literal text around them', () => {
    const scan = findEnvReferences('postgres://${env:USER}:${env:PASS}@host/${bad');
    assert.deepEqual(scan.references.map((r) => r.name), ['USER', 'PASS']);
    assert.deepEqual(scan.invalid.map((r) => r.text), ['${bad']);
    assert.equal(scan.literal, 'postgres://:@host/');
  });

  it('expands in one pass and lists unset variables', () => {
    assert.deepEqual(expandEnvReferences('${env:A}-${env:B}-${env:C}', { A: 'x', B: '${env:C}' }), { value: 'x-${env:C}-', missing: ['C'], empty: [] });
    assert.deepEqual(expandEnvReferences('${env:A}:${env:E}', { A: 'x', E: '' }), { value: 'x:', missing: [], empty: ['E'] });
  });

  describe('resolving a datastore for a sync', () => {
    const datastoreFile = path.join(ROOT, 'datastores', 'warehouse.yaml');
    const warehouse = (password: string): Workspace['datastores'][number] =>
      analyzeDefinitions(PROJECT, [{ path: datastoreFile, text: postgresStore('warehouse', password) }]).datastores[0]!;

    it('refuses an unset variable with an error naming it, and never connects with an empty password', () => {
      const result = resolveDatastore(warehouse('${env:PG_PASSWORD}'), {});
      assert.ok('error' in result);
      assert.match(result.error, /PG_PASSWORD/);
      assert.ok(!('datastore' in result));
    });

    it('refuses a variable set to the empty string, as a secret that never reached the job', () => {
      const result = resolveDatastore(warehouse('${env:PG_PASSWORD}'), { PG_PASSWORD: '' });
      assert.ok('error' in result);
      assert.match(result.error, /connection\.password uses \$\{env:PG_PASSWORD\}, but PG_PASSWORD is empty/);
    });

    it('names every unset variable', () => {
      const text = postgresStore('warehouse', '${env:PG_PASSWORD}').replace('user: reader', 'user: ${env:PG_USER}');
      const [definition] = analyzeDefinitions(PROJECT, [{ path: datastoreFile, text }]).datastores;
      const result = resolveDatastore(definition!, { OTHER: 'x' });
      assert.ok('error' in result);
      assert.match(result.error, /PG_PASSWORD/);
      assert.match(result.error, /PG_USER/);
    });

    it('expands a set variable', () => {
      const result = resolveDatastore(warehouse('${env:PG_PASSWORD}'), { PG_PASSWORD: 'correct horse' });
      assert.ok('target' in result);
      assert.equal((result.target.settings as Record<string, unknown>).password, 'correct horse');
      assert.equal((result.target.settings as Record<string, unknown>).host, '127.0.0.1');
    });

    it('never expands a reference found inside a variable value', () => {
      const result = resolveDatastore(warehouse('${env:PG_PASSWORD}'), { PG_PASSWORD: 'a${env:OTHER}b', OTHER: 'leaked' });
      assert.ok('target' in result);
      assert.equal((result.target.settings as Record<string, unknown>).password, 'a${env:OTHER}b');
    });

    it('leaves the definition untouched', () => {
      const definition = warehouse('${env:PG_PASSWORD}');
      resolveDatastore(definition, { PG_PASSWORD: 'x' });
      assert.equal((definition.settings.connection as { password: string }).password, '${env:PG_PASSWORD}');
    });

    it('resolves a relative sqlite path against the folder of the definition file', () => {
      const [shop] = analyzeDefinitions(PROJECT, [{ path: datastoreFile, text: 'kind: Datastore\nname: shop\ntype: sqlite\nconnection:\n  path: ../data/shop.sqlite\n' }]).datastores;
      const result = resolveDatastore(shop!, {});
      assert.ok('target' in result);
      assert.equal((result.target.settings as Record<string, unknown>).path, path.join(ROOT, 'data', 'shop.sqlite'));
    });

    it('keeps an absolute path as written', () => {
      const absolute = path.resolve('/srv/shop.sqlite');
      const [shop] = analyzeDefinitions(PROJECT, [{ path: datastoreFile, text: `kind: Datastore\nname: shop\ntype: sqlite\nconnection:\n  path: ${absolute}\n` }]).datastores;
      const result = resolveDatastore(shop!, {});
      assert.ok('target' in result);
      assert.equal((result.target.settings as Record<string, unknown>).path, absolute);
    });

    it('resolves a relative dfs root against the folder of the definition file, after expanding references', () => {
      const [landing] = analyzeDefinitions(PROJECT, [{ path: datastoreFile, text: 'kind: Datastore\nname: landing\ntype: dfs\nroot: ./${env:ZONE}/in\n' }]).datastores;
      const result = resolveDatastore(landing!, { ZONE: 'landing' });
      assert.ok('target' in result);
      assert.equal((result.target.settings as Record<string, unknown>).root, path.join(ROOT, 'datastores', 'landing', 'in'));
      const unset = resolveDatastore(landing!, {});
      assert.ok('error' in unset && unset.error.includes('ZONE'));
    });
  });
});

describe('parity between loading from disk and analyzing texts', () => {
  let root: string;
  afterEach(() => cleanupWorkspace(root));

  it('gives the same definitions and problems for the same files', () => {
    root = writeWorkspace({
      'catalog.yaml': 'kind: Project\nsnapshots: ../outside\nexclude: ["vendor/**"]\n',
      'datastores/warehouse.yaml': `${postgresStore('warehouse', 'hunter2')}---\n${sqliteStore('Warehouse')}`,
      'datastores/typo.yaml': 'kind: Datastore\nnmae: x\ntype: postgres\n',
      'schedules/nightly.yaml': 'kind: Schedule\nname: nightly\ndatastore: warehous\ncron: "61 * * * *"\n---\nkind: Scheduel\n',
      'overrides/x.yaml': 'kind: Overrides\ndatastore: warehouse\ncontainers:\n  a: { incremental_identifier: x }\n---\nkind: Overrides\ndatastore: warehouse\ncontainers:\n  a: { incremental_identifier: y }\n',
      'broken.yaml': 'kind: Datastore\nname: [unclosed\n',
      'vendor/skip.yaml': sqliteStore('warehouse'),
      'ci.yml': 'on: push\n',
    });
    const loaded = loadWorkspace(root);
    const { project, problems } = readProjectSettings(root);
    const texts = findDefinitionFiles(project).map((file) => ({ path: file, text: fs.readFileSync(file, 'utf8') }));
    const analyzed = analyzeDefinitions(project, texts);
    assert.ok(loaded.problems.length >= 10);
    assert.deepEqual(loaded.problems, [...problems, ...analyzed.problems]);
    assert.deepEqual(loaded.files, analyzed.files);
    assert.deepEqual(loaded.datastores.map((d) => d.name), analyzed.datastores.map((d) => d.name));
    assert.deepEqual(loaded.schedules.map((s) => s.name), analyzed.schedules.map((s) => s.name));
  });
});
