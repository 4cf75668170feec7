import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { treeResourceUri } from '../../../client/src/decorations/snapshotDecorations';
import { catalogApi } from './catalogApi';
import { waitFor, workspaceFile } from './helpers';

describe('snapshot files changed against HEAD', function () {
  this.timeout(60_000);

  it('carry a badge in the Datastores tree and compare with the committed text', async () => {
    const api = await catalogApi();
    const file = workspaceFile('snapshots/shop_db/products.yaml');
    const committed = fs.readFileSync(file, 'utf8');
    const uri = vscode.Uri.file(file);
    try {
      fs.writeFileSync(file, `${committed}# edited by hand\n`);
      await waitFor(() => api.decorations.current.get(uri.toString())?.change === 'modified', 'the snapshot change to be known', 20_000);
      const badge = api.decorations.provideFileDecoration(treeResourceUri(uri.toString()));
      assert.equal(badge?.badge, 'M');
      await vscode.commands.executeCommand('catalogAsCode.compareWithCommitted', uri);
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      assert.ok(tab instanceof vscode.TabInputTextDiff, 'a diff editor');
      assert.equal((await vscode.workspace.openTextDocument(tab.original)).getText(), committed);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    } finally {
      fs.writeFileSync(file, committed);
    }
    await waitFor(() => !api.decorations.current.has(uri.toString()), 'the badge to go when the file is as committed', 20_000);
  });
});
