/**
 * CSV/TSV inference from a bounded prefix: delimiter sniffing, header detection and DuckDB's type
 * ladder. Works on the raw bytes: every byte the sniffer looks at is ASCII, and UTF-8 never hides
 * an ASCII byte inside a multi-byte character.
 */
import { parse } from 'csv-parse/sync';
import type { FieldInfo } from '../../../model';
import type { InferenceResult, InferredFileSchema } from './result';

/** Infers the schema of `buf[start, end)`; `truncated` means the file goes on past `end`. */
export function inferCsv(buf: Buffer, start: number, end: number, truncated: boolean, format: 'csv' | 'tsv'): InferenceResult {
  const sniff = sniffDialect(buf, start, end, truncated, format === 'tsv' ? TSV_ORDER : CSV_ORDER);
  if (sniff.end <= start) {
    return malformed('No line of this file ends within its first 64 KiB, so its columns cannot be read. Check that it is really a delimited text file.');
  }
  let rows: string[][];
  const data = buf.subarray(start, sniff.end);
  if (data.indexOf(QUOTE) === -1) {
    // Without quotes, CSV is plain splitting; csv-parse's setup would cost more than the sniff.
    rows = splitPlain(data.toString('utf8'), sniff.delimiter);
  } else {
    try {
      rows = parse(data, {
        delimiter: sniff.delimiter, bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true,
      });
    } catch (error) {
      return malformed(parseErrorMessage(error));
    }
  }
  if (rows.length === 0) {
    return { ok: false, failure: { code: 'file-empty', message: 'This file has no data rows, so it has no columns to catalog. Add data to it or remove it.' } };
  }
  const { fields, header } = fieldsOf(rows);
  const ragged = raggedRow(rows);
  const schema: InferredFileSchema = { fields, delimiter: sniff.delimiter, header };
  if (ragged !== undefined) {
    // Without quotes a row is a line (empty lines skipped); with them a record may span lines.
    const line = data.indexOf(QUOTE) === -1 ? lineOfRow(data.toString('utf8'), ragged.row) : undefined;
    const where = line !== undefined ? `line ${line}` : `record ${ragged.row + 1}`;
    schema.notes = [{
      code: 'ragged-rows', line: line ?? ragged.row + 1,
      message: `${where} has ${ragged.width} values where the first row has ${rows[0]!.length}${ragged.count > 1 ? ` (and ${ragged.count - 1} more such row${ragged.count === 2 ? '' : 's'})` : ''}; the extra values became columns ${fields.slice(rows[0]!.length).map((f) => f.name).join(', ')}. Fix the rows, or quote values that hold the delimiter.`,
    }];
  }
  return { ok: true, schema };
}

// Candidate delimiters in tie-break order; TSV files prefer a tab, everything else a comma.
const CSV_ORDER = [',', '|', ';', '\t'];
const TSV_ORDER = ['\t', ',', '|', ';'];
const CSV_CODES = CSV_ORDER.map((d) => d.charCodeAt(0));
const TSV_CODES = TSV_ORDER.map((d) => d.charCodeAt(0));
/** Records the sniffer compares; enough to see a pattern, few enough to stay cheap. */
const SNIFF_RECORDS = 64;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

// Sniffer state lives at module level: inferCsv is synchronous, so no two calls use it at once.
const counts = new Int32Array(4);
const perRecord: Int32Array[] = [new Int32Array(SNIFF_RECORDS), new Int32Array(SNIFF_RECORDS), new Int32Array(SNIFF_RECORDS), new Int32Array(SNIFF_RECORDS)];

/**
 * One quote-aware pass: counts each candidate's separators per record over the first records and,
 * when the prefix was cut, finds the end of the last complete record. A quote opens a field only
 * at its start (as csv-parse's relax_quotes does), so a stray `5"` does not swallow the file.
 */
function sniffDialect(buf: Buffer, start: number, end: number, truncated: boolean, order: string[]): { delimiter: string; end: number } {
  const codes = order === TSV_ORDER ? TSV_CODES : CSV_CODES;
  const d0 = codes[0], d1 = codes[1], d2 = codes[2], d3 = codes[3];
  counts.fill(0);
  let records = 0;
  let inQuote = false;
  let fieldStart = true;
  let content = false;
  let lastBoundary = start;
  let i = start;
  for (; i < end; i++) {
    const ch = buf[i];
    if (inQuote) {
      if (ch === QUOTE) {
        if (i + 1 < end && buf[i + 1] === QUOTE) i++;
        else inQuote = false;
      }
      continue;
    }
    if (ch === LF || ch === CR) {
      if (ch === CR && i + 1 < end && buf[i + 1] === LF) i++;
      if (content && records < SNIFF_RECORDS) {
        for (let c = 0; c < 4; c++) perRecord[c][records] = counts[c];
        records++;
      }
      counts.fill(0);
      lastBoundary = i + 1;
      fieldStart = true;
      content = false;
      // A complete file needs no boundary search, so stop once the sample is full.
      if (!truncated && records >= SNIFF_RECORDS) break;
      continue;
    }
    content = true;
    if (ch === QUOTE && fieldStart) { inQuote = true; fieldStart = false; continue; }
    const c = ch === d0 ? 0 : ch === d1 ? 1 : ch === d2 ? 2 : ch === d3 ? 3 : -1;
    if (c >= 0) { counts[c]++; fieldStart = true; } else fieldStart = false;
  }
  // The last record of a complete file need not end with a newline.
  if (!truncated && i >= end && content && records < SNIFF_RECORDS) {
    for (let c = 0; c < 4; c++) perRecord[c][records] = counts[c];
    records++;
  }
  return { delimiter: order[bestCandidate(records, order === TSV_ORDER)], end: truncated ? lastBoundary : end };
}

