import type { ContainerOverride } from '../model';
import { FILE_LAST_MODIFIED, type DiscoveredContainer, type FieldInfo, type IdentifierInfo } from '../model';
import { didYouMean, nearestNames } from '../text/nearestNames';
import { isDateTimeFamily, isNumericFamily, typeFamily } from './fieldTypes';

/**
 * Decides a container's incremental and partition identifiers: detection first, then overrides,
 * which always win when they name a field that exists and fits. An override that cannot apply is
 * returned as a problem, never dropped silently.
 */
export function decideIdentifiers(container: DiscoveredContainer, override: ContainerOverride | undefined, options: DetectionOptions = {}): IdentifierDecision {
  let incremental = detectIncremental(container, options);
  let partition = detectPartition(container, incremental);
  const problems: OverrideProblem[] = [];
  if (override?.incremental_identifier !== undefined) {
    const result = applyOverride(container, 'incremental_identifier', override.incremental_identifier);
    if ('problem' in result) problems.push(result.problem);
    else incremental = result.identifier;
  }
  if (override?.partition_identifier !== undefined) {
    const result = applyOverride(container, 'partition_identifier', override.partition_identifier);
    if ('problem' in result) problems.push(result.problem);
    else partition = result.identifier;
  }
  return { incremental, partition, problems };
}

export interface DetectionOptions {
  /** PostgreSQL with `track_commit_timestamp = on`. */
  commitTimestamps?: boolean;
}

export interface IdentifierDecision {
  incremental: IdentifierInfo;
  partition: IdentifierInfo;
  problems: OverrideProblem[];
}

export interface OverrideProblem {
  code: 'unknown-field' | 'identifier-type-mismatch';
  identifier: 'incremental_identifier' | 'partition_identifier';
  field: string;
  message: string;
  suggestions: string[];
}

const NONE: IdentifierInfo = { field: null, strategy: 'none', source: 'detected' };

/** Singer's `valid-replication-keys` habit: names that say "this row changed at". */
const UPDATED_NAME = /^(updated|modified|changed|last_?updated?|last_?modified|last_?changed|update_?(d_)?(at|on|time|ts|date)|.*_(updated|modified|changed)(_?(at|on|time|ts|date|datetime|timestamp))?|(updated|modified|changed)_?(at|on|time|ts|date|datetime|timestamp))$/i;
const CREATED_NAME = /^(created|inserted|added|.*_(created|inserted|added)(_?(at|on|time|ts|date|datetime|timestamp))?|(created|inserted|added)_?(at|on|time|ts|date|datetime|timestamp)|creation_?(date|time))$/i;

function detectIncremental(container: DiscoveredContainer, options: DetectionOptions): IdentifierInfo {
  if (container.kind === 'file') return { field: FILE_LAST_MODIFIED, strategy: 'last_modified', source: 'detected' };
  const candidates = rankTimestampFields(container.fields);
  if (candidates[0]) return { field: candidates[0].name, strategy: 'last_modified', source: 'detected' };
  const growing = container.fields.find((f) => f.auto_increment && typeFamily(f.type) === 'integer')
    ?? singleIntegerPrimaryKey(container.fields);
  if (growing) return { field: growing.name, strategy: 'batch_value', source: 'detected' };
  if (options.commitTimestamps && (container.kind === 'table' || container.kind === 'foreign_table')) {
    return { field: null, strategy: 'postgres_commit_timestamp', source: 'detected' };
  }
  return NONE;
}

/** Updated-like timestamps, then created-like ones; NOT NULL first inside each rank, then source order. */
function rankTimestampFields(fields: readonly FieldInfo[]): FieldInfo[] {
  const ranked: { field: FieldInfo; rank: number; index: number }[] = [];
  fields.forEach((field, index) => {
    const family = typeFamily(field.type);
    if (!isDateTimeFamily(family)) return;
    const nameRank = UPDATED_NAME.test(field.name) ? 0 : CREATED_NAME.test(field.name) ? 2 : -1;
    if (nameRank < 0) return;
    const rank = nameRank + (field.nullable ? 1 : 0) + (family === 'date' ? 4 : 0);
    ranked.push({ field, rank, index });
  });
  ranked.sort((a, b) => a.rank - b.rank || a.index - b.index);
  return ranked.map((r) => r.field);
}

function singleIntegerPrimaryKey(fields: readonly FieldInfo[]): FieldInfo | undefined {
  const keys = fields.filter((f) => f.primary_key !== undefined);
  return keys.length === 1 && typeFamily(keys[0]!.type) === 'integer' ? keys[0] : undefined;
}

