import { durationMs } from './operationQuery';
import type { OperationRecord, OperationResult } from './operationRecord';
import { DAY_MS, dayKeyOf, dayRangeProblem, dayStart, isUtcDay, utcDayOf } from './utcDays';

/**
 * The seed's Activity insights, computed once for every host (`cac history activity`,
 * `GET /api/operations/activity`, `catalog/operationActivity`): operations per UTC day over
 * [from, to), split by result, the totals, the longest and the failing ones.
 *
 * Days are UTC calendar days, never local ones: an operation belongs to the day of its `created`
 * timestamp as written (always `…Z`); nothing here calls a local-time Date method.
 */
export function operationActivity(records: readonly OperationRecord[], query: ActivityQuery, now: Date): OperationActivity {
  const problem = activityQueryProblem(query);
  if (problem) throw new ActivityQueryError(problem);
  const fromMs = dayStart(query.from);
  const dayCount = Math.round((dayStart(query.to) - fromMs) / DAY_MS);
  const limit = query.limit ?? DEFAULT_ACTIVITY_LIMIT;
  const days: ActivityDay[] = [];
  const index = new Map<string, number>();
  for (let i = 0; i < dayCount; i++) {
    const date = dayKeyOf(fromMs + i * DAY_MS);
    index.set(date, i);
    days.push({ date, level: 0, ...emptyCounts() });
  }
  const totals = emptyCounts();
  const finished: OperationRecord[] = [];
  const running: OperationRecord[] = [];
  const failing: OperationRecord[] = [];
  const datastore = query.datastore;
  for (const record of records) {
    if (datastore !== undefined && record.datastore.name !== datastore && String(record.datastore.id) !== datastore) continue;
    const at = index.get(utcDayOf(record.created));
    if (at === undefined) continue;
    const day = days[at]!;
    const result = RESULT_KEYS.has(record.result) ? record.result : undefined;
    day.total++;
    totals.total++;
    if (result) {
      day[result]++;
      totals[result]++;
    }
    if (record.result === 'running') running.push(record);
    else if (record.end_time) finished.push(record);
    if (record.result === 'failure' || record.result === 'warning') failing.push(record);
  }
  let maxPerDay = 0;
  for (const day of days) if (day.total > maxPerDay) maxPerDay = day.total;
  for (const day of days) day.level = activityLevel(day.total, maxPerDay);
  const byDuration = (list: OperationRecord[]): ActivityOperation[] =>
    topBy(list.map((record) => ({ record, key: durationMs(record, now) })), limit).map(({ record, key }) => activityOperation(record, key));
  const latestFailing = topBy(failing.map((record) => ({ record, key: Date.parse(record.created) })), limit).map(({ record }) => activityOperation(record, durationMs(record, now)));
  return {
    from: query.from, to: query.to, datastore: datastore ?? null, days, totals, max_per_day: maxPerDay,
    longest: byDuration(finished), running: byDuration(running), failing: latestFailing,
  };
}

export interface ActivityQuery {
  /** First UTC day, `YYYY-MM-DD`, included. */
  from: string;
  /** UTC day after the last one, `YYYY-MM-DD`, excluded; `from === to` is an empty range. */
  to: string;
  /** A datastore name or numeric id (as `cac history --datastore`). */
  datastore?: string;
  /** How many longest, running and failing operations to list (default 10). */
  limit?: number;
}

export interface ActivityCounts {
  total: number;
  running: number;
  success: number;
  warning: number;
  failure: number;
  aborted: number;
}

export interface ActivityDay extends ActivityCounts {
  /** The UTC day, `YYYY-MM-DD`. */
  date: string;
  /** Heatmap intensity: 0 for no operation, then 1–4 by quarters of the busiest day's count. */
  level: 0 | 1 | 2 | 3 | 4;
}

