import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileStoreError, NOT_A_REGULAR_FILE, type FileStoreListing } from '../../server/src/core/connectors/dfs/fileStore';
import { LocalFileStore } from '../../server/src/core/connectors/dfs/localFileStore';
import type { TraverseOptions } from '../../server/src/core/connectors/dfs/traverse';

const EXTENSIONS = new Set(['csv', 'json']);
const PATH_MAX = 4096;

/** Listing as plain data, folder order and log order included. */
function plain(listing: FileStoreListing): unknown {
  return { folders: [...listing.folders.entries()], hives: listing.hives, logs: listing.logs, complete: listing.complete };
}

async function list(root: string, options: TraverseOptions): Promise<unknown> {
  return plain(await new LocalFileStore(root, options).list(EXTENSIONS, new AbortController().signal));
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

describe('file store traversal (dfs)', () => {
  let base: string;
  let root: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-traverse-'));
    root = path.join(base, 'data');
  });
  afterEach(() => {
    // Files whose paths exceed PATH_MAX can only be removed through their short aliases.
    for (const alias of ['alias', 'hive-alias']) {
      const link = path.join(base, alias);
      if (!fs.existsSync(link)) continue;
      for (const name of fs.readdirSync(link)) fs.rmSync(path.join(link, name), { recursive: true, force: true });
    }
    fs.rmSync(base, { recursive: true, force: true });
  });

  /**
   * A tree with everything that logs or is skipped. A file whose path is longer than PATH_MAX is
   * listed by readdir (its folder's path is shorter) but cannot be stat'ed (ENAMETOOLONG), even
   * as root: it is written through a short symlink kept outside the tree.
   */
  function buildTree(): void {
    for (let f = 0; f < 6; f++) for (let i = 0; i < 7; i++) write(path.join(root, `f${f}`, `part_${i}.csv`), 'a\n1\n');
    write(path.join(root, 'top.json'), '{}');
    write(path.join(root, 'notes.txt'), 'skipped');
    write(path.join(root, '.hidden.csv'), 'a\n');
    write(path.join(root, '_temporary', 'x.csv'), 'a\n');
    write(path.join(root, 'nested', 'deeper', 'x.CSV'), 'a\n');
    fs.symlinkSync(path.join(root, 'top.json'), path.join(root, 'f1', 'linked.json'));
    fs.symlinkSync(path.join(root, 'nowhere.csv'), path.join(root, 'f2', 'broken.csv'));
    fs.symlinkSync('..', path.join(root, 'f3', 'loop'));
    for (const [y, m] of [['2023', '12'], ['2024', '01'], ['2024', '02']]) write(path.join(root, 'events', `year=${y}`, `month=${m}`, 'part-0.csv'), 'a\n');
    write(path.join(root, 'events', 'year=2025', 'part-0.csv'), 'a\n');
    // Deep folders: the folder's path fits PATH_MAX, its files' paths do not.
    let deep = path.join(root, 'deep');
    while (deep.length < PATH_MAX - 240) deep = path.join(deep, 'd'.repeat(200));
    fs.mkdirSync(deep, { recursive: true });
    const alias = path.join(base, 'alias');
    fs.symlinkSync(deep, alias);
    const longName = `${'n'.repeat(240)}_1.csv`;
    assert.ok(deep.length + 1 + longName.length > PATH_MAX);
    write(path.join(alias, longName), 'a\n');
    write(path.join(alias, 'short_1.csv'), 'a\n');
    write(path.join(alias, 'short_2.csv'), 'a\n');
    // The same in a hive tree (the deep files are partitioned by more keys than their siblings).
    let hive = path.join(root, 'logs', 'day=1');
    for (let k = 0; hive.length < PATH_MAX - 240; k++) hive = path.join(hive, `k${k}=${'h'.repeat(200)}`);
    fs.mkdirSync(hive, { recursive: true });
    write(path.join(root, 'logs', 'day=2', 'p.csv'), 'a\n');
    write(path.join(root, 'logs', 'day=1', 'p.csv'), 'a\n');
    fs.symlinkSync(hive, path.join(base, 'hive-alias'));
    write(path.join(base, 'hive-alias', `${'n'.repeat(240)}.csv`), 'a\n');
    write(path.join(base, 'hive-alias', 'short.csv'), 'a\n');
  }

  it('lists the same files, stats and logs, in the same order, on one thread or two', async () => {
    buildTree();
    const single = await list(root, { workerThreshold: Infinity });
    const listing = single as { logs: { code: string; file?: string }[]; folders: [string, { name: string }[]][] };
    const codes = listing.logs.map((l) => l.code);
    assert.ok(codes.includes('file-unreadable'), codes.join());
    assert.ok(codes.includes('broken-symlink'), codes.join());
    assert.ok(codes.includes('symlink-cycle'), codes.join());
    assert.equal(codes.filter((c) => c === 'file-unreadable').length, 2, codes.join());
    assert.ok(codes.filter((c) => c === 'schema-mismatch').length >= 2, codes.join());
    const unreadable = listing.logs.find((l) => l.code === 'file-unreadable' && l.file!.startsWith('deep/'))!;
    assert.match(unreadable.file!, /^deep\/.*_1\.csv$/);
    assert.match(JSON.stringify(unreadable), /ENAMETOOLONG/);
    const deepFolder = listing.folders.find(([folder]) => folder.startsWith('deep/'))!;
    assert.deepEqual(deepFolder[1].map((f) => f.name).sort(), ['short_1.csv', 'short_2.csv']);
    assert.ok(listing.folders.some(([folder, files]) => folder === 'f1' && files.some((f) => f.name === 'linked.json')));

    for (const batchSize of [1, 2, 3, 5, 512]) {
      assert.deepEqual(await list(root, { workerThreshold: 0, batchSize }), single, `batch size ${batchSize}`);
      assert.deepEqual(await list(root, { workerThreshold: 0, batchSize, workerOnly: true }), single, `worker only, batch size ${batchSize}`);
      assert.deepEqual(await list(root, { workerThreshold: 7, batchSize }), single, `worker from file 7, batch size ${batchSize}`);
    }
  });

  it('puts the logs of files that cannot be stat\'ed back at their place in the walk', async () => {
    let deep = path.join(root, 'a');
    while (deep.length < PATH_MAX - 240) deep = path.join(deep, 'd'.repeat(200));
    fs.mkdirSync(deep, { recursive: true });
    fs.symlinkSync(deep, path.join(base, 'alias'));
    for (const name of ['x_1.csv', `${'n'.repeat(240)}_1.csv`, 'x_2.csv', `${'m'.repeat(240)}_2.csv`]) write(path.join(base, 'alias', name), 'a\n');
    fs.symlinkSync(path.join(root, 'nowhere'), path.join(deep, 'broken'));
    fs.mkdirSync(path.join(root, 'b'));
    fs.symlinkSync(path.join(root, 'nowhere'), path.join(root, 'b', 'broken'));
    const single = (await list(root, { workerThreshold: Infinity })) as { logs: { code: string; file?: string }[] };
    // Walk order: readdir order inside `deep`, so the broken link may come before, between or after the two files.
    const order = fs.readdirSync(deep).filter((n) => n.length > 100 || n === 'broken').map((n) => (n === 'broken' ? 'broken-symlink' : 'file-unreadable'));
    const deepLogs = single.logs.filter((l) => l.file?.startsWith('a/')).map((l) => l.code);
    assert.deepEqual(deepLogs, order);
    assert.deepEqual(await list(root, { workerThreshold: 0, batchSize: 1, workerOnly: true }), single);
    assert.deepEqual(await list(root, { workerThreshold: 0, batchSize: 2 }), single);
  });

  it('starts no worker for an empty tree and still aborts', async () => {
    fs.mkdirSync(root);
    assert.deepEqual(await list(root, { workerThreshold: 0 }), { folders: [], hives: [], logs: [], complete: true });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(new LocalFileStore(root, { workerThreshold: 0 }).list(EXTENSIONS, controller.signal), /stop/);
  });
});

