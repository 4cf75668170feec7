/** Display text for the Activity webview (pure: the unit tests load it in Node). */
import type { ActivityCounts, OperationResult } from '../../../server/src/protocol/catalogProtocol';

export const RESULTS: readonly OperationResult[] = ['running', 'success', 'warning', 'failure', 'aborted'];

export const RESULT_LABEL: Record<OperationResult, string> = {
  running: 'Running', success: 'Success', warning: 'Warning', failure: 'Failure', aborted: 'Aborted',
};

/** The codicon of each status, as the Operations view shows it. */
export const RESULT_ICON: Record<OperationResult, string> = {
  running: 'sync', success: 'pass', warning: 'warning', failure: 'error', aborted: 'circle-slash',
};

export function formatCount(n: number, locale?: string): string {
  return n.toLocaleString(locale ?? 'en-US');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** `850 ms`, `12.3 s`, `4 min 5 s`, `2 h 3 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}

/**
 * Working time of an operation as the server counted it (`durationMs`, a resumed run without the
 * time it stood aborted), plus, while it runs, the time since the answer arrived.
 */
export function elapsedMs(op: { result: string; durationMs: number }, receivedAt: number, now: number): number {
  return op.result === 'running' ? op.durationMs + Math.max(0, now - receivedAt) : op.durationMs;
}

/** `Dec 5, 14:03` (the year only when not this one), in the viewer's time zone. */
export function formatTime(iso: string, locale?: string, now = new Date()): string {
  const date = new Date(iso);
  const year = date.getFullYear() === now.getFullYear() ? undefined : 'numeric';
  return date.toLocaleString(locale, { year, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** `Sat, Dec 5, 2026` for a UTC day (`2026-12-05`). */
export function formatDay(day: string, locale?: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(locale, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** `3 operations: 2 success, 1 failure` (what a heatmap square says). */
export function countsText(counts: ActivityCounts): string {
  if (counts.total === 0) return 'No operations';
  const parts = RESULTS.filter((r) => counts[r] > 0).map((r) => `${formatCount(counts[r])} ${RESULT_LABEL[r].toLowerCase()}`);
  return `${plural(counts.total, 'operation')}: ${parts.join(', ')}`;
}
