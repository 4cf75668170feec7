import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isTempFileName, writeFilesAtomically, writeFilesInBatches } from '../../server/src/core/fs/atomicFiles';

describe('atomic file writes', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-atomic-'));
  });
  afterEach(function () {
    this.timeout(30_000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('replaces existing files and creates new ones, leaving no temp file', async () => {
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'old');
    await writeFilesAtomically([{ path: path.join(dir, 'a.yaml'), content: 'new' }, { path: path.join(dir, 'b.yaml'), content: new Uint8Array([104, 105]) }]);
    assert.equal(fs.readFileSync(path.join(dir, 'a.yaml'), 'utf8'), 'new');
    assert.equal(fs.readFileSync(path.join(dir, 'b.yaml'), 'utf8'), 'hi');
    assert.deepEqual(fs.readdirSync(dir).filter(isTempFileName), []);
  });

  it('stages temp files in the staging folder, never beside the targets where git would see them', async () => {
    const snapshots = path.join(dir, 'snapshots');
    const staging = path.join(dir, '.cac', 'staging', 'shop');
    fs.mkdirSync(snapshots);
    // What a kill would leave: every temp file that existed at some moment of the write.
    const seen: string[] = [];
    const watcher = fs.watch(dir, { recursive: true }, (_event, name) => {
      if (name && isTempFileName(path.basename(name))) seen.push(name);
    });
    const writes = Array.from({ length: 300 }, (_, i) => ({ path: path.join(snapshots, `t${i}.yaml`), content: `n: ${i}\n` }));
    try {
      await writeFilesInBatches(writes, { stagingDir: staging });
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      watcher.close();
    }
    assert.equal(fs.readdirSync(snapshots).length, 300);
    assert.ok(seen.length > 0, 'the watcher saw the temp files');
    assert.deepEqual(seen.filter((name) => !name.startsWith(path.join('.cac', 'staging'))), [], 'no temp file ever appeared among the snapshots');
    assert.deepEqual(fs.readdirSync(staging), [], 'and none is left behind');
  });

  it('writes more files than the open-file limit allows at once (ulimit -n 1024)', function () {
    this.timeout(60_000);
    const script = `require('tsx/cjs');
      const path = require('node:path');
      const { writeFilesAtomically } = require(${JSON.stringify(path.resolve(__dirname, '../../server/src/core/fs/atomicFiles.ts'))});
      const dir = ${JSON.stringify(dir)};
      writeFilesAtomically(Array.from({ length: 2000 }, (_, i) => ({ path: path.join(dir, 'f' + i + '.yaml'), content: 'n: ' + i })))
        .then(() => console.log('ok'), (e) => { console.error(e.code || e.message); process.exit(1); });`;
    const result = spawnSync('bash', ['-c', `ulimit -n 1024 && exec "${process.execPath}" -e "$0"`, script], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(fs.readdirSync(dir).length, 2000);
    assert.equal(fs.readFileSync(path.join(dir, 'f1999.yaml'), 'utf8'), 'n: 1999');
  });

  for (const [label, pathVariable] of [['one file-system flush (sync -f)', undefined], ['per-file flushes when `sync` is missing', '']] as const) {
    it(`writes a large batch with ${label}`, async () => {
      fs.writeFileSync(path.join(dir, 'f0.yaml'), 'old');
      const saved = process.env.PATH;
      if (pathVariable !== undefined) process.env.PATH = pathVariable;
      try {
        await writeFilesAtomically(Array.from({ length: 600 }, (_, i) => ({ path: path.join(dir, `f${i}.yaml`), content: `n: ${i}` })));
      } finally {
        process.env.PATH = saved;
      }
      assert.equal(fs.readdirSync(dir).length, 600);
      assert.deepEqual(fs.readdirSync(dir).filter(isTempFileName), []);
      assert.equal(fs.readFileSync(path.join(dir, 'f0.yaml'), 'utf8'), 'n: 0');
      assert.equal(fs.readFileSync(path.join(dir, 'f599.yaml'), 'utf8'), 'n: 599');
    });
  }

  it('leaves the old files and no temp file when a large batch fails part-way', async () => {
    fs.writeFileSync(path.join(dir, 'f0.yaml'), 'old');
    const writes = Array.from({ length: 400 }, (_, i) => ({ path: path.join(dir, `f${i}.yaml`), content: `n: ${i}` }));
    writes.push({ path: path.join(dir, 'missing-folder', 'x.yaml'), content: 'x' });
    await assert.rejects(writeFilesAtomically(writes), /ENOENT/);
    assert.deepEqual(fs.readdirSync(dir), ['f0.yaml']);
    assert.equal(fs.readFileSync(path.join(dir, 'f0.yaml'), 'utf8'), 'old');
  });

  describe('in batches, with abort and progress', () => {
    const oldAndNew = (count: number): { path: string; content: string }[] => {
      for (let i = 0; i < count; i++) fs.writeFileSync(path.join(dir, `f${i}.yaml`), 'old');
      return Array.from({ length: count }, (_, i) => ({ path: path.join(dir, `f${i}.yaml`), content: `n: ${i}` }));
    };
    const contents = (): string[] => fs.readdirSync(dir).sort().map((name) => `${name}=${fs.readFileSync(path.join(dir, name), 'utf8')}`);

    it('stages a large set in full before the first rename, then commits it batch by batch', async () => {
      const writes = oldAndNew(600);
      const events: string[] = [];
      await writeFilesInBatches(writes, {
        batchSize: 100,
        onStaged: (staged, total) => {
          // Nothing is visible while staging: every target still holds its old content.
          assert.equal(fs.readFileSync(writes[staged - 1]!.path, 'utf8'), 'old');
          events.push(`staged ${staged}/${total}`);
        },
        onCommitted: (committed, total) => events.push(`committed ${committed}/${total}`),
      });
      assert.deepEqual(events, [100, 200, 300, 400, 500, 600].map((n) => `staged ${n}/600`).concat([100, 200, 300, 400, 500, 600].map((n) => `committed ${n}/600`)));
      assert.deepEqual(fs.readdirSync(dir).filter(isTempFileName), []);
      assert.equal(fs.readFileSync(path.join(dir, 'f599.yaml'), 'utf8'), 'n: 599');
    });

    it('an abort while staging a large set leaves every file old and no temp file', async () => {
      const writes = oldAndNew(600);
      const controller = new AbortController();
      await assert.rejects(writeFilesInBatches(writes, { batchSize: 100, signal: controller.signal, onStaged: (staged) => staged === 300 && controller.abort(new Error('stop')) }), /stop/);
      assert.deepEqual(contents(), writes.map((w) => `${path.basename(w.path)}=old`).sort());
    });

    it('an abort while committing leaves the committed files new, the others old, and no temp file', async () => {
      const writes = oldAndNew(600);
      const controller = new AbortController();
      await assert.rejects(writeFilesInBatches(writes, { batchSize: 100, signal: controller.signal, onCommitted: (committed) => committed === 200 && controller.abort(new Error('stop')) }), /stop/);
      const expected = writes.map((w, i) => `${path.basename(w.path)}=${i < 200 ? w.content : 'old'}`).sort();
      assert.deepEqual(contents(), expected);
    });

    it('lets a timer abort a large set between two staged batches (the writes themselves are synchronous)', async () => {
      const writes = oldAndNew(2000);
      const controller = new AbortController();
      let staged = 0;
      const timer = setTimeout(() => controller.abort(new Error('timer')), 0);
      try {
        await assert.rejects(writeFilesInBatches(writes, { batchSize: 100, signal: controller.signal, onStaged: (n) => (staged = n) }), /timer/);
      } finally {
        clearTimeout(timer);
      }
      assert.ok(staged < 2000, `stopped after ${staged} staged files`);
      assert.deepEqual(contents(), writes.map((w) => `${path.basename(w.path)}=old`).sort());
    });

    it('commits a small set batch by batch, each flushed on its own', async () => {
      const writes = oldAndNew(10);
      const committed: number[] = [];
      const controller = new AbortController();
      await assert.rejects(writeFilesInBatches(writes, { batchSize: 3, signal: controller.signal, onStaged: () => assert.fail('a small set is not staged in full'), onCommitted: (n) => {
        committed.push(n);
        if (n === 6) controller.abort(new Error('stop'));
      } }), /stop/);
      assert.deepEqual(committed, [3, 6]);
      assert.deepEqual(contents(), writes.map((w, i) => `${path.basename(w.path)}=${i < 6 ? w.content : 'old'}`).sort());
    });
  });
});