/** Rows of quote-free text, as csv-parse would give them: any line ending, empty lines skipped. */
/** The first row longer than the first one (its index and width), and how many such rows there are. */
function raggedRow(rows: string[][]): { row: number; width: number; count: number } | undefined {
  const width = rows[0]!.length;
  let first: { row: number; width: number } | undefined;
  let count = 0;
  for (let r = 1; r < rows.length; r++) {
    if (rows[r]!.length <= width) continue;
    count++;
    first ??= { row: r, width: rows[r]!.length };
  }
  return first ? { ...first, count } : undefined;
}

/** The 1-based line of the `row`th non-empty line of quote-free text (splitPlain's rows). */
function lineOfRow(text: string, row: number): number {
  let line = 1;
  let seen = -1;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : LF;
    if (c !== LF && c !== CR) continue;
    if (i > start && ++seen === row) return line;
    if (c === CR && text.charCodeAt(i + 1) === LF) i++;
    line++;
    start = i + 1;
  }
  return line;
}

function splitPlain(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  const n = text.length;
  let pos = 0;
  while (pos < n) {
    let end = pos;
    while (end < n) {
      const c = text.charCodeAt(end);
      if (c === LF || c === CR) break;
      end++;
    }
    if (end > pos) rows.push(text.slice(pos, end).split(delimiter));
    pos = end + (text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF ? 2 : 1);
  }
  return rows;
}

/**
 * The candidate whose separator count is the same on most records; more columns break ties,
 * except that a TSV file keeps the tab (candidate 0) on a tie: commas are common in text values.
 */
function bestCandidate(records: number, tabFirst: boolean): number {
  let best = 0;
  let bestRows = 0;
  let bestCount = 0;
  for (let c = 0; c < 4; c++) {
    const { value, rows } = modeOf(perRecord[c], records);
    if (value === 0) continue;
    const tieWins = rows === bestRows && value > bestCount && !(tabFirst && best === 0 && bestRows > 0);
    if (rows > bestRows || tieWins) {
      best = c;
      bestRows = rows;
      bestCount = value;
    }
  }
  return best;
}

function modeOf(values: Int32Array, n: number): { value: number; rows: number } {
  let value = 0;
  let rows = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === value && rows > 0) continue;
    let seen = 0;
    for (let j = 0; j < n; j++) if (values[j] === v) seen++;
    if (seen > rows || (seen === rows && v > value)) { value = v; rows = seen; }
  }
  return { value, rows };
}

// Type bits in DuckDB's ladder order: the lowest set bit that every value fits is the column type.
const BOOLEAN = 1;
const BIGINT = 2;
const DOUBLE = 4;
const TIME = 8;
const DATE = 16;
const TIMESTAMP = 32;
const VARCHAR = 64;
const ALL_TYPES = 127;
const TYPE_NAMES: Record<number, string> = {
  [BOOLEAN]: 'BOOLEAN', [BIGINT]: 'BIGINT', [DOUBLE]: 'DOUBLE', [TIME]: 'TIME', [DATE]: 'DATE', [TIMESTAMP]: 'TIMESTAMP', [VARCHAR]: 'VARCHAR',
};

/** Header detection and column typing over the parsed rows. */
function fieldsOf(rows: string[][]): { fields: FieldInfo[]; header: boolean } {
  const first = rows[0];
  let width = 0;
  for (const row of rows) if (row.length > width) width = row.length;
  // Masks over the body (rows after the first); a column without values keeps ALL_TYPES.
  const body = new Array<number>(width).fill(ALL_TYPES);
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    for (let j = 0; j < row.length; j++) if (body[j] !== VARCHAR) body[j] &= fitMask(row[j], body[j]);
  }
  const header = isHeader(first, body, rows.length);
  const fields: FieldInfo[] = [];
  const used = new Set<string>();
  for (let j = 0; j < width; j++) {
    let mask = body[j];
    if (!header && j < first.length) mask &= fitMask(first[j], mask);
    const raw = header && j < first.length ? first[j].trim() : '';
    const name = uniqueName(header && raw !== '' ? raw : `column${j}`, used);
    fields.push({ name, type: TYPE_NAMES[typeOfMask(mask)], nullable: true });
  }
  return { fields, header };
}

/**
 * The first row is a header when one of its values does not fit the type the later rows give its
 * column (names over numbers; an empty name is allowed and becomes `columnN`, as in DuckDB), or
 * when everything is text and the first row holds unique, name-like values.
 */
