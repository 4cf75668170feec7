import assert from 'node:assert/strict';
import Ajv from 'ajv';
import { readProjectSettings } from '../../server/src/core';
import operationSchema from '../../schemas/api/operation.schema.json';
import pageSchema from '../../schemas/api/operation-page.schema.json';
import { activityRecord, writeRecords } from '../helpers/activityRecords';
import { cacInProcess } from '../helpers/inProcessCli';
import { makeCatalog, removeCatalog } from '../helpers/syncFixtures';

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(operationSchema);
const validPage = ajv.compile(pageSchema);

describe('cac history list --from/--to (created UTC days) and --facets', function () {
  this.timeout(60_000);
  let root: string;
  const cac = (...args: string[]): ReturnType<typeof cacInProcess> => cacInProcess(['history', 'list', '--root', root, ...args], { env: { CAC_NOW: '2026-12-06T12:00:00Z' } });
  const ids = async (...args: string[]): Promise<number[]> => {
    const result = await cac('--format', 'json', ...args);
    assert.equal(result.code, 0, result.stderr);
    return (JSON.parse(result.stdout) as { items: { id: number }[] }).items.map((i) => i.id);
  };

  before(() => {
    root = makeCatalog({ 'datastores/shop.yaml': 'kind: Datastore\nname: shop\ntype: sqlite\nconnection:\n  path: ../shop.sqlite\n' });
    writeRecords(readProjectSettings(root).project.stateDir, [
      activityRecord(1, '2026-11-30T00:00:00.000Z', 'success'),
      activityRecord(2, '2026-11-30T23:59:59.999Z', 'failure', { message: 'connection refused' }),
      activityRecord(3, '2026-12-01T00:00:00.000Z', 'warning'),
      activityRecord(4, '2026-12-03T10:00:00.000Z', 'success'),
    ]);
  });
  after(() => removeCatalog(root));

  it('lists the operations created from --from (included) to --to (excluded), either end open', async () => {
    assert.deepEqual(await ids('--from', '2026-11-30', '--to', '2026-12-01'), [2, 1]);
    assert.deepEqual(await ids('--from', '2026-12-01', '--to', '2026-12-02'), [3]);
    assert.deepEqual(await ids('--from', '2026-12-01'), [4, 3]);
    assert.deepEqual(await ids('--to', '2026-12-01', '--order', 'asc'), [1, 2]);
    const table = await cac('--from', '2026-11-30', '--to', '2026-12-01');
    assert.equal(table.code, 0, table.stderr);
    assert.deepEqual(table.stdout.split('\n').slice(1, -1).map((line) => line.split(' ')[0]), ['2', '1']);
    assert.equal((await cac('--from', '2026-12-04', '--to', '2026-12-04')).stdout, 'No operations match.\n');
  });

  it('prints the facets with --format json --facets, valid against the API\'s page schema', async () => {
    const result = await cac('--format', 'json', '--facets', '--from', '2026-11-30', '--to', '2026-12-02', '--status', 'failure');
    assert.equal(result.code, 0, result.stderr);
    const page = JSON.parse(result.stdout) as { items: { id: number }[]; facets: unknown };
    assert.ok(validPage(page), JSON.stringify(validPage.errors));
    assert.deepEqual(page.items.map((i) => i.id), [2]);
    // Even ids are shop's, odd ones lake's (activityRecord).
    assert.deepEqual(page.facets, { status: { running: 0, success: 1, warning: 1, failure: 1, aborted: 0 }, type: { catalog: 1 }, datastores: [{ name: 'shop', count: 1 }] });
    assert.equal('facets' in JSON.parse((await cac('--format', 'json')).stdout), false, 'only when asked');
  });

  it('refuses a malformed day, a reversed range and --facets in a table, naming the option', async () => {
    const malformed = await cac('--from', '2026-02-30');
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /^error: --from must be a date as YYYY-MM-DD \(a UTC day\), not "2026-02-30"/);
    const reversed = await cac('--format', 'json', '--from', '2026-12-02', '--to', '2026-12-01');
    assert.equal(reversed.code, 1);
    assert.match(JSON.parse(reversed.stdout).error.message, /^from \(2026-12-02\) is after to \(2026-12-01\)/);
    const table = await cac('--facets');
    assert.equal(table.code, 1);
    assert.match(table.stderr, /--facets is for --format json/);
  });
});
