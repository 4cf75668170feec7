import { createHash } from 'node:crypto';
import { datastoreType } from '../connectors/registry';
import type { IncludeKind } from '../model';
import { ProblemCode, compareProblems, type Problem } from '../problems';
import { nearestNames, didYouMean } from '../text/nearestNames';
import { parseYamlFile, problemAt, type ParsedYamlFile } from '../yaml/safeYaml';
import { checkDefinitions } from './crossChecks';
import { isProjectFile, PROJECT_FILE } from './projectSettings';
import { locate } from './locate';
import { validateAgainstComposedSchema, validateAgainstSchema, type SchemaName } from '../validation/schemaValidation';
import { COMMON_DATASTORE_KEYS, datastoreSchema } from './datastoreSchema';
import type { DatastoreDefinition, DefinitionSource, OverridesDefinition, ProjectSettings, ScheduleDefinition, ScheduleTiming, Workspace } from './types';
import type { ContainerOverride } from '../model';
import { TIMING_KEYS, WEEKDAYS, cronProblem } from './scheduleTiming';
import { compareText } from '../text/order';
import { mentionsCatalogKind } from './definitionFiles';

/**
 * Turns the texts of a workspace's catalog files into definitions and problems. Pure: it reads
 * nothing from disk, so the language server can pass unsaved editor buffers and the CLI files.
 * Never throws on user input.
 */
export function analyzeDefinitions(project: ProjectSettings, files: readonly DefinitionFileText[]): Workspace {
  const analyses: DefinitionFileAnalysis[] = [];
  for (const file of files) {
    const analysis = analyzeDefinitionFile(project, file);
    if (analysis) analyses.push(analysis);
  }
  return combineDefinitionFiles(project, analyses);
}

/**
 * One file's definitions and the problems found inside it, without the rules that need other
 * files. Undefined when the file is not a catalog file. `analyzeDefinitions` is this for every
 * file plus {@link combineDefinitionFiles}; the language server keeps one analysis per file and
 * re-analyzes only the file that changed.
 */
export function analyzeDefinitionFile(project: ProjectSettings, file: DefinitionFileText): DefinitionFileAnalysis | undefined {
  if (!mentionsCatalogKind(file.text)) return undefined;
  return analyzeParsedYaml(project, file.path, parseYamlFile(file.path, file.text));
}

/**
 * The definitions in already-parsed YAML of a catalog file; `firstDocument` is the index in the
 * file of its first document. Lets the language server parse one document of a long
 * multi-document file on its own (core/language/documentParts.ts) and still read it exactly
 * as here.
 */
export function analyzeParsedYaml(project: ProjectSettings, file: string, parsed: ParsedYamlFile, firstDocument = 0): DefinitionFileAnalysis {
  const partial: Workspace = { project, datastores: [], schedules: [], overrides: [], files: [file], problems: [] };
  partial.problems.push(...parsed.problems);
  parsed.documents.forEach((document, index) => {
    if (!document.ok || document.value === null || typeof document.value !== 'object' || Array.isArray(document.value)) return;
    const value = document.value as Record<string, unknown>;
    const source: DefinitionSource = { file, document: firstDocument + index, doc: document.doc, lineCounter: parsed.lineCounter, range: document.range };
    readDocument(partial, value, source);
  });
  return { path: file, parsed, datastores: partial.datastores, schedules: partial.schedules, overrides: partial.overrides, problems: partial.problems };
}

/** Joins per-file analyses (in path order, as `analyzeDefinitions` does) and adds the cross-file rules. */
export function combineDefinitionFiles(project: ProjectSettings, analyses: readonly DefinitionFileAnalysis[]): Workspace {
  const workspace: Workspace = { project, datastores: [], schedules: [], overrides: [], files: [], problems: [] };
  for (const analysis of [...analyses].sort((a, b) => compareText(a.path, b.path))) {
    workspace.files.push(analysis.path);
    for (const datastore of analysis.datastores) workspace.datastores.push(datastore);
    for (const schedule of analysis.schedules) workspace.schedules.push(schedule);
    for (const overrides of analysis.overrides) workspace.overrides.push(overrides);
    for (const problem of analysis.problems) workspace.problems.push(problem);
  }
  workspace.problems.push(...checkDefinitions(workspace));
  workspace.problems.sort(compareProblems);
  return workspace;
}

