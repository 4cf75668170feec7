import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validateAgainstSchema } from '../definitions/schemaValidation';
import type { ContainerSnapshot, OperationLogEntry } from '../model';
import { fileStamp, isTempFileName, type FileStamp } from '../fs/atomicFiles';
import { INDEX_FILE_NAME, encodeSnapshotBase, isSafeSnapshotFileName } from './snapshotFileNames';
import { INDEX_HEADER, renderIndex } from './renderSnapshot';
import { compareByName, parseCanonicalIndex, sortIndex, type SnapshotIndex } from './snapshotIndex';

/**
 * What the committed catalog of one datastore says, reconciled with the files actually on disk:
 * a listed snapshot whose file is gone was removed by a person; a snapshot file the index does
 * not list (left by a crash, or restored by hand) is adopted rather than ignored.
 */
export function readCatalogState(snapshotsDir: string, datastore: string): CatalogState {
  const dir = datastoreSnapshotDir(snapshotsDir, datastore);
  const logs: OperationLogEntry[] = [];
  assertNoSymlinks(snapshotsDir, dir);
  const { files, temps } = listSnapshotFiles(dir);
  const indexPath = path.join(dir, INDEX_FILE_NAME);
  const indexText = readTextIfExists(indexPath);
  let index: SnapshotIndex = { datastore, containers: [], removed: [] };
  if (indexText !== undefined) {
    const parsed = parseIndex(indexText);
    if (parsed) index = { datastore, containers: parsed.containers, removed: parsed.removed };
    else logs.push({ level: 'warning', code: 'invalid-snapshot', file: path.join(datastore, INDEX_FILE_NAME), message: `The snapshot index of '${datastore}' is not valid; it is rebuilt from the snapshot files.` });
  }
  const userRemoved: string[] = [];
  const listedFiles = new Set<string>();
  const containers = index.containers.filter((entry) => {
    if (files.has(entry.file) && isSafeSnapshotFileName(entry.file)) {
      listedFiles.add(entry.file);
      return true;
    }
    userRemoved.push(entry.name);
    return false;
  });
  // Keyed by name: a person may delete thousands of snapshot files at once.
  const removed = new Map(index.removed.map((entry) => [entry.name, entry]));
  const listed = new Map(index.containers.map((entry) => [entry.name, entry]));
  for (const name of userRemoved) {
    if (!removed.has(name)) removed.set(name, { name, kind: listed.get(name)!.kind });
  }
  const knownNames = new Set(containers.map((c) => c.name));
  for (const file of [...files].sort()) {
    if (listedFiles.has(file)) continue;
    const text = readTextIfExists(path.join(dir, file));
    const snapshot = text === undefined ? undefined : parseSnapshot(text);
    if (!snapshot) {
      logs.push({ level: 'warning', code: 'invalid-snapshot', file: path.join(datastore, file), message: `Snapshot file ${file} of '${datastore}' is not a valid snapshot and is left untouched; fix or delete it.` });
      continue;
    }
    if (knownNames.has(snapshot.name)) {
      logs.push({ level: 'warning', code: 'invalid-snapshot', file: path.join(datastore, file), container: snapshot.name, message: `Snapshot file ${file} repeats container '${snapshot.name}', which another file already holds; delete one of them.` });
      continue;
    }
    knownNames.add(snapshot.name);
    containers.push({ name: snapshot.name, file, kind: snapshot.kind, ...(snapshot.schema !== undefined ? { schema: snapshot.schema } : {}) });
    removed.delete(snapshot.name);
  }
  return {
    dir,
    indexPath,
    indexText,
    index: sortIndex({ datastore, containers: containers.sort(compareByName), removed: [...removed.values()] }),
    userRemoved: userRemoved.sort(),
    logs,
    staleTempFiles: temps,
  };
}

export interface CatalogState {
  /** `snapshots/<datastore>/`. */
  dir: string;
  indexPath: string;
  /** The index file's text as on disk, to skip rewriting an unchanged index. */
  indexText: string | undefined;
  index: SnapshotIndex;
  /** Containers whose snapshot files were deleted by hand since the last sync. */
  userRemoved: string[];
  logs: OperationLogEntry[];
  /**
   * Temp files (full paths) a killed sync left in the folder. Every sync holds the datastore's
   * lock while it writes, so under that lock none of them can belong to a running writer.
   */
  staleTempFiles?: string[];
}

