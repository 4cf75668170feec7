import * as path from 'node:path';
import { readTextIfExists } from '../fs/readFiles';
import type { ContainerSnapshot } from '../model';
import { readCatalogState, type CatalogState } from './catalogState';
import { encodeSnapshotBase } from './fileNames';
import { readSnapshot } from './read';
import type { SnapshotIndexEntry } from './snapshotIndex';

/**
 * The committed snapshots of a project, read lazily and kept until a snapshot file changes.
 * Override checks, completion and hover read through it, so typing in an overrides file never
 * re-reads the snapshot folder, while a sync or a git checkout is seen as soon as the host
 * reports the changed files (`invalidate`).
 */
export class SnapshotCatalog implements SnapshotSource {
  private readonly states = new Map<string, CatalogState | null>();
  private readonly snapshots = new Map<string, ContainerSnapshot | null>();
  private readonly generations = new Map<string, number>();
  private generation = 0;

  constructor(readonly snapshotsDir: string, private readonly disk: SnapshotSource = SNAPSHOTS_ON_DISK) {}

  /** Changes whenever what was read for `datastore` is forgotten: a key for caching results derived from it. */
  versionOf(datastore: string): string {
    return `${this.generation}.${this.generations.get(datastore) ?? 0}`;
  }

  catalogState(snapshotsDir: string, datastore: string): CatalogState | undefined {
    if (snapshotsDir !== this.snapshotsDir) return this.disk.catalogState(snapshotsDir, datastore);
    let state = this.states.get(datastore);
    if (state === undefined) {
      try {
        state = this.disk.catalogState(snapshotsDir, datastore) ?? null;
      } catch {
        // A symlinked or unreadable folder: the sync reports it; the editor just has no snapshots.
        state = null;
      }
      this.states.set(datastore, state);
    }
    return state ?? undefined;
  }

  snapshot(state: CatalogState, entry: SnapshotIndexEntry): ContainerSnapshot | undefined {
    const file = path.join(state.dir, entry.file);
    let snapshot = this.snapshots.get(file);
    if (snapshot === undefined) {
      try {
        snapshot = this.disk.snapshot(state, entry) ?? null;
      } catch {
        snapshot = null;
      }
      this.snapshots.set(file, snapshot);
    }
    return snapshot ?? undefined;
  }

  /** The containers a datastore's catalog lists, sorted by name; empty when it was never synced. */
  containersOf(datastore: string): SnapshotIndexEntry[] {
    return this.catalogState(this.snapshotsDir, datastore)?.index.containers ?? [];
  }

  /** One container's snapshot and the absolute path of its file. */
  container(datastore: string, name: string): { snapshot: ContainerSnapshot; file: string; entry: SnapshotIndexEntry } | undefined {
    const state = this.catalogState(this.snapshotsDir, datastore);
    const entry = state?.index.containers.find((c) => c.name === name);
    if (!state || !entry) return undefined;
    const snapshot = this.snapshot(state, entry);
    return snapshot ? { snapshot, file: path.join(state.dir, entry.file), entry } : undefined;
  }

  /**
   * Forgets what was read for the datastore whose snapshot folder holds `file` (any file in it:
   * a snapshot, the index, or the folder itself). Returns whether anything was forgotten.
   */
  invalidatePath(file: string): boolean {
    const relative = path.relative(this.snapshotsDir, file);
    if (relative === '') return this.invalidateAll();
    if (relative.startsWith('..') || path.isAbsolute(relative)) return false;
    const folder = relative.split(path.sep)[0]!;
    let forgot = false;
    for (const datastore of [...this.states.keys()]) {
      if (encodeSnapshotBase(datastore) !== folder) continue;
      this.forget(datastore);
      forgot = true;
    }
    return forgot;
  }

  invalidateAll(): boolean {
    const had = this.states.size > 0 || this.snapshots.size > 0;
    this.states.clear();
    this.snapshots.clear();
    this.generation++;
    return had;
  }

  forget(datastore: string): void {
    const dir = path.join(this.snapshotsDir, encodeSnapshotBase(datastore)) + path.sep;
    this.generations.set(datastore, (this.generations.get(datastore) ?? 0) + 1);
    this.states.delete(datastore);
    for (const file of [...this.snapshots.keys()]) if (file.startsWith(dir)) this.snapshots.delete(file);
  }
}

/**
 * Where override checks and editor features read snapshots from. The CLI reads the disk each
 * time; the language server passes a {@link SnapshotCatalog}, which it invalidates when snapshot
 * files change, so a keystroke in an overrides file does not re-read thousands of snapshots.
 */
export interface SnapshotSource {
  /** The reconciled catalog of one datastore; undefined (or a throw) when it cannot be read. */
  catalogState(snapshotsDir: string, datastore: string): CatalogState | undefined;
  /** One listed container's snapshot; undefined when its file is missing or invalid. */
  snapshot(state: CatalogState, entry: SnapshotIndexEntry): ContainerSnapshot | undefined;
}

export const SNAPSHOTS_ON_DISK: SnapshotSource = {
  catalogState: (snapshotsDir, datastore) => readCatalogState(snapshotsDir, datastore),
  snapshot: (state, entry) => {
    const text = readTextIfExists(path.join(state.dir, entry.file));
    const read = text === undefined ? undefined : readSnapshot(text);
    return read?.ok ? read.value : undefined;
  },
};
