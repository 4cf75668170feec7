import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTextIfExists } from '../fs/readFiles';
import { sha1Hex } from '../text/sha1';
import type { OperationLogEntry } from '../model';
import { INDEX_FILE_NAME, datastoreSnapshotDir, listSnapshotFolder } from './fileNames';
import { reconcileSnapshotFolder, type SnapshotFolderProblem } from './folder';
import type { RemovedEntry, SnapshotIndex } from './snapshotIndex';

/**
 * What the committed catalog of one datastore says, reconciled with the files actually on disk
 * (folder.ts): the state a sync plans against. A file that cannot be taken as it is becomes a
 * warning of the sync and is left untouched. `renderedIndexHash`: the sha1 of an index text this
 * engine rendered (a resync record's); an index with exactly that text is read by its fixed shape
 * without being rendered again to prove it canonical (~15 ms of a resync of 11,000 containers).
 */
export function readCatalogState(snapshotsDir: string, datastore: string, renderedIndexHash?: string): CatalogState {
  const dir = datastoreSnapshotDir(snapshotsDir, datastore);
  assertNoSymlinks(snapshotsDir, dir);
  const { names, temps } = listSnapshotFiles(dir);
  const indexPath = path.join(dir, INDEX_FILE_NAME);
  const indexText = readTextIfExists(indexPath);
  const indexHash = renderedIndexHash !== undefined && indexText !== undefined ? sha1Hex(indexText) : undefined;
  const indexRendered = indexHash !== undefined && indexHash === renderedIndexHash;
  const folder = reconcileSnapshotFolder(datastore, { indexText, indexRendered, names, read: (file) => readTextIfExists(path.join(dir, file)) });
  return {
    dir,
    indexPath,
    indexText,
    ...(indexHash !== undefined ? { indexHash } : {}),
    index: folder.index,
    newlyRemoved: folder.newlyRemoved,
    logs: folder.problems.map((problem) => problemLog(datastore, problem)),
    staleTempFiles: temps,
  };
}

export interface CatalogState {
  /** `snapshots/<datastore>/`. */
  dir: string;
  indexPath: string;
  /** The index file's text as on disk, to skip rewriting an unchanged index. */
  indexText: string | undefined;
  /** sha1 of `indexText`, when it was computed to compare with a resync record's. */
  indexHash?: string;
  index: SnapshotIndex;
  /** Containers whose snapshot files were deleted by hand since the last sync (folder.ts). */
  newlyRemoved: RemovedEntry[];
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

function problemLog(datastore: string, found: SnapshotFolderProblem): OperationLogEntry {
  const file = path.join(datastore, found.file);
  switch (found.code) {
    case 'invalid-index':
      return { level: 'warning', code: 'invalid-snapshot', file, message: `The snapshot index of '${datastore}' is not valid (${describeProblem(found.problem)}); it is rebuilt from the snapshot files.` };
    case 'invalid-snapshot':
      return { level: 'warning', code: 'invalid-snapshot', file, message: `Snapshot file ${found.file} of '${datastore}' is not a valid snapshot (${describeProblem(found.problem)}) and is left untouched; fix or delete it.` };
    case 'duplicate-container':
      return { level: 'warning', code: 'invalid-snapshot', file, container: found.container, message: `Snapshot file ${found.file} repeats container '${found.container}', which ${found.heldBy} already holds; delete one of them.` };
  }
}

function describeProblem(problem: { message: string; position?: { line: number; col: number } }): string {
  return problem.position ? `line ${problem.position.line}, column ${problem.position.col}: ${problem.message}` : problem.message;
}

function listSnapshotFiles(dir: string): { names: Set<string>; temps: string[] } {
  const { files, temps } = listSnapshotFolder(dir);
  return { names: new Set(files.filter((file) => file !== INDEX_FILE_NAME)), temps };
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
