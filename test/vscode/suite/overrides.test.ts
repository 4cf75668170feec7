import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { parse } from 'yaml';
import { IdentifierChoicesRequest } from '../../../server/src/protocol/catalogProtocol';
import { catalogApi } from './catalogApi';
import { workspaceFile } from './helpers';

describe('identifier overrides from the tree', function () {
  this.timeout(60_000);

  it('sets an incremental identifier in the Overrides file, keeping its comments and entries', async () => {
    const api = await catalogApi();
    const file = workspaceFile('overrides/shop_db.yaml');
    const before = fs.readFileSync(file, 'utf8');
    const choices = await api.server.request(IdentifierChoicesRequest.type, { datastore: 'shop_db', container: 'customers' });
    const field = choices.incremental.candidates[0]?.field;
    assert.ok(field, `customers has a field that can serve: ${JSON.stringify(choices.incremental)}`);
    const uri = await api.identifiers.edit({ datastore: 'shop_db', container: 'customers' }, { incrementalIdentifier: field });
    assert.equal(uri?.fsPath, file);
    const after = fs.readFileSync(file, 'utf8');
    assert.ok(after.startsWith(before.split('\n')[0]), 'the heading comment is kept');
    const parsed = parse(after) as { containers: Record<string, Record<string, string>> };
    assert.equal(parsed.containers.customers.incremental_identifier, field);
    assert.equal(parsed.containers.orders.incremental_identifier, 'updated_at', 'other entries are kept');
    // "automatic" drops the override again.
    await api.identifiers.edit({ datastore: 'shop_db', container: 'customers' }, { incrementalIdentifier: 'automatic' });
    assert.equal((parse(fs.readFileSync(file, 'utf8')) as { containers: Record<string, unknown> }).containers.customers, undefined);
    assert.match(fs.readFileSync(file, 'utf8'), /^# People's choices win/);
  });

  it('creates the Overrides file of a datastore that has none', async () => {
    const api = await catalogApi();
    const file = workspaceFile('overrides/analytics.yaml');
    assert.ok(!fs.existsSync(file));
    const choices = await api.server.request(IdentifierChoicesRequest.type, { datastore: 'analytics', container: 'main.page_views' });
    const field = choices.partition.candidates[0]?.field;
    assert.ok(field, `page_views has a partition candidate: ${JSON.stringify(choices.partition)}`);
    await api.identifiers.edit({ datastore: 'analytics', container: 'main.page_views' }, { partitionIdentifier: field });
    const parsed = parse(fs.readFileSync(file, 'utf8')) as { kind: string; datastore: string; containers: Record<string, Record<string, string>> };
    assert.deepEqual([parsed.kind, parsed.datastore, parsed.containers['main.page_views'].partition_identifier], ['Overrides', 'analytics', field]);
  });
});
