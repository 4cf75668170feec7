import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCac } from '../helpers/builtCli';
import { removeCatalog, snapshotFiles, sqliteCatalog, sync } from '../helpers/syncFixtures';

const TABLES = 'CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT NOT NULL, placed_at DATETIME NOT NULL, updated_at DATETIME NOT NULL); CREATE TABLE items (id INTEGER PRIMARY KEY, sku TEXT);';
const OVERRIDES = [
  '# People choose; the sync keeps their choices.',
  'kind: Overrides',
  'datastore: shop',
  'containers:',
  '  # orders are special',
  '  orders:',
  '    partition_identifier: placed_at   # by day',
  '---',
  '# a schedule in the same file',
  'kind: Schedule',
  'name: nightly',
  'datastore: shop',
  'daily: { every: 1, at: "02:00" }',
  '',
].join('\n');

describe('identifier overrides edited outside a text editor (cac override set|unset)', () => {
  let root: string;
  beforeEach(async () => {
    root = sqliteCatalog(TABLES, { 'overrides/shop.yaml': OVERRIDES });
    assert.equal((await sync(root, 'shop')).result, 'success');
  });
  afterEach(() => removeCatalog(root));
  const file = (): string => fs.readFileSync(path.join(root, 'overrides', 'shop.yaml'), 'utf8');

  it('sets an identifier in the file that holds the container, keeping comments, order and the other documents', async () => {
    const set = runCac(['override', 'set', 'shop', 'orders', '--incremental', 'updated_at', '--root', root]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(file(), OVERRIDES.replace('    partition_identifier: placed_at   # by day\n', '    partition_identifier: placed_at # by day\n    incremental_identifier: updated_at\n'));
    assert.equal(runCac(['override', 'set', 'shop', 'items', '--partition', 'none', '--root', root]).code, 0);
    assert.match(file(), /\n {2}items:\n {4}partition_identifier: null\n---\n# a schedule in the same file\n/);
    // What was written is what the sync applies.
    await sync(root, 'shop');
    assert.match(snapshotFiles(root, 'shop').get('orders.yaml')!, /incremental_identifier:\n {2}field: updated_at\n {2}strategy: last_modified\n {2}source: override/);
  });

  it('refuses a field the sync would not accept, and says why', () => {
    const wrong = runCac(['override', 'set', 'shop', 'orders', '--incremental', 'status', '--root', root]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /Field 'status' of 'orders' has type TEXT; an incremental identifier must be a date\/timestamp or a number/);
    assert.equal(file(), OVERRIDES, 'nothing written');
  });

  it('drops an override (detection decides again), and the container when nothing is left', () => {
    assert.equal(runCac(['override', 'unset', 'shop', 'orders', '--root', root]).code, 0);
    assert.equal(file(), OVERRIDES.replace('  # orders are special\n  orders:\n    partition_identifier: placed_at   # by day\n', '').replace('containers:\n', 'containers: {}\n'));
  });

  it('creates the datastore\'s Overrides file when there is none', () => {
    fs.rmSync(path.join(root, 'overrides', 'shop.yaml'));
    assert.equal(runCac(['override', 'set', 'shop', 'orders', '--incremental', 'id', '--root', root]).stdout, `Created ${path.join(root, 'overrides', 'shop.yaml')}.\n`);
    assert.equal(file(), 'kind: Overrides\ndatastore: shop\ncontainers:\n  orders:\n    incremental_identifier: id\n');
  });
});
