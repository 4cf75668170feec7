import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cursorContext } from '../../server/src/core/language/cursorContext';
import { parseCanonicalBlock } from '../../server/src/core/snapshots/canonical';
import { readSnapshot } from '../../server/src/core/snapshots/read';
import { quickFixesFor } from '../../server/src/core/language/quickFixes';
import { describeCron, describeTiming } from '../../server/src/core/language/scheduleText';
import { findSuppressions, suppressInFile } from '../../server/src/core/language/suppressions';
import { parse as parseYaml } from 'yaml';
import type { Problem } from '../../server/src/core';

/** `text|more` → cursor context at the caret. */
function contextAt(textWithCaret: string): ReturnType<typeof cursorContext> {
  const index = textWithCaret.indexOf('|');
  const before = textWithCaret.slice(0, index).split('\n');
  return cursorContext(textWithCaret.slice(0, index) + textWithCaret.slice(index + 1), { line: before.length - 1, character: before[before.length - 1]!.length });
}

const pick = (c: ReturnType<typeof cursorContext>): unknown => c && { path: c.path, target: c.target, prefix: c.prefix };

describe('language engine (server/src/core/language)', () => {
  describe('cursor context, from text that need not parse', () => {
    it('reads keys, values and list items in block style, however deep', () => {
      assert.deepEqual(pick(contextAt('kind: Datastore\nconnection:\n  host: db\n  pa|')), { path: ['connection'], target: 'key', prefix: 'pa' });
      assert.deepEqual(pick(contextAt('kind: Datastore\ntype: sq|')), { path: ['type'], target: 'value', prefix: 'sq' });
      assert.deepEqual(pick(contextAt('containers:\n  orders:\n    incremental_identifier: "up|"')), { path: ['containers', 'orders', 'incremental_identifier'], target: 'value', prefix: 'up' });
      assert.deepEqual(pick(contextAt('weekly:\n  days:\n    - mon|')), { path: ['weekly', 'days', 0], target: 'item', prefix: 'mon' });
      assert.deepEqual(pick(contextAt('include:\n- ta|')), { path: ['include', 0], target: 'item', prefix: 'ta' });
    });

    it('reads flow collections on the cursor\'s line', () => {
      assert.deepEqual(pick(contextAt('daily: { every: 1, |')), { path: ['daily'], target: 'key', prefix: '' });
      assert.deepEqual(pick(contextAt('daily: { every: 1, at: "0|" }')), { path: ['daily', 'at'], target: 'value', prefix: '0' });
      assert.deepEqual(pick(contextAt('include: [table, v|]')), { path: ['include', 1], target: 'item', prefix: 'v' });
    });

    it('stays inside the YAML document around the cursor and ignores comments', () => {
      const context = contextAt('kind: Schedule\nname: a\n---\nkind: Datastore\n|');
      assert.deepEqual([context!.documentStart, context!.siblingKeys], [3, ['kind']]);
      assert.equal(contextAt('kind: Datastore # a comm|'), undefined);
    });
  });

  describe('canonical snapshot reading', () => {
    it('reads exactly what the YAML parser reads for every snapshot of the shop example', () => {
      const dir = path.resolve(__dirname, '..', '..', 'examples', 'shop', 'snapshots');
      const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml') && !f.endsWith('_index.yaml'));
      assert.ok(files.length >= 10);
      for (const file of files) {
        const text = fs.readFileSync(path.join(dir, file), 'utf8');
        assert.ok(parseCanonicalBlock(text), `${file} has the renderer's shape`);
        assert.deepEqual(readSnapshot(text), { ok: true, value: parseYaml(text) }, file);
      }
    });

    it('leaves anything hand-edited to the YAML parser', () => {
      const text = 'name: orders\nkind: table\nfields:\n  - {name: id, type: INTEGER, nullable: false}\nincremental_identifier: {field: null, strategy: none, source: detected}\npartition_identifier: {field: null, strategy: none, source: detected}\n';
      assert.equal(parseCanonicalBlock(text), undefined);
      assert.deepEqual(readSnapshot(text), { ok: true, value: parseYaml(text) });
      const broken = readSnapshot('name: [unclosed\n');
      assert.ok(!broken.ok && broken.problem.kind === 'syntax' && broken.problem.position?.line === 2, JSON.stringify(broken));
    });
  });

  describe('suppression comments', () => {
    const problem = (code: Problem['code'], line: number, severity: Problem['severity'] = 'warning'): Problem => ({ code, severity, file: '/f.yaml', message: code, range: { start: { line, character: 2 }, end: { line, character: 5 } } });

    it('silences warnings and snapshot checks on the same or next line, and reports unused or blocked comments', () => {
      const text = [
        'containers:', '  # cac-ignore: unknown-container', '', '  staging: {}', '  orders: { incremental_identifier: x }  # cac-ignore: unknown-field, unknown-container', 'kind: Datastore # cac-ignore: literal-secret',
      ].join('\n');
      assert.deepEqual(findSuppressions(text).map((s) => [s.appliesTo, s.codes.map((c) => c.code)]), [[3, ['unknown-container']], [4, ['unknown-field', 'unknown-container']], [5, ['literal-secret']]]);
      const kept = suppressInFile('/f.yaml', text, [problem('unknown-container', 3), problem('unknown-field', 4, 'error'), problem('literal-secret', 5, 'error')]);
      assert.deepEqual(kept.map((p) => [p.code, p.range.start.line, p.severity]), [
        ['literal-secret', 5, 'error'], ['unused-suppression', 4, 'info'], ['unused-suppression', 5, 'info'],
      ]);
      assert.match(kept[2]!.message, /blocks every sync, so it cannot be ignored/);
    });

    it('offers to remove an unused code, or the whole comment', () => {
      const text = 'a: 1  # cac-ignore: unknown-field, unknown-kind\n# cac-ignore: unknown-kind\nb: 2\n';
      const trailing = quickFixesFor({ code: 'unused-suppression', severity: 'info', range: { start: { line: 0, character: 35 }, end: { line: 0, character: 47 } } }, text);
      assert.deepEqual(trailing.map((f) => f.edits), [[{ range: { start: { line: 0, character: 33 }, end: { line: 0, character: 47 } }, newText: '' }]]);
      const alone = quickFixesFor({ code: 'unused-suppression', severity: 'info', range: { start: { line: 1, character: 14 }, end: { line: 1, character: 26 } } }, text);
      assert.deepEqual(alone.map((f) => f.edits), [[{ range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, newText: '' }]]);
    });
  });

  describe('schedules in words', () => {
    it('says every timing kind in UTC', () => {
      assert.equal(describeTiming({ kind: 'hourly', every: 6, minute: 15 }), 'every 6 hours at minute 15 (hours 0, 6, 12 and 18, UTC)');
      assert.equal(describeTiming({ kind: 'monthly', day: 1, every: 3, at: '00:00' }), 'on day 1 of every 3 months (January, April, July and October) at 00:00 UTC');
      assert.equal(describeCron('30 2 * * *'), 'at 02:30, every day (UTC)');
      assert.equal(describeCron('0 9 1,15 * 1'), 'at 09:00, on days 1 and 15 of the month or on Monday (UTC)');
      assert.equal(describeCron('*/15 * * 1 *'), 'every hour at minutes 0, 15, 30 and 45, every day in January (UTC)');
    });
  });
});
