import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CatalogProject, DefinitionAnalysisCache, definitionAt, type Workspace } from '../../server/src/core';
import { locate } from '../../server/src/core/definitions/locate';
import { cleanupWorkspace, positionOf, writeWorkspace } from '../helpers/workspace';

const FILES: Record<string, string> = {
  'datastores/all.yaml': [
    'kind: Datastore', 'name: orders', 'type: sqlite', 'path: orders.db', '---',
    'kind: Datastore', 'name: events', 'type: postgresql', 'connection:', '  host: 127.0.0.1', '  database: events', '  hots: typo', 'schemas: [public]', '---',
    'kind: Datastore', 'name: lake', 'type: dfs', 'root: data', 'globbing: true', '',
  ].join('\n'),
  'schedules/nightly.yaml': ['kind: Schedule', 'name: nightly', 'datastore: order', 'daily: { at: "02:00" }', ''].join('\n'),
  'overrides/orders.yaml': ['kind: Overrides', 'datastore: orders', 'containers:', '  sales:', '    incremental_identifier: updated_at', '    partition_identifier: null', ''].join('\n'),
  'notes/readme.yaml': 'just: notes\n',
};

/** Without keys whose value is undefined: JSON leaves them out, and they read the same. */
function defined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(defined);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, defined(v)]));
}

/** Definitions without their YAML nodes, for comparing a cached analysis with a fresh one. */
function plain(workspace: Workspace): unknown {
  const source = (s: { file: string; document: number; range: unknown }) => ({ file: s.file, document: s.document, range: s.range });
  return defined({
    datastores: workspace.datastores.map((d) => ({ ...d, source: source(d.source) })),
    schedules: workspace.schedules.map((s) => ({ ...s, source: source(s.source) })),
    overrides: workspace.overrides.map((o) => ({ ...o, containers: [...o.containers], source: source(o.source) })),
    files: workspace.files,
    problems: workspace.problems,
  });
}

describe('definition analyses kept between language-server sessions', () => {
  let root: string;
  let cacheDir: string;
  const cacheOf = (build = 'build-1') => DefinitionAnalysisCache.forProject(cacheDir, build, root);
  const analyzeAndSave = (build = 'build-1') => {
    const project = new CatalogProject(root, true, cacheOf(build));
    assert.ok(project.workspace.datastores.length > 0);
    project.saveCache();
  };
  const cacheFiles = () => fs.readdirSync(path.join(cacheDir)).filter((f) => f.endsWith('.json')).map((f) => path.join(cacheDir, f));

  beforeEach(() => {
    root = writeWorkspace(FILES);
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-definition-cache-'));
  });
  afterEach(() => {
    cleanupWorkspace(root);
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('answers a new session from the cache exactly as a fresh analysis does, parsing the YAML only where a location or navigation needs it', () => {
    const fresh = new CatalogProject(root, true);
    const first = new CatalogProject(root, true, cacheOf());
    assert.deepEqual(plain(first.workspace), plain(fresh.workspace));
    first.saveCache();
    assert.equal(cacheFiles().length, 1);

    const cache = cacheOf();
    const second = new CatalogProject(root, true, cache);
    assert.deepEqual(plain(second.workspace), plain(fresh.workspace));
    assert.deepEqual(second.problemsByFile(), fresh.problemsByFile());
    // Every file came from the cache: nothing new to write.
    assert.equal(cache.hasChanges, false);
    // The problems found across files (the unknown datastore 'order') sit where a fresh analysis puts them.
    assert.ok(second.workspace.problems.some((p) => p.code === 'unknown-datastore'));
    // YAML nodes are parsed on demand, and locate the same keys.
    const cachedEvents = second.workspace.datastores.find((d) => d.name === 'events')!;
    const freshEvents = fresh.workspace.datastores.find((d) => d.name === 'events')!;
    assert.deepEqual(locate(cachedEvents.source, ['schemas', 0]), locate(freshEvents.source, ['schemas', 0]));
    assert.equal(second.analysisOf(path.join(root, 'datastores/all.yaml'))!.parsed.documents.length, 3);
    // Navigation works from a cached analysis: the schedule's datastore name leads to its definition.
    const overrides = path.join(root, 'overrides/orders.yaml');
    assert.deepEqual(definitionAt(second, overrides, positionOf(FILES['overrides/orders.yaml'], 'orders')), definitionAt(fresh, overrides, positionOf(FILES['overrides/orders.yaml'], 'orders')));
  });

  it('re-analyzes a file whose text changed, and drops files that are gone from the next save', () => {
    analyzeAndSave();
    fs.writeFileSync(path.join(root, 'schedules/nightly.yaml'), FILES['schedules/nightly.yaml'].replace('order\n', 'orders\n'));
    fs.rmSync(path.join(root, 'overrides/orders.yaml'));
    const cache = cacheOf();
    const project = new CatalogProject(root, true, cache);
    assert.deepEqual(plain(project.workspace), plain(new CatalogProject(root, true).workspace));
    assert.ok(!project.workspace.problems.some((p) => p.code === 'unknown-datastore'));
    assert.equal(cache.hasChanges, true);
    project.saveCache();
    const saved = JSON.parse(fs.readFileSync(cacheFiles()[0], 'utf8')) as { entries: Record<string, unknown> };
    assert.ok(!(path.join(root, 'overrides/orders.yaml') in saved.entries));
    assert.ok(path.join(root, 'schedules/nightly.yaml') in saved.entries);
  });

  it('never uses another build\'s entries, and reads a torn cache file as empty', () => {
    analyzeAndSave('build-1');
    const otherBuild = cacheOf('build-2');
    assert.ok(new CatalogProject(root, true, otherBuild).workspace.datastores.length > 0);
    assert.equal(otherBuild.hasChanges, true, 'every file analyzed again');

    const file = cacheFiles()[0];
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 200));
    const torn = cacheOf('build-1');
    const project = new CatalogProject(root, true, torn);
    assert.deepEqual(plain(project.workspace), plain(new CatalogProject(root, true).workspace));
    assert.equal(torn.hasChanges, true);
  });

  it('keeps no entry whose values JSON would not bring back (.inf)', () => {
    fs.writeFileSync(path.join(root, 'datastores/odd.yaml'), 'kind: Datastore\nname: odd\ntype: postgresql\nconnection:\n  host: 127.0.0.1\n  port: .inf\n  database: x\n');
    const cache = cacheOf();
    const project = new CatalogProject(root, true, cache);
    assert.equal((project.workspace.datastores.find((d) => d.name === 'odd')?.settings.connection as { port: number }).port, Infinity);
    project.saveCache();
    const saved = JSON.parse(fs.readFileSync(cacheFiles()[0], 'utf8')) as { entries: Record<string, unknown> };
    assert.ok(!(path.join(root, 'datastores/odd.yaml') in saved.entries));
    const again = new CatalogProject(root, true, cacheOf());
    assert.equal((again.workspace.datastores.find((d) => d.name === 'odd')?.settings.connection as { port: number }).port, Infinity);
  });
});
