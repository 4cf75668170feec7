import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  MAX_PAGE_SIZE, OPERATION_RESULTS, operationActivity, OperationQueryError, operationQueryProblem, OperationStore, queryOperations,
  type OperationFacets, type OperationQuery, type OperationRecord,
} from '../../server/src/core';
import { OperationIndex } from '../../server/src/core/history/operationIndex';
import { activityRecord, writeRecords } from '../helpers/activityRecords';

const NOW = new Date('2026-03-10T12:00:00.000Z');

function ids(records: readonly OperationRecord[], query: OperationQuery): number[] {
  return queryOperations(records, { size: MAX_PAGE_SIZE, ...query }, NOW).items.map((r) => r.id);
}

/** The facets as their definition says, by running the query again without each dimension's own filter. */
function facetsByRequerying(records: readonly OperationRecord[], query: OperationQuery): OperationFacets {
  const matching = (without: keyof OperationQuery): OperationRecord[] =>
    queryOperations(records, { ...query, [without]: undefined, facets: false, page: 1, size: MAX_PAGE_SIZE }, NOW).items;
  const status = Object.fromEntries(OPERATION_RESULTS.map((result) => [result, matching('status').filter((r) => r.result === result).length])) as OperationFacets['status'];
  const datastores = new Map<string, number>();
  for (const record of matching('datastore')) datastores.set(record.datastore.name, (datastores.get(record.datastore.name) ?? 0) + 1);
  return {
    status,
    type: { catalog: matching('type').length },
    datastores: [...datastores].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, count]) => ({ name, count })),
  };
}

