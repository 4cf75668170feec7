/**
 * History benchmark: a page of 50 out of 100,000 operation records (`OperationStore.query`, what
 * `cac history`, `GET /api/operations` and `catalog/listOperations` answer), against the floor
 * F = listing the operations folder + reading and parsing the 50 record files of the page.
 *
 *   cold   the first query of a process: the in-process cache is empty, the on-disk index
 *          (`<state>/operations.index.json`) is read and checked against the folder
 *   warm   repeated queries in one process (the language server, `cac serve`, a daemon), also the
 *          Activity view's (a month of created days and a status, with facet counts)
 *   +1     a query after a new record was added (warm, and cold: the on-disk index is one behind)
 * plus, once each, the cost without any index: the first query ever (builds it) and
 * `queryOperations(store.list(), …)`, which reads every record.
 *
 *   npm run bench:history                     (= node --import tsx bench/history.bench.ts)
 *   node --import tsx bench/history.bench.ts [--records 100000] [--runs 7]
 *
 * The records are generated once into bench/.work/history-<records>/ (gitignored) and reused.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { OperationStore, queryOperations, type OperationQuery, type OperationRecord } from '../server/src/core';
import { OperationIndex } from '../server/src/core/history/operationIndex';
import { median, timedSync } from './lib/stats';
import { count, formatTable, ms, ratio } from './lib/table';

const REPO = path.resolve(__dirname, '..');
const DATASTORES = ['shop', 'crm', 'lake', 'billing', 'events'];

const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' }, runs: { type: 'string', default: '7' } } });
const RECORDS = Number(values.records);
const RUNS = Number(values.runs);
const WORK = path.join(REPO, 'bench', '.work', `history-${RECORDS}`);
const STATE = path.join(WORK, 'state');
const FOLDER = path.join(STATE, 'operations');
const NOW = new Date('2026-06-01T00:00:00.000Z');

function record(id: number): OperationRecord {
  const created = new Date(Date.UTC(2025, 5, 1) + id * 300_000);
  const name = DATASTORES[id % DATASTORES.length]!;
  const results = ['success', 'success', 'success', 'warning', 'failure', 'aborted'] as const;
  return {
    id, created: created.toISOString(), type: 'catalog', start_time: created.toISOString(), end_time: new Date(created.getTime() + ((id * 7919) % 120_000)).toISOString(),
    result: results[id % results.length]!, message: null, triggered_by: id % 3 === 0 ? 'scheduler@example.com' : 'dev@example.com',
    datastore: { id: (id % DATASTORES.length) + 1, name, store_type: 'jdbc', type: 'postgresql', enrich_only: false, enrich_container_prefix: null, favorite: false },
    schedule: id % 3 === 0 ? 'nightly' : null, include: ['table', 'view'], prune: false, recreate: false, progress: { done: 40, total: 40, phase: 'finished' },
    summary: { added: 0, changed: id % 4, removed: 0, unchanged: 40 - (id % 4) } as unknown as OperationRecord['summary'],
    changes: Array.from({ length: id % 4 }, (_, k) => ({ name: `public.table_${(id + k) % 500}`, action: 'changed', kind: 'table', details: ['column added: note'] })),
    logs: id % 10 === 0 ? [{ level: 'warning', code: 'permission-gap', message: 'no SELECT on a view', container: `public.view_${id % 50}` }] : [],
  };
}

function generate(): void {
  if (fs.existsSync(path.join(WORK, 'generated.json'))) return;
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(FOLDER, { recursive: true });
  const start = Date.now();
  // Dated a day back, as a history's records are: a file written in the last 2 s is read again on every query (racy).
  const past = new Date(Date.now() - 86_400_000);
  for (let id = 1; id <= RECORDS; id++) {
    const file = path.join(FOLDER, `${String(id).padStart(8, '0')}.json`);
    fs.writeFileSync(file, JSON.stringify(record(id), null, 2) + '\n');
    fs.utimesSync(file, past, past);
  }
  fs.writeFileSync(path.join(WORK, 'generated.json'), JSON.stringify({ records: RECORDS, ms: Date.now() - start }) + '\n');
}

function resetAdded(): void {
  for (const name of fs.readdirSync(FOLDER)) if (/^[0-9]{8}\.json$/.test(name) && Number(name.slice(0, -5)) > RECORDS) fs.rmSync(path.join(FOLDER, name));
}

function series(work: () => void, runs = RUNS): number {
  work(); // warm-up, not counted
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(timedSync(work).ms);
  return median(samples);
}

const PAGE: OperationQuery = { page: 1, size: 50 };
const FILTERED: OperationQuery = { status: ['failure'], sort: 'duration', page: 3, size: 50 };
/** What the Activity view asks: a month of created days, a status, and the facet counts of the filter panel. */
const ACTIVITY: OperationQuery = { from: '2025-09-01', to: '2025-10-01', status: ['failure'], facets: true, page: 1, size: 50 };
/** The facets of the whole history (no range, no filter): every row counted. */
const ALL_FACETS: OperationQuery = { facets: true, page: 1, size: 50 };

