import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ApplyPreviewRequest, ListDatastoresRequest, PreviewPlanRequest, PreviewRequest, RerunOperationRequest, RESTRICTED_MODE_ERROR, ResumeOperationRequest,
  SyncRequest, TrustChangedNotification, type SyncResult,
} from '../../server/src/protocol/catalogProtocol';
import { ensureBuilt } from '../helpers/builtCli';
import { FIXTURE_FILES, SHOP_SQL, startedClient } from '../helpers/catalogFixture';
import { removeCatalog, sqliteCatalog } from '../helpers/syncFixtures';
import { uri, type LspTestClient } from '../helpers/lspClient';

describe('language server: restricted mode (an untrusted workspace)', function () {
  this.timeout(60000);
  let root: string;
  let client: LspTestClient;
  before(() => ensureBuilt());
  beforeEach(async () => {
    root = sqliteCatalog(SHOP_SQL, FIXTURE_FILES);
    client = await startedClient(root, undefined, 'source', { trusted: false });
  });
  afterEach(async () => {
    await client.stop();
    removeCatalog(root);
  });

  async function assertRestricted(method: string, params: unknown): Promise<void> {
    await assert.rejects(client.request(method, params), (error: { code: number; message: string }) => {
      assert.equal(error.code, RESTRICTED_MODE_ERROR, `${method}: ${error.message}`);
      assert.match(error.message, /restricted mode.*trust the workspace to/);
      return true;
    });
  }

  it('refuses every request that connects to a source or writes, writes and records nothing, and still answers trees and diagnostics', async () => {
    await assertRestricted(SyncRequest.method, { datastore: 'shop' });
    await assertRestricted(PreviewRequest.method, { datastore: 'shop' });
    await assertRestricted(PreviewPlanRequest.method, { datastore: 'shop' });
    await assertRestricted(ApplyPreviewRequest.method, { planId: 'any' });
    await assertRestricted(ResumeOperationRequest.method, { operationId: 1 });
    await assertRestricted(RerunOperationRequest.method, { operationId: 1 });
    await assertRestricted('workspace/executeCommand', { command: 'catalog.sync', arguments: [{ datastore: 'shop', projectUri: uri(root) }] });
    await assertRestricted('workspace/executeCommand', { command: 'catalog.preview', arguments: [{ datastore: 'shop' }] });
    assert.equal(fs.existsSync(path.join(root, 'snapshots')), false, 'nothing written');
    assert.equal(fs.existsSync(path.join(root, '.cac', 'operations')), false, 'nothing recorded');
    assert.equal(client.messages.some((m) => m.method === '$/progress' || m.method === 'catalog/operationChanged'), false, 'nothing started');

    const datastores = await client.request<{ items: { name: string }[] }>(ListDatastoresRequest.method, {});
    assert.deepEqual(datastores.items.map((d) => d.name), ['shop', 'warehouse']);
    const schedules = path.join(root, 'schedules/nightly.yaml');
    await client.open(schedules, 'kind: Schedule\nname: broken\ndatastore: nowhere\nhourly: { every: 1 }\n');
    const diagnostics = await client.waitForDiagnostics(schedules, (d) => d.length > 0);
    assert.match(diagnostics[0]!.message as string, /No datastore named 'nowhere'/);
  });

  it('syncs once the client says the workspace is trusted', async () => {
    await assertRestricted(SyncRequest.method, { datastore: 'shop' });
    await client.connection.sendNotification(TrustChangedNotification.method, { trusted: true });
    const result = await client.request<SyncResult>(SyncRequest.method, { datastore: 'shop' });
    assert.equal(result.result, 'success');
    assert.ok(fs.existsSync(path.join(root, 'snapshots', 'shop', 'orders.yaml')));
    await client.connection.sendNotification(TrustChangedNotification.method, { trusted: false });
    await assertRestricted(SyncRequest.method, { datastore: 'shop' });
  });
});
