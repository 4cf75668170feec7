import assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeDefinitions, type Position, type Problem, type ProjectSettings, type ScheduleTiming, type Workspace } from '../../server/src/core';
import { CronExpressionParser } from 'cron-parser';
import { cronOf, cronProblem, equivalentCron, nextRuns, previousRun } from '../../server/src/core/definitions/scheduleTiming';
import { describeTiming } from '../../server/src/core/language/scheduleText';

const ROOT = path.resolve('/catalog-as-code-test');
const PROJECT: ProjectSettings = { root: ROOT, snapshotsDir: path.join(ROOT, 'snapshots'), stateDir: path.join(ROOT, '.cac'), exclude: [] };
const DATASTORE = 'kind: Datastore\nname: warehouse\ntype: sqlite\nconnection:\n  path: ./warehouse.sqlite\n';

/** Analyzes one schedule file next to a valid datastore it can name. */
function analyzeSchedule(text: string): Workspace {
  return analyzeDefinitions(PROJECT, [
    { path: path.join(ROOT, 'datastores/warehouse.yaml'), text: DATASTORE },
    { path: path.join(ROOT, 'schedules/s.yaml'), text },
  ]);
}

const schedule = (timing: string): string => `kind: Schedule\nname: nightly-warehouse\ndatastore: warehouse\n${timing}\n`;

