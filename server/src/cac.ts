import type { ApiStarter } from './cli/commandContext';
import { describeUnexpected, main } from './cli/main';

// Loaded by `cac serve` only: the HTTP stack and the API's modules cost every other command ~20 ms to initialize.
const startApi: ApiStarter = async (options) => (await import('./api/apiServer')).createApiServer(options);

/**
 * The `cac` program (bin/cac.js runs its bundle, dist/cli.js): the command line, with the HTTP
 * API behind `cac serve`. This entry is the one place that wires the two hosts together, and
 * the only code that owns the process: its streams, its signals and its exit status.
 *
 * Ctrl-C aborts the running operation cooperatively (a second one quits at once); SIGTERM does
 * the same, so `cac daemon` and `cac serve` stop cleanly under a service manager.
 */
export function run(): void {
  // `cac history | head -1`: a reader that stops reading ends us quietly, as it does any Unix tool.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  const controller = new AbortController();
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nAborting… (press Ctrl-C again to quit at once)\n');
    controller.abort(new Error('aborted by the user'));
  });
  process.on('SIGTERM', () => {
    if (interrupted) process.exit(143);
    interrupted = true;
    controller.abort(new Error('stopped by SIGTERM'));
  });
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }, controller.signal, startApi)
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error: unknown) => {
      process.stderr.write(`error: ${describeUnexpected(error, process.env)}\n`);
      process.exitCode = 1;
    });
}

if (require.main === module) run();
