import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import pg from 'pg';
import { postgresCase } from '../helpers/connectorCases/postgres';
import type { TestSource } from '../helpers/connectorCases/types';
import { postgresTarget } from '../helpers/postgresServer';
import { makeCatalog, removeCatalog, sqlite } from '../helpers/syncFixtures';
import { CAC_ENV, CLI, ensureBuilt, runCac, type CacResult } from '../helpers/builtCli';
import { waitFor } from '../helpers/waitFor';
import { skipWithoutServer } from '../helpers/skipWithoutServer';

const REPO = path.resolve(__dirname, '..', '..');

/** A long-running `cac` (sync, daemon, serve) whose output is collected as it comes. */
function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string; exited: Promise<number> } {
  ensureBuilt();
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...CAC_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : 0))));
  return { child, output: () => output, exited };
}

function json<T>(result: CacResult): T {
  assert.equal(result.code, 0, result.stdout + result.stderr);
  return JSON.parse(result.stdout) as T;
}

const SQLITE_DATASTORE = 'kind: Datastore\nname: shop\ntype: sqlite\nconnection:\n  path: ../shop.sqlite\n';

describe('cac history abort|resume|rerun|delete and the datastore lock', function () {
  this.timeout(120_000);
  let root: string;
  before(function () {
    root = makeCatalog({ 'datastores/shop.yaml': SQLITE_DATASTORE });
    sqlite(path.join(root, 'shop.sqlite'), 'CREATE TABLE orders (id INTEGER PRIMARY KEY); CREATE TABLE customers (id INTEGER PRIMARY KEY);');
  });
  after(() => removeCatalog(root));

  it('shows, lists with filters, reruns and deletes operations, with JSON everywhere', () => {
    assert.equal(runCac(['sync', '--root', root]).code, 0);
    const shown = json<{ items: { id: number; result: string; triggered_by: string }[]; total: number; page: number; size: number; pages: number }>(runCac(['history', 'show', '1', '--root', root, '--format', 'json']));
    assert.deepEqual([Object.keys(shown), shown.items[0]!.result, shown.items[0]!.triggered_by], [['items', 'total', 'page', 'size', 'pages'], 'success', 'ci@example.com']);
    const rerun = runCac(['history', 'rerun', '1', '--root', root]);
    assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
    assert.match(rerun.stdout, /Operation 1 rerun as operation 2: success/);
    const listed = json<{ items: { id: number }[]; total: number; pages: number }>(runCac(['history', 'list', '--root', root, '--format', 'json', '--status', 'success,warning', '--type', 'sync', '--sort', 'duration', '--order', 'asc', '--limit', '1', '--page', '2']));
    assert.deepEqual([listed.total, listed.pages, listed.items.length], [2, 2, 1]);
    assert.deepEqual(json<{ items: { id: number }[] }>(runCac(['history', '--root', root, '--format', 'json', '--search', '2'])).items.map((i) => i.id), [2]);
    assert.equal(runCac(['history', 'delete', '2', '--root', root]).stdout, 'Operation 2 deleted.\n');
    const gone = runCac(['history', 'delete', '2', '--root', root]);
    assert.deepEqual([gone.code, /No operation with id 2/.test(gone.stderr)], [1, true]);
    const notAborted = runCac(['history', 'resume', '1', '--root', root]);
    assert.deepEqual([notAborted.code, /only an aborted operation \(or one killed while writing\) can be resumed/.test(notAborted.stderr)], [1, true]);
    const finished = runCac(['history', 'abort', '1', '--root', root]);
    assert.deepEqual([finished.code, /is not running/.test(finished.stderr)], [1, true]);
    const badId = runCac(['history', 'show', '../1', '--root', root]);
    assert.deepEqual([badId.code, /ids are positive integers/.test(badId.stderr)], [1, true]);
  });

  it('refuses a second sync while another process holds the datastore, and a killed holder does not block', async () => {
    const holder = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'fixtures', 'holdDatastoreLock.ts'), path.join(root, '.cac'), 'shop', '41'], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    let said = '';
    holder.stdout!.on('data', (chunk: Buffer) => (said += chunk.toString()));
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    try {
      await waitFor(() => said.includes('held'), 'the holder to take the lock');
      const refused = runCac(['sync', 'shop', '--root', root, '--format', 'json']);
      assert.equal(refused.code, 1);
      const report = JSON.parse(refused.stdout) as { operations: { operation_id: number | null; result: string; message: string }[] };
      assert.deepEqual([report.operations[0]!.operation_id, report.operations[0]!.result], [null, 'refused']);
      assert.match(report.operations[0]!.message, new RegExp(`already being synced by operation 41 \\(pid ${holder.pid} on `));
      assert.match(report.operations[0]!.message, /abort it with `cac history abort 41`/);
    } finally {
      holder.kill('SIGKILL');
      await exited;
    }
    const after = runCac(['sync', 'shop', '--root', root]);
    assert.equal(after.code, 0, after.stdout + after.stderr);
  });
});

