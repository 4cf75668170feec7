import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OperationStore, loadWorkspace, runSync, type OperationRecord } from '../../server/src/core';
import { durationMs, queryOperations } from '../../server/src/core/history/operationQuery';
import { acquireLock } from '../../server/src/core/operations/fileLock';
import { acquireDatastoreLock } from '../../server/src/core/operations/locks';
import { checkRerun, checkResume, deleteOperation, findDatastore, requestOperationAbort } from '../../server/src/core/operations/operationActions';
import { startSync, type SyncRequest } from '../../server/src/core/sync/runSync';
import { removeCatalog, snapshotFiles, sqlite, sqliteCatalog } from '../helpers/syncFixtures';

const TABLES = Array.from({ length: 8 }, (_, i) => `CREATE TABLE t${i} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, updated_at DATETIME NOT NULL);`).join('\n');

/** A sync request of the `shop` datastore of `root`, recorded in its history. */
function request(root: string, extra: Partial<SyncRequest> = {}): SyncRequest {
  const workspace = loadWorkspace(root);
  return {
    workspace, datastore: workspace.datastores.find((d) => d.name === 'shop')!, options: {}, dryRun: false, env: {},
    signal: new AbortController().signal, triggeredBy: 'test@example.com', history: new OperationStore(workspace.project.stateDir), ...extra,
  };
}

function store(root: string): OperationStore {
  return new OperationStore(path.join(root, '.cac'));
}

