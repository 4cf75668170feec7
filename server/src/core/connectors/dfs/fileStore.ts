/**
 * What a file store offers the file store connector: a listing of the whole store with stats,
 * ranged reads of one file, and the stat of one file. A local folder is one implementation
 * (localFileStore.ts); an object store (S3, Azure Blob, GCS) is meant to be another, so every
 * method is asynchronous, paths are relative to the store's root with `/` separators, and failures
 * are `FileStoreError`s carrying the errno-like code the connector's messages name.
 *
 * A file is read in one of two ways. `read` is one range in one call, for a prefix (CSV, JSON).
 * `open` is for several reads of one file, each depending on the last (a Parquet footer: its
 * length is in the tail): a local file is then opened once, not once per read, which made Parquet
 * inference ~1.5× slower (measured here), while an object store's `open` need send nothing, its
 * reads being ranged requests whose first answer tells the size. `read` is not `open` + read +
 * close because each await costs: that was ~4% more per CSV file on a local disk.
 */
import type { OperationLogEntry } from '../../model';
import { branded, hasBrand } from '../contract';

export interface FileStore {
  /**
   * Every file below the root whose extension is in `extensions` (lower-case, no dot), with its
   * size and modification time. Names starting with `.` are skipped, and so are folders starting
   * with `_` (engine bookkeeping such as `_temporary`) and, below `key=value` folders, files
   * starting with `_`; the files below `key=value` folders form hive listings. What cannot be
   * listed is logged, not thrown: the listing rejects only when the root itself cannot be read,
   * or when `signal` is aborted.
   */
  list(extensions: ReadonlySet<string>, signal: AbortSignal): Promise<FileStoreListing>;
  /**
   * The bytes of `range` of one file, and its size (see `OpenedFile.read`). Rejects with a
   * `FileStoreError`: ENOENT, EACCES, EISDIR, NOT_A_REGULAR_FILE, …; a pipe, socket or device is
   * never read.
   */
  read(file: string, range: ByteRange): Promise<FileBytes>;
  /**
   * One file, opened for several ranged reads; the caller closes it. Rejects as `read` does, or,
   * for a store that checks nothing on open, its first read does.
   */
  open(file: string): Promise<OpenedFile>;
  /** The size, modification time and kind of one file; rejects with a `FileStoreError` (ENOENT, EACCES, …). */
  stat(file: string): Promise<FileStat>;
  /**
   * What this store has asked of its service so far (an object store's requests and the bytes
   * of its answers), for the operation's summary; undefined for a local folder, where a read is
   * not a request anyone pays for.
   */
  usage?(): StoreUsage;
}

export interface StoreUsage {
  /** Requests sent, retries included: list pages, ranged reads, heads. */
  requests: number;
  /** Body bytes received from ranged reads (list pages not counted). */
  bytes: number;
  /** Requests answered with a throttling or transient error and retried. */
  retries: number;
}

/** A file opened by `FileStore.open`. Several of its reads may be in flight at once. */
export interface OpenedFile {
  /**
   * The bytes of `range`, fewer when the range reaches past the end, and the file's size, so
   * that a reader needs no stat to know whether it saw the whole file. Rejects with a
   * `FileStoreError`.
   */
  read(range: ByteRange): Promise<FileBytes>;
  /** Releases what `open` holds (a local file's descriptor); never throws. */
  close(): void;
}

/**
 * `offset` + `length` from the start, or the `last` bytes of the file (an object store sends a
 * suffix range, a local file knows its size once open), so the tail of a file of unknown size
 * takes one read.
 */
export type ByteRange = { offset: number; length: number } | { last: number };

export interface FileBytes {
  bytes: Uint8Array;
  /** The whole file's size in bytes. */
  size: number;
}

export interface FileStat {
  size: number;
  mtimeMs: number;
  /** `other`: a pipe, socket or device, which is never read. */
  kind: 'file' | 'directory' | 'other';
}

/** The code of a `FileStoreError` for a path that exists but is a pipe, socket or device. */
export const NOT_A_REGULAR_FILE = 'ENOTREG';

/** A read or stat that failed; `code` is an errno code (ENOENT, EACCES, EISDIR, …) or NOT_A_REGULAR_FILE. */
export class FileStoreError extends Error {
  constructor(readonly code: string, readonly file: string, options?: ErrorOptions) {
    super(`File '${file}' cannot be read (${code}).`, options);
    this.name = 'FileStoreError';
    branded(this, FILE_STORE_ERROR);
  }

  /** An object store's connector bundle has its own copy of this class (see ConnectorError). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, FILE_STORE_ERROR);
  }
}

const FILE_STORE_ERROR = Symbol.for('catalog-as-code.FileStoreError');

export interface ListedFile {
  name: string;
  size: number;
  mtimeMs: number;
  /** An object store's entity tag: with the size, what says the object is unchanged (its time may be rounded). */
  etag?: string;
}

export interface FileStoreListing {
  /** Folder (relative, `.` for the root) → its supported files, outside hive trees. */
  folders: Map<string, ListedFile[]>;
  hives: HiveListing[];
  /** Lake tables (Delta, Iceberg): one container each; the files below them are in no other listing. */
  tables: TableListing[];
  logs: OperationLogEntry[];
  /** False when a folder could not be read: a listing with holes must not drive a prune. */
  complete: boolean;
}

/** A hive-partitioned tree (`year=2024/month=01/…`) of one extension: one container. */
export interface HiveListing {
  /** The folder that holds the `key=value` folders. */
  folder: string;
  extension: string;
  keys: string[];
  /** Paths relative to `folder`, e.g. `year=2024/month=01/part-0.parquet`, sorted. */
  files: (ListedFile & { path: string; values: string[] })[];
}

/**
 * A folder that holds a lake table: `_delta_log/` (Delta) or `metadata/` with `*.metadata.json` or
 * `version-hint.text` (Iceberg). Its data files are the table's, never containers of their own.
 */
export interface TableListing {
  /** The table's folder, relative (`.` when the root itself is the table). */
  folder: string;
  format: 'delta' | 'iceberg';
  /**
   * The table's log or metadata files (Delta: `_delta_log/*`; Iceberg: `metadata/*`), named by
   * their path below `folder`, sorted: a change in them is what makes a resync read the table again.
   */
  files: ListedFile[];
}

/**
 * Whether a subfolder makes its parent folder a lake table, from the subfolder's name and the
 * names of the files directly in it: `_delta_log` with any file (Delta), `metadata` with a
 * `*.metadata.json` or `version-hint.text` (Iceberg; a plain `metadata/` folder of CSV files is
 * not a table). Shared by the local walk and the object stores' listings, so both agree.
 */
export function tableFormatOf(subfolder: string, fileNames: readonly string[]): TableListing['format'] | undefined {
  if (subfolder === '_delta_log') return fileNames.length > 0 ? 'delta' : undefined;
  if (subfolder === 'metadata' && fileNames.some((name) => name.endsWith('.metadata.json') || name === 'version-hint.text')) return 'iceberg';
  return undefined;
}

/** The subfolder that holds a table's log or metadata. */
export const TABLE_LOG_FOLDER: Readonly<Record<TableListing['format'], string>> = { delta: '_delta_log', iceberg: 'metadata' };
