import {
  compareByName, countBreaking, datastoreSnapshotDir, removeContainers, visible, describeChange, describeSummary, didYouMean, encodeSnapshotBase, hasErrors, loadWorkspace, nearestNames, OperationStore, readWorkingTreeSnapshots, ReviewInputError, reviewSyncOutcomes, presentSyncOutcome, runSync, summarize, triggeredBy, type ContainerChange, type DatastoreDefinition, type IncludeKind, type SnapshotTree, type SyncOutcome, type SyncToReview,
} from '../core';
import { reviewLocation, shellWord, writeReview } from './diffCommand';
import { CliError, colorsFor, formatProblem, writeJson, type CliIo, type ReviewOutputFormat } from './output';
import { TerminalProgress } from './progress';


export interface SyncCommandOptions {
  root: string;
  datastores: string[];
  prune?: boolean;
  recreate?: boolean;
  include?: IncludeKind[];
  forcePrune: boolean;
  dryRun: boolean;
  detailedExitcode: boolean;
  /** Exit 2 on any change (as --detailed-exitcode), or only on a breaking one. */
  failOn?: 'any' | 'breaking';
  /** List every changed container (text output lists the first CHANGES_SHOWN and counts the rest). */
  verbose?: boolean;
  /** `markdown` prints the review `cac diff` would print once the sync is written (a PR comment). */
  format: ReviewOutputFormat;
  signal: AbortSignal;
}

/**
 * `cac sync`: syncs the named datastores (all when none is named), one after the other.
 * Exit 0 ok, 1 on invalid definitions or a failed/aborted operation, 2 with
 * `--detailed-exitcode` when anything changed (or would, in a dry run).
 */
export async function syncCommand(io: CliIo, options: SyncCommandOptions): Promise<number> {
  const workspace = loadWorkspace(options.root);
  const colors = colorsFor(io.stdout, io.env);
  if (hasErrors(workspace.problems)) {
    const errors = workspace.problems.filter((p) => p.severity === 'error');
    for (const problem of errors) io.stderr.write(formatProblem(problem, io.cwd, colorsFor(io.stderr, io.env)) + '\n');
    throw new CliError(`Nothing was synced: the definitions have ${errors.length} error${errors.length === 1 ? '' : 's'}. Fix them (see \`cac validate\`) and sync again.`);
  }
  const selected = selectDatastores(workspace.datastores, options.datastores);
  const history = new OperationStore(workspace.project.stateDir);
  const user = triggeredBy(workspace.project.root, io.env);
  const progress = options.format === 'text' ? new TerminalProgress(io) : undefined;
  const outcomes: SyncOutcome[] = [];
  // The review compares the snapshots as they are before the sync with the sync's plan applied.
  const reviewBefore = options.format === 'markdown' ? reviewInput(() => readWorkingTreeSnapshots(workspace.project.root, { folders: selected.map((d) => encodeSnapshotBase(d.name)) })) : undefined;
  const reviewed: SyncToReview[] = [];
  for (const datastore of selected) {
    const outcome = await runSync({
      workspace, datastore,
      options: { prune: options.prune, recreate: options.recreate, include: options.include, forcePrune: options.forcePrune },
      dryRun: options.dryRun,
      env: io.env,
      signal: options.signal,
      onProgress: (p) => progress?.update(`${datastore.name}: ${p.phase}`, p.done, p.total),
      triggeredBy: user,
      history,
    });
    progress?.clear();
    outcomes.push(outcome);
    reviewed.push({ folder: encodeSnapshotBase(datastore.name), datastoreDir: datastoreSnapshotDir(workspace.project.snapshotsDir, datastore.name), outcome });
    if (options.format === 'text') printOutcome(io, outcome, options.dryRun, colors, options.verbose === true);
    if (options.signal.aborted) break;
  }
  if (options.format === 'json') {
    writeJson(io, {
      dry_run: options.dryRun,
      changed: outcomes.some((o) => o.changed),
      operations: outcomes.map(presentSyncOutcome),
    });
  } else if (options.format === 'markdown') {
    writeSyncReview(io, reviewBefore!, reviewed, options);
  } else if (options.dryRun) {
    io.stdout.write(colors.dim('Dry run: nothing was written.\n'));
  }
  if (outcomes.some((o) => o.result === 'failure' || o.result === 'aborted' || o.result === 'refused')) return 1;
  if (options.failOn === 'breaking') return outcomes.some((o) => o.plan !== undefined && countBreaking(o.plan) > 0) ? 2 : 0;
  return (options.detailedExitcode || options.failOn === 'any') && outcomes.some((o) => o.changed) ? 2 : 0;
}

/**
 * `cac remove <datastore> <container…>`: removes containers from the catalog (their snapshots go,
 * the index keeps them as removed, so syncs leave them out until one runs with --recreate).
 * Exit 0 when removed, 1 when nothing was (an unknown name, a busy datastore).
 */
