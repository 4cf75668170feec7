import assert from 'node:assert/strict';
import Ajv from 'ajv';
import { operationActivity, OperationStore, readProjectSettings } from '../../server/src/core';
import activitySchema from '../../schemas/api/operation-activity.schema.json';
import { activityRecord, writeRecords } from '../helpers/activityRecords';
import { runCac } from '../helpers/builtCli';
import { cacInProcess } from '../helpers/inProcessCli';
import { makeCatalog, removeCatalog } from '../helpers/syncFixtures';

const NOW = '2026-12-06T12:00:00Z';
const ESC = '\x1b[';

/** `cac` in process at the test's time, with streams whose isTTY the test chooses. */
function cac(args: string[], options: { tty?: boolean; env?: Record<string, string> } = {}): ReturnType<typeof cacInProcess> {
  return cacInProcess(args, { tty: options.tty, env: { CAC_NOW: NOW, ...options.env } });
}

describe('cac history activity', function () {
  this.timeout(60_000);
  let root: string;
  before(() => {
    root = makeCatalog({ 'datastores/shop.yaml': 'kind: Datastore\nname: shop\ntype: sqlite\nconnection:\n  path: ../shop.sqlite\n' });
    writeRecords(readProjectSettings(root).project.stateDir, [
      activityRecord(1, '2026-11-30T08:00:00.000Z', 'success'), // a Monday
      activityRecord(2, '2026-11-30T09:00:00.000Z', 'success'),
      activityRecord(3, '2026-11-30T23:59:59.999Z', 'success'),
      activityRecord(4, '2026-12-01T00:00:00.000Z', 'failure', { message: 'connection refused\n\x1b[31mred' }),
      activityRecord(5, '2026-12-03T10:00:00.000Z', 'warning'),
      activityRecord(6, '2026-12-06T11:00:00.000Z', 'running', { process: undefined }),
    ]);
  });
  after(() => removeCatalog(root));

  it('draws weeks as columns and weekdays as rows, with a legend, the totals and the lists; no colour off a terminal', async () => {
    const result = await cac(['history', 'activity', '--root', root, '--from', '2026-11-29', '--to', '2026-12-13']);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes(ESC), 'no colour when stdout is not a terminal');
    const lines = result.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 9), [
      'Activity 2026-11-29 to 2026-12-12 (UTC)',
      '    Nov',
      '    ·▒',
      'Mon █·',
      '    ▒·',
      'Wed ··',
      '    ▒·',
      'Fri ··',
      '    ··',
    ]);
    assert.match(result.stdout, /\n {4}Less ·░▒▓█ More {3}· 0 {2}▒ 1 {2}▓ 2 {2}█ 3 per day\n/);
    assert.match(result.stdout, /\n6 operations: 3 success, 1 warning, 1 failure, 0 aborted, 1 running\n/);
    assert.match(result.stdout, /\nLongest:\n {2}#5 {6}2026-12-03 {2}lake {13}50 ms {2}warning\n/);
    assert.match(result.stdout, /\nRunning:\n {2}#6 {6}2026-12-06 {2}shop {13}3600\.\d s elapsed\n/);
    // The message is shown on one line, its escape sequence made visible, never sent to the terminal.
    assert.match(result.stdout, /\nFailing \(latest\):\n {2}#5 .* warning {2}problem 5\n {2}#4 .* failure {2}connection refused \\u001b\[31mred\n/);
  });

  it('draws a year by default (53 or 54 week columns) and colours on a terminal unless NO_COLOR is set', async () => {
    const plain = await cac(['history', 'activity', '--root', root]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^Activity 2025-12-07 to 2026-12-06 \(UTC\)\n/);
    const mon = plain.stdout.split('\n').find((line) => line.startsWith('Mon '))!;
    assert.ok(mon.length - 4 >= 52 && mon.length - 4 <= 54, mon);
    const tty = await cac(['history', 'activity', '--root', root], { tty: true });
    assert.ok(tty.stdout.includes(ESC), 'colour on a terminal');
    assert.equal(tty.stdout.replace(new RegExp(`${ESC.replace('[', '\\[')}[0-9;]*m`, 'g'), ''), plain.stdout, 'colour adds nothing but escapes');
    const noColor = await cac(['history', 'activity', '--root', root], { tty: true, env: { NO_COLOR: '1' } });
    assert.equal(noColor.stdout, plain.stdout);
    const emptyNoColor = await cac(['history', 'activity', '--root', root], { tty: true, env: { NO_COLOR: '' } });
    assert.ok(!emptyNoColor.stdout.includes(ESC), 'NO_COLOR set, even empty, turns colour off');
  });

  it('prints the engine\'s data with --format json, valid against the API schema, filtered by datastore', async () => {
    const result = await cac(['history', 'activity', '--root', root, '--format', 'json', '--from', '2026-11-01', '--to', '2026-12-07', '--datastore', 'shop']);
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as unknown;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(activitySchema);
    assert.ok(validate(printed), JSON.stringify(validate.errors));
    const records = new OperationStore(readProjectSettings(root).project.stateDir).list();
    const engine = operationActivity(records, { from: '2026-11-01', to: '2026-12-07', datastore: 'shop' }, new Date(Date.parse(NOW)));
    const shown = printed as unknown as typeof engine;
    // The running operation's elapsed time moves with the clock; everything else is the engine's answer as is.
    assert.deepEqual([shown.from, shown.to, shown.datastore, shown.days, shown.totals, shown.max_per_day, shown.longest, shown.failing], [engine.from, engine.to, engine.datastore, engine.days, engine.totals, engine.max_per_day, engine.longest, engine.failing]);
    assert.deepEqual(shown.running.map((o) => o.id), [6]);
    assert.equal(shown.totals.total, 3, 'operations 2, 4 and 6 are shop\'s');
  });

  it('refuses from after to and a malformed day, naming the option', async () => {
    const reversed = await cac(['history', 'activity', '--root', root, '--from', '2026-12-02', '--to', '2026-12-01']);
    assert.equal(reversed.code, 1);
    assert.match(reversed.stderr, /^error: from \(2026-12-02\) is after to \(2026-12-01\)/);
    const malformed = await cac(['history', 'activity', '--root', root, '--from', '2026-13-01']);
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /^error: --from must be a date as YYYY-MM-DD/);
    const json = await cac(['history', 'activity', '--root', root, '--to', 'yesterday', '--format', 'json']);
    assert.equal(json.code, 1);
    assert.match(JSON.parse(json.stdout).error.message, /--to must be a date/);
  });

  it('the built binary: plain text through a pipe, JSON on request', function () {
    this.timeout(120_000);
    const text = runCac(['history', 'activity', '--root', root, '--from', '2026-11-29', '--to', '2026-12-13'], { CAC_NOW: NOW });
    assert.equal(text.code, 0, text.stderr);
    assert.ok(!text.stdout.includes(ESC));
    assert.match(text.stdout, /^Mon █·$/m);
    const json = runCac(['history', 'activity', '--root', root, '--format', 'json', '--from', '2026-11-29', '--to', '2026-12-13'], { CAC_NOW: NOW });
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).totals.total, 6);
  });
});
