import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { CancellationTokenSource, ErrorCodes } from 'vscode-languageserver-protocol';
import {
  AbortOperationRequest, DeleteOperationRequest, ListOperationsRequest, RerunOperationRequest, ResumeOperationRequest, SyncRequest,
  type AbortOperationResult, type DeleteOperationResult, type ListOperationsResult, type OperationChangedParams, type SyncResult,
} from '../../server/src/protocol/catalogProtocol';
import { CAC_ENV, CLI, ensureBuilt } from '../helpers/builtCli';
import { FIXTURE_FILES, SHOP_SQL, startedClient } from '../helpers/catalogFixture';
import { removeCatalog, snapshotNames, sqlite, sqliteCatalog } from '../helpers/syncFixtures';
import type { LspTestClient } from '../helpers/lspClient';

/** Enough tables that describing them takes a while, so an abort lands in the middle of it. */
const MANY_TABLES = `BEGIN;\n${Array.from({ length: 4000 }, (_, i) => `CREATE TABLE t${i} (id INTEGER PRIMARY KEY, v TEXT);`).join('\n')}\nCOMMIT;`;

describe('language server: operation actions (resume, rerun, delete, abort anywhere) and progress', function () {
  this.timeout(90000);
  let root: string;
  let client: LspTestClient;
  before(() => ensureBuilt());
  beforeEach(async () => {
    root = sqliteCatalog(SHOP_SQL, FIXTURE_FILES);
    client = await startedClient(root);
  });
  afterEach(async () => {
    await client.stop();
    removeCatalog(root);
  });

  async function operations(): Promise<ListOperationsResult['items']> {
    return (await client.request<ListOperationsResult>(ListOperationsRequest.method, {})).items;
  }

  it('reports progress {done, total} on catalog/operationChanged, then resumes the aborted operation and reruns it', async () => {
    sqlite(path.join(root, 'shop.sqlite'), MANY_TABLES);
    const cancel = new CancellationTokenSource();
    const from = client.messages.length;
    const pending = client.request<SyncResult>(SyncRequest.method, { datastore: 'shop' }, cancel);
    const progressed = await client.waitForMessage('catalog/operationChanged', from, (p) => (p as OperationChangedParams).progress !== undefined);
    const { progress, operationId, result } = progressed.params as OperationChangedParams;
    assert.equal(result, 'running');
    assert.ok(progress!.total! > 0 && progress!.done >= 0, JSON.stringify(progress));
    cancel.cancel();
    const aborted = await pending;
    assert.deepEqual([aborted.operationId, aborted.result], [operationId, 'aborted']);
    const notifications = client.messages.slice(from).filter((m) => m.method === 'catalog/operationChanged');
    const times = notifications.length;
    assert.ok(times >= 2, 'start and end at least');

    const resumed = await client.request<SyncResult>(ResumeOperationRequest.method, { operationId });
    assert.deepEqual([resumed.operationId, resumed.result], [operationId, 'success']);
    assert.equal(snapshotNames(root, 'shop').length, 4003);
    await assert.rejects(client.request(ResumeOperationRequest.method, { operationId }), (error: { code: number; message: string }) => {
      assert.match(error.message, /only an aborted operation/);
      return true;
    });

    const rerun = await client.request<SyncResult>(RerunOperationRequest.method, { operationId });
    assert.notEqual(rerun.operationId, operationId);
    assert.deepEqual([rerun.result, rerun.changed], ['success', false]);
    assert.deepEqual((await operations()).map((o) => [o.id, o.result]), [[rerun.operationId, 'success'], [operationId, 'success']]);
  });

  it('deletes a finished operation, and refuses an unknown one', async () => {
    const synced = await client.request<SyncResult>(SyncRequest.method, { datastore: 'shop' });
    const deleted = await client.request<DeleteOperationResult>(DeleteOperationRequest.method, { operationId: synced.operationId });
    assert.deepEqual(deleted, { deleted: true, message: `Operation ${synced.operationId} deleted.` });
    assert.deepEqual(await operations(), []);
    await assert.rejects(client.request(DeleteOperationRequest.method, { operationId: 99 }), (error: { code: number; message: string }) => {
      assert.equal(error.code, ErrorCodes.InvalidParams);
      assert.match(error.message, /No operation with id 99/);
      return true;
    });
    await assert.rejects(client.request(RerunOperationRequest.method, { operationId: 99 }), /No operation with id 99/);
  });

  it('aborts an operation the CLI runs, through the engine\'s abort request', async () => {
    sqlite(path.join(root, 'shop.sqlite'), MANY_TABLES);
    const cli = spawn(process.execPath, [CLI, 'sync', 'shop', '--root', root], { env: { ...CAC_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    let running: ListOperationsResult['items'][number] | undefined;
    const deadline = Date.now() + 30000;
    while (!running && Date.now() < deadline) {
      running = (await operations()).find((o) => o.result === 'running');
      if (!running) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(running, 'the CLI sync shows up as running');
    const abort = await client.request<AbortOperationResult>(AbortOperationRequest.method, { operationId: running.id });
    assert.equal(abort.aborted, true, abort.message);
    assert.match(abort.message, /another process/);
    assert.equal(await exited, 1);
    assert.deepEqual((await operations()).map((o) => [o.id, o.result]), [[running.id, 'aborted']]);
    const again = await client.request<AbortOperationResult>(AbortOperationRequest.method, { operationId: running.id });
    assert.equal(again.aborted, false);
    assert.match(again.message, /not running/);
  });
});
