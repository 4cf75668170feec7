import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ActionRefused, ENGINE_VERSION, isFolder, OPERATION_RESULTS, type IncludeKind, type OperationResult } from '../core';
import { diffCommand } from './diffCommand';
import { clockOf, type ApiStarter, type CommandContext } from './commandContext';
import { registerDaemonCommand } from './daemonCommand';
import { registerHistoryActions } from './historyActionsCommand';
import { historyActivityCommand } from './historyActivityCommand';
import { historyListCommand, historyShowCommand } from './historyCommand';
import { registerScheduleCommands } from './scheduleCommand';
import { registerOverrideCommands } from './overrideCommand';
import { registerTestConnectionCommand } from './testConnectionCommand';
import { registerServeCommand } from './serveCommand';
import { CliError, type CliIo, type OutputFormat, type ReviewOutputFormat } from './output';
import { removeCommand, syncCommand } from './syncCommand';
import { validateCommand } from './validateCommand';

/**
 * The `cac` command: a thin adapter that parses arguments, calls the engine and maps outcomes
 * to output and exit codes (0 ok, 1 error, 2 changes with --detailed-exitcode). `startApi` is
 * the HTTP API behind `cac serve`, given by the program's entry (server/src/cac.ts): the CLI
 * and the API are hosts side by side, neither imports the other.
 */
