import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OperationStore, loadWorkspace, runSync, scheduledRunners, type ScheduleDefinition, type ScheduleTiming, type Workspace } from '../../server/src/core';
import { decideSchedule, runDueSchedules, timingKey, type ScheduleReport } from '../../server/src/core/schedules/runDue';
import { nextScheduledTime, runScheduler, type SchedulerEvent } from '../../server/src/core/schedules/scheduler';
import { nextRuns, previousRun } from '../../server/src/core/definitions/scheduleTiming';
import type { ScheduleRunState } from '../../server/src/core/schedules/scheduleState';
import { acquireScheduleLock } from '../../server/src/core/operations/locks';
import { removeCatalog, sqliteCatalog, writeFile } from '../helpers/syncFixtures';

/** For tests of schedules only: no datastore here opts in to an initial sync. */
const NO_INITIAL_SYNC = async (): Promise<never> => assert.fail('no initial sync was expected');

const HOURLY = 'kind: Schedule\nname: hourly-shop\ndatastore: shop\nhourly: { every: 1, minute: 0 }\ninclude: [table]\n';
const DAILY = 'kind: Schedule\nname: nightly-shop\ndatastore: shop\ndaily: { every: 1, at: "02:30" }\nprune: true\n';

/** run-due over a faked clock: each call passes its own `now`; syncs are real SQLite syncs. */
describe('schedule run-due (faked clock)', () => {
  let root: string;
  const runs: { schedule: string; slot: string }[] = [];
  beforeEach(() => {
    root = sqliteCatalog('CREATE TABLE orders (id INTEGER PRIMARY KEY);', { 'schedules/s.yaml': `${HOURLY}---\n${DAILY}` });
    runs.length = 0;
  });
  afterEach(() => removeCatalog(root));

  async function runDue(now: string, workspace: Workspace = loadWorkspace(root)): Promise<ScheduleReport[]> {
    return runDueSchedules({
      workspace, now: new Date(now), runInitialSync: NO_INITIAL_SYNC,
      runSchedule: (schedule, datastore, slot) => {
        runs.push({ schedule: schedule.name, slot: slot.toISOString() });
        return runSync({
          workspace, datastore, options: { prune: schedule.prune, recreate: schedule.recreate, include: schedule.include }, dryRun: false, env: {},
          signal: new AbortController().signal, triggeredBy: 'cron@example.com', schedule: schedule.name, history: new OperationStore(workspace.project.stateDir),
        });
      },
    });
  }
  const actions = (reports: ScheduleReport[]): string[] => reports.map((r) => `${r.schedule}:${r.action}`);

  it('records a never-seen schedule without running it: the first run is its next scheduled time', async () => {
    const reports = await runDue('2024-01-30T10:17:00Z');
    assert.deepEqual(actions(reports), ['hourly-shop:first-seen', 'nightly-shop:first-seen']);
    assert.deepEqual(reports.map((r) => r.next_run), ['2024-01-30T11:00:00.000Z', '2024-01-31T02:30:00.000Z']);
    assert.deepEqual(runs, []);
    assert.deepEqual(actions(await runDue('2024-01-30T10:59:59Z')), ['hourly-shop:not-due', 'nightly-shop:not-due']);
    assert.deepEqual(actions(await runDue('2024-01-30T11:00:00Z')), ['hourly-shop:ran', 'nightly-shop:not-due']);
    assert.deepEqual(runs, [{ schedule: 'hourly-shop', slot: '2024-01-30T11:00:00.000Z' }]);
  });

  it('runs a due schedule once: a second call at the same instant runs nothing', async () => {
    await runDue('2024-01-30T10:17:00Z');
    const first = await runDue('2024-01-31T02:45:00Z');
    assert.deepEqual(actions(first), ['hourly-shop:ran', 'nightly-shop:ran']);
    const second = await runDue('2024-01-31T02:45:00Z');
    assert.deepEqual(actions(second), ['hourly-shop:not-due', 'nightly-shop:not-due']);
    assert.equal(runs.length, 2);
  });

  it('runs once after a long gap, for the latest slot only, never a burst of missed runs', async () => {
    await runDue('2024-01-30T10:17:00Z');
    const reports = await runDue('2024-02-09T13:05:00Z');
    assert.deepEqual(runs, [{ schedule: 'hourly-shop', slot: '2024-02-09T13:00:00.000Z' }, { schedule: 'nightly-shop', slot: '2024-02-09T02:30:00.000Z' }]);
    assert.deepEqual(reports.map((r) => r.next_run), ['2024-02-09T14:00:00.000Z', '2024-02-10T02:30:00.000Z']);
    assert.deepEqual(actions(await runDue('2024-02-09T13:59:00Z')), ['hourly-shop:not-due', 'nightly-shop:not-due']);
  });

  it('records the operation it started with the schedule\'s name and options', async () => {
    await runDue('2024-01-30T10:17:00Z');
    const [hourly] = await runDue('2024-01-30T11:00:30Z');
    assert.equal(hourly!.result, 'success');
    const record = new OperationStore(path.join(root, '.cac')).get(hourly!.operation_id!)!;
    assert.deepEqual([record.schedule, record.include, record.triggered_by], ['hourly-shop', ['table'], 'cron@example.com']);
  });

  it('skips a disabled schedule and does not fire a stale run when it is enabled again', async () => {
    await runDue('2024-01-30T10:17:00Z');
    writeFile(root, 'schedules/s.yaml', `${HOURLY}enabled: false\n---\n${DAILY}`);
    assert.deepEqual(actions(await runDue('2024-01-30T12:10:00Z')), ['hourly-shop:disabled', 'nightly-shop:not-due']);
    writeFile(root, 'schedules/s.yaml', `${HOURLY}---\n${DAILY}`);
    assert.deepEqual(actions(await runDue('2024-01-30T12:20:00Z')), ['hourly-shop:not-due', 'nightly-shop:not-due']);
    assert.deepEqual(actions(await runDue('2024-01-30T13:00:00Z')), ['hourly-shop:ran', 'nightly-shop:not-due']);
  });

  it('treats a changed timing as a new schedule (no immediate run for a slot of the new timing)', async () => {
    await runDue('2024-01-30T10:17:00Z');
    writeFile(root, 'schedules/s.yaml', `${HOURLY}---\n${DAILY.replace('02:30', '09:00')}`);
    assert.deepEqual(actions(await runDue('2024-01-30T10:30:00Z')), ['hourly-shop:not-due', 'nightly-shop:first-seen']);
    assert.deepEqual(runs, []);
  });

  it('passes over a slot another scheduler is claiming at this instant', async () => {
    await runDue('2024-01-30T10:17:00Z');
    const claim = acquireScheduleLock(path.join(root, '.cac'), 'hourly-shop', new Date());
    assert.ok(claim.acquired);
    try {
      assert.deepEqual(actions(await runDue('2024-01-30T11:00:00Z')), ['hourly-shop:claimed-elsewhere', 'nightly-shop:not-due']);
    } finally {
      claim.lock.release();
    }
  });

  it('records a run refused because the datastore was busy, and does not retry that slot', async () => {
    await runDue('2024-01-30T10:17:00Z');
    const workspace = loadWorkspace(root);
    const reports = await runDueSchedules({
      workspace, now: new Date('2024-01-30T11:00:00Z'), runInitialSync: NO_INITIAL_SYNC,
      runSchedule: async () => ({ result: 'refused', message: 'Datastore \'shop\' is already being synced by operation 9.', operationId: undefined, refused: {} }),
    });
    assert.deepEqual(reports.map((r) => [r.action, r.result]), [['ran', 'refused'], ['not-due', undefined]]);
    assert.deepEqual(actions(await runDue('2024-01-30T11:30:00Z')), ['hourly-shop:not-due', 'nightly-shop:not-due']);
  });
});

