import * as path from 'node:path';
import { mentionsCatalogKind } from '../definitions/definitionFiles';
import { FILE_LAST_MODIFIED } from '../model';
import type { Position, Range } from '../problems';
import { TIMING_KEYS } from '../definitions/scheduleTiming';
import { isDateTimeFamily, isNumericFamily, typeFamily } from '../identifiers/fieldTypes';
import { yamlScalar, type CatalogView } from './catalogView';
import { cursorContext, topLevelValue, type CursorContext } from './cursorContext';
import { fieldFacts } from './snapshotFacts';
import { CRON_PRESETS, SCHEDULE_PRESETS, describeCron, describeTiming, upcomingRuns } from './scheduleText';
import { CATALOG_KINDS, describeKind, describeSchemas, isCatalogKind, propertiesOf, schemasAt, valuesOf, type CatalogKind } from './schemaNavigation';

/**
 * Completion candidates at a position: keys and values from the JSON Schemas, datastore names
 * where a datastore is named, container and field names from the snapshots inside overrides
 * (only fields that can serve, for an incremental identifier), schedule presets, and document
 * skeletons in a new file. Reads the text, not the parse, so it works while a line is half typed.
 */
export function completionsAt(view: CatalogView, file: string, text: string, position: Position, now = new Date()): CompletionCandidate[] {
  const context = cursorContext(text, position);
  if (!context) return [];
  const rawKind = topLevelValue(text, 'kind', context.documentStart, context.documentEnd);
  if (context.target === 'value' && context.path.length === 1 && context.path[0] === 'kind') return kindValues(file, context.replace);
  if (!isCatalogKind(rawKind)) {
    if (context.target !== 'key' || context.path.length > 0 || !mayBeCatalogFile(file, text)) return [];
    return [kindKey(context.replace), ...skeletons(context.replace)];
  }
  const kind = rawKind;
  switch (context.target) {
    case 'key':
      return keyCandidates(view, text, kind, context, now);
    case 'value':
      return valueCandidates(view, text, kind, context, now);
    case 'item': {
      const schemas = schemasAt(kind, context.path);
      if (schemas.some((s) => s.properties)) return propertyCandidates(kind, schemas, context);
      return literalCandidates(schemas, context.replace);
    }
  }
}

export interface CompletionCandidate {
  label: string;
  kind: 'property' | 'value' | 'datastore' | 'container' | 'field' | 'preset' | 'kind' | 'skeleton';
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** Plain text, never a snippet, so every client inserts it the same way. */
  insertText: string;
  replace: Range;
  filterText?: string;
  sortText?: string;
  preselect?: boolean;
}

function keyCandidates(view: CatalogView, text: string, kind: CatalogKind, context: CursorContext, now: Date): CompletionCandidate[] {
  if (kind === 'Overrides' && context.path.length === 1 && context.path[0] === 'containers') {
    return containerCandidates(view, text, context);
  }
  const candidates = propertyCandidates(kind, schemasAt(kind, context.path), context);
  if (kind === 'Schedule' && context.path.length === 0 && !context.siblingKeys.some((k) => (TIMING_KEYS as readonly string[]).includes(k))) {
    candidates.push(...SCHEDULE_PRESETS.map((preset, index): CompletionCandidate => ({
      label: `${preset.key}: ${preset.label}`,
      kind: 'preset',
      detail: describeTiming(preset.timing),
      documentation: runsMarkdown(preset.timing, now),
      insertText: `${preset.key}: ${preset.value}`,
      replace: context.replace,
      filterText: preset.key,
      sortText: `1${index}`,
    })));
  }
  return candidates;
}

