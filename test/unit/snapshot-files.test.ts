import assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { readSnapshot } from '../../server/src/core/snapshots/read';
import { renderIndex, renderSnapshot, scalar } from '../../server/src/core/snapshots/render';
import { INDEX_FILE_NAME, assignSnapshotFiles, encodeSnapshotBase, isSafeSnapshotFileName } from '../../server/src/core/snapshots/fileNames';
import type { ContainerSnapshot } from '../../server/src/core/model';

describe('snapshot file names', () => {
  it('gives names that differ only by case different files, deterministically', () => {
    const files = assignSnapshotFiles(['users', 'Users', 'USERS'], new Map());
    assert.equal(files.get('USERS'), 'USERS.yaml');
    assert.match(files.get('Users')!, /^Users~[0-9a-f]{8}\.yaml$/);
    assert.match(files.get('users')!, /^users~[0-9a-f]{8}\.yaml$/);
    assert.deepEqual(assignSnapshotFiles(['USERS', 'users', 'Users'], new Map()), files);
  });

  it('keeps the file a container already has when a colliding name appears later', () => {
    const files = assignSnapshotFiles(['users', 'Users'], new Map([['users', 'users.yaml']]));
    assert.equal(files.get('users'), 'users.yaml');
    assert.match(files.get('Users')!, /^Users~[0-9a-f]{8}\.yaml$/);
  });

  it('encodes separators, traversal, reserved device names and the index name', () => {
    assert.equal(encodeSnapshotBase('../../x'), '%2E.%2F..%2Fx');
    assert.equal(encodeSnapshotBase('a/b'), 'a%2Fb');
    assert.equal(encodeSnapshotBase('a%2Fb'), 'a%252Fb');
    assert.match(encodeSnapshotBase('CON'), /^CON~[0-9a-f]{8}$/);
    assert.match(encodeSnapshotBase('lpt1.txt'), /^lpt1~[0-9a-f]{8}\.txt$/, 'Windows reserves lpt1 whatever the extension: the hash goes into the stem');
    assert.match(encodeSnapshotBase('_index'), /^_index~[0-9a-f]{8}$/);
    assert.equal(encodeSnapshotBase('trailing. '), 'trailing.%20');
    assert.equal(encodeSnapshotBase('🚀 launches'), '🚀 launches');
    const long = encodeSnapshotBase('x'.repeat(300));
    assert.ok(Buffer.byteLength(long) <= 120);
    assert.notEqual(encodeSnapshotBase('x'.repeat(300)), encodeSnapshotBase('x'.repeat(301)));
  });

  it('maps any set of names to distinct, safe files inside the folder (property)', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 300 }), { maxLength: 12 }), (names) => {
      const files = assignSnapshotFiles(names, new Map());
      const values = [...files.values()];
      assert.equal(new Set(values.map((f) => f.toLowerCase())).size, names.length);
      for (const file of values) {
        assert.ok(isSafeSnapshotFileName(file), file);
        assert.notEqual(file, INDEX_FILE_NAME);
        assert.equal(path.posix.basename(file), file);
        assert.equal(path.win32.basename(file), file);
        assert.ok(Buffer.byteLength(file) < 255);
      }
    }), { numRuns: 300 });
  });

  it('mirrors a file store\'s folders and writes a wildcard as a word', () => {
    const names = ['orders/orders_*.csv', 'clickstream/year=*/month=*/*.parquet', 'inventory.parquet', 'a.yaml/b.csv', '../up/x.csv', 'CON/aux.csv', 'x//y.csv'];
    const files = assignSnapshotFiles(names, new Map(), () => true);
    assert.deepEqual(Object.fromEntries(files), {
      'orders/orders_*.csv': 'orders/orders_(any).csv.yaml',
      'clickstream/year=*/month=*/*.parquet': 'clickstream/year=(any)/month=(any)/(any).parquet.yaml',
      'inventory.parquet': 'inventory.parquet.yaml',
      // A folder never looks like a snapshot file; traversal, device and empty names are encoded.
      'a.yaml/b.csv': 'a%2Eyaml/b.csv.yaml',
      '../up/x.csv': '%2E%2E/up/x.csv.yaml',
      'CON/aux.csv': `${encodeSnapshotBase('CON')}/${encodeSnapshotBase('aux.csv')}.yaml`,
      'x//y.csv': 'x/%00/y.csv.yaml',
    });
    for (const file of files.values()) assert.ok(isSafeSnapshotFileName(file), file);
    // Database containers stay one file each, whatever their names hold.
    assert.equal(assignSnapshotFiles(['a/b'], new Map()).get('a/b'), 'a%2Fb.yaml');
  });

  it('moves a container named by the older flat scheme to its new path once, and keeps the new one', () => {
    const moved = assignSnapshotFiles(['orders/orders_*.csv'], new Map([['orders/orders_*.csv', 'orders%2Forders_%2A.csv.yaml']]), () => true);
    assert.equal(moved.get('orders/orders_*.csv'), 'orders/orders_(any).csv.yaml');
    const kept = assignSnapshotFiles(['orders/orders_*.csv'], new Map([['orders/orders_*.csv', 'orders/orders_(any).csv~0a1b2c3d.yaml']]), () => true);
    assert.equal(kept.get('orders/orders_*.csv'), 'orders/orders_(any).csv~0a1b2c3d.yaml', 'a collision suffix is kept');
  });

  it('maps any set of nested names to distinct, safe paths that stay inside the folder (property)', () => {
    const segment = fc.oneof(fc.constantFrom('..', '.', '', '*', 'CON', 'a.yaml', '_index', 'Data', 'data'), fc.string({ unit: 'binary', maxLength: 40 }));
    const name = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/'));
    fc.assert(fc.property(fc.uniqueArray(name, { maxLength: 12 }), (names) => {
      const files = [...assignSnapshotFiles(names, new Map(), () => true).values()];
      assert.equal(new Set(files.map((f) => f.toLowerCase())).size, names.length);
      for (const file of files) {
        assert.ok(isSafeSnapshotFileName(file), file);
        assert.notEqual(file, INDEX_FILE_NAME);
        assert.ok(!path.posix.normalize(file).startsWith('..') && !path.win32.normalize(file).startsWith('..'), file);
        assert.ok(file.split('/').every((part) => part !== '' && part !== '.' && part !== '..'), file);
        assert.ok(Buffer.byteLength(file) < 400);
      }
    }), { numRuns: 300 });
  });
});

