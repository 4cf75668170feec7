import { compareByName } from '../text/order';

/** The per-datastore index file: which containers the catalog knows and which were removed. */
export interface SnapshotIndex {
  datastore: string;
  /** Sorted by name. */
  containers: SnapshotIndexEntry[];
  /** Sorted by name. */
  removed: RemovedEntry[];
}

export interface SnapshotIndexEntry {
  name: string;
  file: string;
  kind?: string;
  schema?: string;
  missing_from_source?: boolean;
}

export interface RemovedEntry {
  name: string;
  kind?: string;
}

export function sortIndex(index: SnapshotIndex): SnapshotIndex {
  return { datastore: index.datastore, containers: [...index.containers].sort(compareByName), removed: [...index.removed].sort(compareByName) };
}
