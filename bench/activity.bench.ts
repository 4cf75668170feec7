/**
 * Activity benchmark: 10,000 operation records in a state folder; measures
 *   - the floor F: reading the 10,000 record files, as every history host does (`OperationStore.list()`);
 *   - the activity answer: `list()` + `operationActivity` over the last 365 days (what
 *     `cac history activity`, `GET /api/operations/activity` and `catalog/operationActivity` do);
 *   - context: `operationActivity` alone on records in memory, and a bare read + JSON.parse of the files.
 * Target (issue 17): the activity answer ≤ 2× F. See bench/README.md ("Activity benchmark").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { operationActivity, OperationStore, type OperationRecord, type OperationResult } from '../server/src/core';
import { assertBench, BenchAssertion } from './lib/engine';
import { seriesOf, timedSync, type Series } from './lib/stats';
import { count, formatTable, ms, ratio } from './lib/table';

const REPO = path.resolve(__dirname, '..');
const WORK = path.join(REPO, 'bench', '.work');
const NOW = new Date('2026-12-07T00:00:00.000Z');
const RANGE = { from: '2025-12-07', to: '2026-12-07' };
const TARGET = 2;

function parseOptions(): { records: number; runs: number } {
  const { values } = parseArgs({ options: { records: { type: 'string', default: '10000' }, runs: { type: 'string', default: '7' } }, strict: true });
  const int = (name: string, raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new BenchAssertion(`--${name} must be a positive integer, not '${raw}'.`);
    return n;
  };
  return { records: int('records', values.records), runs: int('runs', values.runs) };
}

const RESULTS: OperationResult[] = ['success', 'success', 'success', 'success', 'warning', 'failure', 'aborted'];

/** A record shaped like the engine's (a few changes and logs: 1–2 KB), spread over the 365 days of RANGE. */
function benchRecord(id: number, total: number): OperationRecord {
  const startMs = Date.parse(`${RANGE.from}T00:00:00Z`) + Math.floor(((id - 1) * 365 * 86_400_000) / total);
  const iso = (t: number): string => new Date(t).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  const result = id === total ? 'running' : RESULTS[id % RESULTS.length]!;
  return {
    id, created: iso(startMs), type: 'catalog', start_time: iso(startMs), end_time: result === 'running' ? null : iso(startMs + 500 + (id % 97) * 1000),
    result, message: result === 'failure' ? `connection refused (operation ${id})` : result === 'warning' ? '2 containers could not be described' : null,
    triggered_by: 'bench@example.com',
    datastore: { id: 1 + (id % 5), name: `store_${id % 5}`, store_type: 'jdbc', type: 'postgresql', enrich_only: false, enrich_container_prefix: null, favorite: false },
    schedule: id % 3 === 0 ? 'nightly' : null, include: ['table', 'view'], prune: false, recreate: false,
    progress: { done: 120, total: 120, phase: 'finished' },
    summary: { new: 1, changed: 2, unchanged: 117, removed: 0, still_removed: 0, recreated: 0, deleted: 0 } as unknown as OperationRecord['summary'],
    changes: Array.from({ length: 3 }, (_, k) => ({ name: `public.table_${(id + k) % 400}`, action: k === 0 ? 'new' : 'changed', kind: 'table', details: ['column amount: integer → bigint'] })),
    logs: result === 'warning' || result === 'failure' ? [{ level: result === 'failure' ? 'error' : 'warning', code: 'describe-failed', message: 'could not describe public.table_1', container: 'public.table_1' }] as unknown as OperationRecord['logs'] : [],
  };
}

