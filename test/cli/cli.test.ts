import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sqlite } from '../helpers/syncFixtures';
import { runCac } from '../helpers/builtCli';

const REPO = path.resolve(__dirname, '..', '..');

function treeDigest(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.set(path.relative(dir, full), createHash('sha256').update(fs.readFileSync(full)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

describe('cac on the shop example', function () {
  this.timeout(120000);
  let root: string;
  before(function () {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-example-'));
    fs.cpSync(path.join(REPO, 'examples', 'shop'), root, {
      recursive: true,
      filter: (src) => !/[/\\](snapshots|\.cac)$/.test(src) && !/\.(sqlite|duckdb|parquet|wal)$/.test(src),
    });
    const setup = spawnSync(process.execPath, [path.join(REPO, 'examples', 'shop', 'setup.mjs'), root], { encoding: 'utf8', cwd: REPO });
    assert.equal(setup.status, 0, setup.stderr);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('prints its version alone before loading the engine, and the same one through the full program', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    for (const args of [['--version'], ['-V'], ['--debug', '--version']]) {
      const result = runCac(args);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${version}\n`, args.join(' '));
    }
  });

  it('validates the example without problems', () => {
    const result = runCac(['validate', '--root', root, '--format', 'json']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as { valid: boolean; datastores: number; problems: unknown[] };
    assert.deepEqual([report.valid, report.datastores, report.problems.length], [true, 3, 0]);
  });

  it('writes one snapshot per container, then a resync changes nothing and exits 0', () => {
    const first = runCac(['sync', '--root', root, '--detailed-exitcode', '--format', 'json']);
    assert.equal(first.code, 2, first.stderr);
    const report = JSON.parse(first.stdout) as { operations: { datastore: string; result: string; summary: { new: number } }[] };
    assert.deepEqual(report.operations.map((o) => [o.datastore, o.result, o.summary.new]), [['analytics', 'success', 4], ['landing', 'success', 7], ['shop_db', 'success', 5]]);
    for (const [datastore, count] of [['analytics', 4], ['landing', 7], ['shop_db', 5]] as const) {
      assert.equal(fs.readdirSync(path.join(root, 'snapshots', datastore)).filter((f) => f !== '_index.yaml').length, count);
    }
    const before = treeDigest(path.join(root, 'snapshots'));
    const second = runCac(['sync', '--root', root, '--detailed-exitcode']);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /shop_db: success · 5 unchanged · no changes, nothing written/);
    assert.deepEqual(treeDigest(path.join(root, 'snapshots')), before);
  });

  it('matches the committed example snapshots byte for byte', () => {
    assert.deepEqual(treeDigest(path.join(root, 'snapshots')), treeDigest(path.join(REPO, 'examples', 'shop', 'snapshots')));
  });

  it('exits 2 on a change with --detailed-exitcode, prints no colour when piped or with NO_COLOR, and writes nothing in a dry run', () => {
    sqlite(path.join(root, 'shop.sqlite'), 'ALTER TABLE customers ADD COLUMN phone TEXT;');
    const before = treeDigest(path.join(root, 'snapshots'));
    const dry = runCac(['sync', 'shop_db', '--root', root, '--dry-run', '--detailed-exitcode'], { NO_COLOR: '1' });
    assert.equal(dry.code, 2);
    assert.match(dry.stdout, /~ customers — field phone added \(TEXT\)/);
    assert.match(dry.stdout, /Dry run: nothing was written/);
    assert.ok(!(dry.stdout + dry.stderr).includes('\u001b['), 'no ANSI escapes');
    assert.deepEqual(treeDigest(path.join(root, 'snapshots')), before);
    const real = runCac(['sync', 'shop_db', '--root', root]);
    assert.equal(real.code, 0);
    assert.match(fs.readFileSync(path.join(root, 'snapshots', 'shop_db', 'customers.yaml'), 'utf8'), /name: phone/);
  });

  it('lists and shows operations in the seed\'s shape', () => {
    const list = runCac(['history', '--root', root, '--format', 'json']);
    const page = JSON.parse(list.stdout) as { items: { id: number; type: string; triggered_by: string; datastore: { store_type: string } }[]; total: number };
    assert.ok(page.total >= 4);
    assert.equal(page.items[0]!.type, 'catalog');
    assert.equal(page.items[0]!.triggered_by, 'ci@example.com');
    const shown = runCac(['history', 'show', String(page.items[0]!.id), '--root', root, '--format', 'json']);
    const one = JSON.parse(shown.stdout) as { items: { id: number; created: string }[]; total: number; page: number; size: number; pages: number };
    assert.deepEqual([one.total, one.page, one.pages], [1, 1, 1]);
    assert.match(one.items[0]!.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(runCac(['history', 'show', '999999', '--root', root]).code, 1);
  });

  it('exits 1 with located errors for invalid definitions and syncs nothing', () => {
    fs.writeFileSync(path.join(root, 'datastores', 'broken.yaml'), 'kind: Datastore\nname: broken\ntype: sqlite\nconnection:\n  path: x.sqlite\n  password: hunter2\n');
    try {
      const validate = runCac(['validate', '--root', root]);
      assert.equal(validate.code, 1);
      assert.match(validate.stdout, /datastores[/\\]broken\.yaml:6:13: error literal-secret: /);
      assert.doesNotMatch(validate.stdout, /hunter2/);
      const sync = runCac(['sync', '--root', root]);
      assert.equal(sync.code, 1);
      assert.match(sync.stderr, /Nothing was synced/);
    } finally {
      fs.rmSync(path.join(root, 'datastores', 'broken.yaml'));
    }
  });

  it('names an unset environment variable instead of connecting without it', () => {
    fs.writeFileSync(path.join(root, 'datastores', 'env.yaml'), 'kind: Datastore\nname: envdb\ntype: sqlite\nconnection:\n  path: ${env:CAC_TEST_DB_PATH}\n');
    try {
      const unset = runCac(['sync', 'envdb', '--root', root]);
      assert.equal(unset.code, 1);
      assert.match(unset.stdout, /CAC_TEST_DB_PATH is not set/);
      const set = runCac(['sync', 'envdb', '--root', root], { CAC_TEST_DB_PATH: path.join(root, 'shop.sqlite') });
      assert.equal(set.code, 0, set.stdout + set.stderr);
    } finally {
      fs.rmSync(path.join(root, 'datastores', 'env.yaml'));
    }
  });

  it('suggests the nearest datastore for an unknown name', () => {
    const result = runCac(['sync', 'shopdb', '--root', root]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /No datastore named 'shopdb'\. Did you mean 'shop_db'\?/);
  });
});
