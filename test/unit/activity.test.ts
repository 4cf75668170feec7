import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  activityLevel, activityQueryProblem, activityRange, ActivityQueryError, operationActivity, OperationStore, type OperationResult,
} from '../../server/src/core';
import { activityRecord, writeRecords } from '../helpers/activityRecords';

const NOW = new Date('2026-12-06T12:00:00.000Z');

const record = activityRecord;

describe('operation activity (core/history/activity.ts)', () => {
  it('puts 23:59:59.999Z on its day and 00:00:00Z on the next (UTC day boundary)', () => {
    const records = [record(1, '2026-03-01T23:59:59.999Z', 'success'), record(2, '2026-03-02T00:00:00.000Z', 'failure')];
    const activity = operationActivity(records, { from: '2026-03-01', to: '2026-03-03' }, NOW);
    assert.deepEqual(activity.days.map((d) => [d.date, d.total, d.success, d.failure]), [['2026-03-01', 1, 1, 0], ['2026-03-02', 1, 0, 1]]);
    // [from, to): the day `to` is excluded.
    const first = operationActivity(records, { from: '2026-03-01', to: '2026-03-02' }, NOW);
    assert.deepEqual([first.days.length, first.totals.total, first.totals.failure], [1, 1, 0]);
  });

  it('reads a timestamp with an offset by its UTC day, not the local one', () => {
    // 2026-03-02T01:30+02:00 is 2026-03-01T23:30Z.
    const activity = operationActivity([record(1, '2026-03-02T01:30:00+02:00', 'success')], { from: '2026-03-01', to: '2026-03-03' }, NOW);
    assert.deepEqual(activity.days.map((d) => d.total), [1, 0]);
  });

  it('gives the same days whatever the process time zone (run in children with TZ set)', function () {
    this.timeout(60_000);
    const script = `
      const { operationActivity, activityRange } = require(${JSON.stringify(path.resolve(__dirname, '../../server/src/core'))});
      const base = { type: 'catalog', triggered_by: 't', schedule: null, include: null, prune: false, recreate: false, progress: { done: 0, total: null }, summary: null, changes: [], logs: [], message: null,
        datastore: { id: 1, name: 'shop', store_type: 'jdbc', type: 'sqlite', enrich_only: false, enrich_container_prefix: null, favorite: false } };
      const records = [
        { ...base, id: 1, created: '2026-03-01T23:30:00.000000Z', start_time: '2026-03-01T23:30:00.000000Z', end_time: '2026-03-01T23:31:00.000000Z', result: 'success' },
        { ...base, id: 2, created: '2026-03-02T00:30:00.000000Z', start_time: '2026-03-02T00:30:00.000000Z', end_time: '2026-03-02T00:31:00.000000Z', result: 'failure' },
      ];
      const now = new Date('2026-03-02T23:30:00Z');
      const a = operationActivity(records, { from: '2026-03-01', to: '2026-03-03' }, now);
      process.stdout.write(JSON.stringify({ tz: new Date(2026, 2, 2).getTimezoneOffset(), days: a.days.map((d) => [d.date, d.success, d.failure]), range: activityRange(now) }));
    `;
    const answers = ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles', 'Asia/Kolkata'].map((tz) => {
      const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' });
      assert.equal(child.status, 0, child.stderr);
      return JSON.parse(child.stdout) as { tz: number; days: unknown; range: unknown };
    });
    // The zones really differ (+14 h and −8 h put 23:30Z and 00:30Z on other local days)…
    assert.deepEqual(answers.map((a) => a.tz), [0, -840, 480, -330]);
    // …and the answer does not.
    for (const answer of answers) {
      assert.deepEqual(answer.days, [['2026-03-01', 1, 0], ['2026-03-02', 0, 1]]);
      assert.deepEqual(answer.range, { from: '2025-03-03', to: '2026-03-03' });
    }
  });

  it('answers an empty range with no day, and a range without operations with zeros', () => {
    const records = [record(1, '2026-03-01T10:00:00.000Z', 'success')];
    const empty = operationActivity(records, { from: '2026-03-01', to: '2026-03-01' }, NOW);
    assert.deepEqual([empty.days, empty.totals.total, empty.max_per_day, empty.longest, empty.failing], [[], 0, 0, [], []]);
    const quiet = operationActivity(records, { from: '2026-04-01', to: '2026-04-08' }, NOW);
    assert.equal(quiet.days.length, 7);
    assert.ok(quiet.days.every((d) => d.total === 0 && d.level === 0));
    assert.equal(operationActivity([], { from: '2026-04-01', to: '2026-04-03' }, NOW).totals.total, 0);
  });

  it('rejects from > to, malformed and impossible days and too long a range', () => {
    assert.match(activityQueryProblem({ from: '2026-03-02', to: '2026-03-01' })!, /from \(2026-03-02\) is after to/);
    assert.throws(() => operationActivity([], { from: '2026-03-02', to: '2026-03-01' }, NOW), ActivityQueryError);
    assert.match(activityQueryProblem({ from: '2026-02-30', to: '2026-03-01' })!, /from must be a date as YYYY-MM-DD/);
    assert.match(activityQueryProblem({ from: '2026-3-1', to: '2026-03-01' })!, /from must be a date/);
    assert.match(activityQueryProblem({ from: '2026-03-01', to: 'tomorrow' })!, /to must be a date/);
    assert.match(activityQueryProblem({ from: '2000-01-01', to: '2026-03-01' })!, /at most 3660/);
    assert.equal(activityQueryProblem({ from: '2024-02-29', to: '2024-03-01' }), undefined, 'a leap day is a day');
  });

  it('defaults to the last 365 UTC days up to today', () => {
    assert.deepEqual(activityRange(new Date('2026-12-06T23:59:59.999Z')), { from: '2025-12-07', to: '2026-12-07' });
    assert.deepEqual(activityRange(new Date('2026-12-07T00:00:00.000Z')), { from: '2025-12-08', to: '2026-12-08' });
    assert.deepEqual(activityRange(NOW, '2026-01-01'), { from: '2026-01-01', to: '2027-01-01' });
    assert.deepEqual(activityRange(NOW, undefined, '2026-01-01'), { from: '2025-01-01', to: '2026-01-01' });
  });

  it('filters by datastore name or id, and splits by result', () => {
    const records = [
      record(1, '2026-03-01T10:00:00.000Z', 'success'), record(2, '2026-03-01T11:00:00.000Z', 'warning'),
      record(3, '2026-03-01T12:00:00.000Z', 'aborted'), record(4, '2026-03-02T12:00:00.000Z', 'running'),
    ];
    const range = { from: '2026-03-01', to: '2026-03-03' };
    const all = operationActivity(records, range, NOW);
    assert.deepEqual(all.totals, { total: 4, running: 1, success: 1, warning: 1, failure: 0, aborted: 1 });
    const byName = operationActivity(records, { ...range, datastore: 'shop' }, NOW);
    const byId = operationActivity(records, { ...range, datastore: '1' }, NOW);
    assert.deepEqual(byName.totals, { total: 2, running: 1, success: 0, warning: 1, failure: 0, aborted: 0 });
    assert.deepEqual(byId.days, byName.days);
    assert.deepEqual([byName.datastore, byId.datastore], ['shop', '1']);
    assert.equal(operationActivity(records, { ...range, datastore: 'nope' }, NOW).totals.total, 0);
  });

  it('lists the longest finished, the running with their elapsed time, and the latest failures and warnings', () => {
    const records = [
      record(1, '2026-03-01T10:00:00.000Z', 'success', { end_time: '2026-03-01T10:00:05.000000Z' }),
      record(2, '2026-03-01T11:00:00.000Z', 'failure', { end_time: '2026-03-01T11:01:00.000000Z', message: 'connection refused' }),
      record(3, '2026-03-02T09:00:00.000Z', 'warning', { end_time: '2026-03-02T09:00:01.000000Z', message: 'a column type is unknown' }),
      record(4, '2026-12-06T11:00:00.000Z', 'running'),
    ];
    const activity = operationActivity(records, { from: '2026-03-01', to: '2026-12-07', limit: 2 }, NOW);
    assert.deepEqual(activity.longest.map((o) => [o.id, o.duration_ms]), [[2, 60_000], [1, 5_000]]);
    assert.deepEqual(activity.running.map((o) => [o.id, o.duration_ms, o.end_time]), [[4, 3_600_000, null]]);
    assert.deepEqual(activity.failing.map((o) => [o.id, o.result, o.message]), [[3, 'warning', 'a column type is unknown'], [2, 'failure', 'connection refused']]);
    assert.deepEqual(Object.keys(activity.longest[0]!), ['id', 'datastore', 'result', 'created', 'start_time', 'end_time', 'duration_ms', 'message']);
  });

  it('grades the heatmap in five levels by quarters of the busiest day', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => activityLevel(n, 8)), [0, 1, 1, 2, 2, 3, 3, 4, 4]);
    assert.equal(activityLevel(1, 100), 1, 'one operation is never shown as none');
    assert.equal(activityLevel(0, 0), 0);
  });

  it('counts 10,000 records read from a store, quickly', function () {
    this.timeout(60_000);
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-activity-'));
    try {
      const results: OperationResult[] = ['success', 'success', 'success', 'warning', 'failure', 'aborted'];
      const start = Date.parse('2026-01-01T00:00:00Z');
      // About 27 a day over a year, at every hour of the day.
      writeRecords(folder, Array.from({ length: 10_000 }, (_, k) => record(k + 1, new Date(start + k * 3_153_600).toISOString(), results[(k + 1) % results.length]!)));
      const records = new OperationStore(folder).list();
      assert.equal(records.length, 10_000);
      const began = process.hrtime.bigint();
      const activity = operationActivity(records, { from: '2026-01-01', to: '2027-01-01' }, NOW);
      const ms = Number(process.hrtime.bigint() - began) / 1e6;
      assert.equal(activity.days.length, 365);
      assert.equal(activity.totals.total, 10_000);
      assert.equal(activity.days.reduce((sum, d) => sum + d.total, 0), 10_000);
      assert.deepEqual(
        [activity.totals.success, activity.totals.warning, activity.totals.failure, activity.totals.aborted],
        // i % 6: 0, 1, 2 success; 3 warning; 4 failure; 5 aborted (10,000 = 6 × 1,666 + 4).
        [5_000, 1_667, 1_667, 1_666],
      );
      assert.equal(activity.longest[0]!.id, 10_000, 'the longest has the largest duration (id × 10 ms here)');
      assert.equal(activity.failing.length, 10);
      assert.ok(activity.failing.every((o, i, all) => i === 0 || Date.parse(all[i - 1]!.created) >= Date.parse(o.created)));
      assert.ok(ms < 500, `10,000 records took ${ms.toFixed(1)} ms`);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
