import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as vscode from 'vscode';
import { PreviewPlanRequest, SyncRequest, TestConnectionRequest } from '../../../server/src/protocol/catalogProtocol';
import { TRUST_ENV } from '../launch/results';
import { catalogApi, containerNames, datastoreNode, filesUnder, historyFiles, writeWorkspaceFile } from './catalogApi';

/**
 * Runs in a session the launcher opens untrusted (CAC_VSCODE_TEST_TRUST=restricted). A source
 * that would be contacted is a loopback listener of this test: it must see no connection.
 */
describe('restricted mode (untrusted workspace)', function () {
  this.timeout(60_000);
  let listener: net.Server;
  let connections = 0;

  before(async function () {
    if (process.env[TRUST_ENV] !== 'restricted') this.skip();
    listener = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as net.AddressInfo).port;
    writeWorkspaceFile('datastores/probe.yaml', `kind: Datastore\nname: probe\ntype: postgresql\nconnection:\n  host: 127.0.0.1\n  port: ${port}\n  database: test\n  user: postgres\n`);
  });

  after(() => listener?.close());

  it('browses the committed catalog', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const api = await catalogApi();
    const shop = await datastoreNode(api, 'shop_db');
    assert.ok(containerNames(await api.datastores.getChildren(shop)).includes('orders'));
  });

  it('refuses in the server every request that would connect or write, and nothing connects', async () => {
    const api = await catalogApi();
    await datastoreNode(api, 'probe');
    const snapshots = filesUnder('snapshots');
    const history = historyFiles();
    for (const [name, run] of [
      ['sync', () => api.server.request(SyncRequest.type, { datastore: 'probe' })],
      ['preview', () => api.server.request(PreviewPlanRequest.type, { datastore: 'shop_db' })],
      ['test connection', () => api.server.request(TestConnectionRequest.type, { datastore: 'probe' })],
    ] as const) {
      await assert.rejects(run(), (error: Error & { kind?: string }) => error.kind === 'restricted' && /restricted mode/i.test(error.message), name);
    }
    // The extension's own flows end quietly (a warning offering Manage Workspace Trust).
    assert.equal(await api.sync.syncNow({ datastore: 'probe' }), undefined);
    assert.equal(connections, 0, 'no connection reached the source');
    assert.deepEqual(filesUnder('snapshots'), snapshots);
    assert.deepEqual(historyFiles(), history);
  });
});
