import type { Command } from 'commander';
import {
  checkRerun, checkResume, deleteOperation, describeSummary, loadWorkspace, OperationStore, presentOperation, presentSyncOutcome, readProjectSettings, requestOperationAbort, runSync, summarize, settle, triggeredBy, type DatastoreDefinition, type OperationRecord, type SyncOptions, type SyncOutcome,
} from '../core';
import { clockOf, type CommandContext } from './commandContext';
import { describeOperation, parseOperationId } from './historyCommand';
import { CliError, colorsFor, writeJson, type CliIo, type OutputFormat } from './output';
import { TerminalProgress } from './progress';

/**
 * `cac history abort|resume|rerun|delete <id>`: the seed's operation actions. Abort reaches a sync
 * running in any process (operations/abortRequest.ts); resume and rerun run in the foreground like
 * `cac sync` (Ctrl-C aborts them again). Exit 0 when the action did what it says, 1 otherwise.
 */
export function registerHistoryActions(history: Command, context: CommandContext): void {
  history.command('abort')
    .description('stop a running operation (in any process); it ends aborted and can be resumed')
    .argument('<id>', 'operation id')
    .option('--no-wait', 'return once the request is left, without waiting for the operation to stop')
    .option('--timeout <seconds>', 'how long to wait for it to stop', parseSeconds, 30)
    .action(async (id: string, opts: { wait: boolean; timeout: number }) => {
      const { root, format } = context.common();
      context.setExitCode(await abortCommand(context.io, root, format, parseOperationId(id), opts.wait, opts.timeout * 1000));
    });
  history.command('resume')
    .description('continue an aborted operation from its checkpoint (same id, same options)')
    .argument('<id>', 'operation id')
    .option('--detailed-exitcode', 'exit 2 when anything changed')
    .action(async (id: string, opts: { detailedExitcode?: boolean }) => {
      const { root, format } = context.common();
      context.setExitCode(await resumeOrRerun(context, root, format, parseOperationId(id), 'resume', opts.detailedExitcode === true));
    });
  history.command('rerun')
    .description('start a finished operation again from the beginning, as a new operation with the same options')
    .argument('<id>', 'operation id')
    .option('--detailed-exitcode', 'exit 2 when anything changed')
    .action(async (id: string, opts: { detailedExitcode?: boolean }) => {
      const { root, format } = context.common();
      context.setExitCode(await resumeOrRerun(context, root, format, parseOperationId(id), 'rerun', opts.detailedExitcode === true));
    });
  history.command('delete')
    .description('remove the record of a finished operation')
    .argument('<id>', 'operation id')
    .action((id: string) => {
      const { root, format } = context.common();
      const store = new OperationStore(readProjectSettings(root).project.stateDir);
      const record = settle(deleteOperation(store, parseOperationId(id)));
      if (format === 'json') writeJson(context.io, { deleted: true, id: record.id });
      else context.io.stdout.write(`Operation ${record.id} deleted.\n`);
      context.setExitCode(0);
    });
}

async function abortCommand(io: CliIo, root: string, format: OutputFormat, id: number, wait: boolean, timeoutMs: number): Promise<number> {
  const store = new OperationStore(readProjectSettings(root).project.stateDir);
  settle(requestOperationAbort(store, id, triggeredBy(root, io.env), new Date()));
  let record: OperationRecord | undefined = store.get(id);
  if (wait) {
    const deadline = Date.now() + timeoutMs;
    while (record?.result === 'running' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      record = store.get(id);
    }
  }
  const result = record?.result ?? 'deleted';
  if (format === 'json') {
    writeJson(io, { requested: true, operation: record ? presentOperation(record) : null });
  } else if (!wait) {
    io.stdout.write(`Abort of operation ${id} requested; it stops at its next check (\`cac history show ${id}\`).\n`);
  } else if (result === 'running') {
    io.stdout.write(`Abort of operation ${id} requested, but it is still running after ${timeoutMs / 1000} s; it stops at its next check.\n`);
  } else {
    io.stdout.write(result === 'aborted' ? `Operation ${id} aborted.${record?.message ? ` ${record.message}` : ''}\n` : `Operation ${id} ended ${result} before the abort took effect.\n`);
  }
  return !wait || result === 'aborted' ? 0 : 1;
}

async function resumeOrRerun(context: CommandContext, root: string, format: OutputFormat, id: number, action: 'resume' | 'rerun', detailedExitcode: boolean): Promise<number> {
  const { io } = context;
  const workspace = loadWorkspace(root);
  const store = new OperationStore(workspace.project.stateDir);
  let datastore: DatastoreDefinition;
  let resume: OperationRecord | undefined;
  let options: Partial<SyncOptions> = {};
  if (action === 'resume') {
    ({ record: resume, datastore } = settle(checkResume(store, workspace, id)));
  } else {
    ({ datastore, options } = settle(checkRerun(store, workspace, id)));
  }
  const progress = format === 'text' ? new TerminalProgress(io) : undefined;
  const outcome = await runSync({
    workspace, datastore, options, resume, dryRun: false, env: io.env, signal: context.signal,
    onProgress: (p) => progress?.update(`${datastore.name}: ${p.phase}`, p.done, p.total),
    triggeredBy: triggeredBy(workspace.project.root, io.env), history: store, now: clockOf(io.env),
  });
  progress?.clear();
  printOutcome(io, format, outcome, action === 'resume' ? `Operation ${id} resumed` : `Operation ${id} rerun as operation ${outcome.operationId ?? '—'}`);
  if (outcome.result === 'failure' || outcome.result === 'aborted') return 1;
  return detailedExitcode && outcome.changed ? 2 : 0;
}

function printOutcome(io: CliIo, format: OutputFormat, outcome: SyncOutcome, headline: string): void {
  if (format === 'json') {
    writeJson(io, { ...presentSyncOutcome(outcome), operation: outcome.operation ? presentOperation(outcome.operation) : null });
    return;
  }
  const colors = colorsFor(io.stdout, io.env);
  if (outcome.refused) {
    io.stdout.write(`${colors.red('refused')}: ${outcome.message}\n`);
    return;
  }
  const counts = outcome.plan && outcome.result !== 'aborted' ? ` · ${describeSummary(summarize(outcome.plan), { unchanged: true }).join(', ')}` : '';
  io.stdout.write(`${headline}: ${outcome.result}${counts}\n`);
  if (outcome.operation) io.stdout.write(describeOperation(outcome.operation, new Date(), colors));
  else if (outcome.message) io.stdout.write(`  ${outcome.message}\n`);
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliError(`--timeout wants a number of seconds, not '${value}'.`);
  return seconds;
}
