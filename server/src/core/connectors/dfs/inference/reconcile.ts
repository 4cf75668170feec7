/**
 * Merges the inferred schemas of the sampled files of one globbed container, as Glue's crawler
 * does: the first good sample sets the columns; a later one that shares columns widens types and
 * adds its new columns (the union, with a note); one that shares no column with the others, or
 * whose shared columns conflict (a date where the others hold numbers), is not part of the
 * container: it is returned as an outlier, for the caller to make a container of its own.
 * Every other disagreement in names or order becomes one problem per file.
 */
import type { FieldInfo } from '../../../model';
import type { InferenceResult, InferredFileSchema } from './result';

export type ReconcileProblemCode = 'file-empty' | 'file-unreadable' | 'file-malformed' | 'schema-mismatch' | 'schema-extended' | 'ragged-rows' | 'invalid-line';

/** For a globbed container: merge the schemas of several sampled files of one group. */
export function reconcileSchemas(samples: { file: string; result: InferenceResult }[]): {
  schema: InferredFileSchema | undefined;
  problems: { file: string; code: ReconcileProblemCode; message: string }[];
  /** Sampled files whose schemas cannot be one container with the rest, and why. */
  outliers: { file: string; schema: InferredFileSchema; reason: string }[];
} {
  const problems: { file: string; code: ReconcileProblemCode; message: string }[] = [];
  const outliers: { file: string; schema: InferredFileSchema; reason: string }[] = [];
  let base: InferredFileSchema | undefined;
  let baseFile = '';
  // Keyed by name in a Map: column names come from files and may be `__proto__` or `constructor`.
  const byName = new Map<string, FieldInfo>();
  const fields: FieldInfo[] = [];
  try {
    for (const { file, result } of samples) {
      if (!result.ok) {
        problems.push({ file, code: result.failure.code, message: result.failure.message });
        continue;
      }
      const schema = result.schema;
      // Rows the schema survived (ragged CSV rows, bad JSON lines) are the file's warnings, with their line.
      for (const note of schema.notes ?? []) problems.push({ file, code: note.code, message: `${file}, ${note.message}` });
      if (base === undefined) {
        base = schema;
        baseFile = file;
        for (const field of schema.fields) {
          if (byName.has(field.name)) continue;
          const copy = { ...field };
          byName.set(field.name, copy);
          fields.push(copy);
        }
        continue;
      }
      const apart = whyApart(byName, schema, baseFile);
      if (apart !== undefined) {
        outliers.push({ file, schema, reason: apart });
        continue;
      }
      let shared = 0;
      const added: string[] = [];
      for (const field of schema.fields) {
        if (byName.has(field.name)) shared++;
        else added.push(field.name);
      }
      // Every column so far is still there, and some are new (names are unique within a file).
      const onlyAdds = added.length > 0 && shared === fields.length;
      const mismatch = onlyAdds ? undefined : firstDifference(base, schema, baseFile);
      if (onlyAdds) problems.push({ file, code: 'schema-extended', message: `This file adds column${added.length === 1 ? '' : 's'} ${added.map((n) => `"${short(n)}"`).join(', ')} to those of ${baseFile}; the container has the union of their fields.` });
      else if (mismatch !== undefined) problems.push({ file, code: 'schema-mismatch', message: mismatch });
      const present = new Set<string>();
      for (const field of schema.fields) {
        present.add(field.name);
        const known = byName.get(field.name);
        if (known === undefined) {
          // A column only some files have can be missing from the others: nullable.
          const added = { ...field, nullable: true };
          byName.set(field.name, added);
          fields.push(added);
        } else {
          known.type = widenType(known.type, field.type);
          known.nullable = known.nullable || field.nullable;
        }
      }
      for (const field of fields) if (!present.has(field.name)) field.nullable = true;
    }
  } catch {
    // Nothing above should throw; if it does, report it on the group rather than crash the sync.
    problems.push({ file: samples[0]?.file ?? '', code: 'file-malformed', message: 'The schemas of these files could not be merged. Report this as a bug.' });
    return { schema: undefined, problems, outliers: [] };
  }
  if (base === undefined) return { schema: undefined, problems, outliers };
  const schema: InferredFileSchema = { fields };
  if (base.delimiter !== undefined) schema.delimiter = base.delimiter;
  if (base.header !== undefined) schema.header = base.header;
  return { schema, problems, outliers };
}