function isHeader(first: string[], body: number[], rowCount: number): boolean {
  let filled = 0;
  for (const value of first) if (value.trim() !== '') filled++;
  if (filled === 0) return false;
  let allText = true;
  if (rowCount > 1) {
    for (let j = 0; j < first.length && j < body.length; j++) {
      const type = typeOfMask(body[j]);
      if (type === VARCHAR) continue;
      allText = false;
      const value = first[j].trim();
      if (value !== '' && (fitMask(value, type) & type) === 0) return true;
    }
  }
  if (!allText || filled < first.length) return false;
  const seen = new Set<string>();
  for (const value of first) {
    const v = value.trim();
    if (seen.has(v) || !IDENTIFIER_LIKE.test(v) || fitMask(v, ALL_TYPES) !== VARCHAR) return false;
    seen.add(v);
  }
  return true;
}

// A letter or underscore, then name-ish characters; bounded and single-class, so no backtracking.
const IDENTIFIER_LIKE = /^[\p{L}_][\p{L}\p{N} _\-.()/#%]{0,127}$/u;

/** The first rung every value fits; a column without values (mask untouched) is VARCHAR. */
function typeOfMask(mask: number): number {
  return mask === ALL_TYPES || mask === 0 ? VARCHAR : mask & -mask;
}

/** Appends `_1`, `_2`, ... to names already taken, in column order, so the result is deterministic. */
function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
  used.add(name);
  return name;
}

// Anchored patterns with unambiguous quantifiers: linear time on any input.
const BOOLEAN_RE = /^(?:true|false)$/i;
const INTEGER_RE = /^[+-]?\d+$/;
const DOUBLE_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** The bits of `within` that `raw` fits; an empty value fits everything (DuckDB reads it as NULL). */
function fitMask(raw: string, within: number): number {
  const value = raw.trim();
  if (value === '') return within;
  let mask = VARCHAR;
  const c = value.charCodeAt(0);
  if (c === 0x74 || c === 0x66 || c === 0x54 || c === 0x46) {
    if (within & BOOLEAN && BOOLEAN_RE.test(value)) mask |= BOOLEAN;
    return mask & within;
  }
  const numeric = (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
  if (!numeric) return mask & within;
  if (within & BIGINT && INTEGER_RE.test(value) && fitsInt64(value)) mask |= BIGINT;
  if (within & DOUBLE && DOUBLE_RE.test(value)) mask |= DOUBLE;
  if (within & TIME && isTime(value)) mask |= TIME;
  // Like DuckDB's sniffer, a column mixing dates and timestamps stays VARCHAR: one format per column.
  if (within & DATE && isDate(value)) mask |= DATE;
  else if (within & TIMESTAMP && isTimestamp(value)) mask |= TIMESTAMP;
  return mask & within;
}

const INT64_MAX = '9223372036854775807';
const INT64_MIN_ABS = '9223372036854775808';

function fitsInt64(value: string): boolean {
  const negative = value.charCodeAt(0) === 0x2d;
  let i = negative || value.charCodeAt(0) === 0x2b ? 1 : 0;
  while (i < value.length - 1 && value.charCodeAt(i) === 0x30) i++;
  const digits = value.length - i;
  if (digits !== 19) return digits < 19;
  return value.slice(i) <= (negative ? INT64_MIN_ABS : INT64_MAX);
}

function isTime(value: string): boolean {
  const m = TIME_RE.exec(value);
  return m !== null && validClock(m[1], m[2], m[3]);
}

/** YYYY-MM-DD with a real calendar day; shared with JSON inference. */
export function isDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  return m !== null && validDate(m[1], m[2], m[3]);
}

/** YYYY-MM-DD[T ]HH:MM[:SS[.f]][Z|±HH[:MM]]; shared with JSON inference. */
export function isTimestamp(value: string): boolean {
  const m = TIMESTAMP_RE.exec(value);
  return m !== null && validDate(m[1], m[2], m[3]) && validClock(m[4], m[5], m[6]);
}

function validClock(h: string, m: string, s: string | undefined): boolean {
  return +h < 24 && +m < 60 && (s === undefined || +s < 60);
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: string, m: string, d: string): boolean {
  const year = +y;
  const month = +m;
  const day = +d;
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]) return false;
  return month !== 2 || day < 29 || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
}

function malformed(message: string): InferenceResult {
  return { ok: false, failure: { code: 'file-malformed', message } };
}

/** csv-parse messages quote field values, so only its code and line number reach the user. */
function parseErrorMessage(error: unknown): string {
  const { code, lines } = (error ?? {}) as { code?: unknown; lines?: unknown };
  const where = typeof lines === 'number' ? ` near line ${lines}` : '';
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `A quoted value is never closed${where}. Close the quote (write a quote inside a value as two quotes) and sync again.`;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `A quoted value is followed by other characters before the next delimiter${where}. Fix the quoting and sync again.`;
    default:
      return `This file could not be parsed as delimited text${where}. Check that it is a valid CSV/TSV file.`;
  }
}
