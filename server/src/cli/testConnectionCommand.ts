import type { Command } from 'commander';
import { didYouMean, loadWorkspace, nearestNames, testConnection, visible } from '../core';
import type { CommandContext } from './commandContext';
import { CliError, colorsFor, writeJson } from './output';

/**
 * `cac test-connection <datastore>`: what the editor's "Test Connection" does, from a terminal.
 * Opens the source read-only, runs one harmless read and closes it (at most 10 s); exit 0 when
 * it answered, 1 when not. The message never holds a secret.
 */
export function registerTestConnectionCommand(program: Command, context: CommandContext): void {
  program.command('test-connection')
    .description('open a datastore\'s source read-only, run one harmless read and close it; exit 1 when it fails')
    .argument('<datastore>', 'the datastore')
    .action(async (name: string) => {
      const { root, format } = context.common();
      const { io } = context;
      const workspace = loadWorkspace(root);
      const datastore = workspace.datastores.find((d) => d.name === name);
      if (!datastore) {
        const suggestions = nearestNames(name, workspace.datastores.map((d) => d.name));
        throw new CliError(`No datastore named '${name}' is defined here.${didYouMean(suggestions)} (\`cac validate\` lists definitions with errors.)`);
      }
      const result = await testConnection(datastore, io.env, { signal: context.signal });
      if (format === 'json') {
        writeJson(io, { datastore: datastore.name, ok: result.ok, message: result.message, duration_ms: result.durationMs });
      } else if (result.ok) {
        const colors = colorsFor(io.stdout, io.env);
        io.stdout.write(`${colors.green('ok')} ${visible(result.message)} ${colors.dim(`(${result.durationMs} ms)`)}\n`);
      } else {
        io.stderr.write(`${colorsFor(io.stderr, io.env).red('failed')} ${visible(result.message)}\n`);
      }
      context.setExitCode(result.ok ? 0 : 1);
    });
}