/** Why a file's schema cannot join the container's so far: no shared column, or a conflicting one; undefined when it can. */
function whyApart(byName: ReadonlyMap<string, FieldInfo>, schema: InferredFileSchema, baseFile: string): string | undefined {
  let shares = false;
  for (const field of schema.fields) {
    const known = byName.get(field.name);
    if (known === undefined) continue;
    shares = true;
    if (conflicting(known.type, field.type)) return `its column "${short(field.name)}" is ${field.type} where ${baseFile} has ${known.type}`;
  }
  return shares ? undefined : `it shares no column with ${baseFile}`;
}

/**
 * Types that cannot hold the same column: a date or time against a number or a boolean. Others
 * that differ (a number against a boolean, anything against text) only widen, as CSV inference
 * may read a sparse column either way.
 */
function conflicting(a: string, b: string): boolean {
  return a !== b && ((isTemporal(a) && isScalar(b)) || (isScalar(a) && isTemporal(b)));
}

function isTemporal(type: string): boolean {
  return type === 'DATE' || type === 'TIMESTAMP' || type === 'TIME';
}

function isScalar(type: string): boolean {
  return INTEGER_RANK.has(type) || FLOATING.has(type) || type === 'BOOLEAN';
}

/** The first way `other` departs from `base` in columns or dialect, as a user-facing sentence. */
function firstDifference(base: InferredFileSchema, other: InferredFileSchema, baseFile: string): string | undefined {
  const a = base.fields;
  const b = other.fields;
  const advice = 'Files matched by one pattern should share their columns; fix or move this file, or give it its own container.';
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const expected = a[i]?.name;
    const found = b[i]?.name;
    if (expected === found) continue;
    if (expected !== undefined && !b.some((f) => f.name === expected)) {
      return `This file has no column "${short(expected)}", which ${baseFile} has. ${advice}`;
    }
    if (found !== undefined && !a.some((f) => f.name === found)) {
      return `This file has an extra column "${short(found)}" that ${baseFile} does not have. ${advice}`;
    }
    return `The columns of this file are in a different order from ${baseFile}: column ${i + 1} is "${short(found ?? '')}" instead of "${short(expected ?? '')}". ${advice}`;
  }
  if (base.delimiter !== other.delimiter) {
    return `This file is separated by ${describe(other.delimiter)} while ${baseFile} uses ${describe(base.delimiter)}. ${advice}`;
  }
  if (base.header !== other.header) {
    return `This file ${other.header ? 'has' : 'has no'} header row while ${baseFile} ${base.header ? 'has one' : 'has none'}. ${advice}`;
  }
  return undefined;
}

/** Column names come from the data; keep messages short even for absurd ones. */
function short(name: string): string {
  return name.length > 64 ? `${name.slice(0, 61)}...` : name;
}

function describe(delimiter: string | undefined): string {
  switch (delimiter) {
    case '\t': return 'tabs';
    case undefined: return 'no delimiter';
    default: return `"${delimiter}"`;
  }
}

const INTEGER_RANK = new Map([['TINYINT', 1], ['SMALLINT', 2], ['INTEGER', 3], ['BIGINT', 4]]);
const FLOATING = new Set(['FLOAT', 'DOUBLE']);

/**
 * The narrowest type both files' values fit: BIGINT+DOUBLE is DOUBLE, DATE+TIMESTAMP is TIMESTAMP,
 * signed integers widen to the larger one; anything else falls back to VARCHAR.
 */
function widenType(a: string, b: string): string {
  if (a === b) return a;
  const ra = INTEGER_RANK.get(a);
  const rb = INTEGER_RANK.get(b);
  if (ra !== undefined && rb !== undefined) return ra > rb ? a : b;
  if ((ra !== undefined || FLOATING.has(a)) && (rb !== undefined || FLOATING.has(b))) return 'DOUBLE';
  if ((a === 'DATE' && b === 'TIMESTAMP') || (a === 'TIMESTAMP' && b === 'DATE')) return 'TIMESTAMP';
  return 'VARCHAR';
}
