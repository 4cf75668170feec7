/**
 * Parquet inference from the footer alone: validates the framing by hand (so a hostile length
 * cannot make us allocate), lets hyparquet decode the Thrift metadata, and maps the schema tree
 * to DuckDB's type spelling.
 */
import { parquetMetadata, parquetSchema } from 'hyparquet';
import type { SchemaElement, SchemaTree } from 'hyparquet';
import type { FieldInfo } from '../../../model';
import type { FileStore, OpenedFile } from '../fileStore';
import { emptyFile, type InferenceResult } from './result';
import { quoteStructKey } from './json';

/**
 * Infers the top-level columns of a Parquet file from two reads, on one opened file: the 8-byte
 * tail (footer length and closing marker, read relative to the end so the size need not be
 * known), then the footer itself. On an object store each read is a ranged GET, a request billed
 * and waited for: the opening marker is not read separately (a file cut off while being written
 * lacks the closing one; the footer's decoding catches the rest). Store errors reject.
 */
export async function inferParquetFile(store: FileStore, file: string): Promise<InferenceResult> {
  const opened = await store.open(file);
  try {
    return await inferOpenedParquet(opened);
  } finally {
    opened.close();
  }
}

async function inferOpenedParquet(opened: OpenedFile): Promise<InferenceResult> {
  const tail = await opened.read({ last: 8 });
  const size = tail.size;
  if (size === 0) return emptyFile();
  const framing = footerLengthOf(tail.bytes, size);
  if (typeof framing !== 'number') return framing;
  // hyparquet wants the footer followed by its length and the closing magic.
  const footer = await opened.read({ offset: size - 8 - framing, length: framing + 8 });
  if (footer.bytes.length < framing + 8) {
    return malformed('This Parquet file ended while its footer was being read. Write it again.');
  }
  return schemaOfFooter(footer.bytes);
}

/**
 * Checks the framing by hand, so that a hostile length cannot make us allocate: PAR1 + (column
 * chunks) + footer + 4-byte footer length + PAR1 (the closing half). Returns the footer's length,
 * or the failure.
 */
function footerLengthOf(tail: Uint8Array, size: number): number | InferenceResult {
  if (size < 12) return malformed('This file is too short to be a Parquet file. Check that it was written completely.');
  const tailView = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  if (tail.byteLength < 8 || tailView.getUint32(4, true) !== MAGIC) {
    return malformed('This file does not end with the Parquet marker, so it is not a Parquet file or was cut off while being written. Write it again.');
  }
  const footerLength = tailView.getUint32(0, true);
  if (footerLength === 0 || footerLength > size - 12 || footerLength > MAX_FOOTER_BYTES) {
    return malformed('The Parquet footer length recorded in this file is impossible, so the file is corrupt. Write it again.');
  }
  return footerLength;
}

/** The top-level columns from a footer (the Thrift metadata, its length and the closing magic). */
export function schemaOfFooter(footer: Uint8Array): InferenceResult {
  let root: SchemaTree;
  try {
    // geoparquet: false skips parsing the `geo` key-value metadata, which the schema does not need.
    root = parquetSchema(parquetMetadata(footer, { geoparquet: false }));
  } catch {
    return malformed('The Parquet footer (the schema) of this file cannot be decoded, so the file is corrupt or was written incompletely. Write it again.');
  }
  const fields: FieldInfo[] = [];
  for (const child of root.children) {
    fields.push({ name: child.element.name, type: fieldType(child), nullable: child.element.repetition_type !== 'REQUIRED' });
  }
  return { ok: true, schema: { fields } };
}

const MAGIC = 0x31524150; // "PAR1" read as a little-endian uint32
/** Real footers are kilobytes to a few megabytes; anything larger is corruption or an attack. */
const MAX_FOOTER_BYTES = 64 * 1024 * 1024;

function malformed(message: string): InferenceResult {
  return { ok: false, failure: { code: 'file-malformed', message } };
}

/** A field's type, with `[]` for a bare repeated field (the legacy list encoding). */
function fieldType(node: SchemaTree): string {
  const type = nodeType(node);
  return node.element.repetition_type === 'REPEATED' ? `${type}[]` : type;
}

function nodeType(node: SchemaTree): string {
  const element = node.element;
  if (element.type !== undefined) return primitiveType(element);
  const annotation = element.logical_type?.type ?? element.converted_type;
  if (annotation === 'LIST') return listType(node);
  if (annotation === 'MAP' || annotation === 'MAP_KEY_VALUE') return mapType(node);
  return structType(node.children);
}

