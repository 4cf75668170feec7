import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { DatastoreItem, FieldItem, ListContainersResult, ScheduleItem } from '../../server/src/protocol/catalogProtocol';
import { startedClient, syncedCatalog } from '../helpers/catalogFixture';
import { MINIMAL_CAPABILITIES, uri, type LspTestClient } from '../helpers/lspClient';
import { removeCatalog, sync } from '../helpers/syncFixtures';

describe('language server: the requests an editor builds its trees from', function () {
  this.timeout(60000);
  let root: string;
  let client: LspTestClient;
  before(async () => {
    root = await syncedCatalog();
    client = await startedClient(root);
  });
  after(async () => {
    await client.stop();
    removeCatalog(root);
  });

  it('lists the datastores with their container count and last operation', async () => {
    const { items } = await client.request<{ items: DatastoreItem[] }>('catalog/listDatastores', {});
    assert.deepEqual(items.map((d) => [d.name, d.type, d.storeType, d.containers, d.lastOperation?.result ?? null]), [
      ['shop', 'sqlite', 'jdbc', 3, 'success'],
      ['warehouse', 'postgresql', 'jdbc', 0, null],
    ]);
    const [shop, warehouse] = items;
    assert.equal(shop!.definitionUri, uri(path.join(root, 'datastores', 'shop.yaml')));
    assert.equal(shop!.snapshotsUri, uri(path.join(root, 'snapshots', 'shop')));
    assert.deepEqual([shop!.envReferences, warehouse!.envReferences], [[], ['WAREHOUSE_PASSWORD']]);
    // What a sync given no options takes: the definition's defaults (prune and recreate off, tables and views).
    assert.deepEqual(shop!.defaults, { prune: false, recreate: false, include: ['table', 'view'] });
  });

  it('pages a datastore\'s containers with their identifiers and where they come from', async () => {
    const first = await client.request<ListContainersResult>('catalog/listContainers', { datastore: 'shop', limit: 2 });
    assert.deepEqual([first.total, first.items.map((c) => c.name), first.removed], [3, ['big_orders', 'customers'], []]);
    const rest = await client.request<ListContainersResult>('catalog/listContainers', { datastore: 'shop', offset: 2, limit: 2 });
    assert.deepEqual(rest.items.map((c) => [c.name, c.kind, c.fields, c.incremental, c.partition?.source]), [
      ['orders', 'table', 6, { field: 'updated_at', strategy: 'last_modified', source: 'override' }, 'override'],
    ]);
    assert.equal(rest.items[0]!.snapshotUri, uri(path.join(root, 'snapshots', 'shop', 'orders.yaml')));
    await assert.rejects(client.request('catalog/listContainers', { datastore: 'shop', limit: 5000 }), /limit one from 1 to 1000/);
  });

  it('lists one container\'s fields, marking the identifiers', async () => {
    const { items } = await client.request<{ items: FieldItem[] }>('catalog/listFields', { datastore: 'shop', container: 'orders' });
    const marked = items.filter((f) => f.identifierOf.length > 0).map((f) => [f.name, f.identifierOf]);
    assert.deepEqual(marked, [['ordered_at', ['partition']], ['updated_at', ['incremental']]]);
    assert.deepEqual(items[0], { name: 'id', type: 'INTEGER', nullable: false, primaryKey: 1, identifierOf: [] });
  });

  it('lists the schedules with their timing in words and next runs', async () => {
    const { items } = await client.request<{ items: ScheduleItem[] }>('catalog/listSchedules', {});
    const nightly = items.find((s) => s.name === 'nightly-shop')!;
    assert.equal(nightly.timing, 'every day at 02:30 UTC');
    assert.equal(nightly.nextRuns.length, 3);
    assert.ok(nightly.nextRuns.every((run) => run.endsWith('T02:30:00.000Z')));
  });
});

describe('language server: operations started elsewhere', function () {
  this.timeout(60000);
  it('tells the client about a sync the CLI or a daemon runs, from its operation record', async () => {
    const root = await syncedCatalog();
    // A client that cannot watch files: the server's own watcher sees the history folder.
    const client = await startedClient(root, MINIMAL_CAPABILITIES);
    try {
      const outcome = await sync(root, 'shop');
      const message = await client.waitForMessage('catalog/operationChanged', 0, (params) => (params as { operationId: number; result: string }).operationId === outcome.operationId && (params as { result: string }).result === 'success');
      assert.deepEqual(message.params, { operationId: outcome.operationId, datastore: 'shop', result: 'success', progress: { done: 3, total: 3 } });
    } finally {
      await client.stop();
      removeCatalog(root);
    }
  });
});
