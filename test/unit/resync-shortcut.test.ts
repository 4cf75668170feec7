import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SyncOutcome } from '../../server/src/core';
import { removeCatalog, snapshotFiles, sqlite, sqliteCatalog, sync, writeFile } from '../helpers/syncFixtures';

const SCHEMA = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL, updated_at DATETIME NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, placed_at DATETIME NOT NULL, amount NUMERIC(10,2));
  CREATE VIEW big_orders AS SELECT id, amount FROM orders WHERE amount > 100;
`;

/** What a person reads from a sync: everything but timing and the shortcut flag itself. */
function visible(outcome: SyncOutcome): unknown {
  return { result: outcome.result, changed: outcome.changed, changes: outcome.plan?.changes, logs: outcome.logs };
}

describe('no-change resync shortcut (resyncShortcut.ts)', () => {
  let root: string;
  const db = (): string => path.join(root, 'shop.sqlite');
  beforeEach(() => {
    root = sqliteCatalog(SCHEMA);
  });
  afterEach(() => removeCatalog(root));

  it('replays a recorded result only when the source signature is unchanged, and reports the same as a full sync', async () => {
    const first = await sync(root, 'shop');
    assert.equal(first.replayed, false);
    const files = snapshotFiles(root, 'shop');
    fs.rmSync(path.join(root, '.cac', 'cache'), { recursive: true, force: true });
    const full = await sync(root, 'shop');
    assert.equal(full.replayed, false, 'without a record the sync describes the source');
    const replayed = await sync(root, 'shop');
    assert.equal(replayed.replayed, true);
    assert.deepEqual(visible(replayed), visible(full));
    assert.deepEqual(snapshotFiles(root, 'shop'), files);
  });

  it('replays right after a sync that wrote snapshots', async () => {
    await sync(root, 'shop');
    const second = await sync(root, 'shop');
    assert.equal(second.replayed, true);
    assert.equal(second.changed, false);
  });

  it('replays containers kept as missing and removed ones that are skipped, with their warnings', async () => {
    await sync(root, 'shop');
    sqlite(db(), 'DROP VIEW big_orders;');
    fs.rmSync(path.join(root, 'snapshots', 'shop', 'orders.yaml'));
    writeFile(root, 'overrides/shop.yaml', 'kind: Overrides\ndatastore: shop\ncontainers:\n  nope:\n    incremental_identifier: x\n');
    await sync(root, 'shop', { prune: false });
    fs.rmSync(path.join(root, '.cac', 'cache'), { recursive: true, force: true });
    const full = await sync(root, 'shop', { prune: false });
    const replayed = await sync(root, 'shop', { prune: false });
    assert.equal(full.replayed, false);
    assert.equal(replayed.replayed, true);
    assert.deepEqual(visible(replayed), visible(full));
    const actions = Object.fromEntries(replayed.plan!.changes.map((c) => [c.name, c.action]));
    assert.deepEqual(actions, { big_orders: 'missing', customers: 'unchanged', orders: 'still_removed' });
    assert.equal(replayed.result, 'warning');
  });

  it('takes the full path when a schema changes, even in a rebuilt file with the same schema version', async () => {
    await sync(root, 'shop');
    fs.rmSync(db());
    sqlite(db(), SCHEMA.replace('email TEXT NOT NULL', 'email TEXT'));
    const outcome = await sync(root, 'shop');
    assert.equal(outcome.replayed, false);
    assert.equal(outcome.plan!.changes.find((c) => c.name === 'customers')?.action, 'changed');
  });

  it('takes the full path and restores a snapshot file a person edited', async () => {
    await sync(root, 'shop');
    const file = path.join(root, 'snapshots', 'shop', 'customers.yaml');
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace('email', 'e_mail'));
    const outcome = await sync(root, 'shop');
    assert.equal(outcome.replayed, false);
    assert.equal(fs.readFileSync(file, 'utf8'), original);
  });

  it('takes the full path when overrides or options change', async () => {
    await sync(root, 'shop');
    writeFile(root, 'overrides/shop.yaml', 'kind: Overrides\ndatastore: shop\ncontainers:\n  orders:\n    incremental_identifier: placed_at\n');
    const overridden = await sync(root, 'shop');
    assert.equal(overridden.replayed, false);
    assert.match(fs.readFileSync(path.join(root, 'snapshots', 'shop', 'orders.yaml'), 'utf8'), /field: placed_at[\s\S]*source: override/);
    sqlite(db(), 'DROP TABLE customers;');
    await sync(root, 'shop', { prune: false });
    const pruned = await sync(root, 'shop', { prune: true });
    assert.equal(pruned.replayed, false);
    assert.ok(!fs.existsSync(path.join(root, 'snapshots', 'shop', 'customers.yaml')));
  });

  it('never replays in a dry run that follows a change, and a dry run records nothing', async () => {
    await sync(root, 'shop');
    sqlite(db(), 'CREATE TABLE extra (id INTEGER);');
    const dry = await sync(root, 'shop', {}, { dryRun: true });
    assert.equal(dry.replayed, false);
    assert.equal(dry.changed, true);
    const real = await sync(root, 'shop');
    assert.equal(real.replayed, false);
    assert.equal(real.plan!.changes.find((c) => c.name === 'extra')?.action, 'new');
  });
});
