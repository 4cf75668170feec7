import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { previewUri } from '../../../client/src/sync/previewDocuments';
import { bulkDatastore, catalogApi, filesUnder, historyFiles, previewDiffTabs, writeWorkspaceFile } from './catalogApi';
import { waitFor, workspaceFile } from './helpers';

const NO_PRUNE = { prune: false, recreate: false };

describe('sync flow: preview, apply, cancel', function () {
  this.timeout(90_000);

  afterEach(async () => {
    const api = await catalogApi();
    await api.sync.discard();
  });

  it('previews a new file as diff editors of the planned snapshots and writes nothing', async () => {
    const api = await catalogApi();
    writeWorkspaceFile('data/landing/suppliers.csv', 'supplier_id,name,country\n1,Acme,GB\n2,Globex,FR\n');
    const snapshots = filesUnder('snapshots');
    const history = historyFiles();
    const preview = await api.sync.preview({ datastore: 'landing' }, NO_PRUNE, 2);
    assert.ok(preview?.result.planId, 'a plan to apply');
    const file = preview.result.files.find((f) => f.container === 'suppliers.csv');
    assert.ok(file, `planned files: ${preview.result.files.map((f) => f.container ?? f.uri).join(', ')}`);
    assert.deepEqual([file.action, file.committedHash], ['write', null]);
    await waitFor(() => previewDiffTabs().length > 0, 'a diff editor of the preview');
    const planned = await vscode.workspace.openTextDocument(previewUri(file.uri, preview.result.planId, 'planned'));
    assert.match(planned.getText(), /supplier_id/);
    assert.equal((await vscode.workspace.openTextDocument(previewUri(file.uri, preview.result.planId, 'committed'))).getText(), '');
    assert.deepEqual(filesUnder('snapshots'), snapshots, 'a preview writes no snapshot');
    assert.deepEqual(historyFiles(), history, 'a preview records no operation');
  });

  it('applies exactly the previewed files, then closes the preview', async () => {
    const api = await catalogApi();
    const preview = await api.sync.preview({ datastore: 'landing' }, NO_PRUNE, 1);
    assert.ok(preview?.result.planId);
    const before = filesUnder('snapshots');
    const expected = new Map<string, string | null>();
    for (const file of preview.result.files) {
      const text = (await vscode.workspace.openTextDocument(previewUri(file.uri, preview.result.planId, 'planned'))).getText();
      expected.set(vscode.Uri.parse(file.uri).fsPath, file.action === 'delete' ? null : text);
    }
    const result = await api.sync.apply();
    assert.equal(result?.result, 'success', result?.message ?? '');
    for (const [file, text] of expected) {
      if (text === null) assert.ok(!fs.existsSync(file), `${file} deleted`);
      else assert.equal(fs.readFileSync(file, 'utf8'), text, file);
    }
    const after = filesUnder('snapshots');
    const touched = [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f)).map((f) => workspaceFile(f)).sort();
    assert.deepEqual(touched, [...expected.keys()].sort(), 'only the previewed files changed');
    assert.equal(api.sync.current, undefined);
    await waitFor(() => previewDiffTabs().length === 0, 'the preview\'s diff editors to close');
    // The Operations view lists the operation as a summary and asks for its changes when it is expanded.
    api.operations.refresh();
    const node = (await api.operations.getChildren()).find((n) => n.kind === 'operation' && n.item.id === result.operationId);
    assert.ok(node?.kind === 'operation', 'the applied sync is listed');
    assert.deepEqual([node.item.changes, node.item.logs], [[], []], 'the list carries no changes or logs');
    assert.equal(api.operations.getTreeItem(node).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    const changes = (await api.operations.getChildren(node)).flatMap((child) => (child.kind === 'change' ? [child.change.name] : []));
    assert.ok(changes.includes('suppliers.csv'), `the operation's changes: ${changes.join(', ')}`);
  });

  it('shows a new preview instead of writing when the source changed after the preview', async () => {
    const api = await catalogApi();
    writeWorkspaceFile('data/landing/carriers.csv', 'carrier_id,name\n1,Royal Mail\n');
    const first = await api.sync.preview({ datastore: 'landing' }, NO_PRUNE, 0);
    assert.ok(first && first.result.files.some((f) => f.container === 'carriers.csv'));
    writeWorkspaceFile('data/landing/warehouses.csv', 'warehouse_id,city\n1,Leeds\n');
    const snapshots = filesUnder('snapshots');
    const history = historyFiles();
    assert.equal(await api.sync.apply(), undefined, 'nothing applied');
    assert.deepEqual(filesUnder('snapshots'), snapshots, 'nothing written');
    assert.deepEqual(historyFiles(), history, 'nothing recorded');
    const now = api.sync.current;
    assert.ok(now?.result.planId && now.result.planId !== first.result.planId, 'a new plan is shown');
    assert.ok(now.result.files.some((f) => f.container === 'warehouses.csv'), 'the new preview has the new file');
  });

  it('records a sync whose progress is cancelled as aborted, and resumes it', async () => {
    const api = await catalogApi();
    const bulk = await bulkDatastore(api, 'bulk');
    const cancel = new vscode.CancellationTokenSource();
    const started = new Promise<void>((resolve) => {
      const listener = api.server.onDidChangeOperation((event) => {
        if (event.datastore === 'bulk' && event.result === 'running') {
          listener.dispose();
          resolve();
        }
      });
    });
    const running = api.sync.syncNow(bulk, { prune: false, recreate: false }, cancel.token);
    await started;
    cancel.cancel();
    const result = await running;
    assert.equal(result?.result, 'aborted', `the sync ended ${result?.result} after ${result?.durationMs} ms, before the cancel took effect: ${result?.message ?? ''}`);
    assert.ok(result?.operationId);
    api.operations.refresh();
    const node = (await api.operations.getChildren()).find((n) => n.kind === 'operation' && n.item.id === result.operationId);
    assert.ok(node?.kind === 'operation');
    assert.equal(api.operations.getTreeItem(node).contextValue, 'operation.aborted');
    const resumed = await api.operationActions.resume(node);
    assert.ok(resumed && ['success', 'warning'].includes(resumed.result), `resume ended ${resumed?.result}: ${resumed?.message}`);
  });
});

