import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes } from 'vscode-languageserver-protocol';
import { ListOperationsRequest, type ListOperationsParams, type ListOperationsResult } from '../../server/src/protocol/catalogProtocol';
import { activityRecord, writeRecords } from '../helpers/activityRecords';
import { FIXTURE_FILES, SHOP_SQL, startedClient } from '../helpers/catalogFixture';
import { uri, type LspTestClient } from '../helpers/lspClient';
import { removeCatalog, sqlite, sqliteCatalog, sync } from '../helpers/syncFixtures';

/**
 * `catalog/listOperations` as the Activity view asks it: a created range in UTC days, facet
 * counts, and each change's snapshot file. The history is real: two syncs of the shop (the second
 * prunes a dropped table) and a record of a datastore whose definition was since deleted.
 */
describe('language server: catalog/listOperations (range, facets, snapshot files)', function () {
  this.timeout(60_000);
  let root: string;
  let client: LspTestClient;
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const list = (params: ListOperationsParams): Promise<ListOperationsResult> => client.request<ListOperationsResult>(ListOperationsRequest.method, params);

  before(async () => {
    root = sqliteCatalog(SHOP_SQL, FIXTURE_FILES);
    assert.equal((await sync(root, 'shop')).result, 'success');
    sqlite(path.join(root, 'shop.sqlite'), 'DROP TABLE customers;');
    assert.equal((await sync(root, 'shop', { prune: true })).result, 'success');
    writeRecords(path.join(root, '.cac'), [
      activityRecord(100, '2026-03-01T23:59:59.999Z', 'failure', {
        datastore: { id: 9, name: 'retired', store_type: 'jdbc', type: 'sqlite', enrich_only: false, enrich_container_prefix: null, favorite: false },
        changes: [{ name: 'ledger', action: 'changed', kind: 'table' }],
      }),
      activityRecord(101, '2026-03-02T00:00:00.000Z', 'warning', {
        logs: [
          { level: 'info', code: 'partition-key-expression', message: 'an info' },
          { level: 'warning', code: 'permission-denied', message: 'a warning' },
          { level: 'error', code: 'file-unreadable', message: 'an error' },
        ],
      }),
    ]);
    client = await startedClient(root);
  });
  after(async () => {
    await client.stop();
    removeCatalog(root);
  });

  it('lists the operations created in [from, to) of UTC days', async () => {
    assert.deepEqual((await list({ from: today, to: tomorrow })).items.map((o) => o.id), [2, 1]);
    assert.deepEqual((await list({ from: '2026-03-01', to: '2026-03-02' })).items.map((o) => o.id), [100], '23:59:59.999Z is on its day');
    assert.deepEqual((await list({ from: '2026-03-02', to: '2026-03-03' })).items.map((o) => o.id), [101], '00:00Z starts the next');
    assert.deepEqual((await list({ to: '2026-03-02' })).items.map((o) => o.id), [100]);
    assert.equal((await list({ from: today, to: today })).total, 0);
    assert.equal('facets' in (await list({})), false, 'facets only when asked');
  });

  it('counts facets, each ignoring its own filter and honouring the others', async () => {
    const result = await list({ from: '2026-01-01', status: ['failure'], datastore: 'shop', facets: true });
    assert.deepEqual([result.total, result.items.length], [0, 0]);
    assert.deepEqual(result.facets, {
      status: { running: 0, success: 2, warning: 0, failure: 0, aborted: 0 },
      type: { catalog: 0 },
      datastores: [{ name: 'retired', count: 1 }],
    });
    const pruned = await list({ container: 'customers', facets: true });
    assert.deepEqual(pruned.facets, { status: { running: 0, success: 2, warning: 0, failure: 0, aborted: 0 }, type: { catalog: 2 }, datastores: [{ name: 'shop', count: 2 }] });
  });

  it('gives each change its snapshot file: the listed one, where a pruned one was, and null for a datastore no longer defined', async () => {
    const items = (await list({ datastore: 'shop', order: 'asc' })).items;
    const snapshotsDir = path.join(root, 'snapshots', 'shop');
    const first = items[0]!.changes.map((c) => [c.name, c.action, c.snapshotUri]);
    assert.deepEqual(first, [
      ['big_orders', 'new', uri(path.join(snapshotsDir, 'big_orders.yaml'))],
      ['customers', 'new', uri(path.join(snapshotsDir, 'customers.yaml'))],
      ['orders', 'new', uri(path.join(snapshotsDir, 'orders.yaml'))],
    ]);
    assert.ok(fs.existsSync(path.join(snapshotsDir, 'orders.yaml')));
    assert.deepEqual(items[1]!.changes.map((c) => [c.name, c.action, c.snapshotUri]), [['customers', 'pruned', uri(path.join(snapshotsDir, 'customers.yaml'))]]);
    assert.equal(fs.existsSync(path.join(snapshotsDir, 'customers.yaml')), false, 'where it was: the prune deleted it');
    const retired = (await list({ datastore: 'retired' })).items[0]!;
    assert.deepEqual(retired.changes, [{ name: 'ledger', action: 'changed', kind: 'table', snapshotUri: null }]);
  });

  it('leaves out changes and logs for a runs list (summaryOnly), keeping the summary, the duration and the warning count', async () => {
    const full = (await list({ datastore: 'shop', order: 'asc' })).items;
    const rows = (await list({ datastore: 'shop', order: 'asc', summaryOnly: true })).items;
    assert.deepEqual(rows.map((o) => [o.id, o.changes, o.logs]), full.map((o) => [o.id, [], []]));
    assert.deepEqual(rows.map((o) => [o.summary, o.durationMs]), full.map((o) => [o.summary, o.durationMs]));
    assert.ok(full[0]!.changes.length > 0 && full.every((o) => Number.isInteger(o.durationMs) && o.durationMs >= 0));
    // The warnings are counted in a summary too: the Operations view shows such a row as expandable without its logs.
    const [whole] = (await list({ search: '#101' })).items;
    const [summary] = (await list({ search: '#101', summaryOnly: true })).items;
    assert.deepEqual([whole!.warningCount, whole!.logs.length, summary!.warningCount, summary!.logs.length], [2, 3, 2, 0]);
  });

  it('refuses a malformed or reversed range and a facets that is not a boolean as invalid params', async () => {
    const refused = async (params: object, message: RegExp): Promise<void> => {
      await assert.rejects(client.request(ListOperationsRequest.method, params), (error: { code: number; message: string }) => {
        assert.equal(error.code, ErrorCodes.InvalidParams);
        assert.match(error.message, message);
        return true;
      });
    };
    await refused({ from: '2026-02-30' }, /^from must be a date as YYYY-MM-DD/);
    await refused({ to: 20260301 }, /^to must be a string/);
    await refused({ from: '2026-03-04', to: '2026-03-01' }, /^from \(2026-03-04\) is after to \(2026-03-01\)/);
    await refused({ facets: 'yes' }, /^facets must be a boolean/);
    await refused({ summaryOnly: 1 }, /^summaryOnly must be a boolean/);
  });
});
