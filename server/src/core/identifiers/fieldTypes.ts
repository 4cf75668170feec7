/**
 * Type families across the spellings of SQLite, DuckDB, PostgreSQL and MySQL, for identifier
 * detection. The snapshot keeps the source's own spelling; only decisions use the family.
 */
export type TypeFamily = 'timestamp' | 'date' | 'time' | 'integer' | 'decimal' | 'float' | 'boolean' | 'string' | 'other';

export function typeFamily(type: string): TypeFamily {
  // A catalog repeats a few dozen spellings across 100,000s of fields: classify each once.
  let family = FAMILY_CACHE.get(type);
  if (family === undefined) {
    family = classify(type);
    if (FAMILY_CACHE.size > 10_000) FAMILY_CACHE.clear();
    FAMILY_CACHE.set(type, family);
  }
  return family;
}

const FAMILY_CACHE = new Map<string, TypeFamily>();

function classify(type: string): TypeFamily {
  const t = type.trim().toLowerCase();
  if (t.endsWith('[]') || t.startsWith('struct') || t.startsWith('map(') || t.startsWith('array')) return 'other';
  if (/^(timestamp|datetime|timestamptz|smalldatetime|datetime2|datetimeoffset)\b/.test(t)) return 'timestamp';
  if (/^date$/.test(t)) return 'date';
  if (/^(time|timetz)\b/.test(t)) return 'time';
  if (/^(bool|boolean)$/.test(t) || /^tinyint\(1\)/.test(t)) return 'boolean';
  if (/^(u?(tiny|small|medium|big|huge)?int(eger)?|int[248]|u?hugeint|(small|big)?serial|serial[248]|long)\b/.test(t)) return 'integer';
  if (/^(numeric|decimal|dec|number)\b/.test(t)) return 'decimal';
  if (/^(real|float|double|float[48])\b/.test(t)) return 'float';
  if (/(char|text|string|clob|varchar|uuid|enum|citext|name)\b/.test(t)) return 'string';
  return 'other';
}

export function isDateTimeFamily(family: TypeFamily): boolean {
  return family === 'timestamp' || family === 'date';
}

export function isNumericFamily(family: TypeFamily): boolean {
  return family === 'integer' || family === 'decimal' || family === 'float';
}
