import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { catalogApi, containerNames, datastoreNode, filesUnder, removeWorkspaceFile, writeWorkspaceFile } from './catalogApi';
import { waitFor, workspaceFile } from './helpers';

describe('bad input in the workspace', function () {
  this.timeout(60_000);

  it('a definition with errors gets located diagnostics, and the other datastores stay listed', async () => {
    const api = await catalogApi();
    writeWorkspaceFile('datastores/broken.yaml', 'kind: Datastore\nname: broken\ntype: sqlitx\nconnection:\n  path: ./x.sqlite\n');
    const uri = vscode.Uri.file(workspaceFile('datastores/broken.yaml'));
    try {
      const diagnostics = await waitFor(() => {
        const found = vscode.languages.getDiagnostics(uri);
        return found.length > 0 ? found : undefined;
        // 45 s: after the suite's bulk syncs (thousands of snapshot files) a loaded CI machine was seen taking more than 20 s.
      }, 'diagnostics of datastores/broken.yaml (the file is not even open)', 45_000);
      assert.ok(diagnostics.some((d) => d.range.start.line === 2 && /'type' must be one of/.test(d.message)), JSON.stringify(diagnostics.map((d) => [d.range.start.line, d.message])));
      const names = (await api.datastores.datastores()).map((d) => d.item.name);
      assert.ok(['analytics', 'landing', 'shop_db'].every((n) => names.includes(n)), names.join(', '));
    } finally {
      removeWorkspaceFile('datastores/broken.yaml');
    }
  });

  it('a snapshot edited by hand into invalid YAML is reported, not a crash, and nothing is written', async () => {
    const api = await catalogApi();
    const file = workspaceFile('snapshots/shop_db/products.yaml');
    const committed = fs.readFileSync(file, 'utf8');
    try {
      fs.writeFileSync(file, 'name: products\nfields: [\n  - {unclosed\n');
      const before = filesUnder('snapshots');
      const shop = await datastoreNode(api, 'shop_db');
      api.datastores.refresh(shop);
      const children = await api.datastores.getChildren(shop);
      const messages = children.flatMap((c) => (c.kind === 'message' ? [c.text] : []));
      const names = containerNames(children);
      // Either the other containers are listed with the broken one flagged, or one message names the file.
      assert.ok(names.includes('orders') || messages.some((m) => /products\.yaml/.test(m)), `children: ${JSON.stringify(children.map((c) => (c.kind === 'message' ? c.text : c.kind === 'container' ? c.item.name : c.kind)))}`);
      assert.deepEqual(filesUnder('snapshots'), before, 'browsing writes nothing');
    } finally {
      fs.writeFileSync(file, committed);
    }
  });
});