export async function main(argv: readonly string[], io: CliIo, signal: AbortSignal, startApi?: ApiStarter): Promise<number> {
  let exitCode = 0;
  const program = new Command('cac')
    .description('Catalog as Code: datastore definitions, sync schedules and reviewable schema snapshots in git.')
    .version(ENGINE_VERSION)
    .option('--root <dir>', 'the catalog folder (default: the current folder)')
    .option('--debug', 'print the stack of an unexpected error (as CAC_DEBUG=1 does)')
    .addOption(new Option('--format <format>', 'output format (markdown: diff and sync only, for pull-request comments)').choices(['text', 'json', 'markdown']).default('text'))
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  const common = (): { root: string; format: OutputFormat } => {
    const { root, format } = reviewCommon();
    if (format === 'markdown') throw new CliError('--format markdown is for `cac diff` and `cac sync`; use text or json here.');
    return { root, format };
  };
  // Commands that print a review (diff, sync) accept Markdown as well.
  const reviewCommon = (): { root: string; format: ReviewOutputFormat } => {
    const opts = program.opts<{ root?: string; format: ReviewOutputFormat }>();
    const root = path.resolve(io.cwd, opts.root ?? '.');
    // A mistyped --root must not pass as "nothing defined here" (a CI job would go green).
    if (!isFolder(root)) throw new CliError(`--root ${opts.root ?? '.'}: ${fs.existsSync(root) ? 'is not a folder' : 'no such folder'} (${root}). Check the path.`);
    return { root, format: opts.format };
  };

  program.command('validate')
    .description('check every datastore, schedule and overrides definition; exit 1 on errors')
    .action(() => {
      const { root, format } = common();
      exitCode = validateCommand(io, root, format);
    });

  program.command('sync')
    .description('discover containers and fields and write snapshot files (all datastores when none is named)')
    .argument('[datastore...]', 'names of the datastores to sync')
    .option('--prune', 'delete snapshots of containers gone from the source')
    .option('--no-prune', 'keep snapshots of containers gone from the source')
    .option('--recreate', 'bring back containers that were removed from the catalog')
    .option('--no-recreate', 'keep removed containers out of the catalog')
    .option('--include <kinds>', 'table, view or table,view', parseInclude)
    .option('--force-prune', 'allow a prune larger than the datastore\'s prune_limit')
    .option('--dry-run', 'show what would change without writing anything')
    .option('--detailed-exitcode', 'exit 2 when anything changed (0 when nothing did)')
    .addOption(new Option('--fail-on <what>', 'exit 2 on any change, or only on a breaking one (for CI gates)').choices(['any', 'breaking']))
    .option('--verbose', 'list every changed container (text output lists the first 50)')
    .action(async (names: string[], opts: { prune?: boolean; recreate?: boolean; include?: IncludeKind[]; forcePrune?: boolean; dryRun?: boolean; detailedExitcode?: boolean; failOn?: 'any' | 'breaking'; verbose?: boolean }) => {
      const { root, format } = reviewCommon();
      exitCode = await syncCommand(io, {
        root, format, datastores: names, signal,
        prune: opts.prune, recreate: opts.recreate, include: opts.include,
        forcePrune: opts.forcePrune === true, dryRun: opts.dryRun === true, detailedExitcode: opts.detailedExitcode === true, failOn: opts.failOn, verbose: opts.verbose === true,
      });
    });

  program.command('remove')
    .description('remove containers from the catalog: their snapshots go, and syncs leave them out until one runs with --recreate')
    .argument('<datastore>', 'the datastore')
    .argument('<container...>', 'container names, as in its snapshots')
    .option('--dry-run', 'say what would be removed without writing anything')
    .action(async (datastore: string, containers: string[], opts: { dryRun?: boolean }) => {
      const { root, format } = common();
      exitCode = await removeCommand(io, { root, format, datastore, containers, dryRun: opts.dryRun === true });
    });

  program.command('diff')
    .description('review snapshot changes between two git revisions, or a revision and the working tree (all datastores when none is named)')
    .argument('[datastore...]', 'names of the datastores to review')
    .option('--base <git-ref>', 'the revision to compare from (default: HEAD)')
    .option('--head <git-ref>', 'the revision to compare to (default: the working tree)')
    .option('--detailed-exitcode', 'exit 2 when anything changed (0 when nothing did)')
    .addOption(new Option('--fail-on <what>', 'exit 2 on any change, or only on a breaking one (for CI gates)').choices(['any', 'breaking']))
    .action((names: string[], opts: { base?: string; head?: string; detailedExitcode?: boolean; failOn?: 'any' | 'breaking' }) => {
      const { root, format } = reviewCommon();
      exitCode = diffCommand(io, { root, format, datastores: names, base: opts.base, head: opts.head, detailedExitcode: opts.detailedExitcode === true, failOn: opts.failOn });
    });

  const history = program.command('history').description('list and inspect sync operations (local state, not committed)');
  history.command('list', { isDefault: true })
    .description('operations, newest first: search, sort, filter and page as the seed\'s Activity list')
    .option('--limit <n>', 'operations per page', parsePositive, 20)
    .option('--page <n>', 'page number, from 1', parsePositive, 1)
    .option('--search <text>', 'an operation id, or part of a datastore, schedule or triggered-by')
    .option('--datastore <name>', 'only this datastore (name or id)')
    .option('--status <results>', `only these results, comma-separated: ${OPERATION_RESULTS.join(', ')}`, parseResults)
    .addOption(new Option('--type <type>', 'only this operation type (a sync; the seed calls it catalog)').choices(['catalog', 'sync']))
    .option('--container <name>', 'only operations that changed or logged this container (table)')
    .option('--from <day>', 'only operations created on or after this UTC day, YYYY-MM-DD')
    .option('--to <day>', 'only operations created before this UTC day, YYYY-MM-DD (excluded: one day D is --from D --to D+1)')
    .option('--facets', 'with --format json: also count the operations per status, type and datastore, each ignoring its own filter')
    .addOption(new Option('--sort <key>', 'order by').choices(['created', 'duration']).default('created'))
    .addOption(new Option('--order <order>', 'desc: newest or longest first').choices(['asc', 'desc']).default('desc'))
    .action((opts: {
      limit: number; page: number; search?: string; datastore?: string; status?: OperationResult[]; type?: 'catalog' | 'sync'; container?: string;
      from?: string; to?: string; facets?: boolean; sort: 'created' | 'duration'; order: 'asc' | 'desc';
    }) => {
      const { root, format } = common();
      exitCode = historyListCommand(io, { root, format, ...opts, now: clockOf(io.env)() });
    });
  history.command('show')
    .description('one operation with its changes and logs')
    .argument('<id>', 'operation id')
    .action((id: string) => {
      const { root, format } = common();
      exitCode = historyShowCommand(io, root, id, format, clockOf(io.env)());
    });
  history.command('activity')
    .description('operations per UTC day as a heatmap (weeks × weekdays), totals per result, the longest and the failing ones')
    .option('--from <day>', 'first UTC day, YYYY-MM-DD (default: 365 days before --to)')
    .option('--to <day>', 'the UTC day after the last one shown, YYYY-MM-DD, excluded (default: tomorrow, so today is the last day)')
    .option('--datastore <name>', 'only this datastore (name or id)')
    .action((opts: { from?: string; to?: string; datastore?: string }) => {
      const { root, format } = common();
      exitCode = historyActivityCommand(io, { root, format, ...opts, now: clockOf(io.env)() });
    });
  // The operation actions, schedules, the daemon and the API register themselves; see each file.
  const context: CommandContext = { io, signal, common, setExitCode: (code) => { exitCode = code; }, startApi };
  registerHistoryActions(history, context);
  registerScheduleCommands(program, context);
  registerDaemonCommand(program, context);
  registerServeCommand(program, context);
  registerOverrideCommands(program, context);
  registerTestConnectionCommand(program, context);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    // A program that asked for JSON gets its errors as JSON too, on stdout where it reads.
    const json = program.opts<{ format?: string }>().format === 'json';
    const report = (message: string, exit: number): number => {
      if (json) io.stdout.write(JSON.stringify({ error: { message, exit_code: exit } }) + '\n');
      else io.stderr.write(`error: ${message}\n`);
      return exit;
    };
    if (error instanceof CliError || error instanceof ActionRefused) return report(error.message, error instanceof CliError ? error.exitCode : 1);
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (code?.startsWith('commander.')) return 1;
    const debug = program.opts<{ debug?: boolean }>().debug === true;
    return report(describeUnexpected(error, debug ? { ...io.env, CAC_DEBUG: '1' } : io.env), 1);
  }
}


