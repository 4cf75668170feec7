import assert from 'node:assert/strict';
import { SyncRunner } from '../../server/src/lsp/sync/syncRunner';
import type { SyncJob } from '../../server/src/lsp/sync/syncJob';
import { SHOP_SQL } from '../helpers/catalogFixture';
import { removeCatalog, sqliteCatalog } from '../helpers/syncFixtures';

/**
 * The language server's sync workers (lsp/sync/syncRunner.ts, the built dist/lspSyncWorker.js):
 * a worker that finished its job runs the next one, concurrent jobs get workers of their own, and
 * nothing of one job (an abort) reaches the next.
 */
describe('language server: sync workers are reused', function () {
  this.timeout(60_000);
  let root: string;
  let runner: SyncRunner;
  const job = (dryRun: boolean): Omit<SyncJob, 'abortFlag'> => ({ root, datastore: 'shop', options: {}, dryRun, buffers: [], triggeredBy: 'test@example.com' });

  beforeEach(() => {
    root = sqliteCatalog(SHOP_SQL);
    runner = new SyncRunner();
  });
  afterEach(() => {
    runner.abortAll();
    removeCatalog(root);
  });

  it('runs two previews and a sync in a row on one worker; an abort of a finished job changes nothing', async () => {
    const first = runner.start(job(true));
    assert.equal((await first.done).outcome.result, 'success');
    // Too late: the job is over, and its abort must not reach the worker's next job.
    first.abort();
    const second = await runner.start(job(true)).done;
    assert.equal(second.outcome.result, 'success');
    assert.ok(second.files.some((file) => file.uri.endsWith('/orders.yaml')), 'the preview has its files');
    const written = await runner.start(job(false)).done;
    assert.equal(written.outcome.result, 'success');
    assert.ok(written.outcome.operation_id !== null);
    assert.equal(runner.workersStarted, 1);
  });

  it('gives concurrent jobs workers of their own, keeps one for the next job, and lets it go on abortAll', async () => {
    const [a, b] = await Promise.all([runner.start(job(true)).done, runner.start(job(true)).done]);
    assert.deepEqual([a.outcome.result, b.outcome.result], ['success', 'success']);
    assert.equal(runner.workersStarted, 2);
    assert.equal((await runner.start(job(true)).done).outcome.result, 'success');
    assert.equal(runner.workersStarted, 2, 'the third job ran on a kept worker');
    runner.abortAll();
    assert.equal((await runner.start(job(true)).done).outcome.result, 'success');
    assert.equal(runner.workersStarted, 3, 'after abortAll no worker is kept');
  });
});
