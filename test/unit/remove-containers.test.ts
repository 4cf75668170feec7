import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OperationStore, loadWorkspace, removeContainers, type SyncOutcome } from '../../server/src/core';
import { runCac } from '../helpers/builtCli';
import { changeOf, removeCatalog, snapshotNames, sqliteCatalog, sync } from '../helpers/syncFixtures';

const TABLES = 'CREATE TABLE orders (id INTEGER PRIMARY KEY, updated_at DATETIME NOT NULL); CREATE TABLE customers (id INTEGER PRIMARY KEY); CREATE VIEW recent AS SELECT id FROM orders;';

describe('removing containers from the catalog (cac remove)', () => {
  let root: string;
  beforeEach(async () => {
    root = sqliteCatalog(TABLES);
    assert.equal((await sync(root, 'shop')).result, 'success');
  });
  afterEach(() => removeCatalog(root));

  const remove = async (names: string[], dryRun = false): Promise<SyncOutcome> => {
    const workspace = loadWorkspace(root);
    const datastore = workspace.datastores.find((d) => d.name === 'shop')!;
    return removeContainers({ workspace, datastore, names, dryRun, history: new OperationStore(path.join(root, '.cac')), triggeredBy: 'ada@example.com' });
  };
  const index = (): string => fs.readFileSync(path.join(root, 'snapshots', 'shop', '_index.yaml'), 'utf8');

  it('deletes the snapshot, keeps name and kind as removed, and records the removal with its kind', async () => {
    const outcome = await remove(['recent']);
    assert.equal(outcome.result, 'success', outcome.message ?? '');
    assert.deepEqual(snapshotNames(root, 'shop'), ['customers', 'orders']);
    assert.match(index(), /removed:\n {2}- name: recent\n {4}kind: view\n/);
    const record = new OperationStore(path.join(root, '.cac')).get(outcome.operationId!)!;
    assert.deepEqual(record.changes, [{ name: 'recent', action: 'removed', kind: 'view', details: ['view removed from the catalog (its snapshot file was deleted)'] }]);
    assert.equal(record.triggered_by, 'ada@example.com');
  });

  it('keeps a removed container out of later syncs until one recreates it, which clears the mark', async () => {
    await remove(['customers']);
    const kept = await sync(root, 'shop');
    assert.equal(changeOf(kept, 'customers'), 'still_removed');
    assert.deepEqual(snapshotNames(root, 'shop'), ['orders', 'recent']);
    const back = await sync(root, 'shop', { recreate: true });
    assert.equal(changeOf(back, 'customers'), 'recreated');
    assert.deepEqual(snapshotNames(root, 'shop'), ['customers', 'orders', 'recent']);
    assert.match(index(), /removed: \[\]\n/);
  });

  it('removes nothing when a name is unknown or already removed, and says which', async () => {
    const before = index();
    const typo = await remove(['orders', 'custmers']);
    assert.equal(typo.result, 'failure');
    assert.match(typo.message!, /'shop' has no container 'custmers' in its catalog\. Did you mean 'customers'\?/);
    assert.equal(typo.operationId, undefined, 'a refused removal records nothing');
    assert.equal(index(), before);
    await remove(['orders']);
    const again = await remove(['orders']);
    assert.match(again.message!, /'orders' is already removed/);
  });

  it('writes nothing in a dry run', async () => {
    const before = index();
    const outcome = await remove(['orders'], true);
    assert.equal(outcome.result, 'success');
    assert.deepEqual(outcome.plan?.changes.map((c) => [c.name, c.action]), [['orders', 'removed']]);
    assert.equal(index(), before);
    assert.deepEqual(snapshotNames(root, 'shop'), ['customers', 'orders', 'recent']);
  });

  it('is a CLI command with the same engine behind it', () => {
    const removed = runCac(['remove', 'shop', 'orders', '--root', root]);
    assert.equal(removed.code, 0, removed.stdout + removed.stderr);
    assert.match(removed.stdout, /shop: success · 1 removed/);
    const unknown = runCac(['remove', 'shop', 'nope', '--root', root]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stdout, /has no container 'nope'/);
  });
});
