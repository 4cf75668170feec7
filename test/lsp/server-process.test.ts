import assert from 'node:assert/strict';
import { fork, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { IPCMessageReader, IPCMessageWriter, createProtocolConnection, type InitializeResult } from 'vscode-languageserver-protocol/node';
import { cleanupWorkspace, writeWorkspace } from '../helpers/workspace';
import { ensureBuilt } from '../helpers/builtCli';
import { LspTestClient, uri } from '../helpers/lspClient';

const REPO = path.resolve(__dirname, '..', '..');
const BIN = path.join(REPO, 'bin', 'cac-language-server.js');

describe('cac-language-server as a process', function () {
  this.timeout(60000);
  let root: string;
  before(() => {
    ensureBuilt();
    root = writeWorkspace({ 'datastores/shop.yaml': 'kind: Datastore\nname: shop\ntype: sqlite\nconnection:\n  path: ./shop.sqlite\n' });
  });
  after(() => cleanupWorkspace(root));

  it('speaks LSP over stdio: announces its capabilities and exits 0 after shutdown and exit', async () => {
    const client = new LspTestClient('bin');
    const result = await client.initialize(root);
    assert.equal(result.serverInfo?.name, 'cac-language-server');
    assert.equal(result.capabilities.textDocumentSync && typeof result.capabilities.textDocumentSync === 'object' ? result.capabilities.textDocumentSync.change : undefined, 2, 'incremental text sync');
    for (const capability of ['hoverProvider', 'definitionProvider', 'referencesProvider', 'documentSymbolProvider'] as const) assert.equal(result.capabilities[capability], true, capability);
    assert.deepEqual(result.capabilities.renameProvider, { prepareProvider: true });
    assert.deepEqual(result.capabilities.executeCommandProvider?.commands, ['catalog.sync', 'catalog.preview']);
    assert.equal(await client.stop(), 0);
  });

  it('leaves the lens commands to a client that runs them itself (executeCommands: false)', async () => {
    const client = new LspTestClient('bin');
    const result = await client.initialize(root, {}, { executeCommands: false });
    assert.equal(result.capabilities.executeCommandProvider, undefined);
    await client.stop();
  });

  it('speaks LSP over node IPC, as the VS Code extension starts it', async () => {
    const child = fork(BIN, ['--node-ipc'], { silent: true });
    const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.listen();
    try {
      const result = await connection.sendRequest<InitializeResult>('initialize', { processId: process.pid, rootUri: uri(root), capabilities: {} });
      assert.equal(result.serverInfo?.name, 'cac-language-server');
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
      assert.equal(await exited, 0);
    } finally {
      connection.dispose();
      child.kill();
    }
  });

  it('explains its usage when started without a transport', () => {
    const result = spawnSync(process.execPath, [BIN], { encoding: 'utf8', timeout: 20000 });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /Usage: cac-language-server --stdio \| --node-ipc/);
  });
});
