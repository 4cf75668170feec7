import { CronExpressionParser } from 'cron-parser';
import type { ScheduleTiming } from '../definitions/types';

/** The keys of a Schedule document that each describe a timing; exactly one must be present. */
export const TIMING_KEYS = ['hourly', 'daily', 'weekly', 'monthly', 'cron'] as const;

/** Weekday names as a weekly timing spells them, Sunday first (cron's day 0). */
export const WEEKDAYS: readonly string[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/**
 * Every schedule kind, expressed as a five-field UTC cron expression, so one evaluator computes
 * next runs for all of them.
 */
export function cronOf(timing: ScheduleTiming): string {
  switch (timing.kind) {
    case 'hourly':
      return `${timing.minute} ${timing.every === 1 ? '*' : `*/${timing.every}`} * * *`;
    case 'daily': {
      const [hour, minute] = splitTime(timing.at);
      return `${minute} ${hour} ${timing.every === 1 ? '*' : `*/${timing.every}`} * *`;
    }
    case 'weekly': {
      const [hour, minute] = splitTime(timing.at);
      const days = timing.days.map((d) => WEEKDAYS.indexOf(d)).sort((a, b) => a - b);
      return `${minute} ${hour} * * ${days.join(',')}`;
    }
    case 'monthly': {
      const [hour, minute] = splitTime(timing.at);
      return `${minute} ${hour} ${timing.day} ${timing.every === 1 ? '*' : `*/${timing.every}`} *`;
    }
    case 'cron':
      return timing.expression.trim();
  }
}

/** Checks a user-written cron expression; returns a message saying what to fix, or undefined. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 || expression.trim().startsWith('@')) {
    return `A cron expression has exactly five fields (minute hour day-of-month month day-of-week), in UTC; '${expression}' has ${expression.trim().startsWith('@') ? 'a macro' : `${fields.length}`}. Example: "0 12 * * 1-5".`;
  }
  try {
    const iterator = CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: new Date(Date.UTC(2000, 0, 1)) });
    iterator.next();
    return undefined;
  } catch (error) {
    return `Invalid cron expression '${expression}': ${(error as Error).message}. Fields: minute 0-59, hour 0-23, day 1-31, month 1-12, weekday 0-6 (Sunday = 0), all UTC.`;
  }
}

/** The next `count` run times strictly after `after`, in UTC. */
export function nextRuns(timing: ScheduleTiming, after: Date, count: number): Date[] {
  const iterator = CronExpressionParser.parse(cronOf(timing), { tz: 'UTC', currentDate: after });
  const runs: Date[] = [];
  for (let i = 0; i < count; i++) runs.push(iterator.next().toDate());
  return runs;
}

function splitTime(at: string): [number, number] {
  const [hour, minute] = at.split(':').map(Number);
  return [hour ?? 0, minute ?? 0];
}
