import type { ContainerSnapshot } from '../model';
import { compareByName, compareText } from '../text/order';
import { INDEX_FILE_NAME, isSafeSnapshotFileName } from './fileNames';
import { readSnapshot, readSnapshotIndex, type SnapshotFileProblem } from './read';
import { sortIndex, type RemovedEntry, type SnapshotIndex, type SnapshotIndexEntry } from './snapshotIndex';

/**
 * What one datastore's snapshot folder says, from its files alone: the index lists the containers
 * the catalog knows and their files; a listed container whose file is gone was removed by a
 * person; a snapshot file the index does not list (left by a crash, restored by hand, or written
 * on another branch) is adopted rather than ignored. The same reconciliation serves a sync (files
 * on disk) and a review (files of a git revision); each decides what a problem means.
 */
export function reconcileSnapshotFolder(datastore: string, files: SnapshotFolderFiles): ReconciledFolder {
  const problems: SnapshotFolderProblem[] = [];
  let index: SnapshotIndex = { datastore, containers: [], removed: [] };
  if (files.indexText !== undefined) {
    const read = readSnapshotIndex(files.indexText, files.indexRendered);
    if (read.ok) index = { datastore, containers: read.value.containers, removed: read.value.removed };
    else problems.push({ code: 'invalid-index', file: INDEX_FILE_NAME, problem: read.problem });
  }
  const newlyRemoved: RemovedEntry[] = [];
  const listedFiles = new Set<string>();
  const containers: SnapshotIndexEntry[] = [];
  for (const entry of index.containers) {
    if (files.names.has(entry.file) && isSafeSnapshotFileName(entry.file)) {
      listedFiles.add(entry.file);
      containers.push(entry);
    } else {
      newlyRemoved.push(entry.kind !== undefined ? { name: entry.name, kind: entry.kind } : { name: entry.name });
    }
  }
  // Keyed by name: a person may delete thousands of snapshot files at once.
  const removed = new Map(index.removed.map((entry) => [entry.name, entry]));
  for (const entry of newlyRemoved) if (!removed.has(entry.name)) removed.set(entry.name, entry);
  const adopted = new Map<string, ContainerSnapshot>();
  // Unlisted files in code-unit order (usually none: sorting all 11,000 names each sync cost ~5 ms).
  const unlisted = listedFiles.size === files.names.size ? [] : [...files.names].filter((name) => !listedFiles.has(name)).sort(compareText);
  // Who holds each name, for the rare adopted file (built only then).
  const holders = new Map<string, string>(unlisted.length === 0 ? [] : containers.map((entry) => [entry.name, entry.file]));
  for (const file of unlisted) {
    const text = files.read(file);
    const read = text === undefined ? undefined : readSnapshot(text);
    if (!read) continue;
    if (!read.ok) {
      problems.push({ code: 'invalid-snapshot', file, problem: read.problem });
      continue;
    }
    const snapshot = read.value;
    const holder = holders.get(snapshot.name);
    if (holder !== undefined) {
      problems.push({ code: 'duplicate-container', file, container: snapshot.name, heldBy: holder });
      continue;
    }
    holders.set(snapshot.name, file);
    containers.push({ name: snapshot.name, file, kind: snapshot.kind, ...(snapshot.schema !== undefined ? { schema: snapshot.schema } : {}) });
    adopted.set(file, snapshot);
    removed.delete(snapshot.name);
  }
  return {
    index: sortIndex({ datastore, containers, removed: [...removed.values()] }),
    newlyRemoved: newlyRemoved.sort(compareByName),
    adopted,
    problems,
  };
}

/** A datastore's snapshot folder as files: the index text, the snapshot file names and a reader. */
export interface SnapshotFolderFiles {
  indexText: string | undefined;
  /** True when `indexText` is known to be one this engine rendered (catalogState.ts). */
  indexRendered?: boolean;
  /** Snapshot file names (`*.yaml`, neither the index nor a temp file). */
  names: ReadonlySet<string>;
  /** One file's text; undefined when it cannot be read (it is then left out). */
  read(file: string): string | undefined;
}

export interface ReconciledFolder {
  /** The containers the catalog knows (listed with their file, or adopted) and those removed from it. */
  index: SnapshotIndex;
  /** Listed containers whose snapshot file is gone: a person removed them since the index was written. */
  newlyRemoved: RemovedEntry[];
  /** The snapshots read while adopting unlisted files, by file name. */
  adopted: Map<string, ContainerSnapshot>;
  problems: SnapshotFolderProblem[];
}

/** A file of the folder that could not be taken as it is; the rest of the folder still counts. */
export type SnapshotFolderProblem =
  | { code: 'invalid-index' | 'invalid-snapshot'; file: string; problem: SnapshotFileProblem }
  | { code: 'duplicate-container'; file: string; container: string; heldBy: string };