function detectPartition(container: DiscoveredContainer, incremental: IdentifierInfo): IdentifierInfo {
  // A declared partition key wins, a lake table's included; other files are split by modification time.
  if (container.partition_key && container.partition_key.length > 0) {
    return { field: container.partition_key[0]!, fields: [...container.partition_key], strategy: 'partition_key', source: 'detected' };
  }
  if (container.kind === 'file') return { field: FILE_LAST_MODIFIED, strategy: 'last_modified', source: 'detected' };
  // The ideal partition field is a NOT NULL datetime, preferably the incremental identifier itself.
  const notNullDates = container.fields.filter((f) => !f.nullable && isDateTimeFamily(typeFamily(f.type)));
  const preferred = notNullDates.find((f) => f.name === incremental.field) ?? rankTimestampFields(notNullDates)[0] ?? notNullDates[0];
  if (preferred) return { field: preferred.name, strategy: 'datetime', source: 'detected' };
  const keys = container.fields
    .filter((f) => f.primary_key !== undefined)
    .sort((a, b) => (a.primary_key ?? 0) - (b.primary_key ?? 0))
    .map((f) => f.name);
  if (keys.length > 0) return { field: keys[0]!, fields: keys, strategy: 'order_by', source: 'detected' };
  return NONE;
}

/**
 * The fields an override of `identifier` may name on this container, each with the strategy the
 * sync would then use: exactly those {@link applyOverride} accepts (the virtual last-modified
 * field of a file included), in field order.
 */
export function identifierCandidates(container: DiscoveredContainer, identifier: 'incremental_identifier' | 'partition_identifier'): IdentifierCandidate[] {
  const names = [...(container.kind === 'file' ? [FILE_LAST_MODIFIED] : []), ...container.fields.map((f) => f.name)];
  const candidates: IdentifierCandidate[] = [];
  for (const name of names) {
    const result = applyOverride(container, identifier, name);
    if ('identifier' in result) candidates.push({ field: name, type: container.fields.find((f) => f.name === name)?.type ?? 'timestamp', strategy: result.identifier.strategy });
  }
  return candidates;
}

export interface IdentifierCandidate {
  field: string;
  /** The field's type as the source spells it (`timestamp` for a file's last-modified time). */
  type: string;
  strategy: IdentifierInfo['strategy'];
}

function applyOverride(
  container: DiscoveredContainer,
  identifier: 'incremental_identifier' | 'partition_identifier',
  fieldName: string | null,
): { identifier: IdentifierInfo } | { problem: OverrideProblem } {
  if (fieldName === null) return { identifier: { field: null, strategy: 'none', source: 'override' } };
  const label = identifier === 'incremental_identifier' ? 'incremental identifier' : 'partition identifier';
  if (container.kind === 'file' && fieldName === FILE_LAST_MODIFIED) {
    return { identifier: { field: FILE_LAST_MODIFIED, strategy: 'last_modified', source: 'override' } };
  }
  const field = container.fields.find((f) => f.name === fieldName);
  if (!field) {
    const candidates = container.fields.map((f) => f.name);
    if (container.kind === 'file') candidates.push(FILE_LAST_MODIFIED);
    const suggestions = nearestNames(fieldName, candidates);
    return {
      problem: {
        code: 'unknown-field', identifier, field: fieldName, suggestions,
        message: `The ${label} override names field '${fieldName}', which container '${container.name}' does not have.${didYouMean(suggestions)} Detection is used until the override is fixed.`,
      },
    };
  }
  const family = typeFamily(field.type);
  if (identifier === 'incremental_identifier') {
    if (isDateTimeFamily(family)) return { identifier: { field: field.name, strategy: 'last_modified', source: 'override' } };
    if (isNumericFamily(family)) return { identifier: { field: field.name, strategy: 'batch_value', source: 'override' } };
    return {
      problem: {
        code: 'identifier-type-mismatch', identifier, field: fieldName, suggestions: [],
        message: `Field '${fieldName}' of '${container.name}' has type ${field.type}; an incremental identifier must be a date/timestamp or a number that only grows. Detection is used until the override is fixed.`,
      },
    };
  }
  if (isDateTimeFamily(family)) return { identifier: { field: field.name, strategy: 'datetime', source: 'override' } };
  // Ordering splits a container into ranges: a boolean has two values, JSON, arrays and binaries no useful order.
  if (family === 'boolean' || family === 'other') {
    return {
      problem: {
        code: 'identifier-type-mismatch', identifier, field: fieldName, suggestions: [],
        message: `Field '${fieldName}' of '${container.name}' has type ${field.type}, which cannot split a container into ordered ranges; a partition identifier must be a date/timestamp, a number or a text field. Detection is used until the override is fixed.`,
      },
    };
  }
  return { identifier: { field: field.name, fields: [field.name], strategy: 'order_by', source: 'override' } };
}
