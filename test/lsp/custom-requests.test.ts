import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancellationTokenSource, ErrorCodes } from 'vscode-languageserver-protocol';
import {
  AbortOperationRequest, ListOperationsRequest, PreviewRequest, SyncRequest,
  type AbortOperationResult, type ListOperationsResult, type PreviewResult, type SyncResult,
} from '../../server/src/protocol/catalogProtocol';
import { removeCatalog, snapshotFiles, sqlite, sqliteCatalog } from '../helpers/syncFixtures';
import { FIXTURE_FILES, SHOP_SQL, startedClient } from '../helpers/catalogFixture';
import { uri, type LspTestClient } from '../helpers/lspClient';

/** Enough tables that describing them takes a while, so a cancel lands in the middle of it. */
const MANY_TABLES = `BEGIN;\n${Array.from({ length: 4000 }, (_, i) => `CREATE TABLE t${i} (id INTEGER PRIMARY KEY, v TEXT);`).join('\n')}\nCOMMIT;`;

interface ProgressParams { token: string | number; value: { kind: 'begin' | 'report' | 'end'; title?: string; percentage?: number; message?: string; cancellable?: boolean } }

function progressOf(client: LspTestClient, from: number): ProgressParams[] {
  return client.messages.slice(from).filter((m) => m.method === '$/progress').map((m) => m.params as ProgressParams);
}

