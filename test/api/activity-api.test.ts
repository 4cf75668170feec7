import assert from 'node:assert/strict';
import * as path from 'node:path';
import Ajv from 'ajv';
import { createApiServer, type ApiServer } from '../../server/src/api/apiServer';
import activitySchema from '../../schemas/api/operation-activity.schema.json';
import errorSchema from '../../schemas/api/error.schema.json';
import { activityRecord, writeRecords } from '../helpers/activityRecords';
import { removeCatalog, sqliteCatalog } from '../helpers/syncFixtures';
import { conforms, type Answer } from '../helpers/apiAnswers';

const NOW = new Date('2026-12-06T12:00:00.000Z');
const ajv = new Ajv({ strict: false, allErrors: true });
const validActivity = ajv.compile(activitySchema);
const validError = ajv.compile(errorSchema);

describe('HTTP API: GET /api/operations/activity', function () {
  this.timeout(30_000);
  let root: string;
  let api: ApiServer;
  let base: string;

  async function call(route: string, method = 'GET'): Promise<Answer> {
    const response = await fetch(base + route, { method });
    const text = await response.text();
    const body = text ? JSON.parse(text) : undefined;
    if (response.status >= 400) assert.ok(conforms(validError, body), `error answer of ${route}: ${JSON.stringify(validError.errors)}`);
    return { status: response.status, headers: response.headers, body };
  }

  before(async () => {
    root = sqliteCatalog('CREATE TABLE orders (id INTEGER PRIMARY KEY);');
    writeRecords(path.join(root, '.cac'), [
      activityRecord(1, '2026-11-30T23:59:59.999Z', 'success'),
      activityRecord(2, '2026-12-01T00:00:00.000Z', 'failure', { message: 'connection refused' }),
      activityRecord(3, '2026-12-01T10:00:00.000Z', 'aborted'),
      activityRecord(4, '2026-12-06T11:00:00.000Z', 'running'),
      activityRecord(5, '2025-01-01T10:00:00.000Z', 'success'),
    ]);
    const created = createApiServer({ root, host: '127.0.0.1', port: 0, token: undefined, env: {}, now: () => NOW });
    assert.ok(!('error' in created));
    api = created;
    base = `http://127.0.0.1:${(await api.listen()).port}`;
  });
  after(async () => {
    await api.close();
    removeCatalog(root);
  });

  it('answers the counts per UTC day of [from, to), valid against schemas/api/operation-activity.schema.json', async () => {
    const answer = await call('/api/operations/activity?from=2026-11-30&to=2026-12-02');
    assert.equal(answer.status, 200);
    assert.ok(conforms(validActivity, answer.body), JSON.stringify(validActivity.errors));
    assert.deepEqual(answer.body.days.map((d: { date: string; total: number; success: number; failure: number; aborted: number }) => [d.date, d.total, d.success, d.failure, d.aborted]), [
      ['2026-11-30', 1, 1, 0, 0],
      ['2026-12-01', 2, 0, 1, 1],
    ]);
    assert.deepEqual(answer.body.totals, { total: 3, running: 0, success: 1, warning: 0, failure: 1, aborted: 1 });
    assert.deepEqual(answer.body.failing.map((o: { id: number; message: string }) => [o.id, o.message]), [[2, 'connection refused']]);
    assert.deepEqual(answer.body.longest.map((o: { id: number }) => o.id), [3, 2, 1]);
  });

  it('defaults to the last 365 days up to today (UTC), with the running operation and its elapsed time', async () => {
    const answer = await call('/api/operations/activity');
    assert.equal(answer.status, 200);
    assert.ok(conforms(validActivity, answer.body), JSON.stringify(validActivity.errors));
    assert.deepEqual([answer.body.from, answer.body.to, answer.body.days.length, answer.body.totals.total], ['2025-12-07', '2026-12-07', 365, 4]);
    assert.deepEqual(answer.body.running.map((o: { id: number; duration_ms: number; end_time: null }) => [o.id, o.duration_ms, o.end_time]), [[4, 3_600_000, null]]);
  });

  it('filters by datastore name or id, and answers an empty range', async () => {
    const byName = await call('/api/operations/activity?from=2026-11-01&to=2026-12-07&datastore=shop');
    const byId = await call('/api/operations/activity?from=2026-11-01&to=2026-12-07&datastore=1');
    assert.deepEqual([byName.body.totals.total, byName.body.datastore, byId.body.datastore], [2, 'shop', '1']);
    assert.deepEqual(byId.body.days, byName.body.days);
    const empty = await call('/api/operations/activity?from=2026-12-01&to=2026-12-01');
    assert.equal(empty.status, 200);
    assert.ok(conforms(validActivity, empty.body));
    assert.deepEqual([empty.body.days, empty.body.totals.total], [[], 0]);
  });

  it('refuses from > to, malformed days, unknown and repeated parameters (400), and other methods (405)', async () => {
    const reversed = await call('/api/operations/activity?from=2026-12-02&to=2026-12-01');
    assert.deepEqual([reversed.status, reversed.body.code], [400, 'invalid-query']);
    assert.match(reversed.body.detail, /from \(2026-12-02\) is after to \(2026-12-01\)/);
    const impossible = await call('/api/operations/activity?from=2026-02-30');
    assert.deepEqual([impossible.status, impossible.body.code], [400, 'invalid-query']);
    assert.match(impossible.body.detail, /from must be a date as YYYY-MM-DD/);
    const malformed = await call('/api/operations/activity?to=tomorrow');
    assert.deepEqual([malformed.status, malformed.body.code], [400, 'invalid-query']);
    assert.match(malformed.body.detail, /query parameter 'to'/);
    const unknown = await call('/api/operations/activity?day=2026-12-01');
    assert.deepEqual([unknown.status, unknown.body.code], [400, 'invalid-query']);
    const repeated = await call('/api/operations/activity?from=2026-12-01&from=2026-12-02');
    assert.match(repeated.body.detail, /given 2 times/);
    const tooLong = await call('/api/operations/activity?from=1990-01-01&to=2026-01-01');
    assert.deepEqual([tooLong.status, tooLong.body.code], [400, 'invalid-query']);
    const deleted = await call('/api/operations/activity', 'DELETE');
    assert.deepEqual([deleted.status, deleted.headers.get('allow')], [405, 'GET']);
  });
});
