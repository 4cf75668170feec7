import * as assert from 'node:assert/strict';
import { actionsFor, nextUtcDay, runsQueryParams, type RunsQuery } from '../../client/src/activity/activityMessages';
import { countsText, elapsedMs, formatDuration } from '../../client/webview/activity/format';
import { heatmapLayout, moveDay } from '../../client/webview/activity/heatmap';
import type { ActivityDay } from '../../server/src/protocol/catalogProtocol';

const QUERY: RunsQuery = { search: '', sort: 'created', order: 'desc', status: [], container: '', page: 1, size: 50 };

function days(from: string, count: number): ActivityDay[] {
  const out: ActivityDay[] = [];
  for (let d = from, i = 0; i < count; i++, d = nextUtcDay(d)) out.push({ date: d, total: 0, running: 0, success: 0, warning: 0, failure: 0, aborted: 0, level: 0 });
  return out;
}

describe('Activity view (webview logic)', () => {
  it('asks the server for a heatmap day as the UTC range [day, day + 1), across month and year ends', () => {
    assert.deepEqual(runsQueryParams({ ...QUERY, day: '2026-12-31' }), { sort: 'created', order: 'desc', page: 1, size: 50, facets: true, summaryOnly: true, from: '2026-12-31', to: '2027-01-01' });
    assert.equal(nextUtcDay('2028-02-28'), '2028-02-29');
    assert.equal(nextUtcDay('2026-03-28'), '2026-03-29', 'no daylight-saving shift: days are UTC');
  });

  it('sends only the filters that are set, trimmed', () => {
    const params = runsQueryParams({ ...QUERY, search: '  42 ', status: ['failure', 'warning'], container: ' orders ', datastore: 'shop_db', type: 'catalog', sort: 'duration', order: 'asc', page: 3 });
    assert.deepEqual(params, { sort: 'duration', order: 'asc', page: 3, size: 50, facets: true, summaryOnly: true, search: '42', status: ['failure', 'warning'], type: 'catalog', datastore: 'shop_db', container: 'orders' });
    assert.deepEqual(Object.keys(runsQueryParams({ ...QUERY, search: '   ', container: '' })).sort(), ['facets', 'order', 'page', 'size', 'sort', 'summaryOnly']);
  });

  it('offers the seed\'s actions for each status', () => {
    assert.deepEqual(actionsFor('running'), ['abort']);
    assert.deepEqual(actionsFor('aborted'), ['resume', 'rerun', 'delete']);
    assert.deepEqual(actionsFor('warning'), ['rerun', 'delete', 'logs']);
    assert.deepEqual(actionsFor('success'), ['rerun', 'delete']);
    assert.deepEqual(actionsFor('failure'), ['rerun', 'delete', 'logs']);
  });

  it('lays a year of days out in Monday-first weeks with month names where months start', () => {
    // 2025-12-06 is a Saturday: five empty cells before it in the first week.
    const year = days('2025-12-06', 365);
    const layout = heatmapLayout(year, 'en-US');
    assert.ok(layout.weeks.every((w) => w.length === 7));
    assert.deepEqual(layout.weeks[0].slice(0, 5), [null, null, null, null, null]);
    assert.equal(layout.weeks[0][5]?.date, '2025-12-06');
    assert.equal(layout.weeks.flat().filter((d) => d !== null).length, 365);
    assert.equal(layout.weeks.at(-1)?.filter((d) => d !== null).at(-1)?.date, '2026-12-05');
    const labels = layout.months.map((m) => m.label);
    assert.equal(labels[0], 'Dec', 'the partial first month is named when there is room');
    assert.deepEqual(labels.slice(1), ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);
    const jan = layout.months[1];
    assert.ok(layout.weeks[jan.week].some((d) => d?.date === '2026-01-01'));
    // A first day too close to the next month's name gets none of its own.
    assert.equal(heatmapLayout(days('2026-01-28', 60), 'en-US').months[0].label, 'Feb');
    assert.deepEqual(heatmapLayout([], 'en-US'), { weeks: [], months: [] });
  });

  it('moves the keyboard focus by days and weeks within the year shown', () => {
    const year = days('2025-12-06', 365);
    assert.equal(moveDay(year, '2026-06-10', 7), '2026-06-17');
    assert.equal(moveDay(year, '2026-06-10', -1), '2026-06-09');
    assert.equal(moveDay(year, '2026-12-05', 7), '2026-12-05', 'clamped at the last day');
    assert.equal(moveDay(year, '2025-12-06', -365), '2025-12-06');
  });

  it('says what a square holds and how long an operation worked', () => {
    assert.equal(countsText({ total: 0, running: 0, success: 0, warning: 0, failure: 0, aborted: 0 }), 'No operations');
    assert.equal(countsText({ total: 3, running: 0, success: 2, warning: 0, failure: 1, aborted: 0 }), '3 operations: 2 success, 1 failure');
    assert.equal(formatDuration(850), '850 ms');
    assert.equal(formatDuration(65_000), '1 min 5 s');
    assert.equal(formatDuration(2 * 3_600_000 + 180_000), '2 h 3 min');
    assert.equal(elapsedMs({ result: 'success', durationMs: 2000 }, 0, 99_999), 2000, 'a finished run: the server\'s working time');
    assert.equal(elapsedMs({ result: 'running', durationMs: 2000 }, 10_000, 10_500), 2500, 'a running one counts on since the answer');
  });
});