function positionOf(text: string, needle: string): Position {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `fixture has no ${needle}`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

function rangeOf(text: string, needle: string): Problem['range'] {
  const start = positionOf(text, needle);
  return { start, end: { line: start.line, character: start.character + needle.length } };
}

describe('schedule timings', () => {
  const examples: [string, ScheduleTiming][] = [
    ['daily: { every: 1, at: "00:00" }', { kind: 'daily', every: 1, at: '00:00' }],
    ['daily: { at: "14:30" }', { kind: 'daily', every: 1, at: '14:30' }],
    ['hourly: { every: 1, minute: 0 }', { kind: 'hourly', every: 1, minute: 0 }],
    ['hourly: { every: 6 }', { kind: 'hourly', every: 6, minute: 0 }],
    ['weekly: { days: [sunday, friday], at: "00:00" }', { kind: 'weekly', days: ['sunday', 'friday'], at: '00:00' }],
    ['monthly: { day: 1, every: 1, at: "00:00" }', { kind: 'monthly', day: 1, every: 1, at: '00:00' }],
    ['monthly: { day: 15, at: "06:05" }', { kind: 'monthly', day: 15, every: 1, at: '06:05' }],
    ['cron: "0 12 * * 1-5"', { kind: 'cron', expression: '0 12 * * 1-5' }],
  ];
  for (const [timing, expected] of examples) {
    it(`reads ${timing} without problems`, () => {
      const workspace = analyzeSchedule(schedule(timing));
      assert.deepEqual(workspace.problems, []);
      assert.deepEqual(workspace.schedules[0]!.timing, expected);
    });
  }

  it('reads the schedule options and defaults', () => {
    const workspace = analyzeSchedule(schedule('cron: "0 0 * * *"\nenabled: false\nprune: true\ninclude: [view]'));
    assert.deepEqual(workspace.problems, []);
    const [read] = workspace.schedules;
    assert.deepEqual([read!.name, read!.datastore, read!.enabled, read!.prune, read!.recreate, read!.include], ['nightly-warehouse', 'warehouse', false, true, undefined, ['view']]);
  });

  it('reports a schedule without a timing on its name key', () => {
    const text = schedule('prune: false');
    const workspace = analyzeSchedule(text);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.severity, p.range]), [['invalid-schedule', 'error', rangeOf(text, 'name')]]);
    assert.equal(workspace.schedules[0]!.timing, undefined);
  });

  it('reports a second timing on its key and reads no timing', () => {
    const text = schedule('daily: { at: "00:00" }\ncron: "0 0 * * *"');
    const workspace = analyzeSchedule(text);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range]), [['invalid-schedule', rangeOf(text, 'cron')]]);
    assert.equal(workspace.schedules[0]!.timing, undefined);
  });

  it('reports every extra timing when three are given', () => {
    const text = schedule('hourly: { every: 1 }\nweekly: { days: [monday], at: "01:00" }\nmonthly: { day: 1, at: "00:00" }');
    const workspace = analyzeSchedule(text);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range]), [
      ['invalid-schedule', rangeOf(text, 'weekly')],
      ['invalid-schedule', rangeOf(text, 'monthly')],
    ]);
  });

  for (const at of ['25:00', '24:00', '12:60', '7:30', '0730']) {
    it(`reports at: "${at}" on its value and reads no timing`, () => {
      const text = schedule(`daily: { every: 1, at: "${at}" }`);
      const workspace = analyzeSchedule(text);
      assert.deepEqual(workspace.problems.map((p) => [p.code, p.range]), [['schema-violation', rangeOf(text, `"${at}"`)]]);
      assert.equal(workspace.schedules[0]!.timing, undefined);
    });
  }

  it('reports a time written without quotes, which YAML 1.1 tools read as a number', () => {
    const text = schedule('daily: { at: 1430 }');
    const workspace = analyzeSchedule(text);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range]), [['schema-violation', rangeOf(text, '1430')]]);
  });

  it('reports a misspelt weekday with a suggestion and reads no timing', () => {
    const text = schedule('weekly: { days: [sundy, friday], at: "00:00" }');
    const workspace = analyzeSchedule(text);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range, p.suggestions]), [['schema-violation', rangeOf(text, 'sundy'), ['sunday']]]);
    assert.equal(workspace.schedules[0]!.timing, undefined);
  });

  it('reports hourly every outside 1 to 23 and reads no timing', () => {
    const text = schedule('hourly: { every: 24 }');
    const workspace = analyzeSchedule(text);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range]), [['schema-violation', rangeOf(text, '24')]]);
    assert.equal(workspace.schedules[0]!.timing, undefined);
  });

  for (const expression of ['61 * * * *', '0 24 * * *', '0 0 30 2 *', '0 0 * * * *', '0 0 * *', '@hourly', '@daily', 'every day', '*/0 * * * *']) {
    it(`reports cron "${expression}" as invalid-cron on its value and reads no timing`, () => {
      const text = schedule(`cron: "${expression}"`);
      const workspace = analyzeSchedule(text);
      assert.deepEqual(workspace.problems.map((p) => [p.code, p.severity, p.range]), [['invalid-cron', 'error', rangeOf(text, `"${expression}"`)]]);
      assert.equal(workspace.schedules[0]!.timing, undefined);
      assert.notEqual(cronProblem(expression), undefined);
    });
  }

  for (const expression of ['0 12 * * 1-5', '30 14 1 * *', '0 22 * * 6', '0 0 * * *', '*/15 * * * *', '0 6 1,15 * *']) {
    it(`accepts cron "${expression}"`, () => {
      const workspace = analyzeSchedule(schedule(`cron: "${expression}"`));
      assert.deepEqual(workspace.problems, []);
      assert.deepEqual(workspace.schedules[0]!.timing, { kind: 'cron', expression });
      assert.equal(cronProblem(expression), undefined);
    });
  }

  it('reports an empty cron once, as a schema violation', () => {
    const text = schedule('cron: ""');
    const workspace = analyzeSchedule(text);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range]), [['schema-violation', rangeOf(text, '""')]]);
  });

  it('warns that a monthly day after the 28th skips the months without it', () => {
    const text = schedule('monthly: { day: 31, at: "00:00" }');
    const workspace = analyzeSchedule(text);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.severity, p.range]), [['invalid-schedule', 'warning', rangeOf(text, '31')]]);
    assert.deepEqual(workspace.schedules[0]!.timing, { kind: 'monthly', day: 31, every: 1, at: '00:00' });
  });

  it('does not warn about day 28', () => {
    assert.deepEqual(analyzeSchedule(schedule('monthly: { day: 28, at: "00:00" }')).problems, []);
  });
});