describe('decideSchedule', () => {
  const schedule = (timing: ScheduleTiming | undefined, enabled = true): ScheduleDefinition => ({ kind: 'Schedule', name: 's', datastore: 'd', enabled, timing } as ScheduleDefinition);
  const daily: ScheduleTiming = { kind: 'daily', every: 1, at: '02:30' };
  const state = (lastSlot: string | null, timing = daily): ScheduleRunState => ({ schedule: 's', timing: timingKey(timing), last_slot: lastSlot, first_seen: '', last_run: null });
  const now = new Date('2024-01-30T10:00:00Z');
  const table: [string, ScheduleDefinition, ScheduleRunState | undefined, string][] = [
    ['never seen', schedule(daily), undefined, 'first-seen'],
    ['slot after the last one', schedule(daily), state('2024-01-29T02:30:00.000Z'), 'run'],
    ['slot already run', schedule(daily), state('2024-01-30T02:30:00.000Z'), 'not-due'],
    ['no slot yet recorded', schedule(daily), state(null), 'run'],
    ['timing changed', schedule({ kind: 'daily', every: 1, at: '03:00' }), state('2024-01-29T02:30:00.000Z'), 'first-seen'],
    ['disabled', schedule(daily, false), state('2024-01-29T02:30:00.000Z'), 'disabled'],
    ['no valid timing', schedule(undefined), undefined, 'invalid'],
  ];
  for (const [label, definition, previous, expected] of table) {
    it(`decides ${expected} when ${label}`, () => assert.equal(decideSchedule(definition, previous, now).action, expected));
  }
});