describe('operation lifecycle', () => {
  let root: string;
  beforeEach(() => {
    root = sqliteCatalog(TABLES);
  });
  afterEach(() => removeCatalog(root));

  it('is recorded running with containers done/total while it runs, then success', async () => {
    const seen: OperationRecord[] = [];
    let id = 0;
    const outcome = await runSync(request(root, {
      writeBatchSize: 2,
      onProgress: (p) => {
        if (p.phase === 'writing' && p.done > 0) seen.push(store(root).get(id)!);
      },
      history: new (class extends OperationStore {
        override create(record: Omit<OperationRecord, 'id'>): OperationRecord {
          const created = super.create(record);
          id = created.id;
          assert.equal(created.result, 'running');
          assert.deepEqual(created.progress, { done: 0, total: null, phase: 'discovering' });
          return created;
        }
      })(path.join(root, '.cac')),
    }));
    assert.equal(outcome.result, 'success');
    assert.ok(seen.length > 0);
    for (const record of seen) {
      assert.equal(record.result, 'running');
      assert.equal(record.progress.phase, 'writing');
      assert.equal(record.progress.total, 8);
    }
    const finished = store(root).get(id)!;
    assert.deepEqual([finished.result, finished.progress, finished.summary?.new, finished.message], ['success', { done: 8, total: 8, phase: 'finished' }, 8, null]);
    assert.equal(finished.process, undefined, 'a finished record no longer names its process');
  });

  it('ends warning with logs when a container cannot be described', async () => {
    sqlite(path.join(root, 'shop.sqlite'), 'CREATE TABLE gone (x INTEGER); CREATE VIEW broken AS SELECT x FROM gone; DROP TABLE gone;');
    const outcome = await runSync(request(root));
    assert.equal(outcome.result, 'warning');
    const record = store(root).get(outcome.operationId!)!;
    assert.equal(record.result, 'warning');
    assert.deepEqual(record.logs.map((l) => [l.code, l.container]), [['container-unreadable', 'broken']]);
  });

  it('ends failure with a message that says what to fix', async () => {
    fs.rmSync(path.join(root, 'shop.sqlite'));
    const outcome = await runSync(request(root));
    const record = store(root).get(outcome.operationId!)!;
    assert.equal(record.result, 'failure');
    assert.match(record.message!, /does not exist\. Check connection\.path/);
    assert.notEqual(record.end_time, null);
  });

  it('ends aborted when its signal aborts, keeping the progress it reached', async () => {
    const controller = new AbortController();
    const outcome = await runSync(request(root, { signal: controller.signal, onProgress: (p) => p.done === 3 && controller.abort() }));
    assert.equal(outcome.result, 'aborted');
    const record = store(root).get(outcome.operationId!)!;
    assert.equal(record.result, 'aborted');
    assert.equal(record.progress.done, 3);
    assert.equal(record.summary, null, 'an aborted operation claims no summary');
    assert.match(record.message!, /resume it with `cac history resume \d+`/i);
    assert.equal(snapshotFiles(root, 'shop').size, 0, 'aborted during discovery: nothing written');
  });

  it('ends aborted when another process leaves an abort request, and the request is cleaned up', async () => {
    let requested = false;
    const outcome = await runSync(request(root, {
      onProgress: (p) => {
        if (p.done !== 2 || requested) return;
        requested = true;
        const check = requestOperationAbort(store(root), store(root).list()[0]!.id, 'other@example.com', new Date());
        assert.ok(check.ok);
      },
    }));
    assert.equal(outcome.result, 'aborted');
    assert.match(outcome.message!, /abort requested by other@example\.com/);
    assert.ok(!fs.existsSync(store(root).sidecarPath(outcome.operationId!, 'abort')));
  });

  it('resumes an aborted operation under the same id and options, then refuses to resume it twice', async () => {
    const controller = new AbortController();
    const aborted = await runSync(request(root, { options: { prune: true, include: ['table'] }, writeBatchSize: 1, signal: controller.signal, onProgress: (p) => p.phase === 'writing' && p.done === 3 && controller.abort() }));
    assert.equal(aborted.result, 'aborted');
    assert.deepEqual(store(root).get(aborted.operationId!)!.checkpoint, { written: 3, total: 8 });
    const workspace = loadWorkspace(root);
    const check = checkResume(store(root), workspace, aborted.operationId!);
    assert.ok(check.ok);
    const resumed = await runSync(request(root, { resume: check.value.record }));
    assert.equal(resumed.operationId, aborted.operationId);
    assert.equal(resumed.result, 'success');
    const record = store(root).get(aborted.operationId!)!;
    assert.deepEqual([record.result, record.prune, record.include, record.summary?.new], ['success', true, ['table'], 8]);
    assert.notEqual(record.resumed_at, undefined);
    assert.equal(store(root).list().length, 1, 'a resume is not a new operation');
    const again = checkResume(store(root), workspace, aborted.operationId!);
    assert.deepEqual(again.ok ? 'ok' : again.reason, 'conflict');
  });

  it('refuses to resume an aborted operation after a later sync of the same datastore', async () => {
    const controller = new AbortController();
    const aborted = await runSync(request(root, { signal: controller.signal, onProgress: () => controller.abort() }));
    await runSync(request(root));
    const check = checkResume(store(root), loadWorkspace(root), aborted.operationId!);
    assert.ok(!check.ok);
    assert.match(check.message, /after operation \d+ stopped; resuming \d+ would undo it\. Rerun/);
  });

  /** A sync aborted after writing 3 of its 8 snapshot files, with a checkpoint to resume from. */
  const abortedMidWrite = async (now?: () => Date) => {
    const controller = new AbortController();
    const aborted = await runSync(request(root, { writeBatchSize: 1, signal: controller.signal, now, onProgress: (p) => p.phase === 'writing' && p.done === 3 && controller.abort() }));
    assert.equal(aborted.result, 'aborted');
    return aborted.operationId!;
  };

  it('refuses a resume after a later sync wrote the datastore, even when that sync\'s record was deleted', async () => {
    const id = await abortedMidWrite();
    sqlite(path.join(root, 'shop.sqlite'), 'CREATE TABLE later (id INTEGER PRIMARY KEY);');
    const later = await runSync(request(root));
    assert.ok(deleteOperation(store(root), later.operationId!).ok);
    const check = checkResume(store(root), loadWorkspace(root), id);
    assert.ok(!check.ok);
    assert.match(check.message, new RegExp(`Operation ${later.operationId} wrote the snapshots of 'shop' after operation ${id} stopped`));
    // Checked again under the lock: a resume started anyway is refused and records nothing.
    const forced = await runSync(request(root, { resume: store(root).get(id)! }));
    assert.equal(forced.result, 'refused');
    assert.equal(store(root).get(id)!.result, 'aborted');
  });

  it('refuses a resume when the snapshots changed since the abort (an edit, a checkout)', async () => {
    const id = await abortedMidWrite();
    const written = path.join(root, 'snapshots', 'shop', 't0.yaml');
    fs.writeFileSync(written, fs.readFileSync(written, 'utf8') + '# a reviewer was here\n');
    const check = checkResume(store(root), loadWorkspace(root), id);
    assert.ok(!check.ok);
    assert.match(check.message, /The snapshots of 'shop' changed since operation \d+ was aborted/);
  });

  it('resumes a sync that was killed while writing, like an aborted one', async () => {
    const id = await abortedMidWrite();
    // What a SIGKILL leaves: the record still says running, for a process that is gone.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const killed = { ...store(root).get(id)!, result: 'running' as const, end_time: null, message: null, process: { pid: gone, host: hostname() } };
    fs.writeFileSync(path.join(root, '.cac', 'operations', `${String(id).padStart(8, '0')}.json`), JSON.stringify(killed));
    assert.equal(store(root).get(id)!.result, 'failure', 'a dead running record reads as failed');
    const check = checkResume(store(root), loadWorkspace(root), id);
    assert.ok(check.ok, check.ok ? '' : check.message);
    const resumed = await runSync(request(root, { resume: check.value.record }));
    assert.equal(resumed.result, 'success', resumed.message ?? '');
    assert.equal(Object.keys(Object.fromEntries(snapshotFiles(root, 'shop'))).length, 9);
  });

  it('counts a resumed operation\'s working time, not the idle gap before its resume', async () => {
    let clock = Date.parse('2026-12-01T10:00:00Z');
    const now = (): Date => new Date((clock += 100));
    const id = await abortedMidWrite(now);
    const worked = durationMs(store(root).get(id)!, new Date(clock));
    clock += 3_600_000;
    const resumed = await runSync(request(root, { resume: store(root).get(id)!, now }));
    assert.equal(resumed.result, 'success');
    const record = store(root).get(id)!;
    assert.ok(durationMs(record, new Date(clock)) < worked + 60_000, `${durationMs(record, new Date(clock))} ms counts the hour between abort and resume`);
    assert.ok(Date.parse(record.end_time!) - Date.parse(record.start_time) >= 3_600_000);
  });

  it('reruns a finished operation from the beginning as a new operation with the same options', async () => {
    const first = await runSync(request(root, { options: { prune: true, recreate: true, include: ['view'], forcePrune: true } }));
    const check = checkRerun(store(root), loadWorkspace(root), first.operationId!);
    assert.ok(check.ok);
    assert.deepEqual(check.value.options, { prune: true, recreate: true, include: ['view'], forcePrune: true });
    const rerun = await runSync(request(root, { options: check.value.options }));
    assert.notEqual(rerun.operationId, first.operationId);
    const record = store(root).get(rerun.operationId!)!;
    assert.deepEqual([record.prune, record.recreate, record.include, record.force_prune], [true, true, ['view'], true]);
  });

  it('deletes a finished record, never reuses its id, and refuses to delete a running one', async () => {
    const first = await runSync(request(root));
    const started = startSync(request(root, { signal: AbortSignal.abort() }));
    assert.equal(deleteOperation(store(root), started.operationId!).ok, false, 'running: refused');
    await started.done;
    assert.ok(deleteOperation(store(root), first.operationId!).ok);
    assert.equal(store(root).get(first.operationId!), undefined);
    assert.equal(deleteOperation(store(root), first.operationId!).ok, false, 'gone: not found');
    assert.ok(deleteOperation(store(root), started.operationId!).ok);
    const next = await runSync(request(root));
    assert.equal(next.operationId, started.operationId! + 1);
  });

  it('finds a datastore by numeric id, by name, and by id written as text', () => {
    const workspace = loadWorkspace(root);
    const shop = workspace.datastores[0]!;
    assert.equal(findDatastore(workspace, shop.id), shop);
    assert.equal(findDatastore(workspace, 'shop'), shop);
    assert.equal(findDatastore(workspace, String(shop.id)), shop);
    assert.equal(findDatastore(workspace, 'nope'), undefined);
    assert.equal(findDatastore(workspace, '../shop'), undefined);
  });
});