describe('cronOf: every timing as a five-field UTC cron expression', () => {
  const table: [ScheduleTiming, string][] = [
    [{ kind: 'hourly', every: 1, minute: 0 }, '0 * * * *'],
    [{ kind: 'hourly', every: 3, minute: 15 }, '15 */3 * * *'],
    [{ kind: 'daily', every: 1, at: '00:00' }, '0 0 * * *'],
    [{ kind: 'daily', every: 2, at: '14:30' }, '30 14 */2 * *'],
    [{ kind: 'weekly', days: ['sunday', 'friday'], at: '00:00' }, '0 0 * * 0,5'],
    [{ kind: 'weekly', days: ['saturday', 'monday', 'wednesday'], at: '09:05' }, '5 9 * * 1,3,6'],
    [{ kind: 'monthly', day: 1, every: 1, at: '00:00' }, '0 0 1 * *'],
    [{ kind: 'monthly', day: 15, every: 3, at: '06:05' }, '5 6 15 */3 *'],
    [{ kind: 'cron', expression: ' 0 12 * * 1-5 ' }, '0 12 * * 1-5'],
  ];
  for (const [timing, expected] of table) {
    it(`writes ${JSON.stringify(timing)} as "${expected}"`, () => {
      assert.equal(cronOf(timing), expected);
      assert.equal(cronProblem(expected), undefined);
    });
  }
});