/** What one catalog file says, with its parse kept for editor features. */
export interface DefinitionFileAnalysis {
  path: string;
  parsed: ParsedYamlFile;
  datastores: DatastoreDefinition[];
  schedules: ScheduleDefinition[];
  overrides: OverridesDefinition[];
  /** Problems inside this file only; cross-file rules run in {@link combineDefinitionFiles}. */
  problems: Problem[];
}

export interface DefinitionFileText {
  path: string;
  text: string;
}

const KINDS = ['Datastore', 'Schedule', 'Overrides', 'Project'] as const;
function readDocument(workspace: Workspace, value: Record<string, unknown>, source: DefinitionSource): void {
  const kind = value.kind;
  const schemaName = schemaForKind(kind);
  if (!schemaName) {
    const range = locate(source, ['kind'], 'value');
    const suggestions = typeof kind === 'string' ? nearestNames(kind, KINDS) : [];
    const message = kind === undefined
      ? `This document has no 'kind', so it is ignored. Add kind: Datastore, Schedule or Overrides.`
      : `Unknown kind '${String(kind)}', so this document is ignored.${didYouMean(suggestions)} Kinds are ${KINDS.join(', ')}.`;
    workspace.problems.push(problemAt(source.file, ProblemCode.UnknownKind, 'warning', range, message, suggestions));
    return;
  }
  const issues = schemaName === 'datastore' ? validateAgainstComposedSchema(datastoreSchema(), value) : validateAgainstSchema(schemaName, value);
  for (const issue of issues) {
    workspace.problems.push(problemAt(source.file, issue.code, 'error', locate(source, issue.path, issue.target), issue.message, issue.suggestions));
  }
  switch (kind) {
    case 'Datastore': {
      const datastore = toDatastore(value, source);
      if (datastore) workspace.datastores.push(datastore);
      break;
    }
    case 'Schedule': {
      const schedule = toSchedule(value, source, workspace.problems);
      if (schedule) workspace.schedules.push(schedule);
      break;
    }
    case 'Overrides': {
      const overrides = toOverrides(value, source);
      if (overrides) workspace.overrides.push(overrides);
      break;
    }
    case 'Project':
      if (!isProjectFile(workspace.project, source.file)) {
        workspace.problems.push(problemAt(source.file, ProblemCode.DuplicateProject, 'warning', locate(source, ['kind']),
          `Project settings are read only from ${PROJECT_FILE} at the project root (${workspace.project.root}); this document is ignored. Move it there.`));
      }
      break;
  }
}

function schemaForKind(kind: unknown): SchemaName | 'datastore' | undefined {
  switch (kind) {
    case 'Datastore': return 'datastore';
    case 'Schedule': return 'schedule';
    case 'Overrides': return 'overrides';
    case 'Project': return 'project';
    default: return undefined;
  }
}

/** Builds a datastore from whatever is usable; a definition with a bad name or type is dropped (its problems stand). */
function toDatastore(value: Record<string, unknown>, source: DefinitionSource): DatastoreDefinition | undefined {
  const name = value.name;
  const type = value.type;
  if (typeof name !== 'string' || name === '' || typeof type !== 'string' || !datastoreType(type)) return undefined;
  const settings = Object.fromEntries(Object.entries(value).filter(([key]) => !COMMON_DATASTORE_KEYS.has(key)));
  return {
    kind: 'Datastore',
    name,
    id: typeof value.id === 'number' && Number.isSafeInteger(value.id) && value.id > 0 ? value.id : derivedDatastoreId(name),
    type,
    description: typeof value.description === 'string' ? value.description : undefined,
    include: includeList(value.include) ?? ['table', 'view'],
    prune: value.prune === true,
    recreate: value.recreate === true,
    prune_limit: typeof value.prune_limit === 'number' && value.prune_limit > 0 && value.prune_limit <= 1 ? value.prune_limit : 0.5,
    initial_sync: value.initial_sync === true,
    settings,
    source,
  };
}

/** A stable numeric id for datastores that do not declare one: the API's `datastore.id`. */
export function derivedDatastoreId(name: string): number {
  return parseInt(createHash('sha256').update(name).digest('hex').slice(0, 7), 16) + 1;
}