describe('language server: catalog/… requests', function () {
  this.timeout(60000);
  let root: string;
  let client: LspTestClient;
  beforeEach(async () => {
    root = sqliteCatalog(SHOP_SQL, FIXTURE_FILES);
    client = await startedClient(root);
  });
  afterEach(async () => {
    await client.stop();
    removeCatalog(root);
  });

  it('previews a sync without writing anything: the changes, and every file it would write with its text', async () => {
    const preview = await client.request<PreviewResult>(PreviewRequest.method, { datastore: 'shop' });
    assert.equal(preview.result, 'success');
    assert.equal(preview.operationId, null);
    assert.equal(preview.changed, true);
    assert.deepEqual(preview.changes.map((c) => [c.name, c.action]), [['big_orders', 'new'], ['customers', 'new'], ['orders', 'new']]);
    assert.deepEqual(preview.files.map((f) => [path.relative(root, new URL(f.uri).pathname), f.action]).sort(), [
      ['snapshots/shop/_index.yaml', 'write'], ['snapshots/shop/big_orders.yaml', 'write'], ['snapshots/shop/customers.yaml', 'write'], ['snapshots/shop/orders.yaml', 'write'],
    ]);
    assert.match(preview.files.find((f) => f.uri.endsWith('orders.yaml') && !f.uri.endsWith('big_orders.yaml'))!.text!, /^name: orders$/m);
    assert.equal(fs.existsSync(path.join(root, 'snapshots')), false, 'a preview writes no snapshot');
    const operations = await client.request<ListOperationsResult>(ListOperationsRequest.method, {});
    assert.equal(operations.total, 0, 'a preview records no operation');
  });

  it('syncs: writes the snapshots, reports work-done progress on a token it creates first, and records the operation', async () => {
    const from = client.messages.length;
    const result = await client.request<SyncResult>(SyncRequest.method, { datastore: 'shop' });
    assert.deepEqual([result.result, result.changed, result.summary?.new], ['success', true, 3]);
    assert.deepEqual([...snapshotFiles(root, 'shop').keys()], ['_index.yaml', 'big_orders.yaml', 'customers.yaml', 'orders.yaml']);
    const create = client.messages.slice(from).findIndex((m) => m.method === 'window/workDoneProgress/create');
    const firstProgress = client.messages.slice(from).findIndex((m) => m.method === '$/progress');
    assert.ok(create >= 0 && create < firstProgress, 'window/workDoneProgress/create comes before the first $/progress');
    const token = (client.messages[from + create]!.params as { token: string }).token;
    const progress = progressOf(client, from);
    assert.ok(progress.every((p) => p.token === token));
    assert.deepEqual(progress.map((p) => p.value.kind).filter((k, i, all) => k !== all[i - 1]), ['begin', 'report', 'end']);
    assert.deepEqual([progress[0]!.value.title, progress[0]!.value.cancellable], ['Syncing shop', true]);
    const percentages = progress.map((p) => p.value.percentage).filter((p): p is number => p !== undefined);
    assert.ok(percentages.every((p, i) => i === 0 || p > percentages[i - 1]!), `percentages only grow: ${percentages.join(', ')}`);
    const changed = client.messages.slice(from).filter((m) => m.method === 'catalog/operationChanged').map((m) => m.params as { operationId: number; result: string });
    // Progress notifications (result running) may come between the start and the end.
    assert.deepEqual(changed.map((c) => c.result).filter((r, i, all) => r !== all[i - 1]), ['running', 'success']);
    assert.equal(changed[0]!.operationId, result.operationId);

    const listed = await client.request<ListOperationsResult>(ListOperationsRequest.method, { datastore: 'shop', size: 10 });
    assert.deepEqual([listed.total, listed.items[0]!.id, listed.items[0]!.result, listed.items[0]!.triggeredBy], [1, result.operationId, 'success', 'lsp-test@example.com']);
    assert.deepEqual([listed.page, listed.size, listed.pages], [1, 10, 1]);
  });

  it('reports progress on the client\'s own token when the request carries one', async () => {
    const from = client.messages.length;
    const result = await client.request<SyncResult>(SyncRequest.method, { datastore: 'shop', workDoneToken: 'my-token' });
    assert.equal(result.result, 'success');
    assert.equal(client.messages.slice(from).some((m) => m.method === 'window/workDoneProgress/create'), false);
    const progress = progressOf(client, from);
    assert.ok(progress.length >= 2 && progress.every((p) => p.token === 'my-token'));
    assert.equal(progress[progress.length - 1]!.value.kind, 'end');
  });

  it('ends a cancelled sync as aborted, recorded so, with no snapshot written', async () => {
    sqlite(path.join(root, 'shop.sqlite'), MANY_TABLES);
    const cancel = new CancellationTokenSource();
    const from = client.messages.length;
    const pending = client.request<SyncResult>(SyncRequest.method, { datastore: 'shop', workDoneToken: 'cancel-me' }, cancel);
    // Cancel as soon as the sync reports that it is describing tables.
    await client.waitForMessage('$/progress', from, (p) => (p as ProgressParams).value.kind === 'report');
    cancel.cancel();
    const result = await pending;
    assert.equal(result.result, 'aborted');
    assert.match(result.message!, /aborted/);
    assert.equal(fs.existsSync(path.join(root, 'snapshots', 'shop')), false);
    const listed = await client.request<ListOperationsResult>(ListOperationsRequest.method, {});
    assert.deepEqual(listed.items.map((r) => [r.id, r.result]), [[result.operationId, 'aborted']]);
  });

  it('aborts a running sync by operation id (catalog/abortOperation), and says when there is nothing to abort', async () => {
    sqlite(path.join(root, 'shop.sqlite'), MANY_TABLES);
    const from = client.messages.length;
    const pending = client.request<SyncResult>(SyncRequest.method, { datastore: 'shop' });
    const started = await client.waitForMessage('catalog/operationChanged', from);
    const { operationId } = started.params as { operationId: number };
    await client.waitForMessage('$/progress', from, (p) => (p as ProgressParams).value.kind === 'report');
    const abort = await client.request<AbortOperationResult>(AbortOperationRequest.method, { operationId });
    assert.equal(abort.aborted, true);
    const result = await pending;
    assert.deepEqual([result.operationId, result.result], [operationId, 'aborted']);
    const again = await client.request<AbortOperationResult>(AbortOperationRequest.method, { operationId });
    assert.equal(again.aborted, false);
    assert.match(again.message, /Operation \d+ is not running \(it ended aborted\)/);
  });

  it('runs the lens commands through workspace/executeCommand for clients without the extension', async () => {
    const result = await client.request<PreviewResult>('workspace/executeCommand', { command: 'catalog.preview', arguments: [{ datastore: 'shop', projectUri: uri(root) }] });
    assert.deepEqual([result.result, result.changes.length], ['success', 3]);
  });

  it('refuses an unknown datastore with a suggestion, and answers unknown catalog/ methods with MethodNotFound', async () => {
    await assert.rejects(client.request(SyncRequest.method, { datastore: 'shoop' }), (error: { code: number; message: string }) => {
      assert.equal(error.code, ErrorCodes.InvalidParams);
      assert.match(error.message, /No datastore named 'shoop'.*Did you mean 'shop'\?/);
      return true;
    });
    await assert.rejects(client.request('catalog/frobnicate', {}), (error: { code: number }) => error.code === ErrorCodes.MethodNotFound);
  });

  it('refuses to sync definitions with errors, as `cac sync` does, and names the first error', async () => {
    await client.open(path.join(root, 'schedules/nightly.yaml'), 'kind: Schedule\nname: broken\ndatastore: nowhere\nhourly: { every: 1 }\n');
    const result = await client.request<SyncResult>(SyncRequest.method, { datastore: 'shop' });
    assert.equal(result.result, 'failure');
    assert.match(result.message!, /Nothing was started: the definitions have 1 error \(first: .*nightly\.yaml:3:12: No datastore named 'nowhere'/);
  });

  it('refreshes override diagnostics itself after a sync it ran', async () => {
    const overrides = path.join(root, 'overrides/shop.yaml');
    fs.writeFileSync(overrides, FIXTURE_FILES['overrides/shop.yaml']! + '  ghosts:\n    incremental_identifier: x\n');
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(overrides), type: 2 }] });
    await client.request<SyncResult>(SyncRequest.method, { datastore: 'shop' });
    const diagnostics = await client.waitForDiagnostics(overrides, (d) => d.length > 0);
    assert.deepEqual(diagnostics.map((d) => d.code), ['unknown-container']);
  });
});

