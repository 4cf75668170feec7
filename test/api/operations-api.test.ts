import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { request as httpRequest } from 'node:http';
import { hostname } from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { OperationStore, loadWorkspace, runSync, type OperationRecord } from '../../server/src/core';
import { createApiServer, type ApiServer } from '../../server/src/api/apiServer';
import { acquireDatastoreLock } from '../../server/src/core/operations/locks';
import errorSchema from '../../schemas/api/error.schema.json';
import operationSchema from '../../schemas/api/operation.schema.json';
import pageSchema from '../../schemas/api/operation-page.schema.json';
import { removeCatalog, sqliteCatalog } from '../helpers/syncFixtures';
import { waitFor } from '../helpers/waitFor';
import { conforms, type Answer } from '../helpers/apiAnswers';

/** The seed's payloads, verbatim but for the placeholder (sync-operation.md, "API Payload Examples"). */
const SEED_RUN = { type: 'catalog', datastore_id: 'shop', prune: false, recreate: false, include: ['table', 'view'] };
const SEED_ITEM_KEYS = ['id', 'created', 'type', 'start_time', 'end_time', 'result', 'message', 'triggered_by', 'datastore', 'schedule', 'include', 'prune', 'recreate'];
const SEED_DATASTORE_KEYS = ['id', 'name', 'store_type', 'type', 'enrich_only', 'enrich_container_prefix', 'favorite'];

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(operationSchema);
const validPage = ajv.compile(pageSchema);
const validOperation = ajv.getSchema('operation.schema.json')!;
const validError = ajv.compile(errorSchema);