function floor(): number {
  return series(() => {
    const names = fs.readdirSync(FOLDER).filter((name) => /^[0-9]{8}\.json$/.test(name)).sort().slice(-50);
    for (const name of names) JSON.parse(fs.readFileSync(path.join(FOLDER, name), 'utf8'));
  });
}

function main(): void {
  generate();
  resetAdded();
  const store = new OperationStore(STATE);
  const indexFile = path.join(STATE, 'operations.index.json');
  const rows: string[][] = [];
  const F = floor();
  rows.push(['F: readdir + read the 50 page files', ms(F), '1.0×']);

  // Without an index: the first query ever, and the old path reading every record.
  fs.rmSync(indexFile, { force: true });
  OperationIndex.forgetCached();
  const build = timedSync(() => store.query(PAGE, NOW)).ms;
  rows.push(['first query ever (builds the index)', ms(build), ratio(build / F)]);
  const all = timedSync(() => queryOperations(store.list(), PAGE, NOW));
  rows.push(['queryOperations(list()) (every record read)', ms(all.ms), ratio(all.ms / F)]);
  assertSame(store.query(PAGE, NOW).items.map((r) => r.id), all.value.items.map((r) => r.id));

  const cold = series(() => {
    OperationIndex.forgetCached();
    store.query(PAGE, NOW);
  });
  rows.push(['cold: first query of a process', ms(cold), ratio(cold / F)]);
  const warm = series(() => store.query(PAGE, NOW), RUNS * 2);
  rows.push(['warm: repeated query, same process', ms(warm), ratio(warm / F)]);
  const warmFiltered = series(() => store.query(FILTERED, NOW), RUNS * 2);
  rows.push(['warm: status + sort by duration, page 3', ms(warmFiltered), ratio(warmFiltered / F)]);
  const warmActivity = series(() => store.query(ACTIVITY, NOW), RUNS * 2);
  rows.push(['warm: a month + status, with facets', ms(warmActivity), ratio(warmActivity / F)]);
  const warmAllFacets = series(() => store.query(ALL_FACETS, NOW), RUNS * 2);
  rows.push(['warm: the whole history, with facets', ms(warmAllFacets), ratio(warmAllFacets / F)]);
  const facets = store.query(ACTIVITY, NOW).facets!;
  assertSame([facets.status.failure + facets.status.success + facets.status.warning + facets.status.aborted, facets.type.catalog], [store.query({ ...ACTIVITY, status: undefined, facets: false }, NOW).total, store.query(ACTIVITY, NOW).total]);

  // One new record per sample (its file is racy, so it is also read again on later samples).
  const template = record(1);
  const { id: _id, ...fields } = template;
  const added = series(() => {
    store.create({ ...fields, created: NOW.toISOString() });
    store.query(PAGE, NOW);
  });
  const createOnly = series(() => store.create({ ...fields, created: NOW.toISOString() }));
  rows.push(['warm: query after a new record (less the create)', ms(added - createOnly), ratio((added - createOnly) / F)]);
  const coldAdded = series(() => {
    store.create({ ...fields, created: NOW.toISOString() });
    OperationIndex.forgetCached();
    store.query(PAGE, NOW);
  });
  rows.push(['cold: query after a new record (less the create)', ms(coldAdded - createOnly), ratio((coldAdded - createOnly) / F)]);
  const latest = store.query(PAGE, NOW).items[0]!.id;
  assertSame([latest], [Math.max(...fs.readdirSync(FOLDER).filter((n) => /^[0-9]{8}\.json$/.test(n)).map((n) => Number(n.slice(0, -5))))]);
  resetAdded();

  const indexSize = fs.statSync(indexFile).size;
  process.stdout.write(`History: a page of 50 of ${count(RECORDS)} records; medians of ${RUNS} runs (warm ones ${RUNS * 2}); index file ${(indexSize / 1e6).toFixed(1)} MB\n\n`);
  process.stdout.write(formatTable(['figure', 'median', 'vs F'], rows) + '\n');
}

function assertSame(a: number[], b: number[]): void {
  if (JSON.stringify(a) !== JSON.stringify(b)) {
    process.stderr.write(`CHECK FAILED: ${JSON.stringify(a.slice(0, 5))} != ${JSON.stringify(b.slice(0, 5))}\n`);
    process.exit(1);
  }
}

main();
