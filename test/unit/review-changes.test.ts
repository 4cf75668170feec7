import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ReviewInputError, compareSnapshotTrees, openGitRepository, readGitSnapshots, readWorkingTreeSnapshots, reviewJson, type CatalogReview, type ContainerReview } from '../../server/src/core';
import type { SyncOptions } from '../../server/src/core';
import { removeCatalog, sqlite, sqliteCatalog, sync, writeFile } from '../helpers/syncFixtures';

/** Runs git in a test repository with a fixed identity and no signing, whatever the machine's config says. */
function git(root: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function commitAll(root: string, message: string): void {
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '--allow-empty', '-m', message);
}

/**
 * A SQLite catalog synced and committed as the base, then changed at the source (and synced
 * with `options`) and committed as the head: a real snapshot pair in a real repository.
 */
async function reviewOfChange(baseSql: string, change: (root: string) => void, options: Partial<SyncOptions> = {}, extra: Record<string, string> = {}): Promise<{ root: string; review: CatalogReview }> {
  const root = sqliteCatalog(baseSql, { '.gitignore': '.cac/\nshop.sqlite\n', ...extra });
  git(root, 'init', '-q');
  await sync(root, 'shop');
  commitAll(root, 'base');
  change(root);
  await sync(root, 'shop', options);
  commitAll(root, 'head');
  const repository = openGitRepository(root);
  return { root, review: compareSnapshotTrees(readGitSnapshots(repository, 'HEAD~1'), readGitSnapshots(repository, 'HEAD')) };
}

function only(review: CatalogReview, name: string): ContainerReview {
  const found = review.containers.filter((c) => c.name === name);
  assert.equal(found.length, 1, `one review entry for ${name}: ${JSON.stringify(review.containers.map((c) => c.name))}`);
  return found[0]!;
}

/** The field-level changes of a container as [class, field or identifier, breaking] triples. */
function classes(container: ContainerReview): [string, string | undefined, boolean][] {
  return container.changes.map((c) => [c.change, c.field ?? c.identifier, c.breaking]);
}

