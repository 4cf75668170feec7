import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OperationLogEntry } from '../../model';

/**
 * Walks a file store's folder tree with synchronous calls (2–7× faster than promises on a local
 * disk, measured here) and stats each supported file once. Symlinked folders are followed, but
 * a folder already on the walk is never entered twice, so symlink loops terminate.
 */
export function traverseFileStore(root: string, extensions: ReadonlySet<string>, signal: AbortSignal): FileStoreListing {
  const folders = new Map<string, ListedFile[]>();
  const hives: HiveListing[] = [];
  const logs: OperationLogEntry[] = [];
  let complete = true;
  const visited = new Set<string>();
  const rootStat = fs.statSync(root);
  visited.add(`${rootStat.dev}:${rootStat.ino}`);
  const pending: string[] = ['.'];
  while (pending.length > 0) {
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    const relative = pending.pop()!;
    const absolute = relative === '.' ? root : path.join(root, relative);
    const entries = readFolder(absolute, relative, logs);
    if (!entries) {
      complete = false;
      continue;
    }
    const files: ListedFile[] = [];
    const hiveFolders: string[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const childRelative = relative === '.' ? entry.name : `${relative}/${entry.name}`;
      // One string concatenation per entry: path.join twice per file cost ~90 ms per 100k files.
      const childAbsolute = absolute + path.sep + entry.name;
      const kind = entry.isFile() ? 'file' : entryKind(entry, childAbsolute, childRelative, visited, logs);
      if (kind === 'folder') {
        // `_temporary`, `_delta_log` and the like hold engine bookkeeping, not data.
        if (entry.name.startsWith('_')) continue;
        if (HIVE_SEGMENT.test(entry.name)) hiveFolders.push(entry.name);
        else pending.push(childRelative);
      } else if (kind === 'file') {
        const listed = listFile(childAbsolute, entry.name, extensions, childRelative, logs);
        if (listed) files.push(listed);
      }
    }
    if (files.length > 0) folders.set(relative, files);
    if (hiveFolders.length > 0) hives.push(...listHive(root, relative, hiveFolders, extensions, visited, logs, signal));
  }
  return { folders, hives, logs, complete };
}

export interface ListedFile {
  name: string;
  size: number;
  mtimeMs: number;
}

export interface FileStoreListing {
  /** Folder (relative, `.` for the root) → its supported files, outside hive trees. */
  folders: Map<string, ListedFile[]>;
  hives: HiveListing[];
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

const HIVE_SEGMENT = /^[^=]+=[^=]*$/;

function readFolder(absolute: string, relative: string, logs: OperationLogEntry[]): fs.Dirent[] | undefined {
  try {
    return fs.readdirSync(absolute, { withFileTypes: true });
  } catch (error) {
    logs.push({ level: 'warning', code: 'folder-unreadable', file: relative, message: `Folder '${relative}' could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); its files were skipped and nothing is pruned. Check its permissions.` });
    return undefined;
  }
}

function entryKind(entry: fs.Dirent, absolute: string, relative: string, visited: Set<string>, logs: OperationLogEntry[]): 'folder' | 'file' | 'other' {
  if (entry.isFile()) return 'file';
  if (!entry.isDirectory() && !entry.isSymbolicLink()) return 'other';
  let stat: fs.Stats;
  try {
    stat = fs.statSync(absolute);
  } catch (error) {
    if (entry.isSymbolicLink()) {
      logs.push({ level: 'warning', code: 'broken-symlink', file: relative, message: `Symbolic link '${relative}' points nowhere (${(error as NodeJS.ErrnoException).code ?? 'error'}); it was skipped.` });
    }
    return 'other';
  }
  if (stat.isFile()) return 'file';
  if (!stat.isDirectory()) return 'other';
  const identity = `${stat.dev}:${stat.ino}`;
  if (visited.has(identity)) {
    logs.push({ level: 'warning', code: 'symlink-cycle', file: relative, message: `'${relative}' leads back to a folder that was already read (a symlink loop or a second link to it); it was skipped.` });
    return 'other';
  }
  visited.add(identity);
  return 'folder';
}

function listFile(file: string, name: string, extensions: ReadonlySet<string>, relative: string, logs: OperationLogEntry[]): ListedFile | undefined {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || !extensions.has(name.slice(dot + 1).toLowerCase())) return undefined;
  try {
    const stat = fs.statSync(file);
    return { name, size: stat.size, mtimeMs: stat.mtimeMs };
  } catch (error) {
    logs.push({ level: 'warning', code: 'file-unreadable', file: relative, message: `File '${relative}' could not be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); it was skipped.` });
    return undefined;
  }
}

/** Collects every file below the `key=value` folders of one folder, grouped by extension. */
function listHive(
  root: string, folder: string, hiveFolders: string[], extensions: ReadonlySet<string>, visited: Set<string>, logs: OperationLogEntry[], signal: AbortSignal,
): HiveListing[] {
  const byExtension = new Map<string, HiveListing>();
  const pending = hiveFolders.map((name) => ({ relative: name, values: [name] }));
  while (pending.length > 0) {
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    const current = pending.pop()!;
    const absolute = path.join(root, folder === '.' ? '' : folder, current.relative);
    const entries = readFolder(absolute, `${folder}/${current.relative}`, logs);
    if (!entries) continue;
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name.startsWith('_')) continue;
      const relative = `${current.relative}/${entry.name}`;
      const kind = entryKind(entry, path.join(absolute, entry.name), `${folder}/${relative}`, visited, logs);
      if (kind === 'folder' && HIVE_SEGMENT.test(entry.name)) {
        pending.push({ relative, values: [...current.values, entry.name] });
      } else if (kind === 'file') {
        const listed = listFile(path.join(absolute, entry.name), entry.name, extensions, `${folder}/${relative}`, logs);
        if (!listed) continue;
        const extension = entry.name.slice(entry.name.lastIndexOf('.') + 1).toLowerCase();
        const keys = current.values.map((segment) => segment.slice(0, segment.indexOf('=')));
        let hive = byExtension.get(extension);
        if (!hive) byExtension.set(extension, (hive = { folder, extension, keys, files: [] }));
        if (keys.join('/') !== hive.keys.join('/')) {
          logs.push({ level: 'warning', code: 'schema-mismatch', file: `${folder}/${relative}`, message: `File '${folder}/${relative}' is partitioned by ${keys.join('/')} but its siblings by ${hive.keys.join('/')}; it was left out. Keep one partition layout per folder.` });
          continue;
        }
        hive.files.push({ ...listed, path: relative, values: current.values.map((segment) => segment.slice(segment.indexOf('=') + 1)) });
      }
    }
  }
  const listings = [...byExtension.values()];
  for (const listing of listings) listing.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return listings.sort((a, b) => (a.extension < b.extension ? -1 : 1));
}