describe('nextRuns: the next five runs in UTC', () => {
  // Tuesday 30 January 2024, 10:17:30 UTC.
  const after = new Date('2024-01-30T10:17:30Z');
  const table: [string, ScheduleTiming, string[]][] = [
    ['hourly on minute 15', { kind: 'hourly', every: 1, minute: 15 }, ['2024-01-30T11:15', '2024-01-30T12:15', '2024-01-30T13:15', '2024-01-30T14:15', '2024-01-30T15:15']],
    ['every 6 hours', { kind: 'hourly', every: 6, minute: 0 }, ['2024-01-30T12:00', '2024-01-30T18:00', '2024-01-31T00:00', '2024-01-31T06:00', '2024-01-31T12:00']],
    ['daily at 02:30', { kind: 'daily', every: 1, at: '02:30' }, ['2024-01-31T02:30', '2024-02-01T02:30', '2024-02-02T02:30', '2024-02-03T02:30', '2024-02-04T02:30']],
    ['daily later today', { kind: 'daily', every: 1, at: '23:59' }, ['2024-01-30T23:59', '2024-01-31T23:59', '2024-02-01T23:59', '2024-02-02T23:59', '2024-02-03T23:59']],
    ['weekly on sunday and friday', { kind: 'weekly', days: ['sunday', 'friday'], at: '00:00' }, ['2024-02-02T00:00', '2024-02-04T00:00', '2024-02-09T00:00', '2024-02-11T00:00', '2024-02-16T00:00']],
    ['monthly on the 1st', { kind: 'monthly', day: 1, every: 1, at: '00:00' }, ['2024-02-01T00:00', '2024-03-01T00:00', '2024-04-01T00:00', '2024-05-01T00:00', '2024-06-01T00:00']],
    ['quarterly on the 15th', { kind: 'monthly', day: 15, every: 3, at: '06:00' }, ['2024-04-15T06:00', '2024-07-15T06:00', '2024-10-15T06:00', '2025-01-15T06:00', '2025-04-15T06:00']],
    ['monthly on the 31st, skipping shorter months', { kind: 'monthly', day: 31, every: 1, at: '00:00' }, ['2024-01-31T00:00', '2024-03-31T00:00', '2024-05-31T00:00', '2024-07-31T00:00', '2024-08-31T00:00']],
    ['monthly on the 29th, in a leap year', { kind: 'monthly', day: 29, every: 1, at: '00:00' }, ['2024-02-29T00:00', '2024-03-29T00:00', '2024-04-29T00:00', '2024-05-29T00:00', '2024-06-29T00:00']],
    ['cron on weekdays at noon', { kind: 'cron', expression: '0 12 * * 1-5' }, ['2024-01-30T12:00', '2024-01-31T12:00', '2024-02-01T12:00', '2024-02-02T12:00', '2024-02-05T12:00']],
    ['cron on the 1st at 14:30', { kind: 'cron', expression: '30 14 1 * *' }, ['2024-02-01T14:30', '2024-03-01T14:30', '2024-04-01T14:30', '2024-05-01T14:30', '2024-06-01T14:30']],
    ['cron on saturdays at 22:00', { kind: 'cron', expression: '0 22 * * 6' }, ['2024-02-03T22:00', '2024-02-10T22:00', '2024-02-17T22:00', '2024-02-24T22:00', '2024-03-02T22:00']],
    ['cron at midnight', { kind: 'cron', expression: '0 0 * * *' }, ['2024-01-31T00:00', '2024-02-01T00:00', '2024-02-02T00:00', '2024-02-03T00:00', '2024-02-04T00:00']],
  ];
  for (const [label, timing, expected] of table) {
    it(`computes ${label}`, () => {
      const runs = nextRuns(timing, after, 5);
      assert.deepEqual(runs.map((run) => run.toISOString()), expected.map((minute) => `${minute}:00.000Z`));
    });
  }

  it('never returns the given instant itself, even when it is a run time', () => {
    const runs = nextRuns({ kind: 'daily', every: 1, at: '12:00' }, new Date('2024-01-30T12:00:00Z'), 2);
    assert.deepEqual(runs.map((run) => run.toISOString()), ['2024-01-31T12:00:00.000Z', '2024-02-01T12:00:00.000Z']);
  });

  it('does not depend on the local time zone', () => {
    const runs = nextRuns({ kind: 'cron', expression: '0 0 * * *' }, new Date('2024-03-30T23:30:00Z'), 3);
    assert.deepEqual(runs.map((run) => run.toISOString()), ['2024-03-31T00:00:00.000Z', '2024-04-01T00:00:00.000Z', '2024-04-02T00:00:00.000Z']);
  });

  it('computes runs for every schedule a valid workspace reads', () => {
    const text = [
      schedule('hourly: { every: 1, minute: 0 }').replace('nightly-warehouse', 'a'),
      schedule('weekly: { days: [monday], at: "08:00" }').replace('nightly-warehouse', 'b'),
      schedule('cron: "0 12 * * 1-5"').replace('nightly-warehouse', 'c'),
    ].join('---\n');
    const workspace = analyzeSchedule(text);
    assert.deepEqual(workspace.problems, []);
    for (const read of workspace.schedules) assert.equal(nextRuns(read.timing!, after, 5).length, 5);
  });
});

