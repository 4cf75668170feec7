import { cronParser } from './cronParser';
import type { ScheduleTiming } from './types';

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

/**
 * The cron expression that runs exactly when the timing does, or undefined when none can:
 * "every N" timings are evenly spaced forever (see `nextRuns`), which cron's `*\/N` only matches
 * when N divides the period (24 hours, 12 months); every N days never does (months differ).
 */
export function equivalentCron(timing: ScheduleTiming): string | undefined {
  const exact = timing.kind === 'weekly' || timing.kind === 'cron' || timing.every === 1
    || (timing.kind === 'hourly' && 24 % timing.every === 0)
    || (timing.kind === 'monthly' && 12 % timing.every === 0);
  return exact ? cronOf(timing) : undefined;
}

/** Checks a user-written cron expression; returns a message saying what to fix, or undefined. */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 || expression.trim().startsWith('@')) {
    return `A cron expression has exactly five fields (minute hour day-of-month month day-of-week), in UTC; '${expression}' has ${expression.trim().startsWith('@') ? 'a macro' : `${fields.length}`}. Example: "0 12 * * 1-5".`;
  }
  try {
    const iterator = cronParser().parse(expression, { tz: 'UTC', currentDate: new Date(Date.UTC(2000, 0, 1)) });
    iterator.next();
    return undefined;
  } catch (error) {
    return `Invalid cron expression '${expression}': ${(error as Error).message}. Fields: minute 0-59, hour 0-23, day 1-31, month 1-12, weekday 0-6 (Sunday = 0), all UTC.`;
  }
}

/**
 * The next `count` run times strictly after `after`, in UTC.
 *
 * "Every N hours/days/months" counts from a fixed anchor, the Unix epoch (1970-01-01 00:00 UTC),
 * so runs are evenly spaced forever and every machine agrees on them. Cron's `*\/N` instead
 * restarts each day or month (every 5 hours would run at 20:00 and again at 00:00), which is not
 * what "every N" says; `cronOf` is still the equivalent cron whenever N divides the period.
 */
export function nextRuns(timing: ScheduleTiming, after: Date, count: number): Date[] {
  const everyN = anchoredStep(timing);
  if (everyN) {
    const runs: Date[] = [];
    for (let candidate = everyN.first(after); runs.length < count; candidate = everyN.next(candidate)) {
      if (candidate.getTime() > after.getTime()) runs.push(candidate);
    }
    return runs;
  }
  const iterator = cronParser().parse(cronOf(timing), { tz: 'UTC', currentDate: after });
  const runs: Date[] = [];
  for (let i = 0; i < count; i++) runs.push(iterator.next().toDate());
  return runs;
}

/** The most recent run at or before `at`. */
export function previousRun(timing: ScheduleTiming, at: Date): Date | undefined {
  const everyN = anchoredStep(timing);
  if (everyN) {
    // `first` lands at or before the first run after `at`; step back from there.
    let run: Date | undefined = everyN.first(at);
    while (run && run.getTime() > at.getTime()) run = everyN.previous(run);
    return run;
  }
  const iterator = cronParser().parse(cronOf(timing), { tz: 'UTC', currentDate: new Date(at.getTime() + 1) });
  return iterator.prev().toDate();
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface AnchoredStep {
  /** A run time at or before the first one after `after` (callers skip the early ones). */
  first(after: Date): Date;
  next(run: Date): Date;
  previous(run: Date): Date | undefined;
}

function anchoredStep(timing: ScheduleTiming): AnchoredStep | undefined {
  switch (timing.kind) {
    case 'hourly': {
      if (timing.every === 1) return undefined;
      const step = timing.every * HOUR_MS;
      const offset = timing.minute * 60_000;
      return {
        first: (after) => new Date(Math.floor((after.getTime() - offset) / step) * step + offset),
        next: (run) => new Date(run.getTime() + step),
        previous: (run) => new Date(run.getTime() - step),
      };
    }
    case 'daily': {
      if (timing.every === 1) return undefined;
      const [hour, minute] = splitTime(timing.at);
      const step = timing.every * DAY_MS;
      const offset = hour * HOUR_MS + minute * 60_000;
      return {
        first: (after) => new Date(Math.floor((after.getTime() - offset) / step) * step + offset),
        next: (run) => new Date(run.getTime() + step),
        previous: (run) => new Date(run.getTime() - step),
      };
    }
    case 'monthly': {
      if (timing.every === 1) return undefined;
      const [hour, minute] = splitTime(timing.at);
      const every = timing.every;
      // Months that lack the day are skipped, as cron does (validation warns about days after the 28th).
      const runIn = (monthIndex: number): Date | undefined => {
        const year = 1970 + Math.floor(monthIndex / 12);
        const month = monthIndex % 12;
        const date = new Date(Date.UTC(year, month, timing.day, hour, minute));
        return date.getUTCMonth() === month ? date : undefined;
      };
      const monthOf = (date: Date): number => (date.getUTCFullYear() - 1970) * 12 + date.getUTCMonth();
      const firstFrom = (monthIndex: number, direction: 1 | -1): Date | undefined => {
        // Day 29-31 exists in at least one of any 12 consecutive qualifying months.
        for (let m = monthIndex, tries = 0; tries < 24; m += direction * every, tries++) {
          const run = runIn(m);
          if (run) return run;
        }
        return undefined;
      };
      return {
        first: (after) => firstFrom(Math.floor(monthOf(after) / every) * every, 1)!,
        next: (run) => firstFrom(monthOf(run) + every, 1)!,
        previous: (run) => firstFrom(monthOf(run) - every, -1),
      };
    }
    default:
      return undefined;
  }
}

function splitTime(at: string): [number, number] {
  const [hour, minute] = at.split(':').map(Number);
  return [hour ?? 0, minute ?? 0];
}
