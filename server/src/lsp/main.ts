/**
 * `cac-language-server`: the Catalog as Code language server. Speaks plain LSP over
 * `--stdio` (any editor), `--node-ipc` (the VS Code extension), `--socket=<port>` or
 * `--pipe=<name>`; vscode-languageserver picks the transport from the arguments.
 */
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startLanguageServer } from './languageServer';

export function run(): void {
  const transports = ['--stdio', '--node-ipc', '--socket', '--pipe'];
  if (!process.argv.slice(2).some((arg) => transports.some((t) => arg === t || arg.startsWith(`${t}=`)))) {
    process.stderr.write('Usage: cac-language-server --stdio | --node-ipc | --socket=<port> | --pipe=<name>\n');
    process.exitCode = 2;
    return;
  }
  const connection = createConnection(ProposedFeatures.all);
  // Never crash on our own bug: an editor restarts a dying server only a few times, then gives up.
  process.on('uncaughtException', (error) => connection.console.error(`Unexpected error: ${error.stack ?? String(error)}`));
  process.on('unhandledRejection', (reason) => connection.console.error(`Unexpected rejection: ${(reason as Error)?.stack ?? String(reason)}`));
  startLanguageServer(connection);
}

if (require.main === module) run();
