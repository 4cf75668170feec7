import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');

/** The `cac` binary users run; it loads the bundle in dist/. */
export const CLI = path.join(REPO, 'bin', 'cac.js');

/** The bundles the binaries load. */
const BUNDLES = ['cli.js', 'server.js', 'lspSyncWorker.js', 'connectors/s3Connector.js', 'connectors/azureBlobConnector.js', 'connectors/gcsConnector.js'].map((name) => path.join(REPO, 'dist', name));

let built = false;

/**
 * Builds dist/ when a source file is newer than the oldest bundle (npm test builds first; this
 * keeps a plain `mocha` run after an edit from testing yesterday's bundle).
 */
export function ensureBuilt(): void {
  if (built) return;
  const bundleTime = Math.min(...BUNDLES.map((bundle) => (fs.existsSync(bundle) ? fs.statSync(bundle).mtimeMs : 0)));
  const newest = Math.max(...['server/src', 'schemas', 'scripts/build.mjs', 'package.json'].flatMap((entry) => modifiedTimes(path.join(REPO, entry))));
  if (newest > bundleTime) {
    const result = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`npm run build failed, so the built binaries cannot be tested:\n${result.stderr}`);
  }
  built = true;
}

export interface CacResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `cac` as a user would, in a clean environment (no CI variables, a temporary
 * HOME, a fixed triggered-by); `env` adds to it.
 */
export function runCac(args: readonly string[], env: Record<string, string> = {}, options: { cwd?: string; timeoutMs?: number } = {}): CacResult {
  ensureBuilt();
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', cwd: options.cwd, timeout: options.timeoutMs ?? 60_000,
    env: { ...CAC_ENV, ...env },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The environment of every `cac` a test runs. */
export const CAC_ENV: Readonly<Record<string, string>> = { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), CAC_TRIGGERED_BY: 'ci@example.com' };

function modifiedTimes(entry: string): number[] {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return [stat.mtimeMs];
  return (fs.readdirSync(entry, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((found) => found.isFile())
    .map((found) => fs.statSync(path.join(found.parentPath, found.name)).mtimeMs);
}