describe('one sync per datastore at a time', () => {
  let root: string;
  beforeEach(() => {
    root = sqliteCatalog(TABLES);
  });
  afterEach(() => removeCatalog(root));

  it('refuses a second sync of the same datastore, naming the running operation, and records nothing for it', async () => {
    const first = startSync(request(root));
    const second = await runSync(request(root));
    assert.equal(second.result, 'refused');
    assert.ok(second.refused);
    assert.equal(second.refused.holder?.operation_id, first.operationId);
    assert.match(second.message!, new RegExp(`already being synced by operation ${first.operationId} \\(pid ${process.pid} on .*\\)\\. Nothing was started: wait for it to finish, or abort it with \`cac history abort ${first.operationId}\``));
    assert.equal(second.operationId, undefined);
    assert.equal((await first.done).result, 'success');
    assert.equal(store(root).list().length, 1);
    assert.equal((await runSync(request(root))).result, 'success', 'the lock is released when the sync ends');
  });

  it('takes over a lock whose holder process is gone', () => {
    const stateDir = path.join(root, '.cac');
    const held = acquireDatastoreLock(stateDir, 'shop', new Date());
    assert.ok(held.acquired);
    const file = held.lock.file;
    // Rewrite it as held by a process that cannot exist (pids are below 2^22 on Linux).
    fs.writeFileSync(file, JSON.stringify({ ...held.lock.current, pid: 2 ** 30, operation_id: 7 }));
    const again = acquireDatastoreLock(stateDir, 'shop', new Date());
    assert.ok(again.acquired, 'a dead holder does not block');
    again.lock.release();
    held.lock.release();
  });

  it('takes over a lock whose holder stopped renewing its lease, even on another host', () => {
    const file = path.join(root, '.cac', 'locks', 'x.lock');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ pid: 1, host: 'elsewhere', purpose: 'sync', operation_id: 3, acquired_at: '' }));
    const fresh = acquireLock(file, { purpose: 'sync', operation_id: null, acquired_at: '' }, { leaseMs: 60_000 });
    assert.ok(!fresh.acquired, 'a holder on another host with a fresh lease holds');
    assert.equal(fresh.holder.host, 'elsewhere');
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(file, old, old);
    const expired = acquireLock(file, { purpose: 'sync', operation_id: null, acquired_at: '' }, { leaseMs: 60_000 });
    assert.ok(expired.acquired);
    expired.lock.release();
    assert.ok(!fs.existsSync(file));
  });
});

