import {
  describeSummary, durationMs, operationQueryProblem, OperationStore, presentOperation, readProjectSettings, visible, type OperationQuery, type OperationRecord, type OperationResult,
} from '../core';
import { CliError, colorsFor, writeJson, type CliIo, type OutputFormat } from './output';

export interface HistoryListOptions {
  root: string;
  format: OutputFormat;
  /** Operations per page. */
  limit: number;
  page?: number;
  datastore?: string;
  status?: OperationResult[];
  type?: 'catalog' | 'sync';
  container?: string;
  /** Created on or after this UTC day (`YYYY-MM-DD`). */
  from?: string;
  /** Created before this UTC day (`YYYY-MM-DD`, excluded). */
  to?: string;
  /** With `--format json`: the counts per status, type and datastore as well. */
  facets?: boolean;
  search?: string;
  sort: 'created' | 'duration';
  order?: 'asc' | 'desc';
  now: Date;
}

/**
 * `cac history`: the operations of this catalog from the local state folder, newest first, with
 * the seed's search, sort, filters and paging (core/history/operationQuery.ts, shared with the API).
 */
export function historyListCommand(io: CliIo, options: HistoryListOptions): number {
  const store = new OperationStore(readProjectSettings(options.root).project.stateDir);
  const query: OperationQuery = {
    search: options.search, sort: options.sort, order: options.order, type: options.type, status: options.status,
    datastore: options.datastore, container: options.container, from: options.from, to: options.to, facets: options.facets,
    page: options.page ?? 1, size: options.limit,
  };
  const problem = operationQueryProblem(query);
  if (problem) throw new CliError(problem.replace(/^(from|to) must/, '--$1 must'));
  if (options.facets && options.format !== 'json') throw new CliError('--facets is for --format json; the table shows one page of operations.');
  const page = store.query(query, options.now);
  if (options.format === 'json') {
    writeJson(io, { ...page, items: page.items.map(presentOperation) });
    return 0;
  }
  if (page.items.length === 0) {
    io.stdout.write(page.total > 0 ? `Page ${page.page} is past the last page (${page.pages}).\n` : filtered(options) ? 'No operations match.\n' : 'No operations yet. Run `cac sync` to start one.\n');
    return 0;
  }
  const colors = colorsFor(io.stdout, io.env);
  const rows = page.items.map((r) => [
    String(r.id), r.created.slice(0, 19).replace('T', ' ') + 'Z', visible(r.datastore.name), r.result + progressText(r),
    formatDuration(r.end_time ? durationMs(r, options.now) : undefined), visible(r.schedule ?? ''), summaryText(r),
  ]);
  const header = ['ID', 'CREATED (UTC)', 'DATASTORE', 'RESULT', 'DURATION', 'SCHEDULE', 'CHANGES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  io.stdout.write(colors.dim(line(header)) + '\n');
  for (const row of rows) io.stdout.write(line(row) + '\n');
  if (page.pages > page.page) io.stdout.write(colors.dim(`Page ${page.page} of ${page.pages} (${page.total} operations); see more with --page ${page.page + 1} or --limit.\n`));
  return 0;
}

/** `cac history show <id>`: one operation with its changes and logs. */
export function historyShowCommand(io: CliIo, root: string, idText: string, format: OutputFormat, now: Date): number {
  const id = parseOperationId(idText);
  const store = new OperationStore(readProjectSettings(root).project.stateDir);
  const record = store.get(id);
  if (!record) throw new CliError(`No operation with id ${id}. List them with \`cac history\`.`);
  if (format === 'json') {
    writeJson(io, { items: [presentOperation(record)], total: 1, page: 1, size: 50, pages: 1 });
    return 0;
  }
  io.stdout.write(describeOperation(record, now, colorsFor(io.stdout, io.env)));
  return 0;
}

export function describeOperation(record: OperationRecord, now: Date, colors: ReturnType<typeof colorsFor>): string {
  // Records are local files and quote the source: every line is made visible (escapes shown, never interpreted).
  const out = [
    `${colors.bold(`Operation ${record.id}`)} · ${visible(record.type)} · ${visible(record.result)}`,
    `  datastore     ${record.datastore.name} (${record.datastore.type}, ${record.datastore.store_type})`,
    `  started       ${record.start_time}${record.resumed_at ? ` (resumed ${record.resumed_at})` : ''}`,
    `  ended         ${record.end_time ?? '—'} (${formatDuration(record.end_time ? durationMs(record, now) : undefined)})`,
    `  triggered by  ${record.triggered_by}${record.schedule ? ` · schedule ${record.schedule}` : ''}`,
    `  options       prune ${record.prune ? 'on' : 'off'}${record.force_prune ? ' (forced)' : ''}, recreate ${record.recreate ? 'on' : 'off'}, include ${record.include ? record.include.join(', ') : 'does not apply (file store)'}`,
    `  progress      ${record.progress.done}/${record.progress.total ?? '?'}${record.progress.phase ? ` ${record.progress.phase}` : ''}`,
  ];
  if (record.checkpoint && record.result === 'aborted') out.push(`  checkpoint    ${record.checkpoint.written} of ${record.checkpoint.total} snapshot files written; \`cac history resume ${record.id}\` finishes it`);
  if (record.message) out.push(`  message       ${record.message}`);
  if (record.summary) out.push(`  summary       ${summaryText(record)}`);
  for (const change of record.changes) out.push(`    ${change.action.padEnd(15)} ${change.name}${change.details?.length ? ` — ${change.details.join('; ')}` : ''}`);
  for (const log of record.logs) out.push(`    ${log.level.padEnd(15)} ${log.code}: ${log.message}`);
  // The first line's bold is ours; everything after it is escaped whole.
  const [title, ...rest] = out;
  return [title, ...rest.map(visible)].join('\n') + '\n';
}

/** Operation ids are positive integers; anything else is refused before it reaches the store. */
export function parseOperationId(text: string): number {
  if (!/^[1-9][0-9]{0,14}$/.test(text.trim())) throw new CliError(`'${text}' is not an operation id; ids are positive integers (see \`cac history\`).`);
  return Number(text.trim());
}

export function formatDuration(ms: number | undefined): string {
  return ms === undefined ? '—' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function progressText(record: OperationRecord): string {
  if (record.result !== 'running') return '';
  return ` ${record.progress.done}/${record.progress.total ?? '?'}`;
}

function filtered(options: HistoryListOptions): boolean {
  return Boolean(options.datastore || options.status?.length || options.type || options.container || options.search || options.from || options.to);
}

function summaryText(record: OperationRecord): string {
  const s = record.summary;
  if (!s) return record.message ? record.message.slice(0, 60) : '';
  const parts = describeSummary(s, { unchanged: false });
  return parts.length ? parts.join(', ') : 'no changes';
}
