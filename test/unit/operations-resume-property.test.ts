import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { OperationStore, loadWorkspace, runSync, type SyncOptions, type SyncOutcome } from '../../server/src/core';
import { checkResume } from '../../server/src/core/operations/operationActions';
import { makeCatalog, removeCatalog, snapshotFiles, sqlite } from '../helpers/syncFixtures';

/**
 * Abort at any point, resume (possibly aborting again), and the catalog ends byte for byte as an
 * uninterrupted sync leaves it, with the same result and summary. Abort points are the n-th
 * progress report: every container described, and every batch of snapshot files written.
 */
interface Fixture {
  name: string;
  /** A catalog synced once, whose source then changed: new, changed and gone containers. */
  build(): string;
}

const SQLITE: Fixture = {
  name: 'SQLite',
  build: () => {
    const root = makeCatalog({ 'datastores/shop.yaml': 'kind: Datastore\nname: shop\ntype: sqlite\nconnection:\n  path: ../shop.sqlite\n' });
    const db = path.join(root, 'shop.sqlite');
    sqlite(db, Array.from({ length: 12 }, (_, i) => `CREATE TABLE t${String(i).padStart(2, '0')} (id INTEGER PRIMARY KEY, name TEXT NOT NULL);`).join('\n'));
    return root;
  },
};

function changeSqlite(root: string): void {
  sqlite(path.join(root, 'shop.sqlite'), `
    DROP TABLE t01; DROP TABLE t05; DROP TABLE t09;
    ALTER TABLE t02 ADD COLUMN updated_at DATETIME; ALTER TABLE t07 ADD COLUMN note TEXT;
    CREATE TABLE n1 (id INTEGER PRIMARY KEY); CREATE TABLE n2 (k TEXT NOT NULL, created_at DATETIME NOT NULL);
    CREATE TABLE n3 (a INT, b INT, PRIMARY KEY (a, b)); CREATE VIEW v1 AS SELECT id FROM t00;`);
}

const DFS: Fixture = {
  name: 'file store',
  build: () => {
    const files: Record<string, string> = { 'datastores/files.yaml': 'kind: Datastore\nname: shop\ntype: dfs\nroot: ../data\nglobbing: false\n' };
    for (let i = 0; i < 10; i++) files[`data/f${i}.csv`] = `id,value${i}\n1,a\n`;
    return makeCatalog(files);
  },
};

function changeDfs(root: string): void {
  for (const gone of ['f1.csv', 'f4.csv']) fs.rmSync(path.join(root, 'data', gone));
  for (const changed of ['f2.csv', 'f6.csv']) fs.writeFileSync(path.join(root, 'data', changed), 'id,renamed,extra\n1,a,b\n');
  for (const added of ['g1.csv', 'g2.jsonl', 'g3.csv']) fs.writeFileSync(path.join(root, 'data', added), added.endsWith('.jsonl') ? '{"a":1,"b":"x"}\n' : 'x,y\n1,2\n');
}

async function syncOnce(root: string, options: Partial<SyncOptions>, extra: { abortAt?: number; batch?: number; resumeOf?: number } = {}): Promise<SyncOutcome> {
  const workspace = loadWorkspace(root);
  const history = new OperationStore(workspace.project.stateDir);
  const controller = new AbortController();
  let reports = 0;
  let resume;
  if (extra.resumeOf !== undefined) {
    const check = checkResume(history, workspace, extra.resumeOf);
    assert.ok(check.ok, check.ok ? '' : check.message);
    resume = check.value.record;
  }
  return runSync({
    workspace, datastore: workspace.datastores[0]!, options, resume, dryRun: false, env: {}, signal: controller.signal,
    triggeredBy: 'test@example.com', history, writeBatchSize: extra.batch,
    onProgress: () => {
      if (++reports === extra.abortAt) controller.abort();
    },
  });
}

function visible(outcome: SyncOutcome, root: string): unknown {
  const record = new OperationStore(path.join(root, '.cac')).get(outcome.operationId!)!;
  return { result: record.result, summary: record.summary, changes: record.changes, logs: record.logs };
}

for (const [fixture, change] of [[SQLITE, changeSqlite], [DFS, changeDfs]] as const) {
  describe(`abort at any point, then resume (${fixture.name})`, function () {
    this.timeout(180_000);
    const expected = new Map<string, { files: Map<string, string>; visible: unknown }>();
    const roots: string[] = [];
    after(() => roots.forEach(removeCatalog));

    /** A catalog synced once with default options, then changed at the source. */
    async function prepared(): Promise<string> {
      const root = fixture.build();
      roots.push(root);
      assert.equal((await syncOnce(root, {})).result, 'success');
      change(root);
      return root;
    }

    async function uninterrupted(options: Partial<SyncOptions>): Promise<{ files: Map<string, string>; visible: unknown }> {
      const key = JSON.stringify(options);
      if (!expected.has(key)) {
        const root = await prepared();
        const outcome = await syncOnce(root, options);
        assert.ok(outcome.result === 'success' || outcome.result === 'warning', outcome.message ?? '');
        expected.set(key, { files: snapshotFiles(root, 'shop'), visible: visible(outcome, root) });
      }
      return expected.get(key)!;
    }

    it('ends byte-identical to an uninterrupted sync, with the same result and summary', async () => {
      await fc.assert(fc.asyncProperty(
        fc.record({
          prune: fc.boolean(),
          abortPoints: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 3 }),
          batch: fc.integer({ min: 1, max: 4 }),
        }),
        async ({ prune, abortPoints, batch }) => {
          const options: Partial<SyncOptions> = { prune };
          const want = await uninterrupted(options);
          const root = await prepared();
          let outcome = await syncOnce(root, options, { abortAt: abortPoints[0], batch });
          const id = outcome.operationId!;
          for (const abortAt of [...abortPoints.slice(1), undefined]) {
            if (outcome.result !== 'aborted') break;
            outcome = await syncOnce(root, options, { abortAt, batch, resumeOf: id });
            assert.equal(outcome.operationId, id, 'a resume continues the same operation');
          }
          assert.notEqual(outcome.result, 'aborted');
          assert.deepEqual(snapshotFiles(root, 'shop'), want.files);
          assert.deepEqual(visible(outcome, root), want.visible);
          removeCatalog(root);
        },
      ), { numRuns: 15 });
    });
  });
}
