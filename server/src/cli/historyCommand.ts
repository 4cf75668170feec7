import { OperationStore, readProjectSettings, type OperationRecord } from '../core';
import { CliError, colorsFor, writeJson, type CliIo, type OutputFormat } from './output';

export interface HistoryListOptions {
  root: string;
  format: OutputFormat;
  limit: number;
  datastore?: string;
  status?: string;
  sort: 'created' | 'duration';
}

/** `cac history`: the operations of this catalog, newest first, from the local state folder. */
export function historyListCommand(io: CliIo, options: HistoryListOptions): number {
  const store = new OperationStore(readProjectSettings(options.root).project.stateDir);
  let records = store.list();
  if (options.datastore) records = records.filter((r) => r.datastore.name === options.datastore);
  if (options.status) records = records.filter((r) => r.result === options.status);
  if (options.sort === 'duration') records = [...records].sort((a, b) => (durationMs(b) ?? -1) - (durationMs(a) ?? -1) || b.id - a.id);
  const total = records.length;
  records = records.slice(0, options.limit);
  if (options.format === 'json') {
    writeJson(io, { items: records, total, page: 1, size: options.limit, pages: Math.max(1, Math.ceil(total / options.limit)) });
    return 0;
  }
  if (records.length === 0) {
    io.stdout.write('No operations yet. Run `cac sync` to start one.\n');
    return 0;
  }
  const colors = colorsFor(io.stdout, io.env);
  const rows = records.map((r) => [String(r.id), r.created.slice(0, 19).replace('T', ' ') + 'Z', r.datastore.name, r.result, formatDuration(durationMs(r)), summaryText(r)]);
  const header = ['ID', 'CREATED (UTC)', 'DATASTORE', 'RESULT', 'DURATION', 'CHANGES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  io.stdout.write(colors.dim(line(header)) + '\n');
  for (const row of rows) io.stdout.write(line(row) + '\n');
  if (total > records.length) io.stdout.write(colors.dim(`… ${total - records.length} older; use --limit to see more.\n`));
  return 0;
}

/** `cac history show <id>`: one operation with its changes and logs. */
export function historyShowCommand(io: CliIo, root: string, idText: string, format: OutputFormat): number {
  const id = Number(idText);
  const store = new OperationStore(readProjectSettings(root).project.stateDir);
  const record = Number.isSafeInteger(id) && id > 0 ? store.get(id) : undefined;
  if (!record) throw new CliError(`No operation with id '${idText}'. List them with \`cac history\`.`);
  if (format === 'json') {
    writeJson(io, { items: [record], total: 1, page: 1, size: 50, pages: 1 });
    return 0;
  }
  const colors = colorsFor(io.stdout, io.env);
  const out = [
    `${colors.bold(`Operation ${record.id}`)} · ${record.type} · ${record.result}`,
    `  datastore     ${record.datastore.name} (${record.datastore.type}, ${record.datastore.store_type})`,
    `  started       ${record.start_time}`,
    `  ended         ${record.end_time ?? '—'} (${formatDuration(durationMs(record))})`,
    `  triggered by  ${record.triggered_by}${record.schedule ? ` · schedule ${record.schedule}` : ''}`,
    `  options       prune ${record.prune ? 'on' : 'off'}, recreate ${record.recreate ? 'on' : 'off'}, include ${record.include.join(', ')}`,
    `  progress      ${record.progress.done}/${record.progress.total ?? '?'}`,
  ];
  if (record.message) out.push(`  message       ${record.message}`);
  if (record.summary) out.push(`  summary       ${summaryText(record)}`);
  for (const change of record.changes) out.push(`    ${change.action.padEnd(15)} ${change.name}${change.details?.length ? ` — ${change.details.join('; ')}` : ''}`);
  for (const log of record.logs) out.push(`    ${log.level.padEnd(15)} ${log.code}: ${log.message}`);
  io.stdout.write(out.join('\n') + '\n');
  return 0;
}

function durationMs(record: OperationRecord): number | undefined {
  return record.end_time ? Date.parse(record.end_time) - Date.parse(record.start_time) : undefined;
}

function formatDuration(ms: number | undefined): string {
  return ms === undefined ? '—' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function summaryText(record: OperationRecord): string {
  const s = record.summary;
  if (!s) return record.message ? record.message.slice(0, 60) : '';
  const parts = [s.new && `${s.new} new`, s.changed && `${s.changed} changed`, s.recreated && `${s.recreated} recreated`, s.pruned && `${s.pruned} pruned`, s.missing && `${s.missing} missing`, s.removed_by_user && `${s.removed_by_user} removed`].filter(Boolean);
  return parts.length ? parts.join(', ') : 'no changes';
}