/** Applies the backward-compatibility rules of the Parquet spec (LogicalTypes.md) for lists. */
function listType(node: SchemaTree): string {
  if (node.children.length !== 1) return structType(node.children);
  const repeated = node.children[0];
  const name = repeated.element.name;
  // Two-level lists: the repeated node itself is the element (a primitive or a struct).
  const repeatedIsElement = repeated.element.type !== undefined || repeated.children.length !== 1
    || name === 'array' || name === `${node.element.name}_tuple`;
  return `${repeatedIsElement ? nodeType(repeated) : fieldType(repeated.children[0])}[]`;
}

function mapType(node: SchemaTree): string {
  const entries = node.children.length === 1 ? node.children[0] : undefined;
  if (entries === undefined || entries.children.length !== 2) return structType(node.children);
  return `MAP(${fieldType(entries.children[0])}, ${fieldType(entries.children[1])})`;
}

function structType(children: SchemaTree[]): string {
  if (children.length === 0) return 'STRUCT()';
  return `STRUCT(${children.map((c) => `${quoteStructKey(c.element.name)} ${fieldType(c)}`).join(', ')})`;
}

function primitiveType(element: SchemaElement): string {
  const logical = element.logical_type;
  const converted = element.converted_type;
  if (logical?.type === 'DECIMAL') return decimalType(logical.precision, logical.scale);
  if (converted === 'DECIMAL') return decimalType(element.precision ?? 0, element.scale ?? 0);
  switch (element.type) {
    case 'BOOLEAN': return 'BOOLEAN';
    case 'INT32':
    case 'INT64': return integerType(element);
    case 'INT96': return 'TIMESTAMP';
    case 'FLOAT': return 'FLOAT';
    case 'DOUBLE': return 'DOUBLE';
    case 'BYTE_ARRAY':
      if (logical?.type === 'JSON' || converted === 'JSON') return 'JSON';
      if (logical?.type === 'STRING' || logical?.type === 'ENUM' || converted === 'UTF8' || converted === 'ENUM') return 'VARCHAR';
      return 'BLOB';
    case 'FIXED_LEN_BYTE_ARRAY':
      if (logical?.type === 'UUID') return 'UUID';
      if (logical?.type === 'FLOAT16') return 'FLOAT';
      if (converted === 'INTERVAL') return 'INTERVAL';
      return 'BLOB';
    default: return 'BLOB';
  }
}

/** DuckDB reads decimals wider than its 38 digits as DOUBLE. */
function decimalType(precision: number, scale: number): string {
  return precision > 38 ? 'DOUBLE' : `DECIMAL(${precision},${scale})`;
}

const SIGNED_BY_WIDTH: Record<number, string> = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' };
const UNSIGNED_BY_WIDTH: Record<number, string> = { 8: 'UTINYINT', 16: 'USMALLINT', 32: 'UINTEGER', 64: 'UBIGINT' };
const BY_CONVERTED: Partial<Record<string, string>> = {
  INT_8: 'TINYINT', INT_16: 'SMALLINT', INT_32: 'INTEGER', INT_64: 'BIGINT',
  UINT_8: 'UTINYINT', UINT_16: 'USMALLINT', UINT_32: 'UINTEGER', UINT_64: 'UBIGINT',
  DATE: 'DATE', TIME_MILLIS: 'TIME', TIME_MICROS: 'TIME', TIMESTAMP_MILLIS: 'TIMESTAMP', TIMESTAMP_MICROS: 'TIMESTAMP',
};

function integerType(element: SchemaElement): string {
  const logical = element.logical_type;
  switch (logical?.type) {
    case 'DATE': return 'DATE';
    case 'TIME': return logical.isAdjustedToUTC ? 'TIME WITH TIME ZONE' : 'TIME';
    case 'TIMESTAMP':
      if (logical.isAdjustedToUTC) return 'TIMESTAMP WITH TIME ZONE';
      return logical.unit === 'NANOS' ? 'TIMESTAMP_NS' : 'TIMESTAMP';
    case 'INTEGER': {
      const name = (logical.isSigned ? SIGNED_BY_WIDTH : UNSIGNED_BY_WIDTH)[logical.bitWidth];
      if (name !== undefined) return name;
      break;
    }
    default: break;
  }
  const byConverted = element.converted_type === undefined ? undefined : BY_CONVERTED[element.converted_type];
  return byConverted ?? (element.type === 'INT32' ? 'INTEGER' : 'BIGINT');
}
