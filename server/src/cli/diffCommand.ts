import {
  compareSnapshotTrees, didYouMean, encodeSnapshotBase, nearestNames, openGitRepository, readGitSnapshots, readWorkingTreeSnapshots, renderReviewMarkdown, renderReviewText, ReviewInputError, reviewJson, type CatalogReview, type MarkdownOptions, type SnapshotTree,
} from '../core';
import { CliError, colorsFor, writeJson, type CliIo, type ReviewOutputFormat } from './output';

export interface DiffCommandOptions {
  root: string;
  /** A git revision; default HEAD. */
  base?: string;
  /** A git revision; default the working tree. */
  head?: string;
  datastores: string[];
  format: ReviewOutputFormat;
  detailedExitcode: boolean;
  /** Exit 2 on any change (as --detailed-exitcode), or only on a breaking one. */
  failOn?: 'any' | 'breaking';
}

/**
 * `cac diff`: the review of snapshot changes between two git revisions, or a revision and the
 * working tree, for a terminal, a pull-request comment (Markdown) or a program (JSON).
 * Exit 0 (with `--detailed-exitcode`: 0 no change, 2 changes), 1 on a bad ref, no repository or
 * an invalid snapshot.
 */
export function diffCommand(io: CliIo, options: DiffCommandOptions): number {
  let review: CatalogReview;
  try {
    const repository = openGitRepository(options.root);
    const base = readGitSnapshots(repository, options.base ?? 'HEAD');
    const head = options.head !== undefined
      ? readGitSnapshots(repository, options.head)
      : readWorkingTreeSnapshots(options.root, { prefix: repository.prefix });
    const named = options.datastores.length > 0 ? [...new Set(options.datastores)] : undefined;
    const folders = named?.map((name) => checkedFolder(name, base, head));
    review = compareSnapshotTrees(base, head, { folders, scope: named });
  } catch (error) {
    if (error instanceof ReviewInputError) throw new CliError(error.message);
    throw error;
  }
  writeReview(io, review, options.format, reviewLocation(io.env, diffCommandLine(options)));
  if (options.failOn === 'breaking') return review.summary.breaking > 0 ? 2 : 0;
  return (options.detailedExitcode || options.failOn === 'any') && review.summary.changed ? 2 : 0;
}

/** Prints a review in the chosen format; `cac sync --format markdown` prints through here too. */
export function writeReview(io: CliIo, review: CatalogReview, format: ReviewOutputFormat, fullReview: MarkdownOptions['fullReview']): void {
  if (format === 'json') writeJson(io, reviewJson(review));
  else if (format === 'markdown') io.stdout.write(renderReviewMarkdown(review, { fullReview }));
  else io.stdout.write(renderReviewText(review, colorsFor(io.stdout, io.env)));
}

/**
 * Where the untruncated review of a shortened comment is: the CI run's log when the environment
 * names one (`CAC_REVIEW_URL`, or GitHub Actions' run variables), and the command that prints it.
 */
export function reviewLocation(env: NodeJS.ProcessEnv, command: string): MarkdownOptions['fullReview'] {
  const github = env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
    ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
    : undefined;
  const url = env.CAC_REVIEW_URL || github;
  return url ? { url, command } : { command };
}

/** A shell word that pastes back as the same argument. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:@^~=+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function diffCommandLine(options: DiffCommandOptions): string {
  const words = ['cac', 'diff'];
  if (options.base !== undefined) words.push('--base', shellWord(options.base));
  if (options.head !== undefined) words.push('--head', shellWord(options.head));
  words.push(...options.datastores.map(shellWord));
  return words.join(' ');
}

/** The snapshot folder of a datastore named on the command line; a typo is an error, not "no changes". */
function checkedFolder(name: string, base: SnapshotTree, head: SnapshotTree): string {
  const folder = encodeSnapshotBase(name);
  if (base.folders.has(folder) || head.folders.has(folder)) return folder;
  const known = [...new Set([...base.folders.keys(), ...head.folders.keys()])].sort();
  throw new CliError(`No snapshots of datastore '${name}' in ${base.side.label} or ${head.side.label}.${didYouMean(nearestNames(name, known))} `
    + `Datastores with snapshots: ${known.join(', ') || 'none'}.`);
}
