import { InvalidArgumentError, type Command } from 'commander';
import {
  compareByName, definitionProblem, visible, describeTiming, didYouMean, loadWorkspace, nearestNames, nextRuns, runDueSchedules, scheduledRunners, ScheduleStateStore, triggeredBy, type ScheduleDefinition, type ScheduleHost, type ScheduleReport, type Workspace,
} from '../core';
import { clockOf, type CommandContext } from './commandContext';
import { CliError, colorsFor, formatProblem, writeJson, type CliIo } from './output';

/**
 * `cac schedule list | next <name> [-n 5] | run-due`. All times are UTC. `run-due` is meant for
 * system cron or CI (`*\/5 * * * * cac schedule run-due --root …`): each call runs every enabled
 * schedule whose time has come since its last run, once (core/schedules/runDue.ts).
 */
export function registerScheduleCommands(program: Command, context: CommandContext): void {
  const schedule = program.command('schedule').description('list schedules, show their next runs, run the due ones (all UTC)');
  schedule.command('list', { isDefault: true })
    .description('every schedule with its timing, next run and last run')
    .action(() => {
      const { root, format } = context.common();
      context.setExitCode(listCommand(context.io, root, format === 'json', clockOf(context.io.env)()));
    });
  schedule.command('next')
    .description('the next runs of one schedule')
    .argument('<name>', 'schedule name')
    .option('-n, --count <n>', 'how many runs', parseCount, 5)
    .action((name: string, opts: { count: number }) => {
      const { root, format } = context.common();
      context.setExitCode(nextCommand(context.io, root, name, opts.count, format === 'json', clockOf(context.io.env)()));
    });
  schedule.command('run-due')
    .description('run each enabled schedule whose time has come since its last run, once (for system cron or CI)')
    .action(async () => {
      const { root, format } = context.common();
      context.setExitCode(await runDueCommand(context, root, format === 'json'));
    });
}

function listCommand(io: CliIo, root: string, json: boolean, now: Date): number {
  const workspace = loadWorkspace(root);
  const states = new ScheduleStateStore(workspace.project.stateDir);
  const rows = [...workspace.schedules].sort(compareByName).map((s) => {
    const state = states.get(s.name);
    return {
      name: s.name, datastore: s.datastore, enabled: s.enabled,
      timing: s.timing ? describeTiming(s.timing) : null,
      next_run: s.timing && s.enabled ? nextRuns(s.timing, now, 1)[0]!.toISOString() : null,
      last_run: state?.last_run ?? null,
    };
  });
  if (json) {
    writeJson(io, { now: now.toISOString(), schedules: rows });
    return 0;
  }
  if (rows.length === 0) {
    io.stdout.write('No schedules are defined. Add a YAML document with `kind: Schedule` (see the README).\n');
    return 0;
  }
  const colors = colorsFor(io.stdout, io.env);
  const table = rows.map((r) => [r.name, r.datastore, r.enabled ? (r.timing ?? 'invalid timing') : `disabled (${r.timing ?? 'invalid timing'})`, r.next_run ? runText(r.next_run) : '—',
    r.last_run ? `${runText(r.last_run.slot)} ${r.last_run.result ?? ''}${r.last_run.operation_id ? ` (#${r.last_run.operation_id})` : ''}` : '—']);
  const header = ['SCHEDULE', 'DATASTORE', 'TIMING', 'NEXT RUN', 'LAST RUN'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  io.stdout.write(colors.dim(line(header)) + '\n');
  for (const row of table) io.stdout.write(line(row) + '\n');
  return 0;
}

function nextCommand(io: CliIo, root: string, name: string, count: number, json: boolean, now: Date): number {
  const workspace = loadWorkspace(root);
  const schedule = findSchedule(workspace, name);
  if (!schedule.timing) throw new CliError(`Schedule '${name}' has no valid timing; \`cac validate\` says why.`);
  const runs = nextRuns(schedule.timing, now, count).map((run) => run.toISOString());
  if (json) {
    writeJson(io, { schedule: schedule.name, datastore: schedule.datastore, enabled: schedule.enabled, timing: describeTiming(schedule.timing), next_runs: runs });
    return 0;
  }
  io.stdout.write(`${schedule.name} (${schedule.datastore}): ${describeTiming(schedule.timing)}${schedule.enabled ? '' : ' — disabled, so none of these will run'}\n`);
  for (const run of runs) io.stdout.write(`  ${runText(run)}\n`);
  return 0;
}

async function runDueCommand(context: CommandContext, root: string, json: boolean): Promise<number> {
  const { io } = context;
  const workspace = loadWorkspace(root);
  const problem = definitionProblem(workspace);
  if (problem) {
    for (const p of workspace.problems.filter((x) => x.severity === 'error')) io.stderr.write(formatProblem(p, io.cwd, colorsFor(io.stderr, io.env)) + '\n');
    throw new CliError(problem);
  }
  const reports = await runDueSchedules({
    workspace, now: clockOf(io.env)(), signal: context.signal,
    ...scheduledRunners(scheduleHost(context, workspace), workspace),
  });
  printReports(io, reports, json);
  return reports.some((r) => r.action === 'ran' && (r.result === 'failure' || r.result === 'aborted')) ? 1 : 0;
}

/** What a scheduled sync takes from the command: its environment, its abort signal, its user and clock. */
export function scheduleHost(context: CommandContext, workspace: Workspace): ScheduleHost {
  return { env: context.io.env, signal: context.signal, triggeredBy: triggeredBy(workspace.project.root, context.io.env), clock: clockOf(context.io.env) };
}

export function printReports(io: CliIo, reports: readonly ScheduleReport[], json: boolean): void {
  if (json) {
    writeJson(io, { schedules: reports });
    return;
  }
  if (reports.length === 0) io.stdout.write('No schedules are defined, and no new datastore waits for its initial sync.\n');
  for (const report of reports) io.stdout.write(reportLine(report) + '\n');
}

export function reportLine(r: ScheduleReport): string {
  const next = r.next_run ? `; next ${runText(r.next_run)}` : '';
  switch (r.action) {
    case 'ran':
      if (!r.slot) return `${r.datastore}: initial sync (a new datastore without snapshots) → ${r.result}${r.operation_id ? ` (operation ${r.operation_id})` : ''}${r.message && r.result !== 'success' ? ` — ${visible(r.message)}` : ''}`;
      return `${r.schedule}: ran the ${runText(r.slot!)} run of '${r.datastore}' → ${r.result}${r.operation_id ? ` (operation ${r.operation_id})` : ''}${r.message && r.result !== 'success' ? ` — ${visible(r.message)}` : ''}${next}`;
    case 'first-seen':
      return `${r.schedule}: first seen; its first run is its next time${next}`;
    case 'disabled':
      return `${r.schedule}: disabled`;
    case 'not-due':
      return `${r.schedule}: not due${next}`;
    default:
      return `${r.schedule}: ${r.action} — ${r.message ?? ''}`;
  }
}

function findSchedule(workspace: Workspace, name: string): ScheduleDefinition {
  const found = workspace.schedules.find((s) => s.name === name);
  if (found) return found;
  const names = workspace.schedules.map((s) => s.name);
  throw new CliError(`No schedule named '${name}'.${didYouMean(nearestNames(name, names))} Defined: ${names.join(', ') || 'none'}.`);
}

function runText(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('must be an integer from 1 to 1000.');
  return n;
}
