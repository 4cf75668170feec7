import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import * as path from 'node:path';
import { parseYamlFile } from '../yaml/safeYaml';
import type { ReviewSide } from './reviewModel';
import { isSnapshotFileName } from '../snapshots/fileNames';
import { ReviewInputError, type SnapshotTree } from './snapshotTree';

const execFileAsync = promisify(execFile);

/**
 * Reads the snapshot files of a catalog at a git revision, without checking anything out: the
 * project's `catalog.yaml` at that revision says where its snapshots are, `git ls-tree` lists
 * them and one `git cat-file --batch` reads them all. git runs with argument arrays (never a
 * shell), and refs are passed after `--end-of-options`, so no ref can smuggle an option in.
 */
export function readGitSnapshots(repository: GitCatalogRepository, ref: string): SnapshotTree {
  const commit = resolveCommit(repository, ref);
  const short = commit.slice(0, 7);
  // A ref that is (a prefix of) the commit id says nothing more than the id itself.
  const isCommitId = /^[0-9a-f]{4,}$/i.test(ref) && commit.startsWith(ref.toLowerCase());
  const side: ReviewSide = isCommitId ? { label: short, commit } : { label: `${ref} (${short})`, ref, commit };
  const snapshotsPath = snapshotsFolderAt(repository, commit, side.label);
  const listing = git(repository, ['ls-tree', '-r', '-z', '--full-tree', commit, '--', `${snapshotsPath}/`]).toString('utf8');
  const wanted: { folder: string; file: string; object: string }[] = [];
  for (const record of listing.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode, type, object] = record.slice(0, tab).split(' ');
    const relative = record.slice(tab + 1).slice(snapshotsPath.length + 1).split('/');
    // Regular files inside a datastore folder (a file store's in subfolders), as a sync reads them: no symlinks (120000).
    if (type !== 'blob' || (mode !== '100644' && mode !== '100755') || relative.length < 2 || object === undefined) continue;
    const folder = relative[0]!;
    const file = relative.slice(1).join('/');
    if (isSnapshotFileName(relative[relative.length - 1]!)) wanted.push({ folder, file, object });
  }
  const texts = readBlobs(repository, wanted.map((w) => w.object));
  const folders = new Map<string, Map<string, string>>();
  for (const { folder, file, object } of wanted) {
    let files = folders.get(folder);
    if (!files) folders.set(folder, (files = new Map()));
    files.set(file, texts.get(object)!);
  }
  const location = path.posix.relative(repository.prefix, snapshotsPath) || '.';
  return { side, location: repository.prefix === '' ? location : `${repository.prefix}${location}`, folders };
}

/** The git repository a catalog root lives in, and where inside it the root is. */
export interface GitCatalogRepository {
  /** The repository's top-level folder; git runs there. */
  toplevel: string;
  /** The catalog root relative to the top level, with a trailing `/` (`examples/shop/`), or `` at the top. */
  prefix: string;
}

