import { cronParser } from '../definitions/cronParser';
import type { ScheduleTiming } from '../definitions/types';
import { equivalentCron, nextRuns } from '../definitions/scheduleTiming';

/** A schedule's timing in words, always saying UTC: "every day at 02:30 UTC". */
export function describeTiming(timing: ScheduleTiming): string {
  switch (timing.kind) {
    case 'hourly':
      if (timing.every === 1) return `every hour at minute ${timing.minute} (UTC)`;
      return 24 % timing.every === 0
        ? `every ${timing.every} hours at minute ${timing.minute} (hours ${listOf(stepValues(0, 23, timing.every))}, UTC)`
        // Runs stay N hours apart across midnight, so the hours shift from one day to the next.
        : `every ${timing.every} hours at minute ${timing.minute}, ${timing.every} hours apart across days (counted from 00:${String(timing.minute).padStart(2, '0')} UTC on 1 January 1970)`;
    case 'daily':
      return timing.every === 1
        ? `every day at ${timing.at} UTC`
        : `every ${timing.every} days at ${timing.at} UTC, ${timing.every} days apart across months (counted from 1 January 1970)`;
    case 'weekly':
      return `every ${listOf(sortedDays(timing.days).map(capitalize))} at ${timing.at} UTC`;
    case 'monthly':
      return timing.every === 1
        ? `on day ${timing.day} of every month at ${timing.at} UTC`
        : 12 % timing.every === 0
          ? `on day ${timing.day} of every ${timing.every} months (${listOf(stepValues(1, 12, timing.every).map((m) => MONTHS[Number(m) - 1]!))}) at ${timing.at} UTC`
          : `on day ${timing.day} of every ${timing.every} months at ${timing.at} UTC, ${timing.every} months apart across years (counted from January 1970)`;
    case 'cron':
      return describeCron(timing.expression);
  }
}

/** The next `count` runs after `now`, formatted `Mon 2026-11-24 02:30 UTC`. */
export function upcomingRuns(timing: ScheduleTiming, now: Date, count: number): string[] {
  try {
    return nextRuns(timing, now, count).map(formatRun);
  } catch {
    return [];
  }
}

export function formatRun(date: Date): string {
  const iso = date.toISOString();
  return `${WEEKDAY_SHORT[date.getUTCDay()]} ${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Ready-made timings offered by completion, each with the words hover would show. */
export const SCHEDULE_PRESETS: readonly { label: string; key: string; value: string; timing: ScheduleTiming }[] = [
  { label: 'daily at midnight', key: 'daily', value: '{ every: 1, at: "00:00" }', timing: { kind: 'daily', every: 1, at: '00:00' } },
  { label: 'hourly on the hour', key: 'hourly', value: '{ every: 1, minute: 0 }', timing: { kind: 'hourly', every: 1, minute: 0 } },
  { label: 'every 6 hours', key: 'hourly', value: '{ every: 6, minute: 0 }', timing: { kind: 'hourly', every: 6, minute: 0 } },
  { label: 'weekly on Sunday at midnight', key: 'weekly', value: '{ days: [sunday], at: "00:00" }', timing: { kind: 'weekly', days: ['sunday'], at: '00:00' } },
  { label: 'monthly on the 1st at midnight', key: 'monthly', value: '{ day: 1, every: 1, at: "00:00" }', timing: { kind: 'monthly', day: 1, every: 1, at: '00:00' } },
  { label: 'weekdays at noon (cron)', key: 'cron', value: '"0 12 * * 1-5"', timing: { kind: 'cron', expression: '0 12 * * 1-5' } },
];

/** Cron expressions offered as values of `cron:`. */
export const CRON_PRESETS: readonly string[] = ['0 * * * *', '0 0 * * *', '30 2 * * *', '0 12 * * 1-5', '0 0 * * 0', '0 0 1 * *'];

/** A five-field UTC cron expression in words; the expression itself when it cannot be read. */
export function describeCron(expression: string): string {
  let fields;
  try {
    fields = cronParser().parse(expression, { tz: 'UTC', currentDate: new Date(Date.UTC(2000, 0, 1)) }).fields;
  } catch {
    return `cron "${expression}" (UTC)`;
  }
  const minutes = [...fields.minute.values] as number[];
  const hours = [...fields.hour.values] as number[];
  const daysOfMonth = (fields.dayOfMonth.values as (number | 'L')[]).filter((d): d is number => typeof d === 'number');
  const months = [...fields.month.values] as number[];
  const weekdays = [...new Set((fields.dayOfWeek.values as number[]).map((d) => d % 7))].sort((a, b) => a - b);
  const [domField, , dowField] = expression.trim().split(/\s+/).slice(2);
  const everyDayOfMonth = domField === '*' || daysOfMonth.length === 31;
  const everyWeekday = dowField === '*' || weekdays.length === 7;

  let time: string;
  if (minutes.length === 60 && hours.length === 24) time = 'every minute';
  else if (minutes.length === 60) time = `every minute of hour${hours.length === 1 ? '' : 's'} ${listOf(hours.map(String))}`;
  else if (hours.length === 24) time = minutes.length === 1 ? `every hour at minute ${minutes[0]}` : `every hour at minutes ${listOf(minutes.map(String))}`;
  else if (hours.length * minutes.length <= 6) time = `at ${listOf(hours.flatMap((h) => minutes.map((m) => clock(h, m))))}`;
  else time = `at minute${minutes.length === 1 ? '' : 's'} ${listOf(minutes.map(String))} of hours ${listOf(hours.map(String))}`;

  const days: string[] = [];
  if (!everyDayOfMonth) days.push(`on day${daysOfMonth.length === 1 ? '' : 's'} ${listOf(daysOfMonth.map(String))} of the month`);
  if (!everyWeekday) days.push(`on ${weekdayRanges(weekdays)}`);
  // Cron runs when either the day of the month or the weekday matches, if both are restricted.
  const dayText = days.length === 0 ? 'every day' : days.join(' or ');
  const monthText = months.length === 12 ? '' : ` in ${listOf(months.map((m) => MONTHS[m - 1]!))}`;
  return `${time}, ${dayText}${monthText} (UTC)`;
}

/** The cron expression a timing runs on, for hover; undefined when no cron expression runs exactly then. */
export function cronFor(timing: ScheduleTiming): string | undefined {
  return equivalentCron(timing);
}

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const WEEKDAY_SHORT = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function weekdayRanges(days: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < days.length; i++) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === days[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${WEEKDAY_NAMES[days[i]!]} to ${WEEKDAY_NAMES[days[j]!]}` : days.slice(i, j + 1).map((d) => WEEKDAY_NAMES[d]!).join(', '));
    i = j;
  }
  return listOf(parts.flatMap((p) => p.split(', ')));
}

function sortedDays(days: readonly string[]): string[] {
  const order = WEEKDAY_NAMES.map((d) => d.toLowerCase());
  return [...days].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

function stepValues(from: number, to: number, step: number): string[] {
  const values: string[] = [];
  for (let v = from; v <= to; v += step) values.push(String(v));
  return values;
}

function clock(hour: number, minute: number): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** "a", "a and b", "a, b and c". */
function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
