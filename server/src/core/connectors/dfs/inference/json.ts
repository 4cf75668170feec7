/**
 * JSON and JSON Lines inference from a bounded prefix: cuts out complete records, samples up to
 * MAX_RECORDS and merges their value types into DuckDB-style column types. Parsed keys only ever
 * go into Maps, so a `__proto__` key is an ordinary field name.
 */
import type { FieldInfo } from '../../../model';
import { isDate, isTimestamp } from './csv';
import type { InferenceNote, InferenceResult } from './result';

/** Infers the schema of a decoded prefix; `truncated` means the file goes on past its end. */
export function inferJson(text: string, truncated: boolean, format: 'json' | 'jsonl'): InferenceResult {
  const records: unknown[] = [];
  const skipped: SkippedLines = { first: 0, count: 0 };
  const start = skipSpace(text, 0);
  let error: string | undefined;
  if (format === 'jsonl') {
    error = collectLines(text, start, truncated, records, skipped);
  } else if (text.charCodeAt(start) === OPEN_BRACKET) {
    error = collectArray(text, start + 1, truncated, records);
  } else if (text.charCodeAt(start) === OPEN_BRACE) {
    const end = valueEnd(text, start);
    if (end < 0) {
      error = truncated
        ? 'The first JSON object of this file does not end within its first 256 KiB, so its fields cannot be read. Write one record per line (JSON Lines) or split the file.'
        : 'The JSON object in this file is never closed. Fix the file and sync again.';
    } else if (skipSpace(text, end) >= text.length) {
      error = parseInto(text.slice(start, end), records) ? undefined : 'This file is not valid JSON. Fix the file and sync again.';
    } else {
      // More values follow the first object: newline-delimited records.
      error = collectLines(text, start, truncated, records, skipped);
    }
  } else {
    error = 'A JSON file must hold an array of objects, a single object, or one object per line. Convert the file or exclude it.';
  }
  if (error !== undefined) return { ok: false, failure: { code: 'file-malformed', message: error } };
  if (records.length === 0) {
    return { ok: false, failure: { code: 'file-empty', message: 'This file holds no records, so it has no fields to catalog. Add data to it or remove it.' } };
  }
  const top: StructType = { k: 'struct', fields: new Map() };
  for (const record of records) absorb(top, record, 0);
  const fields: FieldInfo[] = [];
  for (const [name, type] of top.fields) fields.push({ name, type: render(type), nullable: true });
  if (skipped.count === 0) return { ok: true, schema: { fields } };
  const more = skipped.count > 1 ? ` (and ${skipped.count - 1} more line${skipped.count === 2 ? '' : 's'})` : '';
  const notes: InferenceNote[] = [{ code: 'invalid-line', line: skipped.first, message: `line ${skipped.first} is not a valid JSON object${more}; it was skipped when reading the fields. Fix or remove it.` }];
  return { ok: true, schema: { fields, notes } };
}

/** Enough records to see optional keys, few enough to stay fast. */
const MAX_RECORDS = 1000;
/** Deeper values are typed JSON: keeps the type string readable and the recursion bounded. */
const MAX_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * End (exclusive) of the JSON value starting at `pos`, found by a string- and escape-aware depth
 * scan; -1 when the text ends first. A scalar ends at the first delimiter outside any string.
 */
function valueEnd(text: string, pos: number): number {
  let depth = 0;
  let inString = false;
  for (let i = pos; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) {
        inString = false;
        if (depth === 0) return i + 1;
      }
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 0) return i;
      if (--depth === 0) return i + 1;
    } else if (depth === 0 && (c === COMMA || isSpace(c))) return i;
  }
  return -1;
}

/** JSON.parse's messages quote the input, so callers only learn whether a record parsed. */
function parseInto(source: string, records: unknown[]): boolean {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    return false;
  }
  if (!isRecord(value)) return false;
  records.push(value);
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Elements of a top-level array, starting after its `[`; returns an error message or undefined. */
function collectArray(text: string, pos: number, truncated: boolean, records: unknown[]): string | undefined {
  let index = 0;
  for (;;) {
    pos = skipSpace(text, pos);
    if (pos >= text.length) break;
    if (index === 0 && text.charCodeAt(pos) === CLOSE_BRACKET) return undefined;
    const end = valueEnd(text, pos);
    if (end < 0) break;
    if (!parseInto(text.slice(pos, end), records)) {
      return `Element ${index + 1} of the top-level array is not a valid JSON object. Fix the file so every element is an object, then sync again.`;
    }
    index++;
    if (records.length >= MAX_RECORDS) return undefined;
    pos = skipSpace(text, end);
    const c = text.charCodeAt(pos);
    if (c === CLOSE_BRACKET) return undefined;
    if (c !== COMMA) {
      if (pos >= text.length) break;
      return `The top-level array is not valid JSON after element ${index}. Fix the file and sync again.`;
    }
    pos++;
  }
  // The text ended inside the array: fine when the prefix was cut, an error when the file ended.
  if (truncated) {
    return records.length > 0 ? undefined
      : 'The first array element of this file does not end within its first 256 KiB, so its fields cannot be read. Write smaller records or use JSON Lines.';
  }
  return 'The top-level array of this file is never closed. Fix the file and sync again.';
}

