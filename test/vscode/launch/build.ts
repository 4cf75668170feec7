/**
 * Builds what the VS Code tests load: the extension under test (scripts/build.mjs → dist/) and the
 * test-runner extension with its suite (→ out/vscode-tests/runner-extension/). Run directly with
 * `node --import tsx test/vscode/launch/build.ts`; the launchers call it before starting VS Code.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { REPO, RUNNER_EXTENSION_DIR } from './paths';

const SUITE_DIR = path.join(REPO, 'test', 'vscode', 'suite');
const RUNNER_DIR = path.join(REPO, 'test', 'vscode', 'runner');

let builtOnce: Promise<void> | undefined;

/** Builds once per process (both test files of a mocha run share it). */
export function buildForVsCodeTests(): Promise<void> {
  builtOnce ??= buildAll();
  return builtOnce;
}

async function buildAll(): Promise<void> {
  buildExtensionUnderTest();
  await buildRunnerExtension();
}

/** The extension itself: scripts/build.mjs (about a second), so a test never runs a stale dist/. */
export function buildExtensionUnderTest(): void {
  const result = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`node scripts/build.mjs failed (status ${result.status}):\n${result.stderr}${result.stdout}`);
  const main = path.join(REPO, readManifest().main ?? 'dist/client.js');
  if (!fs.existsSync(main)) throw new Error(`The extension's main ${path.relative(REPO, main)} does not exist after node scripts/build.mjs: is client/src/extension.ts an entry point of scripts/build.mjs?`);
}

/** The test-runner extension: runner.js (mocha bundled in) and suite/*.test.js (vscode and mocha external). */
export async function buildRunnerExtension(): Promise<void> {
  fs.rmSync(RUNNER_EXTENSION_DIR, { recursive: true, force: true });
  fs.mkdirSync(RUNNER_EXTENSION_DIR, { recursive: true });
  fs.copyFileSync(path.join(RUNNER_DIR, 'package.json'), path.join(RUNNER_EXTENSION_DIR, 'package.json'));
  const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'error' } as const;
  // Mocha is bundled into the runner so it loads in any extension host (mocha 12 is an ES module,
  // which Electron's older Node cannot require).
  await build({ ...common, entryPoints: [path.join(RUNNER_DIR, 'extension.ts')], outfile: path.join(RUNNER_EXTENSION_DIR, 'runner.js'), external: ['vscode'] });
  const suiteFiles = fs.readdirSync(SUITE_DIR, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.test.ts')).map((f) => path.join(SUITE_DIR, f));
  if (suiteFiles.length === 0) throw new Error(`No *.test.ts files under ${SUITE_DIR}.`);
  await build({ ...common, entryPoints: suiteFiles, outbase: SUITE_DIR, outdir: path.join(RUNNER_EXTENSION_DIR, 'suite'), external: ['vscode', 'mocha'] });
}

export interface ExtensionManifest {
  name: string;
  publisher: string;
  version: string;
  main?: string;
  contributes?: { commands?: { command: string }[] };
}

export function readManifest(dir = REPO): ExtensionManifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as ExtensionManifest;
}

if (require.main === module) {
  buildAll().then(
    () => console.log(`built dist/ and ${path.relative(REPO, RUNNER_EXTENSION_DIR)}/`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
