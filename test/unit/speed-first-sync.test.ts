import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadWorkspace, OperationStore, runSync } from '../../server/src/core';
import { fileStamp, isTempFileName, writeNewFolder, type FileStamp } from '../../server/src/core/fs/atomicFiles';
import { removeCatalog, snapshotFiles, sqliteCatalog, sync } from '../helpers/syncFixtures';

/** Everything below a folder: relative path → content (files) or '/' (folders). */
function tree(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  if (!fs.existsSync(dir)) return found;
  for (const name of (fs.readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const full = path.join(dir, name);
    found.set(name, fs.statSync(full).isDirectory() ? '/' : fs.readFileSync(full, 'utf8'));
  }
  return found;
}

describe('a first sync writes its snapshot folder whole (atomicFiles.ts writeNewFolder)', () => {
  let dir: string;
  let target: string;
  let staging: string;
  const files = (count: number): { path: string; content: string }[] =>
    Array.from({ length: count }, (_, i) => ({ path: path.join(target, i % 10 === 0 ? `sub/f${i}.yaml` : `f${i}.yaml`), content: `n: ${i}\n` }));
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-first-'));
    target = path.join(dir, 'snapshots', 'shop');
    staging = path.join(dir, '.cac', 'staging', 'shop');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('puts every file in place, subfolders included, with the stamps of the files as they are, and leaves nothing staged', async () => {
    const writes = files(300);
    const stamps = new Map<string, FileStamp>();
    const events: string[] = [];
    const written = await writeNewFolder(target, writes, {
      stagingDir: staging, batchSize: 100, stamps,
      onStaged: (staged, total) => {
        // Nothing is visible while staging.
        assert.equal(fs.existsSync(target), false);
        events.push(`staged ${staged}/${total}`);
      },
      onCommitted: (committed, total) => events.push(`committed ${committed}/${total}`),
    });
    assert.equal(written, true);
    assert.deepEqual(events, ['staged 100/300', 'staged 200/300', 'staged 300/300', 'committed 300/300']);
    for (const write of writes) {
      assert.equal(fs.readFileSync(write.path, 'utf8'), write.content);
      assert.deepEqual(stamps.get(write.path), fileStamp(fs.lstatSync(write.path)));
    }
    assert.deepEqual([...tree(target).keys()].filter((name) => !name.startsWith('sub')).length, 270);
    assert.deepEqual(fs.readdirSync(staging), []);
  });

  it('writes nothing and says so when the folder exists, or a file lies outside it', async () => {
    fs.mkdirSync(target, { recursive: true });
    assert.equal(await writeNewFolder(target, files(5), { stagingDir: staging }), false);
    assert.deepEqual(fs.readdirSync(target), []);
    const elsewhere = path.join(dir, 'other');
    assert.equal(await writeNewFolder(elsewhere, [{ path: path.join(dir, 'x.yaml'), content: 'x' }], { stagingDir: staging }), false);
    assert.equal(await writeNewFolder(elsewhere, [{ path: path.join(elsewhere, '..', 'x.yaml'), content: 'x' }], { stagingDir: staging }), false);
    assert.equal(fs.existsSync(elsewhere) || fs.existsSync(path.join(dir, 'x.yaml')), false);
  });

  it('an abort while staging leaves no folder and no temp folder', async () => {
    const controller = new AbortController();
    await assert.rejects(writeNewFolder(target, files(600), {
      stagingDir: staging, batchSize: 100, signal: controller.signal, onStaged: (staged) => staged === 300 && controller.abort(new Error('stop')),
    }), /stop/);
    assert.equal(fs.existsSync(target), false);
    assert.deepEqual(fs.readdirSync(staging), []);
  });

  it('removes the temp folder a killed sync left before it writes', async () => {
    const left = path.join(staging, '.shop.0123456789ab1.tmp');
    assert.ok(isTempFileName(path.basename(left)));
    fs.mkdirSync(path.join(left, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(left, 'sub', 'f0.yaml'), 'half');
    assert.equal(await writeNewFolder(target, files(3), { stagingDir: staging }), true);
    assert.deepEqual(fs.readdirSync(staging), []);
  });
});

describe('first sync and resync of a datastore of more than 256 containers', function () {
  this.timeout(60_000);
  let root: string;
  const tables = Array.from({ length: 300 }, (_, i) => `CREATE TABLE t${String(i).padStart(3, '0')} (id INTEGER PRIMARY KEY, updated_at DATETIME NOT NULL, note TEXT);`).join('\n');
  beforeEach(() => {
    root = sqliteCatalog(tables);
  });
  afterEach(() => removeCatalog(root));

  it('writes the folder and its index at once, the same files as a sync into an existing folder writes, and replays next time', async () => {
    const first = await sync(root, 'shop');
    assert.equal(first.result, 'success');
    const whole = snapshotFiles(root, 'shop');
    assert.equal(whole.size, 301);
    assert.match(whole.get('_index.yaml')!, /name: t299/);
    const resync = await sync(root, 'shop');
    assert.equal(resync.replayed, true);
    assert.equal(resync.changed, false);
    // The file-by-file path, into an existing empty folder, writes byte for byte the same.
    fs.rmSync(path.join(root, 'snapshots', 'shop'), { recursive: true });
    fs.rmSync(path.join(root, '.cac'), { recursive: true });
    fs.mkdirSync(path.join(root, 'snapshots', 'shop'));
    await sync(root, 'shop');
    assert.deepEqual(snapshotFiles(root, 'shop'), whole);
  });

  it('an abort while staging leaves no snapshot folder; the resumed operation writes it whole', async () => {
    const workspace = loadWorkspace(root);
    const history = new OperationStore(workspace.project.stateDir);
    const controller = new AbortController();
    const aborted = await runSync({
      workspace, datastore: workspace.datastores[0]!, options: {}, dryRun: false, env: {}, history, writeBatchSize: 50,
      signal: controller.signal, triggeredBy: 'test@example.com', onProgress: (p) => p.phase === 'staging' && p.done === 100 && controller.abort(),
    });
    assert.equal(aborted.result, 'aborted');
    assert.equal(fs.existsSync(path.join(root, 'snapshots', 'shop')), false);
    const resumed = await runSync({
      workspace, datastore: workspace.datastores[0]!, options: {}, dryRun: false, env: {}, history, resume: history.get(aborted.operationId!)!,
      signal: new AbortController().signal, triggeredBy: 'test@example.com',
    });
    assert.equal(resumed.result, 'success');
    assert.equal(snapshotFiles(root, 'shop').size, 301);
  });

  it('describes the source again when the signature matches but a snapshot was edited in place (same size, same inode)', async () => {
    await sync(root, 'shop');
    const file = path.join(root, 'snapshots', 'shop', 't007.yaml');
    const original = fs.readFileSync(file, 'utf8');
    const edited = original.replace('nullable: true', 'nullable: null');
    assert.equal(edited.length, original.length);
    const ino = fs.statSync(file).ino;
    fs.writeFileSync(file, edited);
    assert.equal(fs.statSync(file).ino, ino);
    const outcome = await sync(root, 'shop');
    assert.equal(outcome.replayed, false);
    assert.equal(outcome.plan!.changes.find((c) => c.name === 't007')?.action, 'changed');
    assert.equal(fs.readFileSync(file, 'utf8'), original);
  });
});