describe('nextRuns: "every N" counts from a fixed anchor, evenly spaced', () => {
  it('runs every 5 hours without restarting at midnight', () => {
    const runs = nextRuns({ kind: 'hourly', every: 5, minute: 10 }, new Date('2024-01-30T18:00:00Z'), 4);
    const gaps = runs.slice(1).map((run, i) => (run.getTime() - runs[i]!.getTime()) / 3_600_000);
    assert.deepEqual(gaps, [5, 5, 5]);
    assert.ok(runs.every((run) => run.getUTCMinutes() === 10 && Math.floor(run.getTime() / 3_600_000) % 5 === 0));
  });

  it('runs every 3 days at the same time across month ends', () => {
    const runs = nextRuns({ kind: 'daily', every: 3, at: '06:30' }, new Date('2024-01-30T00:00:00Z'), 4);
    const gaps = runs.slice(1).map((run, i) => (run.getTime() - runs[i]!.getTime()) / 86_400_000);
    assert.deepEqual(gaps, [3, 3, 3]);
    assert.ok(runs.every((run) => run.toISOString().endsWith('T06:30:00.000Z')));
  });

  it('runs every 5 months on the day, skipping a month that lacks it', () => {
    const runs = nextRuns({ kind: 'monthly', day: 30, every: 5, at: '00:00' }, new Date('2024-01-01T00:00:00Z'), 3);
    // Months since 1970-01 divisible by 5 in 2024: March (650), August (655), January 2025 (660); February never qualifies here.
    assert.deepEqual(runs.map((r) => r.toISOString().slice(0, 10)), ['2024-03-30', '2024-08-30', '2025-01-30']);
  });

  it('finds the previous run at or before an instant', () => {
    assert.equal(previousRun({ kind: 'daily', every: 1, at: '02:00' }, new Date('2024-01-30T10:00:00Z'))?.toISOString(), '2024-01-30T02:00:00.000Z');
    const at = new Date('2024-01-30T10:00:00Z');
    const previous = previousRun({ kind: 'hourly', every: 5, minute: 0 }, at)!;
    assert.ok(previous.getTime() <= at.getTime() && at.getTime() - previous.getTime() < 5 * 3_600_000);
    assert.equal(Math.floor(previous.getTime() / 3_600_000) % 5, 0);
    assert.equal(previousRun({ kind: 'cron', expression: '0 22 * * 6' }, at)?.toISOString(), '2024-01-27T22:00:00.000Z');
    assert.equal(previousRun({ kind: 'daily', every: 1, at: '10:00' }, at)?.toISOString(), '2024-01-30T10:00:00.000Z', 'an instant that is a run time is its own previous run');
    assert.equal(previousRun({ kind: 'monthly', day: 31, every: 2, at: '00:00' }, at)?.toISOString().slice(0, 10), '2023-07-31');
  });
});

describe('schedules in words and cron: never a cron expression that does not match the runs', () => {
  const timings: ScheduleTiming[] = [
    ...Array.from({ length: 12 }, (_, i): ScheduleTiming => ({ kind: 'hourly', every: i + 1, minute: 30 })),
    ...Array.from({ length: 6 }, (_, i): ScheduleTiming => ({ kind: 'daily', every: i + 1, at: '02:15' })),
    ...Array.from({ length: 12 }, (_, i): ScheduleTiming => ({ kind: 'monthly', every: i + 1, day: 3, at: '00:00' })),
    { kind: 'weekly', days: ['monday', 'friday'], at: '12:00' },
    { kind: 'cron', expression: '0 12 * * 1-5' },
  ];

  it('offers a cron expression only when its runs are the timing\'s runs', () => {
    const after = new Date('2026-12-05T13:07:00Z');
    const offered: string[] = [];
    for (const timing of timings) {
      const cron = equivalentCron(timing);
      if (cron === undefined) continue;
      offered.push(cron);
      const iterator = CronExpressionParser.parse(cron, { tz: 'UTC', currentDate: after });
      const cronRuns = Array.from({ length: 60 }, () => iterator.next().toDate().toISOString());
      assert.deepEqual(cronRuns, nextRuns(timing, after, 60).map((run) => run.toISOString()), `${JSON.stringify(timing)} as ${cron}`);
    }
    // The example: every 5 hours is not `30 */5 * * *` (that restarts at midnight).
    assert.equal(equivalentCron({ kind: 'hourly', every: 5, minute: 30 }), undefined);
    assert.equal(equivalentCron({ kind: 'daily', every: 2, at: '02:15' }), undefined);
    assert.ok(offered.includes('30 */6 * * *') && offered.includes('0 0 3 */4 *'));
  });

  it('lists the hours or months in words only when every day or year has the same ones', () => {
    assert.equal(describeTiming({ kind: 'hourly', every: 5, minute: 30 }), 'every 5 hours at minute 30, 5 hours apart across days (counted from 00:30 UTC on 1 January 1970)');
    assert.equal(describeTiming({ kind: 'daily', every: 3, at: '06:30' }), 'every 3 days at 06:30 UTC, 3 days apart across months (counted from 1 January 1970)');
    assert.equal(describeTiming({ kind: 'monthly', day: 1, every: 5, at: '00:00' }), 'on day 1 of every 5 months at 00:00 UTC, 5 months apart across years (counted from January 1970)');
  });
});
