import type { Command } from 'commander';
import { abortableSleep, loadWorkspace, runDueSchedules, scheduledRunners, runScheduler, type SchedulerEvent } from '../core';
import { clockOf, type CommandContext } from './commandContext';
import { formatProblem, colorsFor, type CliIo } from './output';
import { reportLine, scheduleHost } from './scheduleCommand';

/**
 * `cac daemon`: runs the schedules continuously. Each round re-reads the definitions (so edits
 * take effect without a restart), runs what is due exactly as `cac schedule run-due` does, and
 * sleeps until the next scheduled time, at most a minute. SIGINT or SIGTERM stops it cleanly: a
 * scheduled sync in progress is aborted (recorded `aborted`, resumable) and the daemon exits 0.
 */
export function registerDaemonCommand(program: Command, context: CommandContext): void {
  program.command('daemon')
    .description('run the schedules continuously (stops cleanly on SIGINT/SIGTERM)')
    .action(async () => {
      const { root, format } = context.common();
      const clock = clockOf(context.io.env);
      const print = eventPrinter(context.io, format === 'json', clock);
      print({ type: 'started', root });
      await runScheduler({
        load: () => loadWorkspace(root),
        clock,
        sleep: abortableSleep,
        signal: context.signal,
        runDue: (workspace, now) => runDueSchedules({
          workspace, now, signal: context.signal,
          ...scheduledRunners(scheduleHost(context, workspace), workspace),
        }),
        onEvent: print,
      });
      context.setExitCode(0);
    });
}

/** One line per event: text for people, JSON Lines with `--format json` for log collectors. */
function eventPrinter(io: CliIo, json: boolean, clock: () => Date): (event: SchedulerEvent | { type: 'started'; root: string }) => void {
  const colors = colorsFor(io.stderr, io.env);
  return (event) => {
    const at = clock().toISOString();
    if (json) {
      const value = event.type === 'invalid-definitions'
        ? { at, type: event.type, problems: event.problems.map((p) => formatProblem(p, io.cwd, colorsFor({}, {}))) }
        : { at, ...event };
      io.stdout.write(JSON.stringify(value) + '\n');
      return;
    }
    const lines: string[] = [];
    switch (event.type) {
      case 'started':
        lines.push(`cac daemon: watching the schedules of ${event.root} (all times UTC; Ctrl-C or SIGTERM stops)`);
        break;
      case 'checked':
        for (const report of event.reports) if (report.action === 'ran' || report.action === 'first-seen' || report.action === 'invalid') lines.push(reportLine(report));
        break;
      case 'invalid-definitions':
        lines.push(`The definitions have errors; no schedule runs until they are fixed:`);
        for (const problem of event.problems) lines.push(`  ${formatProblem(problem, io.cwd, colors)}`);
        break;
      case 'load-failed':
        lines.push(event.message);
        break;
      case 'sleeping':
        if (event.next) lines.push(colors.dim(`next run ${event.next.toISOString().slice(0, 16).replace('T', ' ')} UTC`));
        break;
      case 'stopped':
        lines.push('cac daemon: stopped.');
        break;
    }
    for (const line of lines) io.stdout.write(`${at.slice(0, 19).replace('T', ' ')}Z ${line}\n`);
  };
}
