import {
  activityQueryProblem, activityRange, OperationStore, operationActivity, readProjectSettings, visible, type ActivityDay, type ActivityOperation, type OperationActivity,
} from '../core';
import { formatDuration } from './historyCommand';
import { CliError, colorsFor, writeJson, type CliIo, type OutputFormat } from './output';

export interface HistoryActivityOptions {
  root: string;
  format: OutputFormat;
  from?: string;
  /** The UTC day after the last one shown (excluded). */
  to?: string;
  datastore?: string;
  now: Date;
}

/**
 * `cac history activity`: operations per UTC day as a heatmap (weeks as columns, weekdays as
 * rows, like GitHub's), the totals per result, the longest and the failing operations. The numbers
 * come from the engine (core/history/activity.ts), as for the API and the language server.
 */
export function historyActivityCommand(io: CliIo, options: HistoryActivityOptions): number {
  const range = activityRange(options.now, options.from, options.to);
  const query = { ...range, datastore: options.datastore };
  const problem = activityQueryProblem(query);
  if (problem) throw new CliError(problem.replace(/^(from|to) must/, '--$1 must'));
  const store = new OperationStore(readProjectSettings(options.root).project.stateDir);
  const activity = operationActivity(store.list(), query, options.now);
  if (options.format === 'json') {
    writeJson(io, activity);
    return 0;
  }
  io.stdout.write(renderActivity(activity, colorsFor(io.stdout, io.env)));
  return 0;
}

type Colors = ReturnType<typeof colorsFor>;

/** One character per level: readable without colour (a pipe, NO_COLOR), shaded with it. */
export const LEVEL_GLYPHS = ['·', '░', '▒', '▓', '█'] as const;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SHOWN = 5;

export function renderActivity(activity: OperationActivity, colors: Colors): string {
  const lastDay = activity.days.length > 0 ? activity.days[activity.days.length - 1]!.date : activity.from;
  const scope = activity.datastore !== null ? ` · datastore ${visible(activity.datastore)}` : '';
  const out: string[] = [colors.bold(`Activity ${activity.from} to ${lastDay} (UTC)${scope}`)];
  if (activity.days.length === 0) out.push('  (an empty range: no day to show)');
  else out.push(...heatmap(activity.days, colors), '', legend(activity, colors));
  const t = activity.totals;
  out.push('', `${t.total} operation${t.total === 1 ? '' : 's'}: ${t.success} success, ${t.warning} warning, ${t.failure} failure, ${t.aborted} aborted, ${t.running} running`);
  list(out, 'Longest', activity.longest, (o) => `${formatDuration(o.duration_ms)}  ${o.result}`, colors);
  list(out, 'Running', activity.running, (o) => `${formatDuration(o.duration_ms)} elapsed`, colors);
  list(out, 'Failing (latest)', activity.failing, (o) => `${o.result}  ${o.message ? truncate(o.message.replace(/\s+/g, ' '), 72) : ''}`, colors);
  // Names and messages are local text quoting sources: shown escaped, never interpreted.
  return out.join('\n') + '\n';
}

function heatmap(days: ActivityDay[], colors: Colors): string[] {
  // The first column is the week (Sunday first) holding `from`; days outside the range stay blank.
  const firstWeekday = weekdayOf(days[0]!.date);
  const columns = Math.ceil((firstWeekday + days.length) / 7);
  const grid: string[][] = Array.from({ length: 7 }, () => Array.from({ length: columns }, () => ' '));
  const monthRow: string[] = Array.from({ length: columns + 3 }, () => ' ');
  let lastLabelEnd = -1;
  days.forEach((day, i) => {
    const slot = firstWeekday + i;
    const column = Math.floor(slot / 7);
    grid[slot % 7]![column] = paint(day.level, colors);
    const isMonthStart = day.date.endsWith('-01') || i === 0;
    if (isMonthStart && column > lastLabelEnd) {
      const label = MONTHS[Number(day.date.slice(5, 7)) - 1]!;
      for (let k = 0; k < label.length; k++) monthRow[column + k] = label[k]!;
      lastLabelEnd = column + label.length;
    }
  });
  const rows = ['    ' + monthRow.join('').trimEnd()];
  grid.forEach((cells, weekday) => rows.push(`${weekday % 2 === 1 ? WEEKDAYS[weekday] : '   '} ${cells.join('')}`.trimEnd()));
  return rows;
}

function legend(activity: OperationActivity, colors: Colors): string {
  const max = activity.max_per_day;
  const ranges = [1, 2, 3, 4].map((level) => {
    const low = Math.floor(((level - 1) * max) / 4) + 1;
    const high = Math.floor((level * max) / 4);
    return low > high ? undefined : `${paint(level as ActivityDay['level'], colors)} ${low === high ? low : `${low}–${high}`}`;
  }).filter((text): text is string => text !== undefined);
  return `    Less ${LEVEL_GLYPHS.map((_, level) => paint(level as ActivityDay['level'], colors)).join('')} More   ${paint(0, colors)} 0  ${ranges.join('  ')} per day`;
}

function paint(level: ActivityDay['level'], colors: Colors): string {
  const glyph = LEVEL_GLYPHS[level];
  if (level === 0) return colors.dim(glyph);
  return level >= 3 ? colors.green(colors.bold(glyph)) : colors.green(glyph);
}

function list(out: string[], title: string, operations: ActivityOperation[], detail: (o: ActivityOperation) => string, colors: Colors): void {
  if (operations.length === 0) return;
  out.push('', colors.bold(`${title}:`));
  for (const o of operations.slice(0, SHOWN)) {
    out.push(visible(`  #${String(o.id).padEnd(6)} ${o.created.slice(0, 10)}  ${o.datastore.name.padEnd(16)} ${detail(o)}`.trimEnd()));
  }
  if (operations.length > SHOWN) out.push(colors.dim(`  … ${operations.length - SHOWN} more in --format json`));
}

/** 0 = Sunday, from the UTC date alone. */
function weekdayOf(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : text.slice(0, length - 1) + '…';
}
