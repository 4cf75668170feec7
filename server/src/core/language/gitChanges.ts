import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitAsync, locateGitRepository, readBlobsAsync, type GitCatalogRepository } from '../review/gitSnapshotTree';
import { INDEX_FILE_NAME, encodeSnapshotBase, isSnapshotFileName } from '../snapshots/fileNames';
import { readSnapshot } from '../snapshots/read';
import { compareText } from '../text/order';
import type { CatalogView } from './catalogView';

/**
 * The snapshot files of a project that differ from git's HEAD (staged or not, untracked
 * included, ignored files not), each with its datastore and container: what an editor marks as
 * changed since the last commit. Reads git as `cac diff` does (review/gitSnapshotTree.ts), without
 * blocking: the language server asks on every burst of file changes and answers other requests
 * while git runs. Empty outside a git repository, or where git is missing.
 */
export async function snapshotChanges(view: CatalogView): Promise<SnapshotFileChange[]> {
  const project = view.workspace.project;
  const repository = await repositoryOf(project.root);
  if (!repository) return [];
  const folder = repositoryPath(repository, project.snapshotsDir);
  if (folder === undefined) return [];
  const spec = `${folder}/`;
  const changed = new Map<string, SnapshotFileChange['change']>();
  const untracked = lines(await gitRead(repository, ['ls-files', '-z', '--others', '--exclude-standard', '--', spec]));
  if (await hasHead(repository)) {
    const diff = (await gitRead(repository, ['diff', '-z', '--name-status', '--no-renames', '--no-ext-diff', '--no-textconv', 'HEAD', '--', spec])).split('\0');
    for (let i = 0; i + 1 < diff.length; i += 2) {
      const status = diff[i]!;
      if (status === '') break;
      changed.set(diff[i + 1]!, status.startsWith('A') ? 'added' : status.startsWith('D') ? 'deleted' : 'modified');
    }
  } else {
    // A repository without commits: everything it holds is new.
    for (const file of lines(await gitRead(repository, ['ls-files', '-z', '--cached', '--', spec]))) changed.set(file, 'added');
  }
  for (const file of untracked) changed.set(file, 'added');
  const deletedNames = await containerNamesAtHead(repository, [...changed].filter(([, change]) => change === 'deleted').map(([file]) => file));
  const changes: SnapshotFileChange[] = [];
  for (const [relative, change] of changed) {
    const inFolder = relative.slice(spec.length).split('/');
    if (inFolder.length < 2 || !isSnapshotFileName(inFolder[inFolder.length - 1]!)) continue;
    const [datastoreFolder, ...rest] = inFolder;
    const datastore = view.workspace.datastores.find((d) => encodeSnapshotBase(d.name) === datastoreFolder)?.name ?? datastoreFolder!;
    const inDatastore = rest.join('/');
    const container = inDatastore === INDEX_FILE_NAME ? null
      : change === 'deleted' ? deletedNames.get(relative) ?? null
      : view.snapshots.containersOf(datastore).find((entry) => entry.file === inDatastore)?.name ?? null;
    changes.push({ file: path.join(project.snapshotsDir, ...inFolder), datastore, container, change });
  }
  return changes.sort((a, b) => compareText(a.file, b.file));
}

export interface SnapshotFileChange {
  /** Absolute path (in the project's spelling of its folders). */
  file: string;
  datastore: string;
  /** Null for a datastore's index file, or a file that holds no readable snapshot. */
  container: string | null;
  change: 'added' | 'modified' | 'deleted';
}

/** A file's text at git's HEAD; null outside git, without commits, or when HEAD does not have the file. */
export async function committedText(file: string): Promise<string | null> {
  const repository = await repositoryOf(existingFolderOf(file));
  if (!repository || !(await hasHead(repository))) return null;
  const relative = repositoryPath(repository, file);
  if (relative === undefined) return null;
  return (await textsAtHead(repository, [relative])).get(relative) ?? null;
}

async function repositoryOf(folder: string): Promise<GitCatalogRepository | undefined> {
  try {
    return await locateGitRepository(folder);
  } catch {
    return undefined;
  }
}

/** `file` relative to the repository's top level, `/`-separated; undefined outside it. */
function repositoryPath(repository: GitCatalogRepository, file: string): string | undefined {
  // git reports its top level with links resolved; the project may be reached through one.
  const folder = existingFolderOf(file);
  let real: string;
  try {
    real = path.join(fs.realpathSync(folder), path.relative(folder, file));
  } catch {
    return undefined;
  }
  const relative = path.relative(repository.toplevel, real);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

/** The deepest existing folder holding `file` (a deleted file's folder may be gone too). */
function existingFolderOf(file: string): string {
  let folder = path.dirname(path.resolve(file));
  while (!fs.existsSync(folder) && path.dirname(folder) !== folder) folder = path.dirname(folder);
  return folder;
}

async function hasHead(repository: GitCatalogRepository): Promise<boolean> {
  try {
    await gitRead(repository, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
    return true;
  } catch {
    return false;
  }
}

/** Texts of files at HEAD by repository path; files HEAD does not have are left out. */
async function textsAtHead(repository: GitCatalogRepository, files: readonly string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  if (files.length === 0) return texts;
  const objects = new Map<string, string>();
  for (const record of lines(await gitRead(repository, ['ls-tree', '-z', 'HEAD', '--', ...files]))) {
    const tab = record.indexOf('\t');
    const [, type, object] = record.slice(0, tab).split(' ');
    if (type === 'blob' && object) objects.set(record.slice(tab + 1), object);
  }
  const blobs = await readBlobsAsync(repository, [...objects.values()]);
  for (const [file, object] of objects) texts.set(file, blobs.get(object)!);
  return texts;
}

/** The container names deleted snapshot files held at HEAD (the working tree no longer says). */
async function containerNamesAtHead(repository: GitCatalogRepository, files: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const [file, text] of await textsAtHead(repository, files)) {
    const read = readSnapshot(text);
    if (read.ok) names.set(file, read.value.name);
  }
  return names;
}

/**
 * git for reading only, with what a repository's own config could run switched off: no
 * file-system monitor hook, no external diff or text conversion.
 */
async function gitRead(repository: GitCatalogRepository, args: string[]): Promise<string> {
  return (await gitAsync(repository, ['-c', 'core.fsmonitor=false', ...args])).toString('utf8');
}

function lines(output: string): string[] {
  return output.split('\0').filter((line) => line !== '');
}