describe('previousRun: the slot run-due runs, for each schedule kind', () => {
  const at = new Date('2024-01-30T10:17:30Z');
  const table: [string, ScheduleTiming, string][] = [
    ['hourly on minute 15', { kind: 'hourly', every: 1, minute: 15 }, '2024-01-30T10:15'],
    ['every 6 hours', { kind: 'hourly', every: 6, minute: 0 }, '2024-01-30T06:00'],
    ['daily at 02:30', { kind: 'daily', every: 1, at: '02:30' }, '2024-01-30T02:30'],
    ['daily at 23:59', { kind: 'daily', every: 1, at: '23:59' }, '2024-01-29T23:59'],
    ['every 3 days at 06:30 (days counted from 1970-01-01)', { kind: 'daily', every: 3, at: '06:30' }, '2024-01-30T06:30'],
    ['every 3 days at 11:00, not yet today', { kind: 'daily', every: 3, at: '11:00' }, '2024-01-27T11:00'],
    ['weekly on sunday and friday', { kind: 'weekly', days: ['sunday', 'friday'], at: '00:00' }, '2024-01-28T00:00'],
    ['monthly on the 1st', { kind: 'monthly', day: 1, every: 1, at: '00:00' }, '2024-01-01T00:00'],
    ['quarterly on the 15th', { kind: 'monthly', day: 15, every: 3, at: '06:00' }, '2024-01-15T06:00'],
    ['cron on weekdays at noon', { kind: 'cron', expression: '0 12 * * 1-5' }, '2024-01-29T12:00'],
  ];
  for (const [label, timing, expected] of table) {
    it(`computes ${label}`, () => {
      const slot = previousRun(timing, at)!;
      assert.equal(slot.toISOString(), `${expected}:00.000Z`);
      assert.ok(nextRuns(timing, slot, 1)[0]!.getTime() > at.getTime(), 'no run lies between the slot and now');
    });
  }
});

