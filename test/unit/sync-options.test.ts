import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkOverridesAgainstSnapshots, loadWorkspace } from '../../server/src/core';
import { readStampedText } from '../../server/src/core/fs/readFiles';
import { changeOf, makeCatalog, removeCatalog, snapshotFiles, snapshotNames, sqlite, sqliteCatalog, sync, writeFile } from '../helpers/syncFixtures';

const SCHEMA = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL, updated_at DATETIME NOT NULL);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, placed_at DATETIME NOT NULL, updated_at DATETIME, amount NUMERIC(10,2));
  CREATE TABLE legacy (code TEXT PRIMARY KEY, label TEXT);
  CREATE VIEW big_orders AS SELECT id, amount FROM orders WHERE amount > 100;
`;

describe('sync options on a real SQLite source', () => {
  let root: string;
  const db = (): string => path.join(root, 'shop.sqlite');
  beforeEach(() => {
    root = sqliteCatalog(SCHEMA);
  });
  afterEach(() => removeCatalog(root));

  it('writes one snapshot per container plus an index on the first sync', async () => {
    const outcome = await sync(root, 'shop');
    assert.equal(outcome.result, 'success');
    assert.deepEqual(snapshotNames(root, 'shop'), ['big_orders', 'customers', 'legacy', 'orders']);
    assert.ok(snapshotFiles(root, 'shop').has('_index.yaml'));
    assert.equal(outcome.changed, true);
  });

  it('keeps a removed container\'s snapshot and marks it missing when prune is off', async () => {
    await sync(root, 'shop');
    sqlite(db(), 'DROP TABLE legacy;');
    const outcome = await sync(root, 'shop', { prune: false });
    assert.equal(changeOf(outcome, 'legacy'), 'missing');
    assert.ok(snapshotNames(root, 'shop').includes('legacy'));
    assert.match(snapshotFiles(root, 'shop').get('_index.yaml')!, /name: legacy\n {4}file: legacy\.yaml\n {4}kind: table\n {4}missing_from_source: true/);
  });

  it('deletes a removed container\'s snapshot when prune is on', async () => {
    await sync(root, 'shop');
    sqlite(db(), 'DROP TABLE legacy;');
    const outcome = await sync(root, 'shop', { prune: true });
    assert.equal(changeOf(outcome, 'legacy'), 'pruned');
    assert.ok(!snapshotNames(root, 'shop').includes('legacy'));
    assert.doesNotMatch(snapshotFiles(root, 'shop').get('_index.yaml')!, /legacy/);
  });

  it('clears the missing mark when a container comes back', async () => {
    await sync(root, 'shop');
    sqlite(db(), 'DROP TABLE legacy;');
    await sync(root, 'shop');
    sqlite(db(), 'CREATE TABLE legacy (code TEXT PRIMARY KEY, label TEXT);');
    const outcome = await sync(root, 'shop');
    assert.equal(changeOf(outcome, 'legacy'), 'unchanged');
    assert.doesNotMatch(snapshotFiles(root, 'shop').get('_index.yaml')!, /missing_from_source/);
  });

  it('refuses a prune that would delete more than the prune limit unless forced', async () => {
    await sync(root, 'shop');
    sqlite(db(), 'DROP VIEW big_orders; DROP TABLE orders; DROP TABLE legacy;');
    const refused = await sync(root, 'shop', { prune: true });
    assert.equal(refused.result, 'warning');
    assert.ok(refused.logs.some((l) => l.code === 'prune-refused'));
    assert.deepEqual(snapshotNames(root, 'shop'), ['big_orders', 'customers', 'legacy', 'orders']);
    const forced = await sync(root, 'shop', { prune: true, forcePrune: true });
    assert.equal(changeOf(forced, 'orders'), 'pruned');
    assert.deepEqual(snapshotNames(root, 'shop'), ['customers']);
  });

  it('never prunes containers outside the sync\'s include', async () => {
    await sync(root, 'shop');
    sqlite(db(), 'DROP VIEW big_orders;');
    const tablesOnly = await sync(root, 'shop', { prune: true, include: ['table'] });
    assert.equal(changeOf(tablesOnly, 'big_orders'), undefined);
    assert.ok(snapshotNames(root, 'shop').includes('big_orders'));
    const views = await sync(root, 'shop', { prune: true, include: ['view'] });
    assert.equal(changeOf(views, 'big_orders'), 'pruned');
  });

  it('limits a sync to tables or to views with include, in both directions', async () => {
    const tables = await sync(root, 'shop', { include: ['table'] });
    assert.deepEqual(snapshotNames(root, 'shop'), ['customers', 'legacy', 'orders']);
    assert.equal(changeOf(tables, 'big_orders'), undefined);
    const views = await sync(root, 'shop', { include: ['view'] });
    assert.equal(changeOf(views, 'big_orders'), 'new');
    assert.equal(changeOf(views, 'customers'), undefined);
    assert.deepEqual(snapshotNames(root, 'shop'), ['big_orders', 'customers', 'legacy', 'orders']);
  });

  it('keeps a container removed from the catalog out of later syncs unless recreate is on', async () => {
    await sync(root, 'shop');
    fs.unlinkSync(path.join(root, 'snapshots', 'shop', 'legacy.yaml'));
    const recorded = await sync(root, 'shop');
    assert.equal(changeOf(recorded, 'legacy'), 'removed');
    // The removal keeps the container's kind, in the plan and in the index (it was once recorded as null).
    assert.deepEqual(recorded.plan!.changes.find((c) => c.name === 'legacy'), { action: 'removed', name: 'legacy', kind: 'table' });
    assert.match(snapshotFiles(root, 'shop').get('_index.yaml')!, /removed:\n {2}- name: legacy\n {4}kind: table\n/);
    assert.match(snapshotFiles(root, 'shop').get('_index.yaml')!, /removed:\n {2}- name: legacy\n/);
    assert.ok(!snapshotNames(root, 'shop').includes('legacy'));

    const skipped = await sync(root, 'shop', { recreate: false });
    assert.equal(changeOf(skipped, 'legacy'), 'still_removed');
    assert.equal(skipped.changed, false);
    assert.ok(!snapshotNames(root, 'shop').includes('legacy'));

    const recreated = await sync(root, 'shop', { recreate: true });
    assert.equal(changeOf(recreated, 'legacy'), 'recreated');
    assert.ok(snapshotNames(root, 'shop').includes('legacy'));
    assert.match(snapshotFiles(root, 'shop').get('_index.yaml')!, /removed: \[\]/);
  });

  it('reports field additions, removals and type changes of a changed container', async () => {
    await sync(root, 'shop');
    sqlite(db(), 'ALTER TABLE customers ADD COLUMN phone TEXT; ALTER TABLE legacy DROP COLUMN label;');
    const outcome = await sync(root, 'shop');
    const customers = outcome.plan!.changes.find((c) => c.name === 'customers');
    assert.equal(customers?.action, 'changed');
    assert.deepEqual(customers?.action === 'changed' ? customers.details.map((d) => [d.change, d.field, d.breaking]) : [], [['field_added', 'phone', false]]);
    const legacy = outcome.plan!.changes.find((c) => c.name === 'legacy');
    assert.deepEqual(legacy?.action === 'changed' ? legacy.details.map((d) => [d.change, d.field, d.breaking]) : [], [['field_removed', 'label', true]]);
  });

  it('leaves every file byte-identical and reports no change on a resync', async () => {
    await sync(root, 'shop');
    const before = snapshotFiles(root, 'shop');
    const stats = [...before.keys()].map((f) => fs.statSync(path.join(root, 'snapshots', 'shop', f)).mtimeMs);
    const outcome = await sync(root, 'shop');
    assert.equal(outcome.changed, false);
    assert.deepEqual(snapshotFiles(root, 'shop'), before);
    assert.deepEqual([...before.keys()].map((f) => fs.statSync(path.join(root, 'snapshots', 'shop', f)).mtimeMs), stats);
  });

  it('computes the same changes in a dry run but writes nothing, not even history', async () => {
    await sync(root, 'shop');
    sqlite(db(), 'DROP TABLE legacy; CREATE TABLE fresh (id INTEGER PRIMARY KEY);');
    const before = snapshotFiles(root, 'shop');
    const operations = fs.readdirSync(path.join(root, '.cac', 'operations')).length;
    const dry = await sync(root, 'shop', { prune: true }, { dryRun: true });
    assert.equal(dry.changed, true);
    assert.equal(changeOf(dry, 'fresh'), 'new');
    assert.equal(changeOf(dry, 'legacy'), 'pruned');
    assert.equal(dry.operationId, undefined);
    assert.deepEqual(snapshotFiles(root, 'shop'), before);
    assert.equal(fs.readdirSync(path.join(root, '.cac', 'operations')).length, operations);
    const real = await sync(root, 'shop', { prune: true });
    assert.deepEqual(real.plan!.changes, dry.plan!.changes);
  });
});

describe('identifier overrides', () => {
  let root: string;
  afterEach(() => removeCatalog(root));

  it('wins over detection and survives re-syncs', async () => {
    root = sqliteCatalog(SCHEMA, {
      'overrides/shop.yaml': 'kind: Overrides\ndatastore: shop\ncontainers:\n  orders:\n    incremental_identifier: placed_at\n    partition_identifier: customer_id\n',
    });
    await sync(root, 'shop');
    const orders = snapshotFiles(root, 'shop').get('orders.yaml')!;
    assert.match(orders, /incremental_identifier:\n {2}field: placed_at\n {2}strategy: last_modified\n {2}source: override/);
    assert.match(orders, /partition_identifier:\n {2}field: customer_id\n {2}fields:\n {4}- customer_id\n {2}strategy: order_by\n {2}source: override/);
    sqlite(path.join(root, 'shop.sqlite'), 'ALTER TABLE orders ADD COLUMN note TEXT;');
    await sync(root, 'shop');
    assert.match(snapshotFiles(root, 'shop').get('orders.yaml')!, /field: placed_at\n {2}strategy: last_modified\n {2}source: override/);
  });

  it('is detected otherwise: updated_at as incremental, a NOT NULL timestamp as partition', async () => {
    root = sqliteCatalog(SCHEMA);
    await sync(root, 'shop');
    const customers = snapshotFiles(root, 'shop').get('customers.yaml')!;
    assert.match(customers, /incremental_identifier:\n {2}field: updated_at\n {2}strategy: last_modified\n {2}source: detected/);
    assert.match(customers, /partition_identifier:\n {2}field: updated_at\n {2}strategy: datetime\n {2}source: detected/);
    const legacy = snapshotFiles(root, 'shop').get('legacy.yaml')!;
    assert.match(legacy, /incremental_identifier:\n {2}field: null\n {2}strategy: none/);
    assert.match(legacy, /partition_identifier:\n {2}field: code\n {2}fields:\n {4}- code\n {2}strategy: order_by/);
  });

  it('naming a missing field is a warning of validate and of the sync, which falls back to detection', async () => {
    root = sqliteCatalog(SCHEMA, {
      'overrides/shop.yaml': 'kind: Overrides\ndatastore: shop\ncontainers:\n  orders:\n    incremental_identifier: modified\n',
    });
    const first = await sync(root, 'shop');
    assert.equal(first.result, 'warning');
    const log = first.logs.find((l) => l.code === 'unknown-field');
    assert.equal(log?.container, 'orders');
    assert.match(snapshotFiles(root, 'shop').get('orders.yaml')!, /field: updated_at\n {2}strategy: last_modified\n {2}source: detected/);
    const problems = checkOverridesAgainstSnapshots(loadWorkspace(root));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.code, 'unknown-field');
    assert.equal(problems[0]!.severity, 'warning');
    assert.equal(problems[0]!.file, path.join(root, 'overrides', 'shop.yaml'));
    assert.deepEqual(problems[0]!.range.start, { line: 4, character: 28 });
  });

  it('rejects an incremental identifier whose type cannot grow', async () => {
    root = sqliteCatalog(SCHEMA, {
      'overrides/shop.yaml': 'kind: Overrides\ndatastore: shop\ncontainers:\n  customers:\n    incremental_identifier: email\n',
    });
    const outcome = await sync(root, 'shop');
    assert.ok(outcome.logs.some((l) => l.code === 'identifier-type-mismatch' && l.container === 'customers'));
    assert.deepEqual(checkOverridesAgainstSnapshots(loadWorkspace(root)).map((p) => p.code), ['identifier-type-mismatch']);
  });

  it('rejects a partition identifier whose type cannot order ranges, such as a boolean', async () => {
    root = sqliteCatalog(`${SCHEMA} CREATE TABLE flags (id INTEGER PRIMARY KEY, is_paid BOOLEAN NOT NULL);`, {
      'overrides/shop.yaml': 'kind: Overrides\ndatastore: shop\ncontainers:\n  flags:\n    partition_identifier: is_paid\n',
    });
    const outcome = await sync(root, 'shop');
    assert.ok(outcome.logs.some((l) => l.code === 'identifier-type-mismatch' && l.container === 'flags'), JSON.stringify(outcome.logs));
    assert.match(snapshotFiles(root, 'shop').get('flags.yaml')!, /partition_identifier:\n {2}field: id\n {2}fields:\n {4}- id\n {2}strategy: order_by\n {2}source: detected/);
    const problems = checkOverridesAgainstSnapshots(loadWorkspace(root));
    assert.deepEqual(problems.map((p) => [p.code, p.severity]), [['identifier-type-mismatch', 'error']]);
  });

  it('warns about an override for a container the datastore does not have', async () => {
    root = sqliteCatalog(SCHEMA, {
      'overrides/shop.yaml': 'kind: Overrides\ndatastore: shop\ncontainers:\n  ordres:\n    incremental_identifier: updated_at\n',
    });
    const outcome = await sync(root, 'shop');
    assert.ok(outcome.logs.some((l) => l.code === 'unknown-container' && l.container === 'ordres'));
    const problems = checkOverridesAgainstSnapshots(loadWorkspace(root));
    assert.deepEqual(problems.map((p) => [p.code, p.suggestions]), [['unknown-container', ['orders']]]);
  });
});

describe('snapshot folder safety', () => {
  let root: string;
  afterEach(() => removeCatalog(root));

  it('gives hostile and colliding container names each their own file inside the snapshot folder', async () => {
    // SQLite compares table names case-insensitively, so `Users` beside `users` is covered by the DFS and unit tests.
    const names = ['../../x', 'a/b', 'CON', 'con.txt', 'users', 'USERS~x', 'x'.repeat(300), '🚀 launches', '.hidden', 'trailing. ', '_index', 'a%2Fb', 'back\\slash'];
    root = sqliteCatalog(names.map((n, i) => `CREATE TABLE "${n.replace(/"/g, '""')}" (id INTEGER PRIMARY KEY, v${i} TEXT);`).join('\n'));
    const outcome = await sync(root, 'shop');
    assert.equal(outcome.result, 'success');
    const dir = path.join(root, 'snapshots', 'shop');
    const files = fs.readdirSync(dir).filter((f) => f !== '_index.yaml');
    assert.equal(files.length, names.length);
    assert.equal(new Set(files.map((f) => f.toLowerCase())).size, names.length, 'no two files differ only by case');
    for (const file of files) {
      assert.equal(path.dirname(fs.realpathSync(path.join(dir, file))), fs.realpathSync(dir));
      assert.ok(Buffer.byteLength(file) <= 200, `${file} is short enough`);
      assert.ok(!file.startsWith('.'));
    }
    assert.deepEqual(snapshotNames(root, 'shop'), [...names].sort());
    assert.equal(fs.readdirSync(root).filter((f) => f === 'x').length, 0);
    const second = await sync(root, 'shop', {}, {});
    assert.equal(second.changed, false);
  });

  it('refuses to write through a symlinked snapshot folder', async () => {
    root = sqliteCatalog(SCHEMA);
    const elsewhere = fs.mkdtempSync(path.join(path.dirname(root), 'cac-elsewhere-'));
    fs.mkdirSync(path.join(root, 'snapshots'));
    fs.symlinkSync(elsewhere, path.join(root, 'snapshots', 'shop'));
    const outcome = await sync(root, 'shop');
    assert.equal(outcome.result, 'failure');
    assert.match(outcome.message!, /symbolic link/);
    assert.deepEqual(fs.readdirSync(elsewhere), []);
    fs.rmSync(elsewhere, { recursive: true });
  });

  it('adopts a snapshot file the index does not list instead of losing it', async () => {
    root = sqliteCatalog(SCHEMA);
    await sync(root, 'shop');
    const index = path.join(root, 'snapshots', 'shop', '_index.yaml');
    fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replace(/ {2}- name: orders\n {4}file: orders.yaml\n {4}kind: table\n/, ''));
    const outcome = await sync(root, 'shop');
    assert.equal(changeOf(outcome, 'orders'), 'unchanged');
    assert.match(fs.readFileSync(index, 'utf8'), /name: orders/);
  });

  it('ignores an unparseable file in the snapshot folder and says so', async () => {
    root = sqliteCatalog(SCHEMA);
    await sync(root, 'shop');
    writeFile(root, 'snapshots/shop/notes.yaml', 'just: [a, note');
    const outcome = await sync(root, 'shop');
    assert.ok(outcome.logs.some((l) => l.code === 'invalid-snapshot' && l.file === path.join('shop', 'notes.yaml')));
    assert.ok(fs.existsSync(path.join(root, 'snapshots', 'shop', 'notes.yaml')));
  });

  it('removes the temp files a killed sync left, but only when it writes (a dry run leaves them)', async () => {
    root = sqliteCatalog(SCHEMA);
    await sync(root, 'shop');
    const dir = path.join(root, 'snapshots', 'shop');
    const leftover = path.join(dir, '.orders.yaml.0123456789abz.tmp');
    fs.writeFileSync(leftover, 'half a snap');
    sqlite(path.join(root, 'shop.sqlite'), 'ALTER TABLE legacy ADD COLUMN note TEXT');
    await sync(root, 'shop', {}, { dryRun: true });
    assert.ok(fs.existsSync(leftover), 'a dry run writes nothing, deletes nothing');
    assert.equal(changeOf(await sync(root, 'shop'), 'legacy'), 'changed');
    assert.ok(!fs.existsSync(leftover));
  });

  it('reads a snapshot in one open that follows no link and never blocks on a planted FIFO', function () {
    if (process.platform === 'win32') this.skip();
    root = makeCatalog({ 'snapshots/shop/a.yaml': 'name: a\n', 'outside.yaml': 'secret: 1\n' });
    const dir = path.join(root, 'snapshots', 'shop');
    const read = readStampedText(path.join(dir, 'a.yaml'))!;
    const stat = fs.lstatSync(path.join(dir, 'a.yaml'));
    assert.deepEqual(read, { text: 'name: a\n', stamp: [stat.size, stat.mtimeMs, stat.ino] });
    fs.symlinkSync(path.join(root, 'outside.yaml'), path.join(dir, 'link.yaml'));
    assert.equal(readStampedText(path.join(dir, 'link.yaml')), undefined);
    execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
    assert.equal(readStampedText(path.join(dir, 'pipe.yaml')), undefined);
    assert.equal(readStampedText(path.join(dir, 'missing.yaml')), undefined);
  });
});
