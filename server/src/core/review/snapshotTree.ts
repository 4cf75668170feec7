import * as fs from 'node:fs';
import * as path from 'node:path';
import { readProjectSettings } from '../definitions/projectSettings';
import { isFolder } from '../fs/readFiles';
import { INDEX_FILE_NAME, listSnapshotFolder } from '../snapshots/fileNames';
import type { SyncPlan } from '../snapshots/plan';
import type { ReviewSide } from './reviewModel';

/**
 * The snapshot files of a catalog at one point in time: per datastore folder, file name → text.
 * A git revision, the working tree and "the working tree after this sync plan" all become one of
 * these, so a single comparison serves `cac diff` and `cac sync --format markdown` alike.
 */
export interface SnapshotTree {
  side: ReviewSide;
  /** The snapshots folder as people find it, relative to the repository or the catalog root (`examples/shop/snapshots`). */
  location: string;
  /** Datastore folder name → (snapshot file name → text). Only `*.yaml` regular files, no temp files. */
  folders: Map<string, Map<string, string>>;
}

/** Where a problem is, for messages: `examples/shop/snapshots/shop_db/orders.yaml:3:5 in origin/main (1a2b3c4)`. */
export type FileLocator = (file: string, position?: { line: number; col: number }) => string;

/** The locator of the files of one datastore folder of a tree. */
export function locateInTree(tree: SnapshotTree, folder: string): FileLocator {
  const base = tree.location === '.' ? folder : `${tree.location}/${folder}`;
  return (file, position) => `${base}/${file}${position ? `:${position.line}:${position.col}` : ''} in ${tree.side.label}`;
}

/** A located, actionable problem with the input of a review: a bad ref, no repository, an invalid snapshot. */
export class ReviewInputError extends Error {}

/**
 * Reads the snapshot folders of the catalog at `root` from disk. `folders` limits the read to
 * those datastore folders (a sync reads only the ones it syncs).
 */
export function readWorkingTreeSnapshots(root: string, options: WorkingTreeOptions = {}): SnapshotTree {
  const { project, problems } = readProjectSettings(root);
  const error = problems.find((p) => p.severity === 'error');
  if (error) {
    throw new ReviewInputError(`${error.file}:${error.range.start.line + 1}:${error.range.start.character + 1}: ${error.message}`);
  }
  const snapshotsDir = project.snapshotsDir;
  const location = `${options.prefix ?? ''}${path.relative(project.root, snapshotsDir).split(path.sep).join('/')}` || '.';
  const tree: SnapshotTree = { side: options.side ?? { label: 'the working tree' }, location, folders: new Map() };
  refuseSymlink(snapshotsDir, location);
  const names = options.folders ?? listFolders(snapshotsDir);
  for (const name of [...names].sort()) {
    const dir = path.join(snapshotsDir, name);
    refuseSymlink(dir, `${location}/${name}`);
    const files = readFolder(dir);
    if (files) tree.folders.set(name, files);
  }
  return tree;
}

export interface WorkingTreeOptions {
  /** Put before the snapshots folder in messages: the catalog root inside its repository (`examples/shop/`). */
  prefix?: string;
  side?: ReviewSide;
  /** Only these datastore folders. */
  folders?: readonly string[];
}

/**
 * The tree as it will be once `plan` is applied to its datastore folder: what a sync would write
 * (or, after a real sync, what it wrote), without touching the disk.
 */
export function treeAfterPlan(before: SnapshotTree, folder: string, datastoreDir: string, plan: SyncPlan, side: ReviewSide): SnapshotTree {
  const files = new Map(before.folders.get(folder) ?? []);
  const nameIn = (file: string): string | undefined => {
    const relative = path.relative(datastoreDir, file);
    return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? undefined : relative.split(path.sep).join('/');
  };
  for (const write of plan.writes) {
    const name = nameIn(write.path);
    if (name !== undefined) files.set(name, typeof write.content === 'string' ? write.content : Buffer.from(write.content).toString('utf8'));
  }
  for (const deleted of plan.deletes) {
    const name = nameIn(deleted);
    if (name !== undefined) files.delete(name);
  }
  if (plan.indexChanged) files.set(INDEX_FILE_NAME, plan.indexText);
  const folders = new Map(before.folders);
  if (files.size > 0) folders.set(folder, files);
  else folders.delete(folder);
  return { side, location: before.location, folders };
}

function listFolders(snapshotsDir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(snapshotsDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

/** Regular `*.yaml` files of one datastore folder and its subfolders (`/`-joined); symlinks are skipped, as a sync never reads through them. */
function readFolder(dir: string): Map<string, string> | undefined {
  if (!isFolder(dir)) return undefined;
  const files = new Map<string, string>();
  for (const file of listSnapshotFolder(dir).files) files.set(file, fs.readFileSync(path.join(dir, ...file.split('/')), 'utf8'));
  return files;
}

/** The sync refuses symlinked snapshot folders (catalogState.ts); the review does too, rather than read elsewhere. */
function refuseSymlink(folder: string, shown: string): void {
  try {
    if (fs.lstatSync(folder).isSymbolicLink()) {
      throw new ReviewInputError(`${shown} is a symbolic link; snapshots are only read from real folders inside the project. Replace the link with a folder.`);
    }
  } catch (error) {
    if (error instanceof ReviewInputError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
