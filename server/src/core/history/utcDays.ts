/**
 * UTC calendar days as the history's queries take them (`YYYY-MM-DD`, a range [from, to) with
 * `to` the day after the last one): the Activity's range (activity.ts) and the list's created
 * filter (operationQuery.ts) read a day and check one alike. Nothing here calls a local-time
 * Date method.
 */

/** `YYYY-MM-DD` of a real calendar day. */
export function isUtcDay(text: unknown): text is string {
  if (typeof text !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(text)) return false;
  const ms = dayStart(text);
  return Number.isFinite(ms) && dayKeyOf(ms) === text;
}

/**
 * Why [from, to) is not a range of UTC days (a message for the user), or undefined when it is:
 * a day that is not `YYYY-MM-DD`, or from after to. An end left out is open, unless `required`.
 */
export function dayRangeProblem(range: { from?: unknown; to?: unknown }, required = false): string | undefined {
  for (const key of ['from', 'to'] as const) {
    const day = range[key];
    if ((required || day !== undefined) && !isUtcDay(day)) return `${key} must be a date as YYYY-MM-DD (a UTC day), not ${JSON.stringify(String(day).slice(0, 40))}.`;
  }
  if (isUtcDay(range.from) && isUtcDay(range.to) && dayStart(range.to) < dayStart(range.from)) {
    return `from (${range.from}) is after to (${range.to}); to is the day after the last one shown.`;
  }
  return undefined;
}

/**
 * The UTC day of a record's timestamp ('' when it has none). The engine writes
 * `YYYY-MM-DDTHH:MM:SS.ssssssZ`, whose first ten characters are the day; anything else (an
 * offset, a hand-edited file) is parsed.
 */
export function utcDayOf(timestamp: string): string {
  if (typeof timestamp !== 'string') return '';
  if (timestamp.length >= 20 && timestamp.charCodeAt(10) === 84 /* T */ && timestamp.charCodeAt(timestamp.length - 1) === 90 /* Z */) return timestamp.slice(0, 10);
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) ? dayKeyOf(ms) : '';
}

/** Milliseconds of a day's UTC midnight (NaN for a malformed day). */
export function dayStart(day: string): number {
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)));
}

/** The `YYYY-MM-DD` of a UTC instant. */
export function dayKeyOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export const DAY_MS = 86_400_000;