describe('the scheduler loop behind cac daemon (faked clock)', () => {
  let root: string;
  beforeEach(() => {
    root = sqliteCatalog('CREATE TABLE orders (id INTEGER PRIMARY KEY);', { 'schedules/s.yaml': HOURLY });
  });
  afterEach(() => removeCatalog(root));

  it('sleeps until each next run, runs it once, reloads definitions and stops when aborted', async () => {
    let now = new Date('2024-01-30T10:59:58Z').getTime();
    const controller = new AbortController();
    const ran: string[] = [];
    const sleeps: number[] = [];
    const events: SchedulerEvent[] = [];
    await runScheduler({
      load: () => loadWorkspace(root),
      clock: () => new Date(now),
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
        if (ran.length === 1) writeFile(root, 'schedules/s.yaml', HOURLY.replace('minute: 0', 'minute: 30'));
        if (now >= Date.parse('2024-01-30T12:31:00Z')) controller.abort();
      },
      runDue: (workspace, at) => runDueSchedules({
        workspace, now: at, runInitialSync: NO_INITIAL_SYNC,
        runSchedule: async (schedule, _datastore, slot) => {
          ran.push(`${schedule.name}@${slot.toISOString()}`);
          return { result: 'success', message: null, operationId: ran.length };
        },
      }),
      onEvent: (event) => events.push(event),
      signal: controller.signal,
    });
    // 10:59:58 first seen; 11:00 runs; edited to minute 30: first seen again at 11:00+, runs 11:30 and 12:30.
    assert.deepEqual(ran, ['hourly-shop@2024-01-30T11:00:00.000Z', 'hourly-shop@2024-01-30T11:30:00.000Z', 'hourly-shop@2024-01-30T12:30:00.000Z']);
    assert.equal(sleeps[0], 2000, 'it sleeps exactly until the next run');
    assert.ok(sleeps.every((ms) => ms <= 60_000), 'never longer than a minute, so edits are picked up');
    assert.equal(events.at(-1)!.type, 'stopped');
  });

  it('knows the earliest next run of the enabled schedules', () => {
    writeFile(root, 'schedules/s.yaml', `${HOURLY}---\n${DAILY}---\n${DAILY.replace('nightly-shop', 'off').replace('02:30', '10:20')}enabled: false\n`);
    assert.equal(nextScheduledTime(loadWorkspace(root), new Date('2024-01-30T10:17:00Z'))?.toISOString(), '2024-01-30T11:00:00.000Z');
  });
});

describe('initial sync of a new datastore (initial_sync: true)', () => {
  let root: string;
  afterEach(() => removeCatalog(root));

  it('syncs an opted-in datastore without snapshots once, with prune and recreate off, tables and views, recorded as that rule', async () => {
    root = sqliteCatalog('CREATE TABLE orders (id INTEGER PRIMARY KEY); CREATE VIEW v AS SELECT id FROM orders;', {
      'datastores/other.yaml': 'kind: Datastore\nname: other\ntype: sqlite\nconnection:\n  path: ../shop.sqlite\n',
    }, 'initial_sync: true\nprune: true\ninclude: [table]\n');
    const runDue = async (): Promise<ScheduleReport[]> => {
      const workspace = loadWorkspace(root);
      return runDueSchedules({ workspace, now: new Date('2026-12-06T10:00:00Z'), ...scheduledRunners({ env: {}, signal: new AbortController().signal, triggeredBy: 'cron@example.com' }, workspace) });
    };
    const first = await runDue();
    assert.deepEqual(first.map((r) => [r.schedule, r.datastore, r.action, r.result]), [['(initial sync)', 'shop', 'ran', 'success']]);
    const record = new OperationStore(path.join(root, '.cac')).get(first[0]!.operation_id!)!;
    assert.deepEqual([record.prune, record.recreate, record.include, record.triggered_by], [false, false, ['table', 'view'], 'initial sync of a new datastore (by cron@example.com)']);
    // Once: with snapshots now, and its state kept, later looks run nothing (and 'other' never opted in).
    assert.deepEqual(await runDue(), []);
    fs.rmSync(path.join(root, 'snapshots'), { recursive: true });
    assert.deepEqual(await runDue(), [], 'an initial sync runs once, even if its snapshots are deleted later');
  });

  it('leaves alone an opted-in datastore that already has snapshots', async () => {
    root = sqliteCatalog('CREATE TABLE orders (id INTEGER PRIMARY KEY);', {}, 'initial_sync: true\n');
    const workspace = loadWorkspace(root);
    await runSync({ workspace, datastore: workspace.datastores[0]!, options: {}, dryRun: false, env: {}, signal: new AbortController().signal, triggeredBy: 'me', history: new OperationStore(workspace.project.stateDir) });
    const reports = await runDueSchedules({ workspace, now: new Date(), runSchedule: async () => assert.fail('no schedules'), runInitialSync: NO_INITIAL_SYNC });
    assert.deepEqual(reports, []);
  });
});
