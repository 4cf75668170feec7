import { InvalidArgumentError, type Command } from 'commander';
import { clockOf, type CommandContext } from './commandContext';
import { CliError, writeJson } from './output';

/**
 * `cac serve [--host 127.0.0.1] [--port 8750]`: the HTTP API (server/src/api). Loopback by
 * default; any other address needs CAC_API_TOKEN. Prints the address it listens on (port 0 picks
 * a free one), serves until SIGINT/SIGTERM, then aborts the syncs it runs (recorded `aborted`)
 * and exits 0.
 */
export function registerServeCommand(program: Command, context: CommandContext): void {
  program.command('serve')
    .description('serve the HTTP API (loopback by default; other addresses need CAC_API_TOKEN)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 8750)
    .action(async (opts: { host: string; port: number }) => {
      const { root, format } = context.common();
      const { io } = context;
      if (!context.startApi) throw new CliError('This build of cac has no HTTP API; run the full `cac` program to serve it.');
      const api = await context.startApi({
        root, host: opts.host, port: opts.port, token: io.env.CAC_API_TOKEN, tokenName: io.env.CAC_API_TOKEN_NAME, env: io.env,
        now: clockOf(io.env),
        log: io.env.CAC_API_LOG ? (line) => io.stderr.write(`${line}\n`) : undefined,
      });
      if ('error' in api) throw new CliError(api.error);
      let address;
      try {
        address = await api.listen();
      } catch (error) {
        throw new CliError(`Cannot listen on ${opts.host}:${opts.port}: ${(error as Error).message}. Choose another --port or --host.`);
      }
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const url = `http://${host}:${address.port}`;
      if (format === 'json') writeJson(io, { listening: url, host: address.address, port: address.port, token_required: Boolean(io.env.CAC_API_TOKEN) });
      else io.stdout.write(`cac serve: listening on ${url} (API under ${url}/api/operations; Ctrl-C stops)\n`);
      await new Promise<void>((resolve) => {
        if (context.signal.aborted) resolve();
        else context.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await api.close('the API server was stopped');
      if (format === 'text') io.stdout.write('cac serve: stopped.\n');
      context.setExitCode(0);
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535.');
  return port;
}
