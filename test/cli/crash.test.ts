import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isTempFileName } from '../../server/src/core/fs/atomicFiles';
import { readSnapshot } from '../../server/src/core/snapshots/read';
import { CLI, ensureBuilt } from '../helpers/builtCli';

const FILES = 400;

/**
 * Kills `cac sync` at random moments; every snapshot must then be the old or the new version.
 * The moments come from a seed, printed with every run: CAC_CRASH_SEED=<seed> replays them.
 */
describe('a sync killed at any moment', function () {
  this.timeout(180000);
  const seed = Number(process.env.CAC_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = seededRandom(seed);
  let root: string;
  before(() => {
    ensureBuilt();
    console.log(`      kill moments from seed ${seed} (replay: CAC_CRASH_SEED=${seed})`);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-crash-'));
    fs.mkdirSync(path.join(root, 'datastores'));
    fs.writeFileSync(path.join(root, 'datastores', 'files.yaml'), 'kind: Datastore\nname: files\ntype: dfs\nroot: ../data\nglobbing: false\n');
    fs.mkdirSync(path.join(root, 'data'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const writeData = (column: string, time: number): void => {
    for (let i = 0; i < FILES; i++) {
      const file = path.join(root, 'data', `t${String(i).padStart(4, '0')}.csv`);
      fs.writeFileSync(file, `id,${column}\n1,x\n`);
      fs.utimesSync(file, time, time);
    }
  };
  const run = (): number => spawnSync(process.execPath, [CLI, 'sync', '--root', root], { encoding: 'utf8' }).status ?? -1;

  it('leaves each snapshot file old or new, and the next sync finishes the job', async () => {
    const columns = ['alpha', 'calibration', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
    writeData(columns[0]!, 1_700_000_000);
    assert.equal(run(), 0);
    // How long a sync that rewrites every snapshot takes here (start-up included): its writes come
    // last, so the kills are spread over its second half and a little beyond.
    writeData(columns[1]!, 1_700_000_100);
    const started = Date.now();
    assert.equal(run(), 0);
    const syncMs = Math.max(100, Date.now() - started);
    for (let round = 2; round < columns.length; round++) {
      const [previous, next] = [columns[round - 1]!, columns[round]!];
      writeData(next, 1_700_000_000 + round * 100);
      const child = spawn(process.execPath, [CLI, 'sync', '--root', root], { stdio: 'ignore' });
      // Listened for at once: a sync faster than the delay has exited before the kill.
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const delay = Math.floor(syncMs * (0.5 + random() * 0.7));
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await exited;
      const dir = path.join(root, 'snapshots', 'files');
      let seenNew = 0;
      for (const name of fs.readdirSync(dir)) {
        if (name === '_index.yaml' || name.endsWith('.tmp')) continue;
        const read = readSnapshot(fs.readFileSync(path.join(dir, name), 'utf8'));
        assert.ok(read.ok, `${name} is a complete snapshot after a kill at ${delay} ms`);
        const column = read.value.fields[1]!.name;
        assert.ok(column === previous || column === next, `${name} holds ${column}`);
        if (column === next) seenNew++;
      }
      assert.equal(run(), 0, `sync after the kill at ${delay} ms (${seenNew} files already new; seed ${seed})`);
      const names = fs.readdirSync(dir).filter((n) => n.endsWith('.yaml') && n !== '_index.yaml');
      assert.equal(names.length, FILES);
      assert.deepEqual(fs.readdirSync(dir).filter(isTempFileName), [], 'the next sync removes the temp files a killed one left');
      for (const name of names) assert.deepEqual(snapshotField(path.join(dir, name)), next);
      const history = JSON.parse(spawnSync(process.execPath, [CLI, 'history', '--root', root, '--format', 'json', '--limit', '2'], { encoding: 'utf8' }).stdout) as { items: { result: string }[] };
      assert.equal(history.items[0]!.result, 'success');
      assert.ok(['failure', 'success'].includes(history.items[1]!.result), 'a killed operation is not left running');
    }
  });
});

/** The second field's name of a snapshot file, or why it is not a snapshot. */
function snapshotField(file: string): string {
  const read = readSnapshot(fs.readFileSync(file, 'utf8'));
  return read.ok ? read.value.fields[1]!.name : `not a snapshot: ${read.problem.message}`;
}

/** mulberry32: a small, well-spread generator, so a printed seed replays the same kill moments. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