describe('local file store (dfs)', () => {
  let root: string;
  let store: LocalFileStore;
  const DIGITS = '0123456789'.repeat(10);
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-store-'));
    store = new LocalFileStore(root);
    write(path.join(root, 'sub', 'digits.csv'), DIGITS);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** The rejection's FileStoreError code. */
  async function codeOf(promise: Promise<unknown>): Promise<string> {
    const error = await promise.then(() => assert.fail('expected a rejection'), (e: unknown) => e);
    assert.ok(error instanceof FileStoreError, String(error));
    return error.code;
  }

  it('reads a byte range by offset and length, with the file size', async () => {
    const read = await store.read('sub/digits.csv', { offset: 10, length: 5 });
    assert.equal(Buffer.from(read.bytes).toString(), '01234');
    assert.equal(read.size, 100);
  });

  it('reads the last bytes of a file without knowing its size', async () => {
    const read = await store.read('sub/digits.csv', { last: 3 });
    assert.equal(Buffer.from(read.bytes).toString(), '789');
    assert.equal(read.size, 100);
    assert.equal(Buffer.from((await store.read('sub/digits.csv', { last: 500 })).bytes).toString(), DIGITS);
  });

  it('returns fewer bytes for a range past the end, and none for an empty file', async () => {
    assert.equal(Buffer.from((await store.read('sub/digits.csv', { offset: 95, length: 64 })).bytes).toString(), '56789');
    assert.equal((await store.read('sub/digits.csv', { offset: 200, length: 64 })).bytes.length, 0);
    write(path.join(root, 'empty.csv'), '');
    assert.deepEqual(await store.read('empty.csv', { last: 8 }), { bytes: Buffer.alloc(0), size: 0 });
  });

  it('reads several ranges of one opened file, and refuses reads once it is closed', async () => {
    const opened = await store.open('sub/digits.csv');
    const [tail, head] = await Promise.all([opened.read({ last: 2 }), opened.read({ offset: 0, length: 2 })]);
    assert.deepEqual([Buffer.from(tail.bytes).toString(), Buffer.from(head.bytes).toString(), tail.size], ['89', '01', 100]);
    assert.equal(Buffer.from((await opened.read({ offset: 98, length: 10 })).bytes).toString(), '89');
    opened.close();
    opened.close();
    assert.equal(await codeOf(opened.read({ offset: 0, length: 1 })), 'EBADF');
  });

  it('stats a file, a folder and a missing path', async () => {
    const time = new Date('2026-01-01T00:00:00Z');
    fs.utimesSync(path.join(root, 'sub', 'digits.csv'), time, time);
    assert.deepEqual(await store.stat('sub/digits.csv'), { size: 100, mtimeMs: time.getTime(), kind: 'file' });
    assert.equal((await store.stat('sub')).kind, 'directory');
    assert.equal(await codeOf(store.stat('sub/missing.csv')), 'ENOENT');
    assert.equal(await codeOf(store.read('sub/missing.csv', { offset: 0, length: 1 })), 'ENOENT');
    assert.equal(await codeOf(store.open('sub/missing.csv')), 'ENOENT');
  });

  it('reports a directory and a named pipe instead of reading them, without blocking', async function () {
    assert.equal(await codeOf(store.read('sub', { offset: 0, length: 10 })), 'EISDIR');
    assert.equal(await codeOf(store.open('sub')), 'EISDIR');
    if (process.platform === 'win32') this.skip();
    execFileSync('mkfifo', [path.join(root, 'pipe.csv')]);
    assert.equal((await store.stat('pipe.csv')).kind, 'other');
    assert.equal(await codeOf(store.read('pipe.csv', { offset: 0, length: 10 })), NOT_A_REGULAR_FILE);
    assert.equal(await codeOf(store.open('pipe.csv')), NOT_A_REGULAR_FILE);
  });

  it('names nothing outside its root', async () => {
    write(path.join(root, '..', `${path.basename(root)}-outside.csv`), 'a\n1\n');
    try {
      assert.equal(await codeOf(store.read(`../${path.basename(root)}-outside.csv`, { offset: 0, length: 4 })), 'ENOENT');
      assert.equal(await codeOf(store.stat(`sub/../../${path.basename(root)}-outside.csv`)), 'ENOENT');
    } finally {
      fs.rmSync(path.join(root, '..', `${path.basename(root)}-outside.csv`), { force: true });
    }
  });

  it('opens only an existing folder', () => {
    assert.ok(LocalFileStore.open(root));
    assert.equal(LocalFileStore.open(path.join(root, 'sub', 'digits.csv')), undefined);
    assert.equal(LocalFileStore.open(path.join(root, 'missing')), undefined);
  });
});
