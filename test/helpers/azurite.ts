import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from './waitFor';

/**
 * Microsoft's Azure Storage emulator, Azurite (its blob service only), run as a child process on
 * a free loopback port with its data in a temporary folder. Tests talk the real Blob protocol to
 * it. Telemetry is always off: otherwise Azurite reaches out to a telemetry host.
 */
export interface Azurite {
  /** The blob endpoint of the development account, `http://127.0.0.1:<port>/devstoreaccount1`. */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** Azurite's documented development account and key (public, the same for everyone: not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const AZURITE_BLOB_MAIN = path.join(__dirname, '..', '..', 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');

export async function startAzurite(): Promise<Azurite> {
  const location = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-azurite-'));
  const child = spawn(process.execPath, [
    AZURITE_BLOB_MAIN,
    '--blobHost', '127.0.0.1', '--blobPort', '0',
    '--location', location,
    '--silent', '--disableTelemetry', '--skipApiVersionCheck', '--loose',
  ], { cwd: location, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = (): Promise<void> => stopChild(child).finally(() => fs.rmSync(location, { recursive: true, force: true }));
  try {
    // Port 0: Azurite says which port it got.
    const port = await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`Azurite exited (${child.exitCode}): ${output}`);
      const match = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      return match ? Number(match[1]) : undefined;
    }, () => `Azurite to listen (its output: ${output})`);
    await waitFor(() => answers(port), `Azurite to answer on 127.0.0.1:${port}`);
    return { endpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Any HTTP answer (an unsigned request gets 403) means the service is up. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: `/${AZURITE_ACCOUNT}?comp=list`, timeout: 1000 }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
  });
}

/** Ends the child's process group (SIGTERM, then SIGKILL if it lingers) and waits for it to exit. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  signalGroup('SIGTERM');
  const killed = setTimeout(() => signalGroup('SIGKILL'), 5000);
  await exited;
  clearTimeout(killed);
}