describe('review of snapshot changes between git revisions', function () {
  this.timeout(60000);
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) removeCatalog(root);
  });
  const track = <T extends { root: string }>(value: T): T => {
    roots.push(value.root);
    return value;
  };

  it('classifies a new table as a non-breaking container addition that lists its fields', async () => {
    const { review } = track(await reviewOfChange('CREATE TABLE a (id INTEGER PRIMARY KEY);', (root) => {
      sqlite(path.join(root, 'shop.sqlite'), 'CREATE TABLE b (id INTEGER PRIMARY KEY, note TEXT);');
    }));
    const added = only(review, 'b');
    assert.deepEqual([added.datastore, added.change, added.reason, added.kind, added.breaking], ['shop', 'added', 'new', 'table', false]);
    assert.deepEqual(added.fields?.map((f) => [f.name, f.type, f.nullable]), [['id', 'INTEGER', false], ['note', 'TEXT', true]]);
    assert.equal(added.incremental_identifier?.strategy, 'batch_value');
    assert.deepEqual([review.summary.containers_added, review.summary.breaking, review.summary.changed], [1, 0, true]);
  });

  it('classifies a pruned table as a breaking removal, and a deleted snapshot file as a removal from the catalog', async () => {
    const pruned = track(await reviewOfChange('CREATE TABLE a (id INTEGER); CREATE TABLE b (id INTEGER); CREATE TABLE c (id INTEGER);', (root) => {
      sqlite(path.join(root, 'shop.sqlite'), 'DROP TABLE b;');
    }, { prune: true }));
    const gone = only(pruned.review, 'b');
    assert.deepEqual([gone.change, gone.reason, gone.breaking], ['removed', 'deleted', true]);
    assert.deepEqual(gone.fields?.map((f) => f.name), ['id']);
    assert.deepEqual([pruned.review.summary.containers_removed, pruned.review.summary.breaking, pruned.review.summary.breaking_containers], [1, 1, 1]);

    const removedByHand = track(await reviewOfChange('CREATE TABLE a (id INTEGER); CREATE TABLE b (id INTEGER);', (root) => {
      fs.rmSync(path.join(root, 'snapshots', 'shop', 'b.yaml'));
    }));
    const removed = only(removedByHand.review, 'b');
    assert.deepEqual([removed.change, removed.reason, removed.breaking], ['removed', 'removed_from_catalog', true]);
  });

  it('classifies an added field as non-breaking and a removed field as breaking', async () => {
    const { review } = track(await reviewOfChange('CREATE TABLE t (id INTEGER, legacy TEXT);', (root) => {
      sqlite(path.join(root, 'shop.sqlite'), 'ALTER TABLE t ADD COLUMN email TEXT; ALTER TABLE t DROP COLUMN legacy;');
    }));
    const t = only(review, 't');
    assert.deepEqual([t.change, t.breaking], ['changed', true]);
    assert.deepEqual(classes(t), [['field_removed', 'legacy', true], ['field_added', 'email', false]]);
    assert.deepEqual([review.summary.fields_added, review.summary.fields_removed, review.summary.breaking], [1, 1, 1]);
  });

  it('classifies a changed field type as breaking', async () => {
    const { review } = track(await reviewOfChange('CREATE TABLE t (id INTEGER, amount REAL);', (root) => {
      sqlite(path.join(root, 'shop.sqlite'), 'DROP TABLE t; CREATE TABLE t (id INTEGER, amount INTEGER);');
    }));
    const t = only(review, 't');
    assert.deepEqual(classes(t), [['type_changed', 'amount', true]]);
    assert.deepEqual([t.changes[0]!.from, t.changes[0]!.to], ['REAL', 'INTEGER']);
    assert.equal(review.summary.types_changed, 1);
  });

  it('classifies nullability changes in both directions as non-breaking, as the change classes say', async () => {
    const { review } = track(await reviewOfChange('CREATE TABLE t (a TEXT, b TEXT NOT NULL);', (root) => {
      sqlite(path.join(root, 'shop.sqlite'), 'DROP TABLE t; CREATE TABLE t (a TEXT NOT NULL, b TEXT);');
    }));
    const t = only(review, 't');
    assert.deepEqual(classes(t), [['nullability_changed', 'a', false], ['nullability_changed', 'b', false]]);
    assert.deepEqual(t.changes.map((c) => [c.from, c.to]), [['NULL', 'NOT NULL'], ['NOT NULL', 'NULL']]);
    assert.deepEqual([review.summary.nullability_changed, review.summary.breaking, t.breaking], [2, 0, false]);
  });

  it('classifies a changed incremental or partition identifier as breaking, and a newly detected one as not', async () => {
    const overridden = track(await reviewOfChange('CREATE TABLE ev (id INTEGER PRIMARY KEY, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL);', (root) => {
      writeFile(root, 'overrides/shop.yaml', 'kind: Overrides\ndatastore: shop\ncontainers:\n  ev:\n    incremental_identifier: created_at\n    partition_identifier: created_at\n');
    }));
    const ev = only(overridden.review, 'ev');
    assert.deepEqual(classes(ev), [['identifier_changed', 'incremental_identifier', true], ['identifier_changed', 'partition_identifier', true]]);
    assert.deepEqual(ev.changes.map((c) => [c.from, c.to]), [
      ['updated_at (last_modified, detected)', 'created_at (last_modified, override)'],
      ['updated_at (datetime, detected)', 'created_at (datetime, override)'],
    ]);

    const detected = track(await reviewOfChange('CREATE TABLE plain (name TEXT);', (root) => {
      sqlite(path.join(root, 'shop.sqlite'), 'ALTER TABLE plain ADD COLUMN updated_at TIMESTAMP;');
    }));
    const plain = only(detected.review, 'plain');
    assert.deepEqual(classes(plain), [['field_added', 'updated_at', false], ['identifier_changed', 'incremental_identifier', false]]);
    assert.equal(plain.changes[1]!.from, 'none');
    assert.deepEqual([detected.review.summary.identifiers_changed, detected.review.summary.breaking], [1, 0]);
  });

  it('marks a table gone from the source (snapshot kept) as breaking, and its return as not', async () => {
    const { root, review } = track(await reviewOfChange('CREATE TABLE a (id INTEGER); CREATE TABLE b (id INTEGER);', (r) => {
      sqlite(path.join(r, 'shop.sqlite'), 'DROP TABLE b;');
    }));
    const b = only(review, 'b');
    assert.deepEqual([b.change, ...classes(b)], ['changed', ['missing_from_source', undefined, true]]);
    assert.equal(review.summary.containers_gone_from_source, 1);

    sqlite(path.join(root, 'shop.sqlite'), 'CREATE TABLE b (id INTEGER);');
    await sync(root, 'shop');
    const repository = openGitRepository(root);
    const back = compareSnapshotTrees(readGitSnapshots(repository, 'HEAD'), readWorkingTreeSnapshots(root));
    assert.deepEqual(classes(only(back, 'b')), [['back_in_source', undefined, false]]);
  });

  it('reads the working tree exactly as it reads a commit', async () => {
    const root = sqliteCatalog('CREATE TABLE t (id INTEGER, legacy TEXT);', { '.gitignore': '.cac/\nshop.sqlite\n' });
    roots.push(root);
    git(root, 'init', '-q');
    await sync(root, 'shop');
    commitAll(root, 'base');
    sqlite(path.join(root, 'shop.sqlite'), 'ALTER TABLE t DROP COLUMN legacy; CREATE TABLE u (id INTEGER);');
    await sync(root, 'shop');
    const repository = openGitRepository(root);
    const fromWorkingTree = compareSnapshotTrees(readGitSnapshots(repository, 'HEAD'), readWorkingTreeSnapshots(root));
    commitAll(root, 'head');
    const fromCommits = compareSnapshotTrees(readGitSnapshots(repository, 'HEAD~1'), readGitSnapshots(repository, 'HEAD'));
    assert.deepEqual(fromWorkingTree.containers, fromCommits.containers);
    assert.deepEqual(fromWorkingTree.summary, fromCommits.summary);
    assert.deepEqual(fromWorkingTree.containers.map((c) => [c.name, c.change]), [['t', 'changed'], ['u', 'added']]);
  });

  it('reports no change between identical snapshot trees, even when other files differ', async () => {
    const { review } = track(await reviewOfChange('CREATE TABLE t (id INTEGER);', (root) => {
      writeFile(root, 'notes.md', 'unrelated\n');
    }));
    assert.deepEqual([review.containers, review.bookkeeping, review.summary.changed], [[], [], false]);
  });

  it('follows catalog.yaml to each revision\'s snapshots folder, and reviews a catalog in a subfolder of its repository', async () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-review-repo-'));
    roots.push(repo);
    const root = path.join(repo, 'catalogs', 'shop');
    fs.mkdirSync(path.dirname(root), { recursive: true });
    fs.renameSync(sqliteCatalog('CREATE TABLE t (id INTEGER);'), root);
    writeFile(repo, '.gitignore', '.cac/\n*.sqlite\n');
    git(repo, 'init', '-q');
    await sync(root, 'shop');
    commitAll(repo, 'base');
    // Move the snapshots: no container changes, although every path does.
    fs.renameSync(path.join(root, 'snapshots'), path.join(root, 'reviewed'));
    writeFile(root, 'catalog.yaml', 'kind: Project\nsnapshots: reviewed\n');
    commitAll(repo, 'moved');
    const repository = openGitRepository(root);
    assert.equal(repository.prefix, 'catalogs/shop/');
    const moved = compareSnapshotTrees(readGitSnapshots(repository, 'HEAD~1'), readGitSnapshots(repository, 'HEAD'));
    assert.deepEqual([moved.containers, moved.summary.changed], [[], false]);
    sqlite(path.join(root, 'shop.sqlite'), 'ALTER TABLE t ADD COLUMN note TEXT;');
    await sync(root, 'shop');
    const tree = readGitSnapshots(repository, 'HEAD');
    assert.equal(tree.location, 'catalogs/shop/reviewed');
    assert.deepEqual(classes(only(compareSnapshotTrees(tree, readWorkingTreeSnapshots(root)), 't')), [['field_added', 'note', false]]);
  });

  it('refuses an invalid snapshot with its file, line and revision', async () => {
    const { root } = track(await reviewOfChange('CREATE TABLE t (id INTEGER);', () => undefined));
    const repository = openGitRepository(root);
    fs.writeFileSync(path.join(root, 'snapshots', 'shop', 't.yaml'), 'name: t\nkind: table\nfields:\n  - name: id\n    type: [unclosed\n');
    assert.throws(() => compareSnapshotTrees(readGitSnapshots(repository, 'HEAD'), readWorkingTreeSnapshots(root)),
      (error: unknown) => error instanceof ReviewInputError && /^snapshots\/shop\/t\.yaml:\d+:\d+ in the working tree: not a valid snapshot/.test(error.message));
    fs.writeFileSync(path.join(root, 'snapshots', 'shop', 't.yaml'), 'name: t\nkind: table\nfields: []\n');
    commitAll(root, 'broken');
    assert.throws(() => compareSnapshotTrees(readGitSnapshots(repository, 'HEAD~1'), readGitSnapshots(repository, 'HEAD')),
      (error: unknown) => error instanceof ReviewInputError
        && /^snapshots\/shop\/t\.yaml in HEAD \([0-9a-f]{7}\): not a valid snapshot: .*incremental_identifier/.test(error.message));
  });

  it('says when a ref is not a commit, and when the folder is not in a git repository', async () => {
    const { root } = track(await reviewOfChange('CREATE TABLE t (id INTEGER);', () => undefined));
    const repository = openGitRepository(root);
    assert.throws(() => readGitSnapshots(repository, 'origin/no-such-branch'), (error: unknown) => error instanceof ReviewInputError && /'origin\/no-such-branch' is not a commit in .*fetch-depth: 0/.test(error.message));
    assert.throws(() => readGitSnapshots(repository, '--output=/tmp/x'), (error: unknown) => error instanceof ReviewInputError && /is not a git revision/.test(error.message));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-not-a-repo-'));
    roots.push(outside);
    assert.throws(() => openGitRepository(outside), (error: unknown) => error instanceof ReviewInputError && /is not inside a git repository.*cac sync --dry-run/.test(error.message));
  });

  it('orders breaking containers first, then by datastore and name, and gives JSON every key', async () => {
    const { review } = track(await reviewOfChange('CREATE TABLE z (id INTEGER, x TEXT); CREATE TABLE m (id INTEGER);', (root) => {
      sqlite(path.join(root, 'shop.sqlite'), 'ALTER TABLE z DROP COLUMN x; ALTER TABLE m ADD COLUMN y TEXT; CREATE TABLE a (id INTEGER);');
    }));
    assert.deepEqual(review.containers.map((c) => [c.name, c.breaking]), [['z', true], ['a', false], ['m', false]]);
    const json = JSON.parse(JSON.stringify(reviewJson(review))) as { containers: Record<string, unknown>[]; base: object; head: object };
    for (const container of json.containers) {
      assert.deepEqual(Object.keys(container), ['datastore', 'name', 'kind', 'change', 'reason', 'breaking', 'changes', 'fields', 'incremental_identifier', 'partition_identifier']);
      for (const change of container.changes as Record<string, unknown>[]) {
        assert.deepEqual(Object.keys(change), ['change', 'field', 'identifier', 'from', 'to', 'breaking', 'description']);
      }
    }
    assert.deepEqual(Object.keys(json), ['base', 'head', 'datastores', 'changed', 'breaking', 'summary', 'containers', 'bookkeeping', 'notes']);
    assert.deepEqual(Object.keys(json.base), ['label', 'ref', 'commit']);
  });
});
