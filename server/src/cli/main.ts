import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { IncludeKind } from '../core';
import { historyListCommand, historyShowCommand } from './historyCommand';
import { CliError, type CliIo, type OutputFormat } from './output';
import { syncCommand } from './syncCommand';
import { validateCommand } from './validateCommand';

/**
 * The `cac` command: a thin adapter that parses arguments, calls the engine and maps outcomes
 * to output and exit codes (0 ok, 1 error, 2 changes with --detailed-exitcode).
 */
export async function main(argv: readonly string[], io: CliIo, signal: AbortSignal): Promise<number> {
  let exitCode = 0;
  const program = new Command('cac')
    .description('Catalog as Code: datastore definitions, sync schedules and reviewable schema snapshots in git.')
    .version(VERSION)
    .option('--root <dir>', 'the catalog folder (default: the current folder)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  const common = (): { root: string; format: OutputFormat } => {
    const opts = program.opts<{ root?: string; format: OutputFormat }>();
    return { root: path.resolve(io.cwd, opts.root ?? '.'), format: opts.format };
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
    .action(async (names: string[], opts: { prune?: boolean; recreate?: boolean; include?: IncludeKind[]; forcePrune?: boolean; dryRun?: boolean; detailedExitcode?: boolean }) => {
      const { root, format } = common();
      exitCode = await syncCommand(io, {
        root, format, datastores: names, signal,
        prune: opts.prune, recreate: opts.recreate, include: opts.include,
        forcePrune: opts.forcePrune === true, dryRun: opts.dryRun === true, detailedExitcode: opts.detailedExitcode === true,
      });
    });

  const history = program.command('history').description('list and inspect sync operations (local state, not committed)');
  history.command('list', { isDefault: true })
    .description('operations, newest first')
    .option('--limit <n>', 'how many to show', parsePositive, 20)
    .option('--datastore <name>', 'only this datastore')
    .addOption(new Option('--status <result>', 'only this result').choices(['running', 'success', 'warning', 'failure', 'aborted']))
    .addOption(new Option('--sort <key>', 'order').choices(['created', 'duration']).default('created'))
    .action((opts: { limit: number; datastore?: string; status?: string; sort: 'created' | 'duration' }) => {
      const { root, format } = common();
      exitCode = historyListCommand(io, { root, format, ...opts });
    });
  history.command('show')
    .description('one operation with its changes and logs')
    .argument('<id>', 'operation id')
    .action((id: string) => {
      const { root, format } = common();
      exitCode = historyShowCommand(io, root, id, format);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (code?.startsWith('commander.')) return 1;
    io.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

declare const CAC_VERSION: string | undefined;
const VERSION = typeof CAC_VERSION === 'string' ? CAC_VERSION : '0.0.0-dev';

function parseInclude(value: string): IncludeKind[] {
  const kinds = value.split(',').map((k) => k.trim()).filter(Boolean);
  for (const kind of kinds) {
    if (kind !== 'table' && kind !== 'view') throw new InvalidArgumentError(`'${kind}' is not a container kind; use table, view or table,view.`);
  }
  if (kinds.length === 0) throw new InvalidArgumentError('give at least one of table, view.');
  return [...new Set(kinds as IncludeKind[])].sort();
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer.');
  return n;
}

/** Process entry: real streams, Ctrl-C aborts the running operation cooperatively. */
export function run(): void {
  const controller = new AbortController();
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nAborting… (press Ctrl-C again to quit at once)\n');
    controller.abort(new Error('aborted by the user'));
  });
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }, controller.signal)
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error: unknown) => {
      process.stderr.write(`error: ${String(error)}\n`);
      process.exitCode = 1;
    });
}

if (require.main === module) run();
