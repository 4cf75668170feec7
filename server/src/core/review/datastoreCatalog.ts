import type { ContainerSnapshot } from '../model';
import { INDEX_FILE_NAME } from '../snapshots/fileNames';
import { reconcileSnapshotFolder, type SnapshotFolderProblem } from '../snapshots/folder';
import { readSnapshot, type SnapshotFileProblem } from '../snapshots/read';
import { ReviewInputError, type FileLocator } from './snapshotTree';

/**
 * The containers one datastore's snapshot folder holds, reconciled exactly as a sync reconciles
 * it (snapshots/folder.ts). Unlike a sync, which warns and carries on, a review refuses invalid
 * files: a pull request must not hide one.
 */
export function readDatastoreCatalog(files: ReadonlyMap<string, string>, locate: FileLocator): DatastoreCatalog {
  const names = new Set([...files.keys()].filter((file) => file !== INDEX_FILE_NAME));
  const folder = reconcileSnapshotFolder('', { indexText: files.get(INDEX_FILE_NAME), names, read: (file) => files.get(file) });
  const problem = folder.problems[0];
  if (problem) throw reviewError(problem, locate);
  const containers = new Map<string, CatalogContainer>();
  for (const entry of folder.index.containers) {
    const where: PositionLocator = (position) => locate(entry.file, position);
    containers.set(entry.name, {
      name: entry.name, file: entry.file, kind: entry.kind, missing: entry.missing_from_source === true,
      text: files.get(entry.file)!, snapshot: folder.adopted.get(entry.file), locate: where,
    });
  }
  return { containers, removed: new Set(folder.index.removed.map((entry) => entry.name)) };
}

export interface DatastoreCatalog {
  containers: Map<string, CatalogContainer>;
  /** Containers removed from the catalog: listed as removed, or listed with their file gone. */
  removed: Set<string>;
}

export interface CatalogContainer {
  name: string;
  file: string;
  kind: string | undefined;
  /** The index marks it `missing_from_source`: the source no longer lists it, its snapshot is kept. */
  missing: boolean;
  text: string;
  /** Parsed on demand: containers whose text is the same on both sides are never parsed. */
  snapshot?: ContainerSnapshot;
  locate: PositionLocator;
}

/** Locates a position inside one file (or the file itself). */
export type PositionLocator = (position?: { line: number; col: number }) => string;

/** The container's snapshot, read once. */
export function snapshotOf(container: CatalogContainer): ContainerSnapshot {
  if (!container.snapshot) {
    const read = readSnapshot(container.text);
    if (!read.ok) throw invalidFile(container.locate, 'snapshot', read.problem);
    container.snapshot = read.value;
  }
  return container.snapshot;
}

function reviewError(found: SnapshotFolderProblem, locate: FileLocator): ReviewInputError {
  const where: PositionLocator = (position) => locate(found.file, position);
  if (found.code === 'duplicate-container') {
    return new ReviewInputError(`${where()}: repeats container '${found.container}', which ${found.heldBy} already holds; delete one of the two files.`);
  }
  return invalidFile(where, found.code === 'invalid-index' ? 'snapshot index' : 'snapshot', found.problem);
}

function invalidFile(where: PositionLocator, what: string, problem: SnapshotFileProblem): ReviewInputError {
  const how = 'Restore the file as `cac sync` wrote it, or sync again.';
  return problem.kind === 'syntax'
    ? new ReviewInputError(`${where(problem.position)}: not a valid ${what} (${problem.message}). ${how}`)
    : new ReviewInputError(`${where()}: not a valid ${what}: ${problem.message}. ${how}`);
}
