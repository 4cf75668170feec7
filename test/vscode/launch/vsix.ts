/**
 * The extension as users get it: `npm run package` (vsce) builds the VSIX, `code-server
 * --install-extension` installs it into an extensions folder, and test/vscode/packaged.test.ts
 * starts VS Code on that folder. Also reads the VSIX's file list (its zip central directory).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from './paths';

export interface VsixEntry {
  /** Path inside the zip, e.g. `extension/dist/client.js`. */
  name: string;
  size: number;
  compressedSize: number;
}

export interface CommandOutput {
  status: number | null;
  output: string;
}

/** Runs a command, output (stdout and stderr) collected; bounded. */
export function runCommand(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Gone already.
      }
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${options.timeoutMs / 1000} s. Output:\n${output}`));
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

/**
 * `npm run package` with the VSIX written to `outFile` instead of dist/ (vsce takes the last
 * `--out`). vsce runs `vscode:prepublish` (scripts/build.mjs) first, so the bundles are fresh.
 */
export async function packageVsix(outFile: string, timeoutMs = 180_000): Promise<string> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = await runCommand(npm, ['run', '-s', 'package', '--', '--out', outFile], { cwd: REPO, timeoutMs });
  if (result.status !== 0 || !fs.existsSync(outFile)) throw new Error(`npm run package failed (status ${result.status}):\n${result.output}`);
  return result.output;
}

/** The entries of a zip file, from its central directory (no zip64: a VSIX is far below 4 GB). */
export function readVsixEntries(file: string): VsixEntry[] {
  const zip = fs.readFileSync(file);
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error(`${file} is not a zip file (no end of central directory).`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries: VsixEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${i}.`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    entries.push({
      name: zip.toString('utf8', offset + 46, offset + 46 + nameLength),
      compressedSize: zip.readUInt32LE(offset + 20),
      size: zip.readUInt32LE(offset + 24),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

export interface InstalledVsix {
  /** The installed extension's folder (inside the extensions folder). */
  extensionPath: string;
  /** code-server's output. */
  output: string;
  /**
   * Connections code-server opened while installing, to the stand-in gallery and proxy (the only
   * places it could reach): the first line each sent. Empty when it contacted no marketplace.
   */
  contacts: string[];
}

/**
 * `code-server --install-extension <vsix> --extensions-dir <dir>`, offline: the gallery
 * (EXTENSIONS_GALLERY) and the HTTP(S) proxy point at a loopback listener that records every
 * connection and answers 503, so a marketplace lookup would show in `contacts` (and find nothing).
 */
export async function installVsix(bin: string, vsix: string, extensionsDir: string, timeoutMs = 120_000): Promise<InstalledVsix> {
  const contacts: string[] = [];
  const recorder = net.createServer((socket) => {
    let first = '';
    socket.on('data', (chunk: Buffer) => {
      if (!first) {
        first = chunk.toString('latin1').split('\r\n')[0] ?? '';
        contacts.push(first);
        socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    recorder.once('error', reject);
    recorder.listen(0, '127.0.0.1', () => resolve());
  });
  const base = `http://127.0.0.1:${(recorder.address() as net.AddressInfo).port}`;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-vsix-install-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE' || /^no_proxy$/i.test(key)) delete env[key];
    env.EXTENSIONS_GALLERY = JSON.stringify({
      serviceUrl: `${base}/gallery`,
      itemUrl: `${base}/item`,
      resourceUrlTemplate: `${base}/resource/{publisher}/{name}/{version}/{path}`,
      controlUrl: `${base}/control`,
    });
    for (const key of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy']) env[key] = base;
    fs.mkdirSync(extensionsDir, { recursive: true });
    const result = await runCommand(bin, ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix], { cwd: REPO, env, timeoutMs });
    if (result.status !== 0 || !/successfully installed/i.test(result.output)) {
      throw new Error(`code-server --install-extension ${vsix} failed (status ${result.status}):\n${result.output}`);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { publisher: string; name: string };
    const id = `${manifest.publisher}.${manifest.name}`.toLowerCase();
    const registry = path.join(extensionsDir, 'extensions.json');
    if (!fs.existsSync(registry)) throw new Error(`code-server installed ${vsix} but wrote no ${registry}. Output:\n${result.output}`);
    const entries = JSON.parse(fs.readFileSync(registry, 'utf8')) as { identifier: { id: string }; relativeLocation?: string; location?: { path?: string; fsPath?: string } }[];
    const entry = entries.find((e) => e.identifier.id.toLowerCase() === id);
    const location = entry?.relativeLocation ? path.join(extensionsDir, entry.relativeLocation) : entry?.location?.fsPath ?? entry?.location?.path;
    if (!location || !fs.existsSync(path.join(location, 'package.json'))) throw new Error(`${registry} lists no installed ${id}: ${JSON.stringify(entries)}`);
    return { extensionPath: location, output: result.output, contacts };
  } finally {
    recorder.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}
