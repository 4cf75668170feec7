import { locate } from '../definitions/locate';
import type { Range } from '../problems';
import type { CatalogView } from './catalogView';
import { describeTiming, upcomingRuns } from './scheduleText';

/**
 * Code lenses: "Sync" and "Preview" above each datastore (commands the host maps to its sync
 * and dry-run requests), and the next run above each schedule.
 */
export function codeLenses(view: CatalogView, file: string, now = new Date()): CodeLensData[] {
  const analysis = view.analysisOf(file);
  if (!analysis) return [];
  const lenses: CodeLensData[] = [];
  for (const datastore of analysis.datastores) {
    const range = lineStart(locate(datastore.source, ['name']));
    lenses.push({ range, title: 'Sync', command: { action: 'sync', datastore: datastore.name } });
    lenses.push({ range, title: 'Preview', command: { action: 'preview', datastore: datastore.name } });
  }
  for (const schedule of analysis.schedules) {
    const range = lineStart(locate(schedule.source, ['name']));
    if (!schedule.timing) {
      lenses.push({ range, title: 'No valid timing: this schedule never runs' });
      continue;
    }
    const next = upcomingRuns(schedule.timing, now, 1)[0];
    const title = !schedule.enabled
      ? `Paused (${describeTiming(schedule.timing)})`
      : next ? `Next run: ${next} · ${describeTiming(schedule.timing)}` : describeTiming(schedule.timing);
    lenses.push({ range, title });
  }
  return lenses.sort((a, b) => a.range.start.line - b.range.start.line);
}

export interface CodeLensData {
  range: Range;
  title: string;
  /** Absent for lenses that only inform. */
  command?: { action: 'sync' | 'preview'; datastore: string };
}

function lineStart(range: Range): Range {
  return { start: { line: range.start.line, character: 0 }, end: { line: range.start.line, character: 0 } };
}
