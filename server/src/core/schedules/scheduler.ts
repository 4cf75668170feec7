import type { Workspace } from '../definitions/types';
import { hasErrors, type Problem } from '../problems';
import type { ScheduleReport } from './runDue';
import { nextRuns } from '../definitions/scheduleTiming';

/**
 * The loop behind `cac daemon`: reload the definitions, run what is due, sleep until the next
 * scheduled time (never longer than `maxSleepMs`, so edited definitions are picked up), until
 * `signal` aborts. Clock, sleep and the run itself are injected: tests drive it with a fake clock.
 */
export async function runScheduler(options: SchedulerOptions): Promise<void> {
  const { signal } = options;
  const maxSleepMs = options.maxSleepMs ?? 60_000;
  while (!signal.aborted) {
    let workspace: Workspace | undefined;
    try {
      workspace = options.load();
    } catch (error) {
      options.onEvent({ type: 'load-failed', message: `Could not read the definitions: ${(error as Error).message}` });
    }
    if (workspace && hasErrors(workspace.problems)) {
      options.onEvent({ type: 'invalid-definitions', problems: workspace.problems.filter((p) => p.severity === 'error') });
    } else if (workspace) {
      const reports = await options.runDue(workspace, options.clock());
      options.onEvent({ type: 'checked', reports });
    }
    if (signal.aborted) break;
    const now = options.clock();
    const next = workspace ? nextScheduledTime(workspace, now) : undefined;
    const sleepMs = Math.max(MIN_SLEEP_MS, Math.min(maxSleepMs, next ? next.getTime() - now.getTime() : maxSleepMs));
    options.onEvent({ type: 'sleeping', until: new Date(now.getTime() + sleepMs), next });
    await options.sleep(sleepMs, signal);
  }
  options.onEvent({ type: 'stopped' });
}

export interface SchedulerOptions {
  load: () => Workspace;
  clock: () => Date;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  runDue: (workspace: Workspace, now: Date) => Promise<ScheduleReport[]>;
  onEvent: (event: SchedulerEvent) => void;
  signal: AbortSignal;
  maxSleepMs?: number;
}

export type SchedulerEvent =
  | { type: 'checked'; reports: ScheduleReport[] }
  | { type: 'invalid-definitions'; problems: Problem[] }
  | { type: 'load-failed'; message: string }
  | { type: 'sleeping'; until: Date; next: Date | undefined }
  | { type: 'stopped' };

/** The earliest next run of any enabled schedule with a valid timing, strictly after `now`. */
export function nextScheduledTime(workspace: Workspace, now: Date): Date | undefined {
  let earliest: Date | undefined;
  for (const schedule of workspace.schedules) {
    if (!schedule.enabled || !schedule.timing) continue;
    const next = nextRuns(schedule.timing, now, 1)[0];
    if (next && (!earliest || next.getTime() < earliest.getTime())) earliest = next;
  }
  return earliest;
}

/** Waking a little after the scheduled minute keeps a clock that runs slightly early from missing it. */
const MIN_SLEEP_MS = 1000;

/** A real sleep that an abort cuts short. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