describe('history queries: search, sort, filters, paging (the seed\'s Activity list)', () => {
  const at = (minute: number, seconds: number): { start: string; end: string } => ({
    start: `2024-01-30T10:${String(minute).padStart(2, '0')}:00.000000Z`,
    end: `2024-01-30T10:${String(minute).padStart(2, '0')}:${String(seconds).padStart(2, '0')}.000000Z`,
  });
  const record = (id: number, datastore: string, result: OperationRecord['result'], minute: number, seconds: number, changed: string[] = []): OperationRecord => {
    const time = at(minute, seconds);
    return {
      id, created: time.start, type: 'catalog', start_time: time.start, end_time: result === 'running' ? null : time.end, result, message: null,
      triggered_by: 'a@example.com', datastore: { id: 100 + datastore.length, name: datastore, store_type: 'jdbc', type: 'sqlite', enrich_only: false, enrich_container_prefix: null, favorite: false },
      schedule: id % 2 ? 'nightly' : null, include: ['table', 'view'], prune: false, recreate: false, progress: { done: 0, total: null },
      summary: null, changes: changed.map((name) => ({ name, action: 'changed' })), logs: [],
    };
  };
  const records = [
    record(1, 'shop', 'success', 1, 30, ['orders']),
    record(2, 'warehouse', 'failure', 2, 5),
    record(3, 'shop', 'warning', 3, 50, ['customers']),
    record(4, 'shop', 'aborted', 4, 1),
    record(5, 'warehouse', 'running', 5, 0),
  ];
  const now = new Date('2024-01-30T10:05:20Z');
  const ids = (query: Parameters<typeof queryOperations>[1]): number[] => queryOperations(records, query, now).items.map((r) => r.id);

  it('sorts by created date, newest first by default, and by duration', () => {
    assert.deepEqual(ids({}), [5, 4, 3, 2, 1]);
    assert.deepEqual(ids({ order: 'asc' }), [1, 2, 3, 4, 5]);
    assert.deepEqual(ids({ sort: 'duration' }), [3, 1, 5, 2, 4], 'the running one counts until now (20 s)');
    assert.equal(durationMs(records[4]!, now), 20_000);
  });

  it('filters by status, type, datastore (name or id) and container', () => {
    assert.deepEqual(ids({ status: ['success', 'warning'] }), [3, 1]);
    assert.deepEqual(ids({ type: 'sync' }), [5, 4, 3, 2, 1]);
    assert.deepEqual(ids({ type: 'catalog', datastore: 'warehouse' }), [5, 2]);
    assert.deepEqual(ids({ datastore: String(104) }), [4, 3, 1]);
    assert.deepEqual(ids({ container: 'orders' }), [1]);
  });

  it('searches by operation id, and by datastore, schedule or user text', () => {
    assert.deepEqual(ids({ search: '3' }), [3]);
    assert.deepEqual(ids({ search: '#4' }), [4]);
    assert.deepEqual(ids({ search: 'WARE' }), [5, 2]);
    assert.deepEqual(ids({ search: 'nightly' }), [5, 3, 1]);
  });

  it('pages with the seed\'s shape', () => {
    const page = queryOperations(records, { size: 2, page: 2 }, now);
    assert.deepEqual({ ...page, items: page.items.map((r) => r.id) }, { items: [3, 2], total: 5, page: 2, size: 2, pages: 3 });
    assert.deepEqual(queryOperations(records, { page: 9 }, now).items, []);
    assert.deepEqual(queryOperations([], {}, now), { items: [], total: 0, page: 1, size: 50, pages: 0 });
  });
});