function valueCandidates(view: CatalogView, text: string, kind: CatalogKind, context: CursorContext, now: Date): CompletionCandidate[] {
  const [first, second, third] = context.path;
  if ((kind === 'Schedule' || kind === 'Overrides') && context.path.length === 1 && first === 'datastore') {
    return view.workspace.datastores.map((datastore) => ({
      label: datastore.name,
      kind: 'datastore',
      detail: `${datastore.type} datastore`,
      documentation: [datastore.description, `Defined in \`${path.relative(view.workspace.project.root, datastore.source.file)}\`.`].filter(Boolean).join('\n\n'),
      insertText: yamlScalar(datastore.name),
      replace: context.replace,
    }));
  }
  if (kind === 'Overrides' && first === 'containers' && typeof second === 'string' && (third === 'incremental_identifier' || third === 'partition_identifier') && context.path.length === 3) {
    return fieldCandidates(view, text, context, second, third);
  }
  if (kind === 'Schedule' && context.path.length === 1 && first === 'cron') {
    return CRON_PRESETS.map((expression, index) => ({
      label: expression, kind: 'preset', detail: describeCron(expression), insertText: `"${expression}"`, replace: context.replace, sortText: String(index),
    }));
  }
  if (kind === 'Schedule' && context.path.length === 1 && (TIMING_KEYS as readonly string[]).includes(String(first)) && first !== 'cron') {
    return SCHEDULE_PRESETS.filter((p) => p.key === first).map((preset) => ({
      label: preset.value, kind: 'preset', detail: describeTiming(preset.timing), documentation: runsMarkdown(preset.timing, now), insertText: preset.value, replace: context.replace,
    }));
  }
  return literalCandidates(schemasAt(kind, context.path), context.replace);
}

function propertyCandidates(kind: CatalogKind, schemas: ReturnType<typeof schemasAt>, context: CursorContext): CompletionCandidate[] {
  const present = new Set(context.siblingKeys);
  const indent = ' '.repeat(context.lineIndent + 2);
  return propertiesOf(kind, schemas)
    .filter((property) => !present.has(property.name))
    .map((property, index) => ({
      label: property.name,
      kind: 'property' as const,
      detail: property.required ? 'required' : undefined,
      documentation: describeSchemas(property.schemas),
      insertText: context.inFlow || property.shape === 'scalar' ? `${property.name}: ` : property.shape === 'mapping' ? `${property.name}:\n${indent}` : `${property.name}:\n${indent}- `,
      replace: context.replace,
      // Required keys first, then schema order.
      sortText: `${property.required ? 0 : 1}${String(index).padStart(3, '0')}`,
    }));
}

function literalCandidates(schemas: ReturnType<typeof schemasAt>, replace: Range): CompletionCandidate[] {
  const documentation = describeSchemas(schemas);
  return valuesOf(schemas).map((value, index) => ({
    label: String(value.value),
    kind: 'value',
    documentation: documentation || undefined,
    insertText: typeof value.value === 'string' ? yamlScalar(value.value) : String(value.value),
    replace,
    sortText: String(index).padStart(3, '0'),
  }));
}

function containerCandidates(view: CatalogView, text: string, context: CursorContext): CompletionCandidate[] {
  const datastore = topLevelValue(text, 'datastore', context.documentStart, context.documentEnd);
  if (!datastore) return [];
  const present = new Set(context.siblingKeys);
  const indent = ' '.repeat(context.lineIndent + 2);
  return view.snapshots.containersOf(datastore)
    .filter((entry) => !present.has(entry.name))
    .map((entry) => ({
      label: entry.name,
      kind: 'container',
      detail: `${entry.kind ?? 'container'} of ${datastore}${entry.missing_from_source ? ' (missing from source)' : ''}`,
      insertText: context.inFlow ? `${yamlScalar(entry.name)}: ` : `${yamlScalar(entry.name)}:\n${indent}`,
      replace: context.replace,
    }));
}

