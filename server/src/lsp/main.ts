/**
 * `cac-language-server`: the Catalog as Code language server. Speaks plain LSP over
 * `--stdio` (any editor), `--node-ipc` (the VS Code extension), `--socket=<port>` or
 * `--pipe=<name>`; vscode-languageserver picks the transport from the arguments.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startLanguageServer, type LanguageServerHost } from './languageServer';

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
  startLanguageServer(connection, { analysisCache: analysisCacheOf(process.env) });
}

/**
 * The analyses cache of the built server: `CAC_CACHE_DIR`, else the user's cache folder, never
 * the repository. Its build key is the bundle itself (size and time), so any rebuild starts a
 * new cache. Running from sources (tests through tsx) has no cache: its code changes unseen.
 */
function analysisCacheOf(env: NodeJS.ProcessEnv): LanguageServerHost['analysisCache'] {
  if (typeof CAC_VERSION !== 'string') return undefined;
  if (env.CAC_CACHE_DIR === 'off') return undefined;
  const base = env.CAC_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'catalog-as-code');
  try {
    const bundle = fs.statSync(__filename);
    return { dir: path.join(base, 'definitions'), build: `${CAC_VERSION}:${bundle.size}:${Math.round(bundle.mtimeMs)}` };
  } catch {
    return undefined;
  }
}

declare const CAC_VERSION: string | undefined;

if (require.main === module) run();
