import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { traverseFileStore, type FileStoreListing, type TraverseOptions } from '../../server/src/core/connectors/dfs/traverse';

const EXTENSIONS = new Set(['csv', 'json']);
const PATH_MAX = 4096;

/** Listing as plain data, folder order and log order included. */
function plain(listing: FileStoreListing): unknown {
  return { folders: [...listing.folders.entries()], hives: listing.hives, logs: listing.logs, complete: listing.complete };
}

async function list(root: string, options: TraverseOptions): Promise<unknown> {
  return plain(await traverseFileStore(root, EXTENSIONS, new AbortController().signal, options));
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
    await assert.rejects(traverseFileStore(root, EXTENSIONS, controller.signal, { workerThreshold: 0 }), /stop/);
  });
});
