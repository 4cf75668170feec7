/**
 * Schema inference for files of a file store: reads a bounded prefix (CSV, JSON) or the footer
 * (Parquet) of one file through the store's ranged reads, never a whole file, and returns its
 * fields or a failure value. The parsers are synchronous functions of the bytes read. Nothing
 * here throws or rejects.
 */
import type { FileFormat } from '../fileFormats';
import type { FileStore } from '../fileStore';
import { inferCsv } from './csv';
import { inferJson } from './json';
import { inferParquetFile } from './parquet';
import { emptyFile, fail, failureOf, type InferenceResult } from './result';

export type { FileFormat } from '../fileFormats';
export type { InferenceFailure, InferenceResult, InferredFileSchema } from './result';
export { reconcileSchemas } from './reconcile';

/** The schema of `file` (relative to the store's root) read as `format`. Never rejects. */
export async function inferFileSchema(store: FileStore, file: string, format: FileFormat): Promise<InferenceResult> {
  try {
    if (format === 'parquet') return await inferParquetFile(store, file);
    const limit = format === 'csv' || format === 'tsv' ? CSV_PREFIX_BYTES : JSON_PREFIX_BYTES;
    const { bytes, size } = await store.read(file, { offset: 0, length: limit });
    // The local store returns a Buffer already; other stores' bytes are wrapped without a copy.
    const prefix = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return inferTextPrefix(prefix, size, limit, format);
  } catch (error) {
    return failureOf(error);
  }
}

const CSV_PREFIX_BYTES = 64 * 1024;
const JSON_PREFIX_BYTES = 256 * 1024;

/** The schema of a text file from its first bytes (`prefix`, at most `limit` of the file's `size`). */
function inferTextPrefix(prefix: Buffer, size: number, limit: number, format: Exclude<FileFormat, 'parquet'>): InferenceResult {
  if (size === 0) return emptyFile();
  const length = prefix.length;
  // A prefix shorter than the size means the file goes on (or shrank while it was read).
  const truncated = length < size;
  const start = hasBom(prefix, length) ? 3 : 0;
  if (isBlank(prefix, start, length)) {
    return truncated
      ? fail('file-malformed', `The first ${limit / 1024} KiB of this file are blank, so no columns can be read from it. Remove the leading blank space.`)
      : emptyFile();
  }
  // Text never holds NUL bytes; UTF-16 exports and binary files do, and would only yield garbage.
  if (prefix.subarray(start, length).indexOf(0) !== -1) {
    return fail('file-malformed', 'This file holds binary data or is UTF-16 encoded, so it cannot be read as text. Save it as UTF-8 text or exclude it.');
  }
  return format === 'csv' || format === 'tsv'
    ? inferCsv(prefix, start, length, truncated, format)
    : inferJson(prefix.toString('utf8', start, length), truncated, format);
}

function hasBom(buf: Buffer, length: number): boolean {
  return length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return false;
  }
  return true;
}
