import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ContainerNode, FieldNode } from '../../../client/src/views/datastoresTree';
import { catalogApi, childrenOf, containerNames, datastoreNode } from './catalogApi';

describe('Catalog views', function () {
  this.timeout(60_000);

  it('lists the shop example\'s datastores with their type, container count and kind of store', async () => {
    const api = await catalogApi();
    assert.equal(api.state, 'ready');
    // Other suites may have added datastores of their own; the example's three come in name order.
    const datastores = (await api.datastores.datastores()).filter((d) => ['analytics', 'landing', 'shop_db'].includes(d.item.name));
    assert.deepEqual(datastores.map((d) => d.item.name), ['analytics', 'landing', 'shop_db']);
    const items = datastores.map((d) => api.datastores.getTreeItem(d));
    assert.deepEqual(items.map((i) => i.contextValue), ['datastore.jdbc', 'datastore.dfs', 'datastore.jdbc']);
    assert.match(String(items[2].description), /^sqlite · \d+ containers$/);
    assert.equal(items[2].collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.equal((items[1].iconPath as vscode.ThemeIcon).id, 'file-submodule');
  });

  it('expands a datastore into its containers with kinds and identifier markers, and a container into its fields', async () => {
    const api = await catalogApi();
    const shop = await datastoreNode(api, 'shop_db');
    const children = await childrenOf(api, shop);
    assert.deepEqual(containerNames(children), ['customer_order_totals', 'customers', 'order_items', 'orders', 'products']);
    const orders = children.find((c): c is ContainerNode => c.kind === 'container' && c.item.name === 'orders')!;
    const item = api.datastores.getTreeItem(orders);
    assert.equal(item.contextValue, 'container.snapshot');
    assert.match(String(item.description), /^table · \d+ fields · ↻ updated_at · ▦ ordered_at$/);
    assert.equal(item.resourceUri?.scheme, 'catalog-snapshot', 'a container row carries its snapshot\'s URI (for the snapshot-change badge)');
    assert.equal(item.resourceUri?.path, vscode.Uri.parse(orders.item.snapshotUri!).path);
    const view = children.find((c) => c.kind === 'container' && c.item.name === 'customer_order_totals')!;
    assert.equal((api.datastores.getTreeItem(view).iconPath as vscode.ThemeIcon).id, 'eye');
    const fields = (await childrenOf(api, orders)) as FieldNode[];
    const updatedAt = fields.find((f) => f.item.name === 'updated_at')!;
    assert.match(String(api.datastores.getTreeItem(updatedAt).description), /incremental identifier/);
    assert.equal((api.datastores.getTreeItem(updatedAt).iconPath as vscode.ThemeIcon).id, 'history');
  });

  it('refreshes one datastore node alone', async () => {
    const api = await catalogApi();
    const shop = await datastoreNode(api, 'shop_db');
    const fired = new Promise<unknown>((resolve) => {
      const listener = api.datastores.onDidChangeTreeData((node) => {
        listener.dispose();
        resolve(node);
      });
    });
    api.datastores.refresh(shop);
    assert.equal(await fired, shop);
  });

  it('opens a container\'s snapshot and reveals an open snapshot in the tree', async () => {
    const api = await catalogApi();
    const shop = await datastoreNode(api, 'shop_db');
    const customers = (await childrenOf(api, shop)).find((c): c is ContainerNode => c.kind === 'container' && c.item.name === 'customers')!;
    await vscode.commands.executeCommand('catalogAsCode.openSnapshot', customers);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor && editor.document.uri.fsPath.endsWith('customers.yaml'), `active editor: ${editor?.document.uri.fsPath}`);
    await vscode.commands.executeCommand('catalogAsCode.revealInCatalog', editor.document.uri);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('lists the schedules with their timing in words and next runs', async () => {
    const api = await catalogApi();
    const schedules = await api.schedules.getChildren();
    const nightly = schedules.find((s) => s.kind === 'schedule' && s.item.name === 'nightly-shop');
    assert.ok(nightly, `schedules: ${JSON.stringify(schedules.map((s) => s.kind === 'schedule' ? s.item.name : s.kind))}`);
    const item = api.schedules.getTreeItem(nightly);
    assert.match(String(item.description), /^shop_db · every .+ · next in \d+ (s|min|h|d)$/);
    const runs = await api.schedules.getChildren(nightly);
    assert.ok(runs.length >= 1 && runs.every((r) => r.kind === 'run'));
  });

  it('gives each operation the context actions of its status', async () => {
    const api = await catalogApi();
    const result = await api.sync.syncNow({ datastore: 'shop_db' });
    assert.equal(result?.result, 'success');
    api.operations.refresh();
    const nodes = await api.operations.getChildren();
    const node = nodes.find((n) => n.kind === 'operation' && n.item.id === result?.operationId);
    assert.ok(node, 'the sync is listed');
    const item = api.operations.getTreeItem(node);
    assert.equal(item.contextValue, 'operation.success');
    assert.match(String(item.label), /^#\d+ shop_db$/);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'pass');
  });
});
