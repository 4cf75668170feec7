import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { reviewLocation, shellWord } from '../../server/src/cli/diffCommand';
import { sqlite } from '../helpers/syncFixtures';
import { runCac } from '../helpers/builtCli';

const REPO = path.resolve(__dirname, '..', '..');

function git(root: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function commitAll(root: string, message: string): void {
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', message);
}

/** The shop example with its committed snapshots, its sources built, in a fresh git repository with one commit. */
function shopRepository(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-diff-'));
  fs.cpSync(path.join(REPO, 'examples', 'shop'), root, {
    recursive: true,
    filter: (src) => !/[/\\]\.cac$/.test(src) && !/\.(sqlite|duckdb|parquet|wal)$/.test(src),
  });
  const setup = spawnSync(process.execPath, [path.join(REPO, 'examples', 'shop', 'setup.mjs'), root], { encoding: 'utf8', cwd: REPO });
  assert.equal(setup.status, 0, setup.stderr);
  fs.writeFileSync(path.join(root, '.gitignore'), '.cac/\n*.sqlite\n*.duckdb\n*.wal\n');
  git(root, 'init', '-q');
  commitAll(root, 'the shop example');
  return root;
}

describe('cac diff', function () {
  this.timeout(180000);
  let root: string;
  before(function () {
    root = shopRepository();
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('exits 0 when nothing changed, and 2 for changes only with --detailed-exitcode', () => {
    const clean = runCac(['diff', '--root', root, '--detailed-exitcode']);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, /No changes to the snapshots\./);
    assert.equal(runCac(['diff', '--root', root]).code, 0);

    sqlite(path.join(root, 'shop.sqlite'), 'ALTER TABLE customers ADD COLUMN phone TEXT;');
    assert.equal(runCac(['sync', 'shop_db', '--root', root, '--dry-run', '--fail-on', 'breaking']).code, 0, 'an added field is not breaking');
    assert.equal(runCac(['sync', 'shop_db', '--root', root]).code, 0);
    const changed = runCac(['diff', '--root', root, '--detailed-exitcode'], { NO_COLOR: '1' });
    assert.equal(changed.code, 2, changed.stderr);
    assert.match(changed.stdout, /^Catalog review of all datastores: HEAD \([0-9a-f]{7}\) → the working tree\n1 container changed · 1 field added · no breaking changes\n\nshop_db\n {2}~ customers — field added\n {6}field phone added \(TEXT\)\n$/);
    const plain = runCac(['diff', '--root', root]);
    assert.equal(plain.code, 0, 'changes alone never fail a run without --detailed-exitcode');
    // A CI gate on breaking changes only: an added field passes it.
    assert.equal(runCac(['diff', '--root', root, '--fail-on', 'breaking']).code, 0);
    assert.equal(runCac(['diff', '--root', root, '--fail-on', 'any']).code, 2);
    commitAll(root, 'customers.phone');
  });

  it('prints for `cac sync --dry-run --format markdown` the review `cac diff` prints once the sync is written', () => {
    sqlite(path.join(root, 'shop.sqlite'), 'ALTER TABLE orders DROP COLUMN status; ALTER TABLE products ADD COLUMN weight REAL; DROP VIEW customer_order_totals;');
    const dry = runCac(['sync', 'shop_db', '--root', root, '--dry-run', '--format', 'markdown', '--detailed-exitcode']);
    assert.equal(dry.code, 2, dry.stderr);
    // A dropped column and a dropped view are breaking: the gate fails, in the preview and in the review.
    assert.equal(runCac(['sync', 'shop_db', '--root', root, '--dry-run', '--fail-on', 'breaking']).code, 2);
    assert.equal(git(root, 'status', '--porcelain'), '', 'a dry run writes nothing');
    assert.equal(runCac(['sync', 'shop_db', '--root', root]).code, 0);
    const diff = runCac(['diff', 'shop_db', '--root', root, '--format', 'markdown', '--detailed-exitcode']);
    assert.equal(diff.code, 2, diff.stderr);
    assert.equal(runCac(['diff', 'shop_db', '--root', root, '--fail-on', 'breaking']).code, 2);

    const dryLines = dry.stdout.split('\n');
    const diffLines = diff.stdout.split('\n');
    assert.equal(dryLines.length, diffLines.length);
    const differing = dryLines.map((line, i) => [line, diffLines[i]]).filter(([a, b]) => a !== b);
    assert.deepEqual(differing, [[
      'Compares the snapshots in the working tree with what the sync would write (dry run).',
      diffLines.find((l) => l.startsWith('Compares `HEAD`')),
    ]], 'only the line naming the two sides differs');
    assert.equal(diffLines[0], '<!-- cac-review: shop_db -->');
    assert.match(diff.stdout, /\*\*3 containers changed, 1 gone from the source\*\* · 1 field added, 1 field removed · \*\*⚠️ 2 breaking changes\*\*/);
    assert.match(diff.stdout, /\| ✏️ \| `shop_db` \| `orders` \| `table` \| field removed \| ⚠️ \|/);
    commitAll(root, 'orders.status dropped');
  });

  it('compares two revisions, limits the review to named datastores and reports JSON', () => {
    const json = runCac(['diff', '--root', root, '--base', 'HEAD~2', '--head', 'HEAD', '--format', 'json', 'shop_db']);
    assert.equal(json.code, 0, json.stderr);
    const review = JSON.parse(json.stdout) as {
      base: { ref: string; commit: string }; head: { ref: string }; datastores: string[]; changed: boolean; breaking: boolean;
      containers: { name: string; change: string; changes: { change: string; field: string | null; breaking: boolean }[] }[];
    };
    assert.deepEqual([review.base.ref, review.head.ref, review.datastores, review.changed, review.breaking], ['HEAD~2', 'HEAD', ['shop_db'], true, true]);
    assert.match(review.base.commit, /^[0-9a-f]{40}$/);
    assert.deepEqual(review.containers.map((c) => [c.name, c.changes.map((d) => [d.change, d.field, d.breaking])]), [
      ['customer_order_totals', [['missing_from_source', null, true]]],
      ['orders', [['field_removed', 'status', true]]],
      ['customers', [['field_added', 'phone', false]]],
      ['products', [['field_added', 'weight', false]]],
    ]);
    const other = runCac(['diff', '--root', root, '--base', 'HEAD~2', '--head', 'HEAD', '--detailed-exitcode', 'landing', 'analytics']);
    assert.equal(other.code, 0, other.stdout + other.stderr);
    assert.match(other.stdout, /^Catalog review of datastores analytics, landing: HEAD~2 \([0-9a-f]{7}\) → HEAD \([0-9a-f]{7}\)\nNo changes/);
  });

  it('exits 1 with a located, actionable message for a bad ref, a folder outside git, an invalid snapshot and an unknown datastore', () => {
    const badRef = runCac(['diff', '--root', root, '--base', 'origin/nope']);
    assert.equal(badRef.code, 1);
    assert.match(badRef.stderr, /^error: 'origin\/nope' is not a commit in .*fetch-depth: 0/);
    assert.equal(badRef.stdout, '');

    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-no-git-'));
    try {
      const noGit = runCac(['diff', '--root', outside]);
      assert.equal(noGit.code, 1);
      assert.match(noGit.stderr, /is not inside a git repository.*cac sync --dry-run/);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }

    const file = path.join(root, 'snapshots', 'shop_db', 'orders.yaml');
    const original = fs.readFileSync(file, 'utf8');
    try {
      fs.writeFileSync(file, original.replace('kind: table', 'kind: [table'));
      const invalid = runCac(['diff', '--root', root, '--detailed-exitcode']);
      assert.equal(invalid.code, 1);
      assert.match(invalid.stderr, /^error: snapshots\/shop_db\/orders\.yaml:4:1 in the working tree: not a valid snapshot \(Flow sequence in block collection must be sufficiently indented and end with a \]\)\. Restore the file as `cac sync` wrote it, or sync again\.\n$/);
    } finally {
      fs.writeFileSync(file, original);
    }

    const unknown = runCac(['diff', 'shopdb', '--root', root]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No snapshots of datastore 'shopdb' in HEAD \([0-9a-f]{7}\) or the working tree\. Did you mean 'shop_db'\?/);

    const markdownElsewhere = runCac(['validate', '--root', root, '--format', 'markdown']);
    assert.equal(markdownElsewhere.code, 1);
    assert.match(markdownElsewhere.stderr, /--format markdown is for `cac diff` and `cac sync`/);
  });

  it('points a shortened comment at the CI run and at a command that pastes back', () => {
    assert.deepEqual(reviewLocation({ GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/catalog', GITHUB_RUN_ID: '42' }, 'cac diff'),
      { url: 'https://github.com/acme/catalog/actions/runs/42', command: 'cac diff' });
    assert.deepEqual(reviewLocation({ CAC_REVIEW_URL: 'https://ci.example/job/7' }, 'cac diff'), { url: 'https://ci.example/job/7', command: 'cac diff' });
    assert.deepEqual(reviewLocation({}, 'cac diff'), { command: 'cac diff' });
    assert.deepEqual(['origin/main', 'HEAD~1', "it's; rm -rf /"].map(shellWord), ['origin/main', 'HEAD~1', `'it'\\''s; rm -rf /'`]);
  });
});