describe('history list: the created range in UTC days', () => {
  const records = [
    activityRecord(1, '2026-03-01T00:00:00.000Z', 'success'),
    activityRecord(2, '2026-03-01T23:59:59.999Z', 'failure'),
    activityRecord(3, '2026-03-02T00:00:00.000Z', 'warning'),
    // 2026-03-02T01:30+02:00 is 2026-03-01T23:30Z: the UTC day counts, not the written one.
    activityRecord(4, '2026-03-02T01:30:00+02:00', 'success'),
    activityRecord(5, '2026-03-05T12:00:00.000Z', 'aborted'),
  ];

  it('includes from at 00:00Z exactly and 23:59:59.999Z of its last day, and excludes to at 00:00Z exactly', () => {
    assert.deepEqual(ids(records, { from: '2026-03-01', to: '2026-03-02' }), [2, 4, 1]);
    assert.deepEqual(ids(records, { from: '2026-03-02', to: '2026-03-03' }), [3]);
    assert.deepEqual(ids(records, { from: '2026-03-01', to: '2026-03-06', order: 'asc' }), [1, 4, 2, 3, 5]);
  });

  it('leaves an end that is not given open', () => {
    assert.deepEqual(ids(records, { from: '2026-03-02' }), [5, 3]);
    assert.deepEqual(ids(records, { to: '2026-03-02' }), [2, 4, 1]);
    assert.deepEqual(ids(records, { from: '2026-03-06' }), []);
  });

  it('matches nothing in an empty range (from equal to to), and counts nothing in its facets', () => {
    const page = queryOperations(records, { from: '2026-03-01', to: '2026-03-01', facets: true }, NOW);
    assert.deepEqual([page.items, page.total, page.pages], [[], 0, 0]);
    assert.deepEqual(page.facets, { status: { running: 0, success: 0, warning: 0, failure: 0, aborted: 0 }, type: { catalog: 0 }, datastores: [] });
  });

  it('refuses malformed days and from after to with the Activity\'s messages, and throws rather than answer them', () => {
    assert.match(operationQueryProblem({ from: '2026-02-30' })!, /^from must be a date as YYYY-MM-DD \(a UTC day\), not "2026-02-30"/);
    assert.match(operationQueryProblem({ to: '2026-3-1' })!, /^to must be a date as YYYY-MM-DD/);
    assert.match(operationQueryProblem({ from: 20260301 as unknown as string })!, /^from must be a date/);
    assert.match(operationQueryProblem({ from: '2026-03-02', to: '2026-03-01' })!, /^from \(2026-03-02\) is after to \(2026-03-01\)/);
    assert.equal(operationQueryProblem({}), undefined);
    assert.equal(operationQueryProblem({ from: '2024-02-29', to: '2024-02-29' }), undefined, 'a leap day, and an empty range');
    assert.equal(operationQueryProblem({ from: '1990-01-01', to: '2090-01-01' }), undefined, 'a filter is not answered day by day: no bound on its length');
    assert.throws(() => queryOperations(records, { to: 'tomorrow' }, NOW), (error: unknown) => error instanceof OperationQueryError && /^to must be a date/.test(error.message));
  });

  it('lists, for each day, exactly the operations the Activity counts on that day', () => {
    const activity = operationActivity(records, { from: '2026-02-28', to: '2026-03-07' }, NOW);
    for (const day of activity.days) {
      const next = new Date(Date.parse(`${day.date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      const page = queryOperations(records, { from: day.date, to: next, facets: true }, NOW);
      assert.equal(page.total, day.total, day.date);
      assert.deepEqual(page.facets!.status, { running: day.running, success: day.success, warning: day.warning, failure: day.failure, aborted: day.aborted }, day.date);
    }
  });
});

describe('history list: facets (counts per status, type and datastore)', () => {
  const change = (name: string): OperationRecord['changes'][number] => ({ name, action: 'changed', kind: 'table' });
  const crm = { ...activityRecord(0, '2026-03-01T00:00:00.000Z', 'success').datastore, id: 3, name: 'crm' };
  // Even ids are shop's, odd ones lake's (activityRecord); 9 and 10 are crm's.
  const records: OperationRecord[] = [
    activityRecord(1, '2026-03-01T08:00:00.000Z', 'success', { changes: [change('orders')] }),
    activityRecord(2, '2026-03-01T09:00:00.000Z', 'failure', { changes: [change('orders')], schedule: 'nightly' }),
    activityRecord(3, '2026-03-02T10:00:00.000Z', 'success', { changes: [change('customers')] }),
    activityRecord(4, '2026-03-02T11:00:00.000Z', 'warning', { changes: [change('orders'), change('customers')], schedule: 'nightly' }),
    activityRecord(5, '2026-03-03T12:00:00.000Z', 'aborted', { logs: [{ level: 'warning', code: 'permission-gap', message: 'm', container: 'orders' }] }),
    activityRecord(6, '2026-03-03T13:00:00.000Z', 'success', { changes: [change('orders')] }),
    activityRecord(7, '2026-03-04T14:00:00.000Z', 'failure', { schedule: 'nightly' }),
    activityRecord(8, '2026-03-04T15:00:00.000Z', 'running', { process: undefined, changes: [change('orders')] }),
    activityRecord(9, '2026-03-05T16:00:00.000Z', 'success', { datastore: crm, changes: [change('orders')] }),
    activityRecord(10, '2026-03-05T17:00:00.000Z', 'failure', { datastore: crm }),
  ];

  it('counts each dimension ignoring its own filter and honouring the others', () => {
    const page = queryOperations(records, { status: ['failure'], datastore: 'shop', container: 'orders', from: '2026-03-01', to: '2026-03-05', facets: true }, NOW);
    assert.deepEqual(page.items.map((r) => r.id), [2]);
    assert.deepEqual(page.facets, {
      // shop's operations on orders from 03-01 to 03-04, whatever their status: 2, 4, 6, 8.
      status: { running: 1, success: 1, warning: 1, failure: 1, aborted: 0 },
      type: { catalog: 1 },
      // Failures on orders from 03-01 to 03-04, whatever their datastore: 2 (shop); 7 (lake) did not touch orders, 10 (crm) neither and is on 03-05.
      datastores: [{ name: 'shop', count: 1 }],
    });
  });

  it('honours the search in every dimension, and lists every status, with 0 for those none has', () => {
    const page = queryOperations(records, { search: 'nightly', facets: true }, NOW);
    assert.deepEqual(page.facets, {
      status: { running: 0, success: 0, warning: 1, failure: 2, aborted: 0 },
      type: { catalog: 3 },
      datastores: [{ name: 'lake', count: 1 }, { name: 'shop', count: 2 }],
    });
  });

  it('counts a datastore picked by id under its name, and a type filter ignores only itself', () => {
    const page = queryOperations(records, { datastore: '3', type: 'sync', facets: true }, NOW);
    assert.deepEqual(page.items.map((r) => r.id), [10, 9]);
    assert.deepEqual(page.facets!.datastores, [{ name: 'crm', count: 2 }, { name: 'lake', count: 4 }, { name: 'shop', count: 4 }]);
    assert.deepEqual(page.facets!.type, { catalog: 2 });
  });

  it('agrees with running the query again without each filter, for every combination tried', () => {
    const queries: OperationQuery[] = [
      {}, { status: ['success', 'failure'] }, { datastore: 'lake', status: ['running'] }, { container: 'customers', status: ['warning'] },
      { from: '2026-03-02', to: '2026-03-04', datastore: 'crm' }, { search: '#4', status: ['success'] }, { search: 'nightly', datastore: 'shop', status: ['aborted'] },
      { type: 'catalog', container: 'orders', to: '2026-03-03' }, { status: ['failure'], datastore: 'nowhere', container: 'orders' }, { page: 3, size: 1, sort: 'duration', container: 'orders' },
    ];
    for (const query of queries) {
      assert.deepEqual(queryOperations(records, { ...query, facets: true }, NOW).facets, facetsByRequerying(records, query), JSON.stringify(query));
    }
  });

  it('adds no facets unless asked, and the same items either way', () => {
    const query: OperationQuery = { status: ['success'], container: 'orders' };
    const plain = queryOperations(records, query, NOW);
    assert.equal('facets' in plain, false);
    const { facets: _facets, ...withFacets } = queryOperations(records, { ...query, facets: true }, NOW);
    assert.deepEqual(withFacets, plain);
  });

  it('gives the same answer from the index\'s rows as from the full records, also for records with too many containers for a row', () => {
    const state = fs.mkdtempSync(path.join(tmpdir(), 'cac-history-facets-'));
    try {
      const crowded = activityRecord(11, '2026-03-02T18:00:00.000Z', 'warning', { changes: Array.from({ length: 80 }, (_, i) => change(i === 79 ? 'orders' : `t${i}`)) });
      // A running record whose process is gone reads as failed in both.
      const dead = activityRecord(12, '2026-03-03T18:00:00.000Z', 'running', { process: { pid: 2 ** 22 + 4242, host: hostname() }, changes: [change('orders')] });
      writeRecords(state, [...records, crowded, dead]);
      OperationIndex.forgetCached();
      const store = new OperationStore(state);
      for (const query of [{}, { container: 'orders', status: ['failure'] }, { from: '2026-03-02', to: '2026-03-04', datastore: 'shop', container: 'orders' }, { search: 'lake', status: ['warning'], container: 't3' }] as OperationQuery[]) {
        const fromRows = store.query({ ...query, facets: true }, NOW);
        assert.deepEqual(fromRows, queryOperations(store.list(), { ...query, facets: true }, NOW), JSON.stringify(query));
        assert.deepEqual(fromRows.facets, facetsByRequerying(store.list(), query), JSON.stringify(query));
      }
      assert.equal(store.query({ container: 'orders', facets: true }, NOW).facets!.status.failure, 2, 'operation 2, and 12 whose process is gone');
    } finally {
      OperationIndex.forgetCached();
      fs.rmSync(state, { recursive: true, force: true });
    }
  });
});
