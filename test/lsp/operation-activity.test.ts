import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ErrorCodes } from 'vscode-languageserver-protocol';
import { OperationActivityRequest, type OperationActivityResult } from '../../server/src/protocol/catalogProtocol';
import { activityRecord, writeRecords } from '../helpers/activityRecords';
import { FIXTURE_FILES, SHOP_SQL, startedClient } from '../helpers/catalogFixture';
import type { LspTestClient } from '../helpers/lspClient';
import { removeCatalog, sqliteCatalog } from '../helpers/syncFixtures';

describe('language server: catalog/operationActivity', function () {
  this.timeout(60_000);
  let root: string;
  let client: LspTestClient;
  before(async () => {
    root = sqliteCatalog(SHOP_SQL, FIXTURE_FILES);
    const today = new Date().toISOString().slice(0, 10);
    writeRecords(path.join(root, '.cac'), [
      activityRecord(1, '2026-03-01T23:59:59.999Z', 'success'),
      activityRecord(2, '2026-03-02T00:00:00.000Z', 'warning', { message: 'a column type is unknown' }),
      activityRecord(3, `${today}T00:00:00.000Z`, 'failure', { message: 'connection refused' }),
    ]);
    client = await startedClient(root);
  });
  after(async () => {
    await client.stop();
    removeCatalog(root);
  });

  it('answers the engine\'s activity in the protocol\'s camelCase shape', async () => {
    const result = await client.request<OperationActivityResult>(OperationActivityRequest.method, { from: '2026-03-01', to: '2026-03-04' });
    assert.deepEqual(Object.keys(result), ['from', 'to', 'datastore', 'days', 'totals', 'maxPerDay', 'longest', 'running', 'failing']);
    assert.deepEqual(result.days.map((d) => [d.date, d.total, d.success, d.warning, d.level]), [['2026-03-01', 1, 1, 0, 4], ['2026-03-02', 1, 0, 1, 4], ['2026-03-03', 0, 0, 0, 0]]);
    assert.deepEqual([result.maxPerDay, result.datastore, result.totals.total], [1, null, 2]);
    assert.deepEqual(result.longest.map((o) => [o.id, o.durationMs, typeof o.startTime, typeof o.endTime]), [[2, 20, 'string', 'string'], [1, 10, 'string', 'string']]);
    assert.deepEqual(result.failing.map((o) => [o.id, o.result, o.message, o.datastore.name]), [[2, 'warning', 'a column type is unknown', 'shop']]);
    assert.deepEqual(Object.keys(result.failing[0]!), ['id', 'datastore', 'result', 'created', 'startTime', 'endTime', 'durationMs', 'message']);
  });

  it('defaults to the last 365 UTC days up to today, and filters by datastore', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const result = await client.request<OperationActivityResult>(OperationActivityRequest.method, { datastore: 'lake' });
    assert.equal(result.days.length, 365);
    assert.equal(result.days[364]!.date, today);
    assert.equal(result.datastore, 'lake');
    assert.deepEqual([result.totals.total, result.days[364]!.failure], [2, 1], 'operations 1 and 3 (odd ids) are lake\'s; 3 ran today');
    const shop = await client.request<OperationActivityResult>(OperationActivityRequest.method, { datastore: 'shop' });
    assert.equal(shop.days[364]!.total, 0);
  });

  it('refuses from > to and malformed days as invalid params', async () => {
    await assert.rejects(client.request(OperationActivityRequest.method, { from: '2026-03-04', to: '2026-03-01' }), (error: { code: number; message: string }) => {
      assert.equal(error.code, ErrorCodes.InvalidParams);
      assert.match(error.message, /from \(2026-03-04\) is after to/);
      return true;
    });
    await assert.rejects(client.request(OperationActivityRequest.method, { to: 20260301 }), (error: { code: number }) => error.code === ErrorCodes.InvalidParams);
    await assert.rejects(client.request(OperationActivityRequest.method, { from: '2026-02-30' }), (error: { code: number; message: string }) => error.code === ErrorCodes.InvalidParams && /from must be a date/.test(error.message));
  });
});