describe('HTTP API (cac serve), with a real HTTP client', function () {
  this.timeout(30_000);
  let root: string;
  let api: ApiServer;
  let base: string;

  async function call(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const init: RequestInit = { method, headers: { ...headers } };
    // Every POST says JSON, also a bodiless action (the API refuses others: see the cross-site tests).
    if (method === 'POST') (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const response = await fetch(base + route, init);
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (response.status >= 400) assert.ok(conforms(validError, parsed), `error answer of ${method} ${route}: ${JSON.stringify(validError.errors)}`);
    return { status: response.status, headers: response.headers, body: parsed };
  }

  /** The operation once it has finished. */
  async function finished(id: number): Promise<Answer> {
    return waitFor(async () => {
      const answer = await call('GET', `/api/operations/${id}`);
      return answer.body.items[0].result !== 'running' && answer;
    }, `operation ${id} to finish`);
  }

  const store = (): OperationStore => new OperationStore(path.join(root, '.cac'));

  before(async () => {
    root = sqliteCatalog('CREATE TABLE orders (id INTEGER PRIMARY KEY, updated_at DATETIME NOT NULL); CREATE VIEW recent AS SELECT id FROM orders;');
    const created = createApiServer({ root, host: '127.0.0.1', port: 0, token: undefined, env: {} });
    assert.ok(!('error' in created));
    api = created;
    const address = await api.listen();
    base = `http://127.0.0.1:${address.port}`;
  });
  after(async () => {
    await api.close();
    removeCatalog(root);
  });

  it('POST /api/operations/run accepts the seed\'s exact payload and answers 202 with the running operation', async () => {
    const answer = await call('POST', '/api/operations/run', SEED_RUN);
    assert.equal(answer.status, 202);
    assert.ok(conforms(validOperation, answer.body), JSON.stringify(validOperation.errors));
    assert.equal(answer.headers.get('location'), `/api/operations/${answer.body.id}`);
    assert.deepEqual(Object.keys(answer.body).slice(0, SEED_ITEM_KEYS.length), SEED_ITEM_KEYS);
    assert.deepEqual([answer.body.type, answer.body.datastore.name, answer.body.prune, answer.body.recreate, answer.body.include], ['catalog', 'shop', false, false, ['table', 'view']]);
    assert.equal(answer.body.process, undefined, 'the internal process is never shown');
    await finished(answer.body.id);
  });

  it('refuses what a web page could send: a foreign Origin, Sec-Fetch-Site cross-site, a POST that is not JSON', async () => {
    const before = store().list().length;
    const foreign = await call('POST', '/api/operations/run', SEED_RUN, { Origin: 'http://evil.example' });
    assert.deepEqual([foreign.status, foreign.body.code], [403, 'cross-origin']);
    const crossSite = await call('GET', '/api/operations', undefined, { 'Sec-Fetch-Site': 'cross-site' });
    assert.deepEqual([crossSite.status, crossSite.body.code], [403, 'cross-site-request']);
    const nullOrigin = await call('POST', '/api/operations/1/rerun', undefined, { Origin: 'null' });
    assert.equal(nullOrigin.status, 403);
    // A form post: a "simple" request a browser sends cross-site without asking first.
    const form = await call('POST', '/api/operations/1/rerun', 'x=1', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.deepEqual([form.status, form.body.code], [415, 'unsupported-media-type']);
    const bare = await fetch(`${base}/api/operations/1/rerun`, { method: 'POST' });
    assert.equal(bare.status, 415, 'a bodiless POST must say application/json too');
    assert.equal(store().list().length, before, 'nothing was started');
    const own = await call('GET', '/api/operations', undefined, { Origin: base });
    assert.equal(own.status, 200, 'the server\'s own origin is fine');
  });

  it('records the caller as triggered_by: a stated identity marked as stated, never the OS user of `cac serve`', async () => {
    const stated = await call('POST', '/api/operations/run', SEED_RUN, { 'X-Cac-Triggered-By': ' ada@example.com\t' });
    assert.equal(stated.body.triggered_by, 'ada@example.com (stated)');
    await finished(stated.body.id);
    const aborted = await call('POST', `/api/operations/${stated.body.id}/abort`, undefined, { 'X-Cac-Triggered-By': 'bob@example.com' });
    assert.equal(aborted.status, 409);
  });

  it('GET /api/operations/{id} answers exactly the seed\'s paged shape', async () => {
    const run = await call('POST', '/api/operations/run', SEED_RUN);
    const answer = await finished(run.body.id);
    assert.equal(answer.status, 200);
    assert.ok(conforms(validPage, answer.body), JSON.stringify(validPage.errors));
    assert.deepEqual(Object.keys(answer.body), ['items', 'total', 'page', 'size', 'pages']);
    assert.deepEqual([answer.body.total, answer.body.page, answer.body.size, answer.body.pages], [1, 1, 50, 1]);
    const item = answer.body.items[0];
    assert.deepEqual(Object.keys(item).slice(0, SEED_ITEM_KEYS.length), SEED_ITEM_KEYS);
    assert.deepEqual(Object.keys(item.datastore), SEED_DATASTORE_KEYS);
    assert.deepEqual(
      [item.id, item.type, item.result, item.message, item.triggered_by, item.schedule, item.datastore.store_type, item.datastore.type, item.datastore.enrich_only, item.datastore.favorite],
      [run.body.id, 'catalog', 'success', null, 'api client (loopback)', null, 'jdbc', 'sqlite', false, false],
    );
    assert.match(item.created, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    assert.deepEqual(item.progress, { done: 2, total: 2, phase: 'finished' });
  });

  it('accepts "type": "sync" and a numeric datastore id, and applies the payload\'s options', async () => {
    const id = loadWorkspace(root).datastores[0]!.id;
    const answer = await call('POST', '/api/operations/run', { type: 'sync', datastore_id: id, prune: true, recreate: true, include: ['view'] });
    assert.equal(answer.status, 202);
    const done = await finished(answer.body.id);
    assert.deepEqual([done.body.items[0].prune, done.body.items[0].recreate, done.body.items[0].include], [true, true, ['view']]);
  });

  const badBodies: [string, unknown, RegExp][] = [
    ['no body', undefined, /body is missing/],
    ['no type', { datastore_id: 'shop' }, /the body needs 'type'/],
    ['an unknown type', { ...SEED_RUN, type: 'profile' }, /'type' must be one of "catalog", "sync"/],
    ['no datastore_id', { type: 'catalog' }, /needs 'datastore_id'/],
    ['a non-boolean prune', { ...SEED_RUN, prune: 'yes' }, /'prune' must be boolean/],
    ['an unknown include kind', { ...SEED_RUN, include: ['tables'] }, /'include\.0' must be one of "table", "view"/],
    ['an empty include', { ...SEED_RUN, include: [] }, /'include'/],
    ['a repeated include', { ...SEED_RUN, include: ['table', 'table'] }, /'include' must not repeat an item/],
    ['an unknown property', { ...SEED_RUN, schedule: 'x' }, /has an unknown property 'schedule'/],
    ['a zero datastore id', { ...SEED_RUN, datastore_id: 0 }, /'datastore_id' must be a positive integer id or a non-empty name/],
    ['an object datastore id', { ...SEED_RUN, datastore_id: { id: 1 } }, /'datastore_id'/],
    ['an array body', [SEED_RUN], /the body must be object/],
    ['a prototype key', JSON.parse('{"type":"catalog","datastore_id":"shop","__proto__":{"x":1}}') as unknown, /unknown property '__proto__'/],
  ];
  for (const [label, body, message] of badBodies) {
    it(`answers 400 to a run with ${label}`, async () => {
      const answer = await call('POST', '/api/operations/run', body === undefined ? undefined : JSON.stringify(body));
      assert.equal(answer.status, 400);
      assert.equal(answer.body.code, 'invalid-body');
      assert.match(answer.body.detail, message);
    });
  }

  it('answers 400 to a body that is not JSON, and 415 to one that is not sent as JSON', async () => {
    const broken = await call('POST', '/api/operations/run', '{"type": "catalog",');
    assert.deepEqual([broken.status, broken.body.code], [400, 'invalid-json']);
    const form = await call('POST', '/api/operations/run', 'type=catalog', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.deepEqual([form.status, form.body.code], [415, 'unsupported-media-type']);
  });

  it('answers 413 to an oversized body, declared or streamed, without reading it', async () => {
    const big = JSON.stringify({ ...SEED_RUN, datastore_id: 'x'.repeat(200_000) });
    const declared = await call('POST', '/api/operations/run', big);
    assert.deepEqual([declared.status, declared.body.code], [413, 'body-too-large']);
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/api/operations/run`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write(big.slice(0, 100_000));
      req.end(big.slice(100_000));
    });
    assert.equal(streamed, 413);
  });

  it('answers 404 to an unknown datastore, suggesting the nearest name without listing them all', async () => {
    const answer = await call('POST', '/api/operations/run', { ...SEED_RUN, datastore_id: 'warehouse' });
    assert.deepEqual([answer.status, answer.body.code], [404, 'datastore-not-found']);
    assert.doesNotMatch(answer.body.detail, /Defined|shop/);
    const typo = await call('POST', '/api/operations/run', { ...SEED_RUN, datastore_id: 'shpo' });
    assert.match(typo.body.detail, /Did you mean 'shop'\?/);
  });

  it('answers 409 to a run while the definitions have errors, naming the first one', async () => {
    const broken = path.join(root, 'datastores', 'broken.yaml');
    fs.writeFileSync(broken, 'kind: Datastore\nname: broken\ntype: nosuchdb\n');
    try {
      const answer = await call('POST', '/api/operations/run', SEED_RUN);
      assert.deepEqual([answer.status, answer.body.code], [409, 'invalid-definitions']);
      assert.match(answer.body.detail, /broken\.yaml:\d+:\d+: .*Fix them \(see `cac validate`\)/);
    } finally {
      fs.rmSync(broken);
    }
  });

  it('answers 404 to unknown or malformed ids and paths, and never touches a file for them', async () => {
    const before = fs.readdirSync(path.join(root, '.cac', 'operations')).sort();
    for (const route of ['/api/operations/999999', '/api/operations/abc', '/api/operations/0', '/api/operations/1.5', '/api/operations/..%2F..%2Fetc%2Fpasswd', '/api/operations/%2e%2e/abort', '/api/nothing', '/']) {
      const answer = await call('GET', route);
      assert.equal(answer.status, 404, route);
    }
    for (const route of ['/api/operations/999999/abort', '/api/operations/999999/resume', '/api/operations/999999/rerun']) assert.equal((await call('POST', route)).status, 404, route);
    assert.equal((await call('DELETE', '/api/operations/999999')).status, 404);
    assert.deepEqual(fs.readdirSync(path.join(root, '.cac', 'operations')).sort(), before);
  });

  it('answers 405 with Allow to a wrong method', async () => {
    const answer = await call('PUT', '/api/operations/run', SEED_RUN);
    assert.deepEqual([answer.status, answer.headers.get('allow')], [405, 'POST']);
    assert.equal((await call('POST', '/api/operations')).headers.get('allow'), 'GET');
  });

  it('GET /api/operations pages, searches, sorts and filters', async () => {
    const all = await call('GET', '/api/operations?size=100');
    assert.ok(conforms(validPage, all.body), JSON.stringify(validPage.errors));
    const total = all.body.total as number;
    assert.ok(total >= 3);
    const ids = (all.body.items as { id: number }[]).map((i) => i.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
    const page2 = await call('GET', '/api/operations?size=1&page=2');
    assert.deepEqual([page2.body.items[0].id, page2.body.size, page2.body.pages, page2.body.total], [ids[1], 1, total, total]);
    assert.deepEqual((await call('GET', `/api/operations?search=${ids[2]}`)).body.items.map((i: { id: number }) => i.id), [ids[2]]);
    const asc = await call('GET', '/api/operations?sort=created&order=asc&size=100');
    assert.deepEqual(asc.body.items.map((i: { id: number }) => i.id), [...ids].reverse());
    assert.equal((await call('GET', '/api/operations?sort=duration')).status, 200);
    assert.equal((await call('GET', '/api/operations?status=success,warning&type=sync&datastore=shop')).body.total, total);
    assert.equal((await call('GET', '/api/operations?status=failure&status=aborted')).body.total, 0);
    assert.equal((await call('GET', '/api/operations?type=catalog&container=nothing')).body.total, 0);
  });

  it('GET /api/operations?from=&to=&facets=true lists the operations created in [from, to) of UTC days, with the facet counts the page schema describes', async () => {
    const all = await call('GET', '/api/operations?size=1000');
    assert.equal('facets' in all.body, false, 'facets only when asked');
    const items = all.body.items as { id: number; created: string; result: string; datastore: { name: string } }[];
    const day = items[0]!.created.slice(0, 10);
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const onDay = items.filter((i) => i.created.slice(0, 10) === day);
    const answer = await call('GET', `/api/operations?from=${day}&to=${next}&facets=true&size=1000`);
    assert.equal(answer.status, 200);
    assert.ok(conforms(validPage, answer.body), JSON.stringify(validPage.errors));
    assert.deepEqual(answer.body.items.map((i: { id: number }) => i.id), onDay.map((i) => i.id));
    const byResult = { running: 0, success: 0, warning: 0, failure: 0, aborted: 0 } as Record<string, number>;
    for (const item of onDay) byResult[item.result]!++;
    assert.deepEqual(answer.body.facets, { status: byResult, type: { catalog: onDay.length }, datastores: [{ name: 'shop', count: onDay.length }] });
    // The status facet ignores the status filter; the others honour it.
    const failures = await call('GET', `/api/operations?from=${day}&to=${next}&status=aborted&facets=true`);
    assert.ok(conforms(validPage, failures.body), JSON.stringify(validPage.errors));
    assert.deepEqual(failures.body.facets.status, byResult);
    assert.deepEqual([failures.body.total, failures.body.facets.type.catalog], [byResult.aborted, byResult.aborted]);
    const empty = await call('GET', `/api/operations?from=${next}&facets=false`);
    assert.deepEqual([empty.body.total, 'facets' in empty.body], [0, false]);
    assert.equal((await call('GET', `/api/operations?from=${day}&to=${day}`)).body.total, 0, 'from = to is an empty range');
  });

  for (const [query, message] of [
    ['size=0', /'size'/], ['size=5000', /'size'/], ['page=x', /'page' must be integer/], ['sort=name', /'sort' must be one of/], ['status=done', /'status'/], ['limit=5', /unknown property 'limit'/], ['page=1&page=2', /given 2 times/],
    ['from=2026-3-1', /'from' must match pattern/], ['from=2026-02-30', /^from must be a date as YYYY-MM-DD/], ['from=2026-03-02&to=2026-03-01', /^from \(2026-03-02\) is after to \(2026-03-01\)/], ['facets=maybe', /'facets' must be boolean/],
  ] as const) {
    it(`answers 400 to the list query ${query}`, async () => {
      const answer = await call('GET', `/api/operations?${query}`);
      assert.deepEqual([answer.status, answer.body.code], [400, 'invalid-query']);
      assert.match(answer.body.detail, message);
    });
  }

  it('refuses a run while another sync holds the datastore (409), naming the running operation', async () => {
    const held = acquireDatastoreLock(path.join(root, '.cac'), 'shop', new Date());
    assert.ok(held.acquired);
    held.lock.update({ operation_id: 77 });
    try {
      const answer = await call('POST', '/api/operations/run', SEED_RUN);
      assert.deepEqual([answer.status, answer.body.code, answer.body.operation_id], [409, 'datastore-busy', 77]);
      assert.match(answer.body.detail, /already being synced by operation 77/);
    } finally {
      held.lock.release();
    }
  });

  it('POST /api/operations/{id}/abort leaves the abort request for a running operation, and 409 for a finished one', async () => {
    const running = store().create({ ...finishedRecord(), result: 'running', end_time: null, process: { pid: process.pid, host: hostname() } });
    const answer = await call('POST', `/api/operations/${running.id}/abort`);
    assert.deepEqual([answer.status, answer.body.id, answer.body.result], [202, running.id, 'running']);
    assert.match(fs.readFileSync(store().sidecarPath(running.id, 'abort'), 'utf8'), /"requested_by":"api client \(loopback\)"/);
    const deleteRunning = await call('DELETE', `/api/operations/${running.id}`);
    assert.deepEqual([deleteRunning.status, deleteRunning.body.code], [409, 'conflict']);
    store().update({ ...running, result: 'aborted' });
    const again = await call('POST', `/api/operations/${running.id}/abort`);
    assert.deepEqual([again.status, again.body.code], [409, 'conflict']);
    assert.equal((await call('POST', `/api/operations/${running.id}/abort`, { now: true })).status, 400, 'actions take no options');
    assert.equal((await call('DELETE', `/api/operations/${running.id}`)).status, 204);
  });

  it('POST /api/operations/{id}/resume continues an aborted sync under the same id; /rerun starts a new one; DELETE removes it', async () => {
    const workspace = loadWorkspace(root);
    const controller = new AbortController();
    const aborted = await runSync({
      workspace, datastore: workspace.datastores[0]!, options: { include: ['table'] }, dryRun: false, env: {}, signal: controller.signal,
      triggeredBy: 'test@example.com', history: store(), onProgress: () => controller.abort(),
    });
    assert.equal(aborted.result, 'aborted');
    const rerunAborted = await call('POST', `/api/operations/${aborted.operationId}/rerun`);
    assert.equal(rerunAborted.status, 202, 'an aborted operation can be rerun too');
    await finished(rerunAborted.body.id);
    const stale = await call('POST', `/api/operations/${aborted.operationId}/resume`);
    assert.deepEqual([stale.status, stale.body.code], [409, 'conflict'], 'a later sync of the datastore makes the checkpoint stale');
    assert.match(stale.body.detail, /Rerun/);

    const again = await runSync({
      workspace, datastore: workspace.datastores[0]!, options: { include: ['table'] }, dryRun: false, env: {}, signal: AbortSignal.abort(),
      triggeredBy: 'test@example.com', history: store(),
    });
    const resumed = await call('POST', `/api/operations/${again.operationId}/resume`, {});
    assert.deepEqual([resumed.status, resumed.body.id, resumed.body.result], [202, again.operationId, 'running']);
    const done = await finished(again.operationId!);
    assert.deepEqual([done.body.items[0].result, done.body.items[0].include], ['success', ['table']]);
    assert.equal((await call('POST', `/api/operations/${again.operationId}/resume`)).status, 409, 'only an aborted operation resumes');

    const rerun = await call('POST', `/api/operations/${again.operationId}/rerun`);
    assert.equal(rerun.status, 202);
    assert.ok(rerun.body.id > again.operationId!);
    assert.deepEqual(rerun.body.include, ['table']);
    await finished(rerun.body.id);
    assert.equal((await call('DELETE', `/api/operations/${rerun.body.id}`)).status, 204);
    assert.equal((await call('GET', `/api/operations/${rerun.body.id}`)).status, 404);
  });

  it('answers the health check and sets request timeouts', async () => {
    const answer = await call('GET', '/api/health');
    assert.deepEqual([answer.status, answer.body.status], [200, 'ok']);
    const head = await fetch(`${base}/api/health`, { method: 'HEAD' });
    assert.deepEqual([head.status, await head.text()], [200, '']);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(api.server.headersTimeout, 10_000);
    assert.equal(api.server.requestTimeout, 30_000);
  });

  it('refuses requests that name a non-loopback host without a token (DNS rebinding)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      httpRequest(`${base}/api/operations`, { headers: { host: 'attacker.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on('error', reject).end();
    });
    assert.equal(status, 403);
  });
});

describe('HTTP API tokens', function () {
  this.timeout(30_000);
  const TOKEN = 'a'.repeat(20) + 'secret-token';
  let root: string;

  before(() => {
    root = sqliteCatalog('CREATE TABLE orders (id INTEGER PRIMARY KEY);');
  });
  after(() => removeCatalog(root));

  it('refuses to start on a non-loopback address without a token, or with a short one', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      const created = createApiServer({ root, host, port: 0, token: undefined, env: {} });
      assert.ok('error' in created, host);
      assert.match(created.error, /without a token: set CAC_API_TOKEN/);
    }
    const short = createApiServer({ root, host: '127.0.0.1', port: 0, token: 'short', env: {} });
    assert.ok('error' in short);
    assert.match(short.error, /at least 16/);
    assert.ok(!('error' in createApiServer({ root, host: '0.0.0.0', port: 0, token: TOKEN, env: {} })), 'with a token it may (not bound in this test)');
  });

  it('requires the bearer token on every route when one is set', async () => {
    const created = createApiServer({ root, host: '127.0.0.1', port: 0, token: TOKEN, env: {} });
    assert.ok(!('error' in created));
    const address = await created.listen();
    const base = `http://127.0.0.1:${address.port}`;
    try {
      const none = await fetch(`${base}/api/operations`);
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="cac"');
      assert.equal((await fetch(`${base}/api/operations/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SEED_RUN) })).status, 401);
      assert.equal((await fetch(`${base}/api/operations`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status, 401);
      assert.equal((await fetch(`${base}/api/operations`, { headers: { authorization: `Basic ${TOKEN}` } })).status, 401);
      const ok = await fetch(`${base}/api/operations`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { items: [], total: 0, page: 1, size: 50, pages: 0 });
    } finally {
      await created.close();
    }
  });

  it('records the token\'s configured holder as triggered_by of what the token starts', async () => {
    const created = createApiServer({ root, host: '127.0.0.1', port: 0, token: TOKEN, tokenName: 'ci-bot@example.com', env: {} });
    assert.ok(!('error' in created));
    const address = await created.listen();
    try {
      const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'x-cac-triggered-by': 'someone-else' };
      const run = await fetch(`http://127.0.0.1:${address.port}/api/operations/run`, { method: 'POST', headers, body: JSON.stringify(SEED_RUN) });
      assert.equal(run.status, 202);
      assert.equal(((await run.json()) as { triggered_by: string }).triggered_by, 'ci-bot@example.com');
    } finally {
      await created.close();
    }
  });
});

function finishedRecord(): Omit<OperationRecord, 'id'> {
  return {
    created: '2024-01-30T10:00:00.000000Z', type: 'catalog', start_time: '2024-01-30T10:00:00.000000Z', end_time: '2024-01-30T10:00:01.000000Z',
    result: 'success', message: null, triggered_by: 'x@example.com',
    datastore: { id: 1, name: 'shop', store_type: 'jdbc', type: 'sqlite', enrich_only: false, enrich_container_prefix: null, favorite: false },
    schedule: null, include: ['table', 'view'], prune: false, recreate: false, progress: { done: 0, total: null }, summary: null, changes: [], logs: [],
  };
}
