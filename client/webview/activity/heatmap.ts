/** The heatmap's layout (pure: the unit tests load it in Node). */
import type { ActivityDay } from '../../../server/src/protocol/catalogProtocol';

export interface HeatmapLayout {
  /** Columns of seven cells, Monday first; null pads the first and last week. */
  weeks: (ActivityDay | null)[][];
  /** A month's short name above the first week that holds its 1st day (or the first week). */
  months: { week: number; label: string }[];
}

export function heatmapLayout(days: readonly ActivityDay[], locale?: string): HeatmapLayout {
  if (days.length === 0) return { weeks: [], months: [] };
  const lead = (new Date(`${days[0].date}T00:00:00Z`).getUTCDay() + 6) % 7;
  const cells: (ActivityDay | null)[] = [...Array<null>(lead).fill(null), ...days];
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: (ActivityDay | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  const monthLabel = (date: string): string => new Date(`${date}T00:00:00Z`).toLocaleDateString(locale, { month: 'short', timeZone: 'UTC' });
  const months: { week: number; label: string }[] = [];
  weeks.forEach((week, index) => {
    const first = week.find((d) => d?.date.endsWith('-01'));
    if (first) months.push({ week: index, label: monthLabel(first.date) });
  });
  // The first, partial month is named too when there is room before the next name (three weeks).
  if ((months[0]?.week ?? weeks.length) >= 3) months.unshift({ week: 0, label: monthLabel(days[0].date) });
  return { weeks, months };
}

/** The day `delta` days from `day` (UTC), clamped to the days shown. */
export function moveDay(days: readonly ActivityDay[], day: string, delta: number): string {
  const index = days.findIndex((d) => d.date === day);
  const next = Math.min(days.length - 1, Math.max(0, (index < 0 ? days.length - 1 : index) + delta));
  return days[next]?.date ?? day;
}