/** The temp files in a datastore's snapshot folder (see CatalogState.staleTempFiles). */
export function staleTempFilesIn(dir: string): string[] {
  return listSnapshotFiles(dir).temps;
}

/** The snapshot folder of a datastore; datastore names are schema-checked, and encoded anyway. */
export function datastoreSnapshotDir(snapshotsDir: string, datastore: string): string {
  return path.join(snapshotsDir, encodeSnapshotBase(datastore));
}

/** Reads and checks one snapshot file; undefined when it is not a valid snapshot. */
export function parseSnapshot(text: string): ContainerSnapshot | undefined {
  try {
    const value = parseYaml(text, { maxAliasCount: 0, uniqueKeys: true, merge: false }) as unknown;
    if (validateAgainstSchema('snapshot', value).length > 0) return undefined;
    return value as ContainerSnapshot;
  } catch {
    return undefined;
  }
}

function parseIndex(text: string): SnapshotIndex | undefined {
  // The index as the engine wrote it (every sync's case) is read without the YAML parser; the
  // re-render proves the text is the renderer's, whose YAML meaning is the value rendered.
  const canonical = parseCanonicalIndex(text, INDEX_HEADER);
  if (canonical && renderIndex(canonical) === text && validateAgainstSchema('snapshot-index', canonical).length === 0) return canonical;
  try {
    const value = parseYaml(text, { maxAliasCount: 0, uniqueKeys: true, merge: false }) as unknown;
    if (validateAgainstSchema('snapshot-index', value).length > 0) return undefined;
    return value as SnapshotIndex;
  } catch {
    return undefined;
  }
}

export function readTextIfExists(file: string): string | undefined {
  return readStampedText(file)?.text;
}

/**
 * A regular file's text and stamp (size, mtime, inode) from one open: a symlink planted in the
 * snapshot folder must not make a sync read (or later replace) another file, so the open does not
 * follow links (O_NOFOLLOW), and O_NONBLOCK keeps a planted FIFO from blocking it. Undefined
 * when the file is missing or not a regular file.
 */
export function readStampedText(file: string): { text: string; stamp: FileStamp } | undefined {
  if (NO_FOLLOW === undefined) return readStampedTextByPath(file);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | NO_FOLLOW | (fs.constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'EMLINK' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return undefined;
    return { text: readToEnd(fd, stat.size), stamp: fileStamp(stat) };
  } finally {
    fs.closeSync(fd);
  }
}

/** The file's bytes as UTF-8 from a size already known (readFileSync(fd) would fstat again: each syscall counts here). */
function readToEnd(fd: number, size: number): string {
  const buffer = Buffer.allocUnsafe(size);
  let offset = 0;
  while (offset < size) {
    const read = fs.readSync(fd, buffer, offset, size - offset, null);
    if (read === 0) break;
    offset += read;
  }
  // A file someone writes to meanwhile may read short: it then differs from its rendering and is rewritten.
  return buffer.toString('utf8', 0, offset);
}

/** Where the platform has no O_NOFOLLOW (Windows): check, then read. */
function readStampedTextByPath(file: string): { text: string; stamp: FileStamp } | undefined {
  try {
    const stat = fs.lstatSync(file);
    if (!stat.isFile()) return undefined;
    return { text: fs.readFileSync(file, 'utf8'), stamp: fileStamp(stat) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const NO_FOLLOW: number | undefined = fs.constants.O_NOFOLLOW;

function listSnapshotFiles(dir: string): { files: Set<string>; temps: string[] } {
  const files = new Set<string>();
  const temps: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files, temps };
    throw error;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    if (isTempFileName(entry.name)) temps.push(path.join(dir, entry.name));
    else if (entry.name.endsWith('.yaml') && entry.name !== INDEX_FILE_NAME) files.add(entry.name);
  }
  return { files, temps };
}

/** Refuses to read or write through a symlinked snapshot folder (the node-tar CVE-2021-32803 class). */
function assertNoSymlinks(snapshotsDir: string, dir: string): void {
  for (const folder of [snapshotsDir, dir]) {
    try {
      if (fs.lstatSync(folder).isSymbolicLink()) {
        throw new SnapshotFolderError(`${folder} is a symbolic link; snapshots are only written to real folders inside the project. Replace the link with a folder.`);
      }
    } catch (error) {
      if (error instanceof SnapshotFolderError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

export class SnapshotFolderError extends Error {}