/** One operation of the lists, with its duration: working time when finished, elapsed time when running. */
export interface ActivityOperation {
  id: number;
  datastore: { id: number; name: string };
  result: OperationResult;
  created: string;
  start_time: string;
  end_time: string | null;
  duration_ms: number;
  message: string | null;
}

export interface OperationActivity {
  from: string;
  to: string;
  datastore: string | null;
  /** One entry per UTC day of [from, to), in order. */
  days: ActivityDay[];
  totals: ActivityCounts;
  max_per_day: number;
  /** Finished operations, longest first. */
  longest: ActivityOperation[];
  /** Running operations, longest elapsed first. */
  running: ActivityOperation[];
  /** Failures and warnings, newest first, with their message. */
  failing: ActivityOperation[];
}

export class ActivityQueryError extends Error {}

export const DEFAULT_ACTIVITY_LIMIT = 10;
export const DEFAULT_ACTIVITY_DAYS = 365;
/** About ten years: a range is answered day by day, so it is bounded. */
export const MAX_ACTIVITY_DAYS = 3660;

/** Why a query cannot be answered (a message for the user), or undefined when it can. */
export function activityQueryProblem(query: ActivityQuery): string | undefined {
  const problem = dayRangeProblem(query, true);
  if (problem) return problem;
  const days = (dayStart(query.to) - dayStart(query.from)) / DAY_MS;
  if (days > MAX_ACTIVITY_DAYS) return `The range ${query.from} to ${query.to} is ${days} days; ask for at most ${MAX_ACTIVITY_DAYS}.`;
  if (query.limit !== undefined && !(Number.isInteger(query.limit) && query.limit >= 0 && query.limit <= 1000)) return 'limit must be an integer from 0 to 1000.';
  return undefined;
}

/**
 * The default range: the last 365 UTC days up to and including today's; `from` or `to` alone
 * keeps that length from the one given.
 */
export function activityRange(now: Date, from?: string, to?: string): { from: string; to: string } {
  if (from !== undefined && to !== undefined) return { from, to };
  const tomorrow = Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS;
  // A malformed day given is kept as it is (the query's problem names it); the other one is derived from a valid day.
  if (from !== undefined) return { from, to: dayKeyOf((isUtcDay(from) ? dayStart(from) : tomorrow - DEFAULT_ACTIVITY_DAYS * DAY_MS) + DEFAULT_ACTIVITY_DAYS * DAY_MS) };
  const end = to ?? dayKeyOf(tomorrow);
  return { from: dayKeyOf((isUtcDay(end) ? dayStart(end) : tomorrow) - DEFAULT_ACTIVITY_DAYS * DAY_MS), to: end };
}

/** The heatmap's five levels: 0 for none, then quarters of the busiest day. */
export function activityLevel(count: number, maxPerDay: number): ActivityDay['level'] {
  if (count <= 0 || maxPerDay <= 0) return 0;
  return Math.min(4, Math.max(1, Math.ceil((count / maxPerDay) * 4))) as ActivityDay['level'];
}

const RESULT_KEYS: ReadonlySet<string> = new Set<OperationResult>(['running', 'success', 'warning', 'failure', 'aborted']);

function emptyCounts(): ActivityCounts {
  return { total: 0, running: 0, success: 0, warning: 0, failure: 0, aborted: 0 };
}

/** The `limit` entries with the largest key, largest first; ties by the higher (newer) id. */
function topBy(entries: { record: OperationRecord; key: number }[], limit: number): { record: OperationRecord; key: number }[] {
  return entries.sort((a, b) => b.key - a.key || b.record.id - a.record.id).slice(0, limit);
}

function activityOperation(record: OperationRecord, duration: number): ActivityOperation {
  return {
    id: record.id,
    datastore: { id: record.datastore.id, name: record.datastore.name },
    result: record.result,
    created: record.created,
    start_time: record.start_time,
    end_time: record.end_time,
    duration_ms: duration,
    message: record.message,
  };
}