export async function removeCommand(io: CliIo, options: { root: string; format: 'text' | 'json'; datastore: string; containers: string[]; dryRun: boolean }): Promise<number> {
  const workspace = loadWorkspace(options.root);
  if (hasErrors(workspace.problems)) {
    throw new CliError(`Nothing was removed: the definitions have errors. Fix them (see \`cac validate\`) first.`);
  }
  const [datastore] = selectDatastores(workspace.datastores, [options.datastore]);
  const outcome = await removeContainers({
    workspace, datastore: datastore!, names: options.containers, dryRun: options.dryRun,
    history: new OperationStore(workspace.project.stateDir), triggeredBy: triggeredBy(workspace.project.root, io.env),
  });
  if (options.format === 'json') writeJson(io, { dry_run: options.dryRun, changed: outcome.changed, operations: [presentSyncOutcome(outcome)] });
  else printOutcome(io, outcome, options.dryRun, colorsFor(io.stdout, io.env));
  return outcome.result === 'success' || outcome.result === 'warning' ? 0 : 1;
}

function writeSyncReview(io: CliIo, before: SnapshotTree, reviewed: readonly SyncToReview[], options: SyncCommandOptions): void {
  const scope = options.datastores.length > 0 ? options.datastores : undefined;
  const review = reviewInput(() => reviewSyncOutcomes(before, reviewed, { scope, dryRun: options.dryRun }));
  const command = ['cac', 'sync', ...(options.dryRun ? ['--dry-run'] : []), ...options.datastores.map(shellWord)].join(' ');
  writeReview(io, review, 'markdown', reviewLocation(io.env, command));
}

/** An invalid snapshot stops a review (a sync only warns about it): say where, exit 1. */
function reviewInput<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ReviewInputError) throw new CliError(error.message);
    throw error;
  }
}

function selectDatastores(all: readonly DatastoreDefinition[], names: readonly string[]): DatastoreDefinition[] {
  if (names.length === 0) {
    if (all.length === 0) throw new CliError('No datastores are defined here. Add a YAML file with `kind: Datastore`, or pass --root.');
    return [...all].sort(compareByName);
  }
  return names.map((name) => {
    const found = all.find((d) => d.name === name);
    if (!found) throw new CliError(`No datastore named '${name}'.${didYouMean(nearestNames(name, all.map((d) => d.name)))} Defined: ${all.map((d) => d.name).join(', ') || 'none'}.`);
    return found;
  });
}

const MARKS: Record<ContainerChange['action'], string> = {
  new: '+', recreated: '+', changed: '~', unchanged: ' ', missing: '?', pruned: '-', still_removed: '·', removed: '-',
};

/** Changed containers text output lists before it only counts the rest: a first sync of 6,000 tables is a summary, not 6,000 lines. */
const CHANGES_SHOWN = 50;

function printOutcome(io: CliIo, outcome: SyncOutcome, dryRun: boolean, colors: ReturnType<typeof colorsFor>, verbose = false): void {
  const result = outcome.result === 'success' ? colors.green(outcome.result)
    : outcome.result === 'warning' ? colors.yellow(outcome.result) : colors.red(outcome.result);
  const operation = outcome.operationId !== undefined ? `operation ${outcome.operationId}, ` : '';
  // Names and messages quote the source (table and file names): shown escaped, never interpreted by the terminal.
  let line = `${colors.bold(visible(outcome.datastore))}: ${result}`;
  if (outcome.plan) {
    const parts = describeSummary(summarize(outcome.plan), { unchanged: true });
    line += ` · ${parts.join(', ')}${outcome.changed ? '' : dryRun ? ' · no changes' : ' · no changes, nothing written'}`;
  }
  io.stdout.write(`${line} ${colors.dim(`(${operation}${(outcome.durationMs / 1000).toFixed(2)} s)`)}\n`);
  if (outcome.message) io.stdout.write(`  ${visible(outcome.message)}\n`);
  // What an object store was asked (requests, bytes) is part of the summary: it is what a cloud bills.
  const usage = outcome.logs.find((log) => log.code === 'store-usage');
  if (usage) io.stdout.write(colors.dim(`  ${visible(usage.message)}\n`));
  const changed = (outcome.plan?.changes ?? []).filter((change) => change.action !== 'unchanged');
  for (const change of verbose ? changed : changed.slice(0, CHANGES_SHOWN)) {
    const described = describeChange(change);
    const mark = MARKS[change.action];
    const colored = mark === '+' ? colors.green(mark) : mark === '-' ? colors.red(mark) : mark === '~' ? colors.yellow(mark) : mark;
    io.stdout.write(`  ${colored} ${visible(change.name)}${described.details?.length ? colors.dim(` — ${visible(described.details.join('; '))}`) : ''}\n`);
  }
  if (!verbose && changed.length > CHANGES_SHOWN) io.stdout.write(colors.dim(`  … and ${changed.length - CHANGES_SHOWN} more changed containers (--verbose lists them all; --format json and markdown always do)\n`));
  for (const log of outcome.logs) {
    if (log.level === 'info') continue;
    const where = visible([log.container, log.file].filter(Boolean).join(' · '));
    io.stdout.write(`  ${log.level === 'error' ? colors.red('error') : colors.yellow('warning')} ${colors.dim(log.code)}: ${where ? `${where}: ` : ''}${visible(log.message)}\n`);
  }
}