/** Finds the repository of a catalog root, or says plainly that there is none. */
export function openGitRepository(root: string): GitCatalogRepository {
  let output: string;
  try {
    output = execFileSync('git', REV_PARSE_REPOSITORY, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    throw repositoryError(root, error);
  }
  return repositoryOf(output);
}

/** `openGitRepository` without blocking: for a host that answers other requests meanwhile (the language server). */
export async function locateGitRepository(root: string): Promise<GitCatalogRepository> {
  let output: string;
  try {
    output = (await execFileAsync('git', REV_PARSE_REPOSITORY, { cwd: root, encoding: 'utf8' })).stdout;
  } catch (error) {
    throw repositoryError(root, error);
  }
  return repositoryOf(output);
}

const REV_PARSE_REPOSITORY = ['rev-parse', '--show-toplevel', '--show-prefix'];

function repositoryOf(revParseOutput: string): GitCatalogRepository {
  const [toplevel = '', prefix = ''] = revParseOutput.split('\n');
  return { toplevel, prefix };
}

function repositoryError(root: string, error: unknown): ReviewInputError {
  const failure = error as NodeJS.ErrnoException & { stderr?: string };
  if (failure.code === 'ENOENT' && !failure.stderr) {
    return new ReviewInputError('git was not found on PATH (or the catalog folder does not exist); install git, or check --root.');
  }
  return new ReviewInputError(`${root} is not inside a git repository (git says: ${firstLine(failure.stderr) || failure.message}). `
    + '`cac diff` compares snapshots between git revisions: run it in the catalog\'s repository (or pass --root), or use `cac sync --dry-run` to preview a sync.');
}

/** A full commit id for a ref; a located, actionable error for anything else. */
export function resolveCommit(repository: GitCatalogRepository, ref: string): string {
  if (ref === '' || ref.startsWith('-') || /[\0\n]/.test(ref)) {
    throw new ReviewInputError(`'${ref}' is not a git revision; give a branch, tag or commit such as main, origin/main or HEAD~1.`);
  }
  try {
    return git(repository, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).toString('utf8').trim();
  } catch {
    throw new ReviewInputError(`'${ref}' is not a commit in ${repository.toplevel}. Check the name (git branch -a, git log), `
      + 'or fetch it first: in GitHub Actions, check out with `fetch-depth: 0` so the base branch is there.');
  }
}

/**
 * The snapshots folder at a revision, relative to the repository top level. `catalog.yaml` at that
 * revision decides it (a branch may move the folder); absent, it is the default `snapshots`.
 */
function snapshotsFolderAt(repository: GitCatalogRepository, commit: string, label: string): string {
  const catalogFile = `${repository.prefix}catalog.yaml`;
  const entry = git(repository, ['ls-tree', '-z', commit, '--', catalogFile]).toString('utf8').split('\0')[0];
  let folder = 'snapshots';
  if (entry) {
    const object = entry.slice(0, entry.indexOf('\t')).split(' ')[2]!;
    const text = readBlobs(repository, [object]).get(object)!;
    const parsed = parseYamlFile(catalogFile, text);
    const error = parsed.problems.find((p) => p.severity === 'error');
    if (error) {
      throw new ReviewInputError(`${catalogFile}:${error.range.start.line + 1}:${error.range.start.character + 1} in ${label}: ${error.message}`);
    }
    const project = parsed.documents.map((d) => d.value as Record<string, unknown> | undefined).find((v) => v?.kind === 'Project');
    const configured = project?.snapshots;
    if (typeof configured === 'string' && configured !== '') {
      const normalized = path.posix.normalize(configured.replace(/\\/g, '/')).replace(/\/+$/, '');
      // The same rule as loadWorkspace.ts: committed snapshots live inside the project.
      if (normalized === '.' || normalized.startsWith('../') || normalized === '..' || path.posix.isAbsolute(normalized)) {
        throw new ReviewInputError(`${catalogFile} in ${label}: 'snapshots: ${configured}' points outside the project folder; use a folder inside it.`);
      }
      folder = normalized;
    }
  }
  return `${repository.prefix}${folder}`;
}

/** Blob contents by object id through one `git cat-file --batch` process. */
export function readBlobs(repository: GitCatalogRepository, objects: readonly string[]): Map<string, string> {
  const unique = [...new Set(objects)];
  if (unique.length === 0) return new Map();
  return blobsOf(unique, git(repository, ['cat-file', '--batch'], unique.join('\n') + '\n'));
}

/** `readBlobs` without blocking. */
export async function readBlobsAsync(repository: GitCatalogRepository, objects: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(objects)];
  if (unique.length === 0) return new Map();
  return blobsOf(unique, await gitAsync(repository, ['cat-file', '--batch'], unique.join('\n') + '\n'));
}

/** `git cat-file --batch` output: a header line, then the object's bytes and a newline, per object asked. */
function blobsOf(unique: readonly string[], output: Buffer): Map<string, string> {
  const texts = new Map<string, string>();
  let at = 0;
  for (const object of unique) {
    const headerEnd = output.indexOf(0x0a, at);
    const header = output.subarray(at, headerEnd).toString('utf8').split(' ');
    if (header[1] !== 'blob') throw new ReviewInputError(`git could not read object ${object} (${header.join(' ')}); the repository may be incomplete (a shallow clone?).`);
    const size = Number(header[2]);
    texts.set(object, output.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8'));
    at = headerEnd + 1 + size + 1;
  }
  return texts;
}

export function git(repository: GitCatalogRepository, args: string[], input?: string): Buffer {
  return execFileSync('git', gitArguments(args), { cwd: repository.toplevel, input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: GIT_OUTPUT_LIMIT });
}

/** `git` without blocking; rejects as execFile does (status, stderr) when git fails. */
export function gitAsync(repository: GitCatalogRepository, args: string[], input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', gitArguments(args), { cwd: repository.toplevel, encoding: 'buffer', maxBuffer: GIT_OUTPUT_LIMIT }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
    child.stdin?.end(input);
  });
}

/** --literal-pathspecs: a folder named `*` or `:(glob)` is a name, not a pattern. */
function gitArguments(args: string[]): string[] {
  return ['--literal-pathspecs', ...args];
}

const GIT_OUTPUT_LIMIT = 1024 * 1024 * 1024;

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!.replace(/^fatal: /, '').trim();
}