describe('snapshot rendering', () => {
  const snapshot: ContainerSnapshot = {
    name: 'public.orders', kind: 'table', schema: 'public', comment: 'Orders: one row per checkout #1',
    fields: [
      { name: 'id', type: 'bigint', nullable: false, primary_key: 1, auto_increment: true },
      { name: 'yes', type: 'character varying(160)', nullable: true, default: "'n/a'::character varying", comment: 'null' },
    ],
    incremental_identifier: { field: null, strategy: 'none', source: 'detected' },
    partition_identifier: { field: 'id', fields: ['id'], strategy: 'order_by', source: 'detected' },
  };

  it('renders a fixed key order with LF and a trailing newline, and parses back to the same snapshot', () => {
    const text = renderSnapshot(snapshot);
    assert.ok(text.endsWith('\n') && !text.includes('\r'));
    assert.deepEqual(readSnapshot(text), { ok: true, value: snapshot });
    assert.match(text, /^name: public\.orders\nkind: table\nschema: public\n/m);
  });

  it('quotes every string a YAML reader would take for something else', () => {
    for (const value of ['yes', 'No', 'null', '~', 'true', '1e3', '0x1F', '2024-01-01', '', ' lead', 'trail ', 'a: b', 'a #c', '- x', '[x]', '{x}', '*x', '&x', '!x', '%x', '@x', '`x', '"x', "'x", '|', '>', '?x']) {
      assert.equal(parse(`v: ${scalar(value)}`).v, value, `round-trips ${JSON.stringify(value)}`);
    }
    assert.equal(scalar('character varying(160)'), 'character varying(160)');
  });

  it('round-trips any string through a scalar (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (value) => {
      assert.equal(parse(`v: ${scalar(value)}\n`).v, value);
    }), { numRuns: 2000 });
  });

  it('renders the index sorted input as given, with empty lists inline', () => {
    assert.equal(renderIndex({ datastore: 'shop', containers: [], removed: [] }),
      "# Written by `cac sync`: the containers this datastore's catalog knows, and those removed from it.\ndatastore: shop\ncontainers: []\nremoved: []\n");
  });
});