function toSchedule(value: Record<string, unknown>, source: DefinitionSource, problems: Problem[]): ScheduleDefinition | undefined {
  if (typeof value.name !== 'string' || typeof value.datastore !== 'string') return undefined;
  const present = TIMING_KEYS.filter((key) => value[key] !== undefined);
  let timing: ScheduleTiming | undefined;
  if (present.length === 0) {
    problems.push(problemAt(source.file, ProblemCode.InvalidSchedule, 'error', locate(source, ['name'], 'key'),
      `Schedule '${value.name}' has no timing. Add exactly one of: hourly, daily, weekly, monthly or cron.`));
  } else if (present.length > 1) {
    for (const extra of present.slice(1)) {
      problems.push(problemAt(source.file, ProblemCode.InvalidSchedule, 'error', locate(source, [extra], 'key'),
        `Schedule '${value.name}' has more than one timing (${present.join(', ')}). Keep exactly one.`));
    }
  } else if (present[0] === 'cron' && typeof value.cron === 'string' && value.cron !== '') {
    // An invalid expression leaves the timing undefined, so no caller computes runs from it.
    const message = cronProblem(value.cron);
    if (message) problems.push(problemAt(source.file, ProblemCode.InvalidCron, 'error', locate(source, ['cron']), message));
    else timing = { kind: 'cron', expression: value.cron };
  } else {
    timing = toTiming(present[0]!, value[present[0]!]);
  }
  return {
    kind: 'Schedule',
    name: value.name,
    datastore: value.datastore,
    description: typeof value.description === 'string' ? value.description : undefined,
    enabled: value.enabled !== false,
    timing,
    prune: typeof value.prune === 'boolean' ? value.prune : undefined,
    recreate: typeof value.recreate === 'boolean' ? value.recreate : undefined,
    include: includeList(value.include),
    source,
  };
}

/** Reads one timing; undefined when its shape is wrong (the schema already reported why). */
function toTiming(key: (typeof TIMING_KEYS)[number], raw: unknown): ScheduleTiming | undefined {
  // A valid cron expression was read by toSchedule; anything reaching here is not a string.
  if (key === 'cron') return undefined;
  if (!isRecord(raw)) return undefined;
  const int = (v: unknown, min: number, max: number, fallback?: number): number | undefined =>
    v === undefined ? fallback : typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined;
  const at = typeof raw.at === 'string' && /^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(raw.at) ? raw.at : undefined;
  switch (key) {
    case 'hourly': {
      const every = int(raw.every, 1, 23);
      const minute = int(raw.minute, 0, 59, 0);
      return every !== undefined && minute !== undefined ? { kind: 'hourly', every, minute } : undefined;
    }
    case 'daily': {
      const every = int(raw.every, 1, 31, 1);
      return every !== undefined && at ? { kind: 'daily', every, at } : undefined;
    }
    case 'weekly': {
      // Every day must be a weekday name: cronOf cannot express anything else.
      const days = stringList(raw.days);
      const valid = days !== undefined && days.length > 0 && days.length === (raw.days as unknown[]).length && days.every((d) => WEEKDAYS.includes(d));
      return valid && at ? { kind: 'weekly', days, at } : undefined;
    }
    case 'monthly': {
      const day = int(raw.day, 1, 31);
      const every = int(raw.every, 1, 12, 1);
      return day !== undefined && every !== undefined && at ? { kind: 'monthly', day, every, at } : undefined;
    }
  }
}

function toOverrides(value: Record<string, unknown>, source: DefinitionSource): OverridesDefinition | undefined {
  if (typeof value.datastore !== 'string' || !isRecord(value.containers)) return undefined;
  const containers = new Map<string, ContainerOverride>();
  for (const [name, raw] of Object.entries(value.containers)) {
    if (!isRecord(raw)) continue;
    const override: ContainerOverride = {};
    for (const key of ['incremental_identifier', 'partition_identifier'] as const) {
      const v = raw[key];
      if (v === null || (typeof v === 'string' && v !== '')) override[key] = v;
    }
    containers.set(name, override);
  }
  return { kind: 'Overrides', datastore: value.datastore, containers, source };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

function includeList(value: unknown): IncludeKind[] | undefined {
  const list = stringList(value)?.filter((v): v is IncludeKind => v === 'table' || v === 'view');
  return list && list.length > 0 ? [...new Set(list)].sort() : undefined;
}
