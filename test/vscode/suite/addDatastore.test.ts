import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parse } from 'yaml';
import { ListDatastoreTypesRequest } from '../../../server/src/protocol/catalogProtocol';
import { catalogApi, datastoreNode, removeWorkspaceFile } from './catalogApi';
import { workspaceFile } from './helpers';

describe('adding a datastore and testing connections', function () {
  this.timeout(60_000);

  it('offers every datastore type with the settings it needs, secrets marked', async () => {
    const api = await catalogApi();
    const { items } = await api.server.request(ListDatastoreTypesRequest.type, {});
    const postgres = items.find((t) => t.type === 'postgresql');
    assert.ok(postgres, `types: ${items.map((t) => t.type).join(', ')}`);
    assert.ok(postgres.settings.some((s) => s.path.join('.') === 'connection.password' && s.secret));
    assert.ok(items.some((t) => t.type === 'dfs' && t.storeType === 'dfs'));
  });

  it('tests a definition read-only, writes it where the project keeps datastores, and lists it', async () => {
    const api = await catalogApi();
    const uri = await api.setup.add(undefined, { name: 'exports', type: 'dfs', settings: { root: '../data/landing' } });
    assert.equal(uri?.fsPath, workspaceFile('datastores/exports.yaml'));
    const written = parse(fs.readFileSync(uri.fsPath, 'utf8')) as Record<string, unknown>;
    assert.deepEqual([written.kind, written.name, written.type, written.root], ['Datastore', 'exports', 'dfs', '../data/landing']);
    const node = await datastoreNode(api, 'exports');
    assert.equal(node.item.containers, 0, 'not synced yet');
    removeWorkspaceFile('datastores/exports.yaml');
  });

  it('refuses a literal password: secrets are written only as ${env:…} references', async () => {
    const api = await catalogApi();
    const uri = await api.setup.add(undefined, { name: 'leaky', type: 'postgresql', settings: { 'connection.host': '127.0.0.1', 'connection.database': 'test', 'connection.user': 'postgres', 'connection.password': 'hunter2' } });
    assert.equal(uri, undefined);
    assert.ok(!fs.existsSync(workspaceFile('datastores/leaky.yaml')));
  });

  it('tests the connection of a datastore node', async () => {
    const api = await catalogApi();
    const result = await api.setup.testDatastore(await datastoreNode(api, 'shop_db'));
    assert.equal(result?.ok, true, result?.message);
    assert.match(result.message, /SQLite/i);
  });
});