describe('cac sync aborted from another process (PostgreSQL)', function () {
  this.timeout(120_000);
  let source: TestSource;
  let root: string;
  let blocker: pg.Client | undefined;

  before(async function () {
    skipWithoutServer(this, (await postgresCase.unavailable()) ?? postgresCase.cannot?.('cancel'));
    source = await postgresCase.createSource();
    await source.run('CREATE TABLE orders (id int PRIMARY KEY, updated_at timestamptz NOT NULL)');
    const c = source.datastore.settings;
    root = makeCatalog({ 'datastores/db.yaml': `kind: Datastore\nname: db\ntype: postgresql\nconnection:\n  host: ${c.host}\n  port: ${c.port}\n  database: ${c.database}\n  user: ${c.user}\n` });
  });
  after(async () => {
    if (root) removeCatalog(root);
    await source?.dispose();
  });
  afterEach(async () => {
    await blocker?.query('ROLLBACK').catch(() => undefined);
    await blocker?.end().catch(() => undefined);
    blocker = undefined;
  });

  /** Holds pg_description exclusively, so the sync's catalog query waits on the server until cancelled. */
  async function blockCatalog(): Promise<void> {
    const target = (await postgresTarget()) as { host: string; port: number; user: string };
    blocker = new pg.Client({ host: target.host, port: target.port, user: target.user, database: source.datastore.settings.database });
    await blocker.connect();
    await blocker.query('BEGIN; LOCK TABLE pg_catalog.pg_description IN ACCESS EXCLUSIVE MODE');
  }

  async function waitingQueries(): Promise<number> {
    const target = (await postgresTarget()) as { host: string; port: number; user: string };
    const watcher = new pg.Client({ host: target.host, port: target.port, user: target.user, database: 'postgres' });
    await watcher.connect();
    try {
      const result = await watcher.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'catalog-as-code' AND datname = $1 AND wait_event_type = 'Lock'`, [source.datastore.settings.database]);
      return (result.rows[0] as { n: number }).n;
    } finally {
      await watcher.end();
    }
  }

  function runningOperation(): number | undefined {
    const listed = runCac(['history', '--root', root, '--format', 'json', '--status', 'running']);
    return listed.code === 0 ? (JSON.parse(listed.stdout) as { items: { id: number }[] }).items[0]?.id : undefined;
  }

  it('ends aborted within seconds of `cac history abort`, cancels the source query, refuses a second sync meanwhile, and resumes', async () => {
    await blockCatalog();
    const sync = start(['sync', '--root', root, '--format', 'json']);
    const id = await waitFor(() => runningOperation(), 'the sync to be recorded running');
    await waitFor(async () => (await waitingQueries()) > 0, 'the catalog query to wait on the lock');

    const second = runCac(['sync', '--root', root]);
    assert.equal(second.code, 1);
    assert.match(second.stdout, new RegExp(`: refused .*\\n {2}.*already being synced by operation ${id} `));

    // The abort command waits for the operation to end, here at most 10 s: "aborted" says it did.
    const abort = runCac(['history', 'abort', String(id), '--root', root, '--timeout', '10']);
    assert.equal(abort.code, 0, abort.stdout + abort.stderr);
    assert.match(abort.stdout, new RegExp(`Operation ${id} aborted\\.`));
    assert.equal(await sync.exited, 1, sync.output());
    assert.match(sync.output(), /"result": "aborted"/);
    await waitFor(async () => (await waitingQueries()) === 0, 'the cancelled query to leave the server');

    await blocker!.query('ROLLBACK');
    const resumed = runCac(['history', 'resume', String(id), '--root', root]);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`Operation ${id} resumed: success · 1 new`));
    assert.ok(fs.existsSync(path.join(root, 'snapshots', 'db', 'public.orders.yaml')));
  });

  it('a sync killed while it holds the datastore leaves no lock behind, and its record reads as failed', async () => {
    // A change since the last sync, so that this one reads the catalog (and waits on the lock)
    // instead of proving the source unchanged by its transaction snapshot.
    await source.run("COMMENT ON TABLE orders IS 'changed since the last sync'");
    await blockCatalog();
    const sync = start(['sync', '--root', root]);
    const id = await waitFor(() => runningOperation(), 'the sync to be recorded running');
    sync.child.kill('SIGKILL');
    await sync.exited;
    await blocker!.query('ROLLBACK');
    const next = runCac(['sync', '--root', root]);
    assert.equal(next.code, 0, next.stdout + next.stderr);
    const killed = json<{ items: { result: string; message: string }[] }>(runCac(['history', 'show', String(id), '--root', root, '--format', 'json'])).items[0]!;
    assert.equal(killed.result, 'failure');
    assert.match(killed.message, /ended before it finished/);
  });
});

describe('cac schedule, cac daemon and cac serve', function () {
  this.timeout(120_000);
  let root: string;
  const SCHEDULES = 'kind: Schedule\nname: hourly-shop\ndatastore: shop\nhourly: { every: 1, minute: 0 }\n---\nkind: Schedule\nname: weekly-shop\ndatastore: shop\nweekly: { days: [monday, friday], at: "06:00" }\nenabled: false\n';
  beforeEach(() => {
    root = makeCatalog({ 'datastores/shop.yaml': SQLITE_DATASTORE, 'schedules/s.yaml': SCHEDULES });
    sqlite(path.join(root, 'shop.sqlite'), 'CREATE TABLE orders (id INTEGER PRIMARY KEY);');
  });
  afterEach(() => removeCatalog(root));

  it('lists schedules and their next runs in UTC at a faked time (CAC_NOW)', () => {
    const now = { CAC_NOW: '2024-01-30T10:17:00Z' };
    const listed = json<{ schedules: { name: string; enabled: boolean; next_run: string | null; timing: string }[] }>(runCac(['schedule', 'list', '--root', root, '--format', 'json'], now));
    assert.deepEqual(listed.schedules.map((s) => [s.name, s.enabled, s.next_run]), [['hourly-shop', true, '2024-01-30T11:00:00.000Z'], ['weekly-shop', false, null]]);
    const next = json<{ next_runs: string[] }>(runCac(['schedule', 'next', 'weekly-shop', '-n', '3', '--root', root, '--format', 'json'], now));
    assert.deepEqual(next.next_runs, ['2024-02-02T06:00:00.000Z', '2024-02-05T06:00:00.000Z', '2024-02-09T06:00:00.000Z']);
    const text = runCac(['schedule', 'next', 'hourly-shop', '--root', root], now);
    assert.match(text.stdout, /every hour at minute 0 \(UTC\)\n {2}2024-01-30 11:00 UTC\n/);
    const unknown = runCac(['schedule', 'next', 'hourly-shp', '--root', root]);
    assert.deepEqual([unknown.code, /No schedule named 'hourly-shp'\. Did you mean 'hourly-shop'/.test(unknown.stderr)], [1, true]);
  });

  it('run-due runs a due schedule once per slot, however often it is called, and not in a burst after a gap', () => {
    const runDue = (now: string): { schedule: string; action: string; operation_id?: number }[] =>
      json<{ schedules: { schedule: string; action: string; operation_id?: number }[] }>(runCac(['schedule', 'run-due', '--root', root, '--format', 'json'], { CAC_NOW: now })).schedules;
    assert.deepEqual(runDue('2024-01-30T10:17:00Z').map((r) => r.action), ['first-seen', 'disabled']);
    const ran = runDue('2024-01-30T11:00:05Z');
    assert.deepEqual(ran.map((r) => r.action), ['ran', 'disabled']);
    assert.deepEqual(runDue('2024-01-30T11:00:05Z').map((r) => r.action), ['not-due', 'disabled']);
    assert.deepEqual(runDue('2024-02-06T09:30:00Z').map((r) => r.action), ['ran', 'disabled']);
    assert.deepEqual(runDue('2024-02-06T09:45:00Z').map((r) => r.action), ['not-due', 'disabled']);
    const history = json<{ items: { schedule: string | null; result: string }[] }>(runCac(['history', '--root', root, '--format', 'json']));
    assert.deepEqual(history.items.map((i) => [i.schedule, i.result]), [['hourly-shop', 'success'], ['hourly-shop', 'success']]);
  });

  it('cac daemon runs a schedule when its time comes and stops cleanly on SIGTERM', async () => {
    const daemon = start(['daemon', '--root', root], { CAC_NOW: '2024-01-30T10:59:58Z' });
    try {
      await waitFor(() => daemon.output().includes('hourly-shop: ran the 2024-01-30 11:00 UTC run'), `the scheduled run (output so far: ${daemon.output()})`);
    } finally {
      daemon.child.kill('SIGTERM');
    }
    assert.equal(await daemon.exited, 0, daemon.output());
    assert.match(daemon.output(), /cac daemon: stopped\./);
    const history = json<{ items: { schedule: string | null }[] }>(runCac(['history', '--root', root, '--format', 'json']));
    assert.deepEqual(history.items.map((i) => i.schedule), ['hourly-shop']);
  });

  it('cac serve answers the seed\'s run payload on loopback and stops cleanly on SIGTERM', async () => {
    const serve = start(['serve', '--root', root, '--port', '0']);
    let exited = false;
    try {
      const url = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.output())?.[1], 'the server to listen');
      const run = await fetch(`${url}/api/operations/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'catalog', datastore_id: 'shop', prune: false, recreate: false, include: ['table', 'view'] }) });
      assert.equal(run.status, 202);
      const { id } = (await run.json()) as { id: number };
      const result = await waitFor(async () => {
        const page = (await (await fetch(`${url}/api/operations/${id}`)).json()) as { items: { result: string }[] };
        return page.items[0]!.result !== 'running' && page.items[0]!.result;
      }, 'the operation to finish');
      assert.equal(result, 'success');
      serve.child.kill('SIGTERM');
      assert.equal(await serve.exited, 0, serve.output());
      exited = true;
      assert.match(serve.output(), /cac serve: stopped\./);
    } finally {
      if (!exited) serve.child.kill('SIGKILL');
    }
  });

  it('cac serve refuses a non-loopback address without CAC_API_TOKEN, before listening', () => {
    const refused = runCac(['serve', '--root', root, '--host', '0.0.0.0', '--port', '0']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Refusing to serve on 0\.0\.0\.0, which is not a loopback address, without a token: set CAC_API_TOKEN/);
  });
});
