import * as path from 'node:path';
import type { DatastoreDefinition, ScheduleDefinition } from '../definitions/types';
import type { Position, Range } from '../problems';
import { TIMING_KEYS } from '../definitions/scheduleTiming';
import type { CatalogView } from './catalogView';
import { nodeInFile, topLevelScalar, type NodeAtPosition } from './nodeAt';
import { groupingNote } from '../history/groupingNotes';
import { containerFacts, fieldFacts } from './snapshotFacts';
import { cronFor, describeTiming, upcomingRuns } from './scheduleText';
import { describeKind, describeSchemas, isCatalogKind, schemasAt, type CatalogKind } from './schemaNavigation';

/**
 * Hover content at a position: the schema's documentation for keys and values; for a schedule,
 * the schedule in words and its next five runs (UTC); for a datastore reference, the datastore;
 * for a container or field in overrides, what its committed snapshot says.
 */
export function hoverAt(view: CatalogView, file: string, position: Position, now = new Date()): HoverContent | undefined {
  const analysis = view.analysisOf(file);
  if (!analysis) return undefined;
  const found = nodeInFile(analysis, position);
  if (!found || found.path.length === 0) return undefined;
  const kind = topLevelScalar(found.doc, 'kind')?.value;
  if (!isCatalogKind(kind)) return undefined;
  const [first, second, third] = found.path;
  if (first === 'kind') return { markdown: describeKind(kind), range: found.range };

  if (kind === 'Schedule' && ((TIMING_KEYS as readonly string[]).includes(String(first)) || (first === 'name' && found.path.length === 1))) {
    const schedule = analysis.schedules.find((s) => s.source.document === found.documentIndex);
    if (schedule?.timing) return { markdown: scheduleMarkdown(schedule, now), range: found.range };
  }
  if ((kind === 'Schedule' || kind === 'Overrides') && first === 'datastore' && found.path.length === 1 && found.target === 'value') {
    const datastore = view.workspace.datastores.find((d) => d.name === String((found.node as { value?: unknown }).value));
    if (datastore) return { markdown: datastoreMarkdown(view, datastore), range: found.range };
  }
  if (kind === 'Overrides' && first === 'containers' && typeof second === 'string') {
    const facts = overridesFacts(view, found, second, third);
    if (facts) return { markdown: facts, range: found.range };
  }
  return schemaHover(kind, found);
}

export interface HoverContent {
  markdown: string;
  range: Range;
}

function schemaHover(kind: CatalogKind, found: NodeAtPosition): HoverContent | undefined {
  let schemas = schemasAt(kind, found.path);
  // A list item's own schema is usually just an enum; its list carries the documentation.
  let listPath = found.path;
  while (!schemas.some((s) => s.description) && typeof listPath[listPath.length - 1] === 'number') {
    listPath = listPath.slice(0, -1);
    schemas = schemasAt(kind, listPath);
  }
  const text = describeSchemas(schemas);
  if (!text) return undefined;
  const name = [...found.path].reverse().find((segment) => typeof segment === 'string');
  return { markdown: `**${name}**\n\n${text}`, range: found.range };
}

function scheduleMarkdown(schedule: ScheduleDefinition, now: Date): string {
  const timing = schedule.timing!;
  const lines = [`**${schedule.name}** syncs \`${schedule.datastore}\` ${describeTiming(timing)}.`];
  if (!schedule.enabled) lines.push('', 'Paused (`enabled: false`): these runs will not happen until it is enabled.');
  const cron = cronFor(timing);
  lines.push('', cron ? `Next 5 runs (UTC), cron \`${cron}\`:` : 'Next 5 runs (UTC; no cron expression runs on this timing):', ...upcomingRuns(timing, now, 5).map((run) => `- ${run}`));
  return lines.join('\n');
}

function datastoreMarkdown(view: CatalogView, datastore: DatastoreDefinition): string {
  const where = `${path.relative(view.workspace.project.root, datastore.source.file)}:${datastore.source.range.start.line + 1}`;
  const containers = view.snapshots.containersOf(datastore.name).length;
  const lines = [`**${datastore.name}** · ${datastore.type} datastore (id ${datastore.id})`];
  if (datastore.description) lines.push('', datastore.description);
  lines.push('', `Defined in \`${where}\`. ${containers > 0 ? `${containers} container${containers === 1 ? '' : 's'} in its snapshots.` : 'Not synced yet.'}`);
  return lines.join('\n');
}

function overridesFacts(view: CatalogView, found: NodeAtPosition, container: string, identifier: string | number | undefined): string | undefined {
  const datastore = topLevelScalar(found.doc, 'datastore')?.value;
  if (!datastore) return undefined;
  const entry = view.snapshots.container(datastore, container);
  if (found.path.length === 2 && found.target === 'key') {
    if (!entry) return `No container \`${container}\` in the snapshots of \`${datastore}\`${view.snapshots.containersOf(datastore).length === 0 ? ' (never synced)' : ''}.`;
    return containerFacts(entry.snapshot, path.relative(view.workspace.project.root, entry.file), entry.snapshot.kind === 'file' ? groupingNote(view.workspace.project.stateDir, datastore, container) : undefined);
  }
  if (found.path.length === 3 && found.target === 'value' && (identifier === 'incremental_identifier' || identifier === 'partition_identifier') && entry) {
    const name = String((found.node as { value?: unknown }).value);
    const field = entry.snapshot.fields.find((f) => f.name === name);
    if (field) return fieldFacts(entry.snapshot, field, identifier);
  }
  return undefined;
}