function fieldCandidates(view: CatalogView, text: string, context: CursorContext, container: string, identifier: 'incremental_identifier' | 'partition_identifier'): CompletionCandidate[] {
  const datastore = topLevelValue(text, 'datastore', context.documentStart, context.documentEnd);
  const found = datastore ? view.snapshots.container(datastore, container) : undefined;
  if (!found) return [];
  const { snapshot } = found;
  const effective = snapshot[identifier].field;
  const candidates: CompletionCandidate[] = [];
  snapshot.fields.forEach((field, index) => {
    const family = typeFamily(field.type);
    // The sync accepts only a date/timestamp or a number as an incremental identifier (identifiers.ts).
    if (identifier === 'incremental_identifier' && !isDateTimeFamily(family) && !isNumericFamily(family)) return;
    candidates.push({
      label: field.name,
      kind: 'field',
      detail: `${field.type}${field.nullable ? '' : ' NOT NULL'}`,
      documentation: fieldFacts(snapshot, field, identifier),
      insertText: yamlScalar(field.name),
      replace: context.replace,
      sortText: String(index).padStart(5, '0'),
      preselect: field.name === effective,
    });
  });
  if (snapshot.kind === 'file') {
    candidates.push({ label: FILE_LAST_MODIFIED, kind: 'field', detail: 'the file\'s modification time', insertText: `"${FILE_LAST_MODIFIED}"`, replace: context.replace, sortText: '99998' });
  }
  candidates.push({ label: 'null', kind: 'value', detail: 'no identifier', documentation: 'Use no identifier for this container, whatever detection finds.', insertText: 'null', replace: context.replace, sortText: '99999' });
  return candidates;
}

function kindValues(file: string, replace: Range): CompletionCandidate[] {
  const kinds = CATALOG_KINDS.filter((kind) => kind !== 'Project' || path.basename(file) === 'catalog.yaml');
  return kinds.map((kind) => ({ label: kind, kind: 'kind', documentation: describeKind(kind), insertText: kind, replace }));
}

function kindKey(replace: Range): CompletionCandidate {
  return { label: 'kind', kind: 'property', detail: 'Datastore, Schedule or Overrides', documentation: 'What this document defines.', insertText: 'kind: ', replace, sortText: '0' };
}

/** New files: offered in empty files, files that mention a kind, and the conventional folders. */
function mayBeCatalogFile(file: string, text: string): boolean {
  return text.trim() === '' || mentionsCatalogKind(text) || /(^|[/\\])(datastores|schedules|overrides)[/\\]/.test(file) || path.basename(file) === 'catalog.yaml';
}

const SKELETONS: readonly { label: string; text: string }[] = [
  { label: 'Datastore (SQLite)', text: 'kind: Datastore\nname: my_database\ntype: sqlite\nconnection:\n  path: ./database.sqlite\n' },
  { label: 'Datastore (PostgreSQL)', text: 'kind: Datastore\nname: warehouse\ntype: postgresql\nconnection:\n  host: 127.0.0.1\n  port: 5432\n  database: shop\n  user: catalog_reader\n  password: ${env:WAREHOUSE_PASSWORD}\n' },
  { label: 'Datastore (files)', text: 'kind: Datastore\nname: landing\ntype: dfs\nroot: ./data/landing\nextensions: [csv, jsonl, parquet]\nglobbing: true\n' },
  { label: 'Schedule (daily)', text: 'kind: Schedule\nname: nightly\ndatastore: warehouse\ndaily: { every: 1, at: "02:00" }\n' },
  { label: 'Overrides', text: 'kind: Overrides\ndatastore: warehouse\ncontainers:\n  public.orders:\n    incremental_identifier: updated_at\n' },
];

function skeletons(replace: Range): CompletionCandidate[] {
  return SKELETONS.map((skeleton, index) => ({
    label: skeleton.label, kind: 'skeleton', detail: 'new document', documentation: '```yaml\n' + skeleton.text + '```', insertText: skeleton.text, replace, filterText: 'kind', sortText: `1${index}`,
  }));
}

function runsMarkdown(timing: Parameters<typeof upcomingRuns>[0], now: Date): string {
  return `Next runs:\n${upcomingRuns(timing, now, 3).map((run) => `- ${run}`).join('\n')}`;
}
