import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { OperationStore, type OperationRecord } from '../../server/src/core';
import { OperationIndex } from '../../server/src/core/history/operationIndex';
import { queryOperations, type OperationQuery } from '../../server/src/core/history/operationQuery';

const NOW = new Date('2026-05-01T12:00:00.000Z');
const DATASTORES = ['shop', 'crm', 'lake'];

function recordAt(i: number): Omit<OperationRecord, 'id'> {
  const created = new Date(Date.UTC(2026, 3, 1) + (i % 7) * 3_600_000 + i * 60_000);
  const results = ['success', 'warning', 'failure', 'aborted', 'success'] as const;
  const many = i % 11 === 0;
  const changes = Array.from({ length: many ? 80 : i % 3 }, (_, k) => ({ name: `t${(i + k) % 90}`, action: 'changed' }));
  return {
    created: created.toISOString(), type: 'catalog', start_time: created.toISOString(),
    end_time: new Date(created.getTime() + ((i * 7919) % 50_000)).toISOString(), result: results[i % results.length]!, message: null,
    triggered_by: i % 4 === 0 ? 'ops@example.com' : 'dev@example.com',
    datastore: { id: (i % 3) + 1, name: DATASTORES[i % 3]!, store_type: 'jdbc', type: 'postgresql', enrich_only: false, enrich_container_prefix: null, favorite: false },
    schedule: i % 5 === 0 ? 'nightly' : null, include: ['table'], prune: false, recreate: false, progress: { done: 1, total: 1, phase: 'finished' },
    ...(i % 13 === 0 ? { resumed_at: new Date(created.getTime() + 1000).toISOString(), worked_ms: 500 } : {}),
    summary: null, changes, logs: i % 6 === 0 ? [{ level: 'warning', code: 'x', message: 'm', container: `log${i % 4}` }] : [],
  };
}

const QUERIES: OperationQuery[] = [
  {}, { size: 10 }, { size: 10, page: 3 }, { page: 99 }, { sort: 'duration' }, { sort: 'duration', order: 'asc', size: 7, page: 2 },
  { order: 'asc' }, { status: ['failure', 'aborted'] }, { status: ['running'] }, { type: 'sync' }, { datastore: 'crm' }, { datastore: '3' },
  { container: 't5' }, { container: 'log2', size: 5 }, { container: 't89', sort: 'duration' }, { container: 'nowhere' },
  { search: '#12' }, { search: '40' }, { search: 'nightly' }, { search: 'OPS@' }, { search: 'shop', status: ['success'], sort: 'duration', order: 'asc' },
  // The Activity view's created range and facets (t5 is also among the changes of records with too many containers for a row).
  { facets: true }, { facets: true, status: ['failure'], datastore: 'crm' }, { facets: true, container: 't5', type: 'sync', size: 5 },
  { facets: true, search: 'nightly', from: '2026-04-01', to: '2026-04-02', status: ['success', 'aborted'] }, { from: '2026-04-02' }, { to: '2026-04-01', facets: true },
];

/** Records whose mtime is an hour old are past the racy window: the cache trusts their stamps. */
function age(folder: string): void {
  const old = new Date(Date.now() - 3_600_000);
  for (const name of fs.readdirSync(folder)) if (/^[0-9]{8}\.json$/.test(name)) fs.utimesSync(path.join(folder, name), old, old);
}

function assertSameAnswers(store: OperationStore): void {
  const all = store.list();
  for (const query of QUERIES) assert.deepEqual(store.query(query, NOW), queryOperations(all, query, NOW), JSON.stringify(query));
}

/** How many record files (`NNNNNNNN.json`) `work` opens (patched on the module object the engine's imports read through). */
function recordOpens(work: () => void): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs') as typeof import('node:fs');
  const original = fs.openSync;
  let opens = 0;
  (fs as { openSync: typeof fs.openSync }).openSync = ((file: fs.PathLike, ...rest: unknown[]) => {
    if (/[0-9]{8}\.json$/.test(String(file))) opens++;
    return (original as (...args: unknown[]) => number)(file, ...rest);
  }) as typeof fs.openSync;
  const originalRead = fs.readFileSync;
  (fs as { readFileSync: typeof fs.readFileSync }).readFileSync = ((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    if (typeof file !== 'number' && /[0-9]{8}\.json$/.test(String(file))) opens++;
    return (originalRead as (...args: unknown[]) => unknown)(file, ...rest);
  }) as typeof fs.readFileSync;
  try {
    work();
  } finally {
    (fs as { openSync: typeof fs.openSync }).openSync = original;
    (fs as { readFileSync: typeof fs.readFileSync }).readFileSync = originalRead;
  }
  return opens;
}

