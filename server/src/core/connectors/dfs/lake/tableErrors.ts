/**
 * What makes a lake table unreadable, and the capped reads of its log and metadata files. A log
 * file is read whole (its size is in the listing), but never past a cap: a 1 GB commit is a
 * problem to report, not memory to allocate.
 */
import type { FileStore, ListedFile } from '../fileStore';

/** A table's log or metadata that cannot be used: `file` is where (relative to the store's root), `problem` what. */
export class TableUnreadable extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'TableUnreadable';
  }
}

/**
 * JSON log and metadata files larger than this are refused. Real commits and metadata files are
 * kilobytes to a few megabytes; a commit that adds hundreds of thousands of files reaches tens.
 */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** The text of one listed log or metadata file, read in one ranged read. */
export async function readCappedText(store: FileStore, file: ListedFile, path: string): Promise<string> {
  return textOf(await readCappedBytes(store, file, path), path);
}

/** The bytes of one listed log or metadata file, read in one ranged read. */
export async function readCappedBytes(store: FileStore, file: ListedFile, path: string): Promise<Uint8Array> {
  if (file.size > MAX_JSON_BYTES) {
    throw new TableUnreadable(path, `it is ${mebibytes(file.size)}, more than the ${mebibytes(MAX_JSON_BYTES)} a log or metadata file is read up to`);
  }
  // An empty range is no request an object store accepts; an empty file needs none.
  if (file.size === 0) return new Uint8Array(0);
  const { bytes, size } = await store.read(path, { offset: 0, length: file.size });
  // Log files are immutable; one that changed since the listing is read at the next sync.
  if (size !== file.size || bytes.length !== file.size) {
    throw new TableUnreadable(path, `it changed while it was being read (${file.size} bytes listed, ${size} found); sync again`);
  }
  return bytes;
}

export function textOf(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TableUnreadable(path, 'it is not UTF-8 text');
  }
}

export function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
}