/** Lines of a JSON Lines file that were not JSON objects: the first one's number, and how many. */
interface SkippedLines { first: number; count: number }

/** One value per line; bad lines are skipped (and counted in `skipped`) as long as some line is a JSON object. */
function collectLines(text: string, pos: number, truncated: boolean, records: unknown[], skipped: SkippedLines): string | undefined {
  let bad = 0;
  // Lines before `pos` (leading blank lines) count too.
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) line++;
  while (pos < text.length && records.length < MAX_RECORDS) {
    let end = text.indexOf('\n', pos);
    if (end < 0) {
      if (truncated) break; // the prefix cut this line
      end = text.length;
    }
    const value = text.slice(pos, end).trim();
    pos = end + 1;
    if (value !== '' && !parseInto(value, records)) {
      bad++;
      if (skipped.count++ === 0) skipped.first = line;
    }
    line++;
  }
  if (records.length > 0) return undefined;
  if (bad > 0) return 'No line of this file is a valid JSON object. Write one JSON object per line, then sync again.';
  return truncated ? 'No line of this file ends within its first 256 KiB, so its fields cannot be read. Write one record per line.' : undefined;
}

type JsonType =
  | { k: 'null' | 'boolean' | 'bigint' | 'double' | 'json' }
  | { k: 'string'; date: boolean; timestamp: boolean }
  | StructType
  | { k: 'list'; element: JsonType | undefined };
interface StructType { k: 'struct'; fields: Map<string, JsonType> }

// Scalar types are shared singletons; only struct and list types are allocated (and mutated).
const NULL: JsonType = { k: 'null' };
const BOOLEAN: JsonType = { k: 'boolean' };
const BIGINT: JsonType = { k: 'bigint' };
const DOUBLE: JsonType = { k: 'double' };
const JSON_TYPE: JsonType = { k: 'json' };
// As in DuckDB's read_json, a column mixing dates and timestamps is VARCHAR: one format per column.
const DATE_STRING: JsonType = { k: 'string', date: true, timestamp: false };
const TIMESTAMP_STRING: JsonType = { k: 'string', date: false, timestamp: true };
const STRING: JsonType = { k: 'string', date: false, timestamp: false };

const INT64_LIMIT = 2 ** 63;

/** Merges the type of `value` into `acc` (which it may mutate) and returns the merged type. */
function absorb(acc: JsonType | undefined, value: unknown, depth: number): JsonType {
  if (acc === JSON_TYPE) return acc;
  switch (typeof value) {
    case 'boolean':
      return merge(acc, BOOLEAN);
    case 'number':
      return merge(acc, Number.isInteger(value) && Math.abs(value) < INT64_LIMIT ? BIGINT : DOUBLE);
    case 'string':
      return merge(acc, isDate(value) ? DATE_STRING : isTimestamp(value) ? TIMESTAMP_STRING : STRING);
    case 'object':
      break;
    default:
      return JSON_TYPE;
  }
  if (value === null) return acc ?? NULL;
  if (depth >= MAX_DEPTH) return JSON_TYPE;
  if (Array.isArray(value)) {
    if (acc === undefined || acc === NULL) acc = { k: 'list', element: undefined };
    if (acc.k !== 'list') return JSON_TYPE;
    for (const item of value) acc.element = absorb(acc.element, item, depth + 1);
    return acc;
  }
  if (acc === undefined || acc === NULL) acc = { k: 'struct', fields: new Map() };
  if (acc.k !== 'struct') return JSON_TYPE;
  const fields = acc.fields;
  const object = value as Record<string, unknown>;
  // Object.keys lists own keys only, and JSON.parse makes `__proto__` an own data property.
  for (const key of Object.keys(object)) fields.set(key, absorb(fields.get(key), object[key], depth + 1));
  return acc;
}

function merge(acc: JsonType | undefined, next: JsonType): JsonType {
  if (acc === undefined || acc === NULL || acc === next) return next;
  if (acc.k === 'string' && next.k === 'string') {
    const date = acc.date && next.date;
    const timestamp = acc.timestamp && next.timestamp;
    return date ? DATE_STRING : timestamp ? TIMESTAMP_STRING : STRING;
  }
  if ((acc === BIGINT && next === DOUBLE) || (acc === DOUBLE && next === BIGINT)) return DOUBLE;
  return JSON_TYPE;
}