function parseInclude(value: string): IncludeKind[] {
  const kinds = value.split(',').map((k) => k.trim()).filter(Boolean);
  for (const kind of kinds) {
    if (kind !== 'table' && kind !== 'view') throw new InvalidArgumentError(`'${kind}' is not a container kind; use table, view or table,view.`);
  }
  if (kinds.length === 0) throw new InvalidArgumentError('give at least one of table, view.');
  return [...new Set(kinds as IncludeKind[])].sort();
}

function parseResults(value: string): OperationResult[] {
  const results = value.split(',').map((r) => r.trim()).filter(Boolean);
  for (const result of results) {
    if (!(OPERATION_RESULTS as readonly string[]).includes(result)) throw new InvalidArgumentError(`'${result}' is not a result; use ${OPERATION_RESULTS.join(', ')}.`);
  }
  return results as OperationResult[];
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer.');
  return n;
}

/**
 * An error no command expected, in one line: a file system error says which file and what to do;
 * the stack only with CAC_DEBUG set (a stack is for us, not for the person at the terminal).
 */
export function describeUnexpected(error: unknown, env: Readonly<Record<string, string | undefined>>): string {
  if (env.CAC_DEBUG) return (error as Error).stack ?? String(error);
  const { code, path: file, syscall } = error as NodeJS.ErrnoException;
  const advice = code ? FILE_SYSTEM_ADVICE[code] : undefined;
  if (advice && file) return `cannot ${syscall ?? 'use'} ${file}: ${advice[0]} (${code}). ${advice[1]}`;
  return `${(error as Error).message ?? String(error)} (set CAC_DEBUG=1 for the details, and report it if it looks like our bug).`;
}

const FILE_SYSTEM_ADVICE: Record<string, [string, string]> = {
  EACCES: ['permission denied', 'Give your user read (and for syncs, write) access to it, or run as its owner.'],
  EPERM: ['operation not permitted', 'Check the permissions and attributes of the file and its folder.'],
  ENOENT: ['no such file or folder', 'Check the path, or run `cac validate` to see what the definitions name.'],
  ENOTDIR: ['a part of the path is not a folder', 'Check the path.'],
  EISDIR: ['it is a folder', 'Name a file instead.'],
  ENOSPC: ['the disk is full', 'Free some space, then run the command again (files are never left half-written).'],
  EROFS: ['the file system is read-only', 'Run where the catalog can be written, or use --dry-run.'],
  EMFILE: ['too many open files', 'Raise the limit (ulimit -n) and run again.'],
};
