/**
 * Turns the flat key listing of an object store (S3, Azure Blob, GCS) into the listing the file
 * store connector reads, by the rules the local walk follows (traverse.ts): names starting with
 * `.` are skipped, and so are folders starting with `_`; `key=value` folders form hive listings of
 * the folder above them; a folder holding `_delta_log/` or an Iceberg `metadata/` folder is one
 * lake table. Folders are implicit in keys, so the keys are first gathered into a tree and then
 * walked: a table's log may be listed after its data files.
 */
import type { OperationLogEntry } from '../../model';
import { compareText } from '../../text/order';
import { extensionOf } from '../dfs/fileFormats';
import { TABLE_LOG_FOLDER, tableFormatOf, type FileStoreListing, type HiveListing, type ListedFile, type TableListing } from '../dfs/fileStore';
import { HIVE_SEGMENT, hiveListingsOf, type HiveEntry } from '../dfs/hiveListing';

/** One object, its key relative to the store's prefix. */
export interface ListedObject {
  key: string;
  size: number;
  mtimeMs: number;
  etag?: string;
}

interface FolderNode {
  files: ListedFile[];
  /** Subfolder name → its node. */
  folders: Map<string, FolderNode>;
}

function newNode(): FolderNode {
  return { files: [], folders: new Map() };
}

export class ObjectListingBuilder {
  private readonly root = newNode();
  private readonly logs: OperationLogEntry[] = [];
  private count = 0;

  /** `extensions`: lower-case, no dot, as `FileStore.list` takes them. */
  constructor(private readonly extensions: ReadonlySet<string>) {}

  /** Objects added so far (for progress). */
  get size(): number {
    return this.count;
  }

  add(object: ListedObject): void {
    this.count++;
    const key = object.key;
    // A key ending in `/` is a folder marker (consoles create them), not data.
    if (key === '' || key.endsWith('/')) return;
    const segments = key.split('/');
    if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
      // S3 and Azure accept any key; `a//b.csv` or `../x.csv` names no file a path could reach.
      this.logs.push({ level: 'warning', code: 'object-key-unsafe', file: printable(key), message: `Object '${printable(key)}' has an empty, '.' or '..' segment in its key; it was skipped. Rename the object.` });
      return;
    }
    // Files whose name or any folder starts with `.` are hidden, as on a local disk.
    if (segments.some((segment) => segment.startsWith('.'))) return;
    const name = segments[segments.length - 1]!;
    let node = this.root;
    for (let i = 0; i < segments.length - 1; i++) {
      const segment = segments[i]!;
      let child = node.folders.get(segment);
      if (!child) node.folders.set(segment, (child = newNode()));
      node = child;
    }
    const listed: ListedFile = { name, size: object.size, mtimeMs: object.mtimeMs };
    if (object.etag !== undefined) listed.etag = object.etag;
    node.files.push(listed);
  }

  finish(): FileStoreListing {
    const folders = new Map<string, ListedFile[]>();
    const hives: HiveListing[] = [];
    const tables: TableListing[] = [];
    const pending: { path: string; node: FolderNode }[] = [{ path: '.', node: this.root }];
    // An index, not shift(): shifting re-indexes the queue, quadratic over many folders.
    for (let next = 0; next < pending.length; next++) {
      const { path, node } = pending[next]!;
      const prefix = path === '.' ? '' : `${path}/`;
      const table = tableOf(path, node);
      if (table) {
        tables.push(table);
        continue;
      }
      const files = node.files.filter((file) => this.extensions.has(extensionOf(file.name))).sort(byName);
      if (files.length > 0) folders.set(path, files);
      const hiveFolders: [string, FolderNode][] = [];
      for (const [name, child] of [...node.folders].sort((a, b) => compareText(a[0], b[0]))) {
        // `_temporary`, `_spark_metadata` and the like hold engine bookkeeping, not data.
        if (name.startsWith('_')) continue;
        if (HIVE_SEGMENT.test(name)) hiveFolders.push([name, child]);
        else pending.push({ path: prefix + name, node: child });
      }
      if (hiveFolders.length > 0) hives.push(...this.hiveListings(path, hiveFolders));
    }
    return { folders, hives, tables, logs: this.logs, complete: true };
  }

  /** Every file below the `key=value` folders of one folder, in key order, grouped as the local walk groups them. */
  private hiveListings(folder: string, hiveFolders: [string, FolderNode][]): HiveListing[] {
    const pending = hiveFolders.map(([name, node]) => ({ relative: name, segments: [name], node }));
    const found: HiveEntry[] = [];
    for (let next = 0; next < pending.length; next++) {
      const current = pending[next]!;
      for (const file of current.node.files) {
        if (file.name.startsWith('_') || !this.extensions.has(extensionOf(file.name))) continue;
        found.push({ relative: `${current.relative}/${file.name}`, segments: current.segments, file });
      }
      for (const [name, child] of current.node.folders) {
        if (HIVE_SEGMENT.test(name)) pending.push({ relative: `${current.relative}/${name}`, segments: [...current.segments, name], node: child });
      }
    }
    found.sort((a, b) => compareText(a.relative, b.relative));
    return hiveListingsOf(folder, found, (_position, log) => this.logs.push(log));
  }
}

/** The lake table a folder holds, with its log files, or undefined. */
function tableOf(path: string, node: FolderNode): TableListing | undefined {
  for (const format of ['delta', 'iceberg'] as const) {
    const logFolder = TABLE_LOG_FOLDER[format];
    const log = node.folders.get(logFolder);
    if (!log || tableFormatOf(logFolder, log.files.map((file) => file.name)) !== format) continue;
    const files = log.files.map((file) => ({ ...file, name: `${logFolder}/${file.name}` })).sort(byName);
    return { folder: path, format, files };
  }
  return undefined;
}

function byName(a: ListedFile, b: ListedFile): number {
  return compareText(a.name, b.name);
}

/** A key as logs show it: control characters escaped, so a key cannot forge log lines. */
export function printable(key: string): string {
  // eslint-disable-next-line no-control-regex
  return key.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