function render(type: JsonType | undefined): string {
  if (type === undefined) return 'JSON';
  switch (type.k) {
    case 'boolean': return 'BOOLEAN';
    case 'bigint': return 'BIGINT';
    case 'double': return 'DOUBLE';
    case 'string': return type.date ? 'DATE' : type.timestamp ? 'TIMESTAMP' : 'VARCHAR';
    case 'list': return `${render(type.element)}[]`;
    case 'struct': {
      // DuckDB has no empty struct; read_json types objects that are always `{}` as this map.
      if (type.fields.size === 0) return 'MAP(VARCHAR, JSON)';
      const parts: string[] = [];
      for (const [key, child] of type.fields) parts.push(`${quoteStructKey(key)} ${render(child)}`);
      return `STRUCT(${parts.join(', ')})`;
    }
    default: return 'JSON';
  }
}

/** A struct field name as DuckDB prints it: quoted unless a plain identifier that is no keyword. */
export function quoteStructKey(key: string): string {
  return PLAIN_KEY.test(key) && !DUCKDB_KEYWORDS.has(key.toLowerCase()) ? key : `"${key.replace(/"/g, '""')}"`;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

// duckdb_keywords() of DuckDB 1.5: DuckDB quotes every one of them (any case) inside STRUCT types.
const DUCKDB_KEYWORDS = new Set((
  'abort absolute access action add admin after aggregate all also alter always analyse analyze and ' +
  'anti any array as asc asof assertion assignment asymmetric at attach attribute authorization ' +
  'backward before begin between bigint binary bit boolean both by cache call called cascade cascaded ' +
  'case cast catalog centuries century chain char character characteristics check checkpoint class ' +
  'close cluster coalesce collate collation column columns comment comments commit committed ' +
  'compression concurrently configuration conflict connection constraint constraints content continue ' +
  'conversion copy cost create cross csv cube current cursor cycle data database day days deallocate ' +
  'dec decade decades decimal declare default defaults deferrable deferred definer delete delimiter ' +
  'delimiters depends desc describe detach dictionary disable discard distinct do document domain ' +
  'double drop each else enable encoding encrypted end enum error escape event except exclude excluding ' +
  'exclusive execute exists explain export export_state extension extensions external extract false ' +
  'family fetch filter first float following for force foreign forward freeze from full function ' +
  'functions generated glob global grant granted group grouping grouping_id groups handler having ' +
  'header hold hour hours identity if ignore ilike immediate immutable implicit import in include ' +
  'including increment index indexes inherit inherits initially inline inner inout input insensitive ' +
  'insert install instead int integer intersect interval into invoker is isnull isolation join json key ' +
  'label lambda language large last lateral leading leakproof left level like limit listen load local ' +
  'location lock locked logged macro map mapping match matched materialized maxvalue merge method ' +
  'microsecond microseconds millennia millennium millisecond milliseconds minute minutes minvalue mode ' +
  'month months move name names national natural nchar new next no none not nothing notify notnull ' +
  'nowait null nullif nulls numeric object of off offset oids old on only operator option options or ' +
  'order ordinality others out outer over overlaps overlay overriding owned owner parallel parser ' +
  'partial partition partitioned passing password percent persistent pivot pivot_longer pivot_wider ' +
  'placing plans policy position positional pragma preceding precision prepare prepared preserve ' +
  'primary prior privileges procedural procedure program publication qualify quarter quarters quote ' +
  'range read real reassign recheck recursive ref references referencing refresh reindex relative ' +
  'release rename repeatable replace replica reset respect restart restrict returning returns revoke ' +
  'right role rollback rollup row rows rule sample savepoint schema schemas scope scroll search second ' +
  'seconds secret security select semi sequence sequences serializable server session set setof sets ' +
  'share show similar simple skip smallint snapshot some sorted source sql stable standalone start ' +
  'statement statistics stdin stdout storage stored strict strip struct subscription substring ' +
  'summarize symmetric sysid system table tables tablesample tablespace target temp template temporary ' +
  'text then ties time timestamp to trailing transaction transform treat trigger trim true truncate ' +
  'trusted try_cast type types unbounded uncommitted unencrypted union unique unknown unlisten unlogged ' +
  'unpack unpivot until update use user using vacuum valid validate validator value values varchar ' +
  'variable variadic varying verbose version view views virtual volatile week weeks when where ' +
  'whitespace window with within without work wrapper write xml xmlattributes xmlconcat xmlelement ' +
  'xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable year years yes zone'
).split(' '));