/** How many times `work` calls `fs[method]` on a path `counted` accepts (patched on the module object the engine's imports read through). */
function callsOf(method: 'statSync' | 'readFileSync', counted: (file: string) => boolean, work: () => void): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs') as Record<typeof method, (...args: unknown[]) => unknown>;
  const original = fs[method];
  let calls = 0;
  fs[method] = (file: unknown, ...rest: unknown[]) => {
    if (typeof file !== 'number' && counted(String(file))) calls++;
    return original(file, ...rest);
  };
  try {
    work();
  } finally {
    fs[method] = original;
  }
  return calls;
}

/** How many times `work` stats a record file. */
function recordStats(work: () => void): number {
  return callsOf('statSync', (file) => /[0-9]{8}\.json$/.test(file), work);
}

/** How many times `work` reads the on-disk index file. */
function indexReads(indexFile: string, work: () => void): number {
  return callsOf('readFileSync', (file) => file === indexFile, work);
}

function ageFolder(folder: string): void {
  const old = new Date(Date.now() - 3_600_000);
  fs.utimesSync(folder, old, old);
}

describe('history index (operationIndex.ts)', () => {
  let state: string;
  let store: OperationStore;
  let indexFile: string;
  beforeEach(() => {
    state = fs.mkdtempSync(path.join(tmpdir(), 'cac-history-index-'));
    store = new OperationStore(state);
    indexFile = path.join(state, 'operations.index.json');
    for (let i = 0; i < 120; i++) store.create(recordAt(i));
    age(store.folder);
    OperationIndex.forgetCached();
  });
  afterEach(() => {
    OperationIndex.forgetCached();
    fs.rmSync(state, { recursive: true, force: true });
  });

  it('answers every query exactly as queryOperations over list()', () => {
    assertSameAnswers(store);
    assert.ok(fs.existsSync(indexFile), 'the index is written for the next process');
  });

  it('reads only the page once warm, and only the page from the on-disk index in a new process', () => {
    store.query({}, NOW);
    assert.equal(recordOpens(() => store.query({ size: 10 }, NOW)), 10);
    OperationIndex.forgetCached();
    assert.equal(recordOpens(() => new OperationStore(state).query({ size: 10, page: 2 }, NOW)), 10);
    // Facets and the created range are counted on the index's rows: still only the page is read.
    const activityPage: OperationQuery = { size: 10, facets: true, from: '2026-04-01', to: '2026-04-02', status: ['failure', 'success'], datastore: 'crm' };
    assert.equal(recordOpens(() => store.query(activityPage, NOW)), 10);
    const { total, facets } = store.query(activityPage, NOW);
    assert.deepEqual([total, facets!.status.failure, facets!.status.success, facets!.status.warning], [24, 8, 16, 8]);
  });

  it('stats no record while the folder is unchanged (this process, and a new one from the index), and sees a new record at once', () => {
    ageFolder(store.folder);
    store.query({}, NOW);
    assert.equal(recordStats(() => store.query({ size: 10 }, NOW)), 0, 'warm, unchanged folder');
    OperationIndex.forgetCached();
    assert.equal(recordStats(() => new OperationStore(state).query({ size: 10 }, NOW)), 0, 'a new process, the index written for this folder');
    assert.equal(indexReads(indexFile, () => new OperationStore(state).query({ size: 10, page: 2 }, NOW)), 0, 'the index it read is kept for the next query');
    // Any writer creates, replaces or deletes a file: the folder changes, the next query looks again.
    const added = store.create({ ...recordAt(900), datastore: { ...recordAt(900).datastore, name: 'after-the-index' } });
    assert.equal(store.query({ datastore: 'after-the-index' }, NOW).items[0]?.id, added.id);
    assertSameAnswers(store);
  });

  it('rebuilds a truncated, empty or foreign index file', () => {
    store.query({}, NOW);
    const text = fs.readFileSync(indexFile, 'utf8');
    for (const broken of [text.slice(0, text.length / 2), '', '{"version":1,"entries":[["00000001.json",1,2,3,0,[1]]]}', '[]', 'null']) {
      fs.writeFileSync(indexFile, broken);
      OperationIndex.forgetCached();
      assertSameAnswers(store);
      assert.doesNotThrow(() => JSON.parse(fs.readFileSync(indexFile, 'utf8')), 'rewritten whole');
    }
  });

  it('notices records added, changed and deleted behind a stale on-disk index and a warm cache', () => {
    store.query({}, NOW);
    const staleIndex = fs.readFileSync(indexFile);
    // Another process: a new record, a finished record rewritten (resumed), one deleted.
    const added = store.create({ ...recordAt(500), datastore: { ...recordAt(500).datastore, name: 'brand-new' } });
    const changed = store.get(7)!;
    store.update({ ...changed, result: 'failure', changes: [{ name: 'moved-here', action: 'changed' }] });
    store.delete(9);
    age(store.folder);
    assertSameAnswers(store); // warm cache of this process
    assert.equal(store.query({ datastore: 'brand-new' }, NOW).items[0]!.id, added.id);
    assert.deepEqual(store.query({ container: 'moved-here' }, NOW).items.map((r) => r.id), [7]);
    assert.equal(store.query({ search: '9' }, NOW).total, 0);
    // A new process finding the index as it was before the changes.
    fs.writeFileSync(indexFile, staleIndex);
    OperationIndex.forgetCached();
    assertSameAnswers(store);
    assert.equal(store.query({ datastore: 'brand-new' }, NOW).total, 1);
    assert.equal(store.query({ search: '9' }, NOW).total, 0);
  });

  it('ignores temp files and a half-written claim, and skips a record that does not parse, as list() does', () => {
    store.query({}, NOW);
    fs.writeFileSync(path.join(store.folder, '.00000121.json.0123456789ab0.tmp'), '{"id": 121, "created": "20');
    fs.writeFileSync(path.join(store.folder, '.claim.0123456789ab.tmp'), '{"id": 122');
    fs.writeFileSync(path.join(store.folder, '00000123.json'), '{"id": 123, "crea');
    fs.writeFileSync(path.join(store.folder, '00000124.deleted'), '');
    assertSameAnswers(store);
    assert.equal(store.query({}, NOW).total, 120);
    OperationIndex.forgetCached();
    assertSameAnswers(store);
  });

  it('follows a running record rewritten by another process, and a dead one reads as failure', () => {
    const running = store.create({ ...recordAt(300), result: 'running', end_time: null, process: { pid: process.pid, host: hostname() } });
    assert.equal(store.query({ status: ['running'] }, NOW).items[0]!.id, running.id);
    for (let done = 1; done <= 3; done++) {
      store.update({ ...running, progress: { done, total: 3, phase: 'writing' } });
      assert.equal(store.query({ status: ['running'] }, NOW).items[0]!.progress.done, done);
    }
    store.update({ ...running, result: 'success', end_time: NOW.toISOString() });
    assert.equal(store.query({ status: ['running'] }, NOW).total, 0);
    assert.equal(store.query({ search: String(running.id) }, NOW).items[0]!.result, 'success');
    const dead = store.create({ ...recordAt(301), result: 'running', end_time: null, process: { pid: 2 ** 22 + 12345, host: hostname() } });
    assertSameAnswers(store);
    assert.equal(store.query({ search: String(dead.id) }, NOW).items[0]!.result, 'failure');
  });

  it('rereads a record rewritten in place within the racy window, even with the same size and mtime', () => {
    const file = path.join(store.folder, '00000005.json');
    const fresh = new Date();
    fs.utimesSync(file, fresh, fresh);
    OperationIndex.forgetCached();
    assert.equal(store.query({ search: '5' }, NOW).items[0]!.result, 'success');
    const text = fs.readFileSync(file, 'utf8');
    const stat = fs.statSync(file);
    fs.writeFileSync(file, text.replace('"result": "success"', '"result": "failure"'));
    fs.utimesSync(file, stat.atime, stat.mtime);
    assert.equal(fs.statSync(file).size, stat.size);
    assert.equal(store.query({ search: '5' }, NOW).items[0]!.result, 'failure');
    assert.equal(store.query({ status: ['failure'], search: '5' }, NOW).total, 1);
  });

  it('answers from the records when the state folder cannot hold an index', () => {
    fs.mkdirSync(indexFile); // a folder where the index file should be: every write fails
    assertSameAnswers(store);
    OperationIndex.forgetCached();
    assertSameAnswers(store);
  });

  it('has no history before the first operation', () => {
    const empty = new OperationStore(path.join(state, 'none'));
    assert.deepEqual(empty.query({}, NOW), { items: [], total: 0, page: 1, size: 50, pages: 0 });
    assert.deepEqual(empty.summaries(), []);
  });
});