function prepare(records: number): string {
  const stateDir = path.join(WORK, `activity-${records}`, 'state');
  const marker = path.join(WORK, `activity-${records}`, 'generated.json');
  if (fs.existsSync(marker)) return stateDir;
  fs.rmSync(path.dirname(stateDir), { recursive: true, force: true });
  const folder = path.join(stateDir, 'operations');
  fs.mkdirSync(folder, { recursive: true });
  const started = Date.now();
  for (let id = 1; id <= records; id++) fs.writeFileSync(path.join(folder, `${String(id).padStart(8, '0')}.json`), JSON.stringify(benchRecord(id, records), null, 2) + '\n');
  fs.writeFileSync(marker, JSON.stringify({ records, generatedMs: Date.now() - started }) + '\n');
  return stateDir;
}

function main(): void {
  const options = parseOptions();
  const stateDir = prepare(options.records);
  const folder = path.join(stateDir, 'operations');
  const files = fs.readdirSync(folder).filter((name) => name.endsWith('.json')).map((name) => path.join(folder, name));
  assertBench(files.length === options.records, `expected ${options.records} record files, found ${files.length}`);
  const bytes = files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  const log = (line = ''): void => void process.stdout.write(line + '\n');
  log(`Activity benchmark: ${count(options.records)} records (${(bytes / 1024 / 1024).toFixed(1)} MiB) in ${path.relative(REPO, folder)}, ${options.runs} runs after one warm-up, interleaved.`);

  const samples = { floor: [] as number[], answer: [] as number[], compute: [] as number[], parse: [] as number[] };
  let records: OperationRecord[] = [];
  for (let run = 0; run <= options.runs; run++) {
    const floor = timedSync(() => new OperationStore(stateDir).list());
    const answer = timedSync(() => operationActivity(new OperationStore(stateDir).list(), RANGE, NOW));
    const parse = timedSync(() => files.map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as unknown));
    records = floor.value;
    const compute = timedSync(() => operationActivity(records, RANGE, NOW));
    // Checks: a wrong answer makes the numbers meaningless.
    assertBench(floor.value.length === options.records, `list() gave ${floor.value.length} records`);
    assertBench(answer.value.totals.total === options.records, `the activity counted ${answer.value.totals.total} operations, not ${options.records}`);
    assertBench(answer.value.days.length === 365 && answer.value.days.reduce((sum, d) => sum + d.total, 0) === options.records, 'the days do not add up to the total');
    assertBench(answer.value.running.length === 1 && answer.value.longest.length === 10 && answer.value.failing.length === 10, 'the lists are not filled');
    assertBench(JSON.stringify(compute.value) === JSON.stringify(answer.value), 'the in-memory answer differs from the one read from files');
    if (run === 0) continue; // warm-up
    samples.floor.push(floor.ms);
    samples.answer.push(answer.ms);
    samples.compute.push(compute.ms);
    samples.parse.push(parse.ms);
  }
  const series: Record<keyof typeof samples, Series> = {
    floor: seriesOf(samples.floor), answer: seriesOf(samples.answer), compute: seriesOf(samples.compute), parse: seriesOf(samples.parse),
  };
  const f = series.floor.median;
  const pass = series.answer.median <= TARGET * f;
  const row = (label: string, s: Series, target = '', verdict = ''): string[] => [label, ms(s.median), `${ms(s.min)}–${ms(s.max)}`, ratio(s.median / f), target, verdict];
  log();
  log(formatTable(['measure', 'median ms', 'range', '× F', 'target', 'verdict'], [
    row('F = OperationStore.list() (read + parse the record files)', series.floor),
    row('activity answer: list() + operationActivity, 365 days', series.answer, `≤ ${TARGET}× F`, pass ? 'PASS' : 'MISS'),
    row('· operationActivity alone, records in memory', series.compute),
    row('· readFileSync + JSON.parse of every file (context)', series.parse),
  ]));
  log();
  log(`Overall: ${pass ? 'PASS' : 'MISS'} (activity ${ratio(series.answer.median / f)} F).`);
  fs.writeFileSync(path.join(WORK, 'activity-results.json'), JSON.stringify({ records: options.records, bytes, runs: options.runs, series, target: TARGET, pass, when: new Date().toISOString() }, null, 2) + '\n');
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error instanceof BenchAssertion ? 'check failed: ' : ''}${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
