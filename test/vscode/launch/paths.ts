import * as path from 'node:path';

/** The repository root, which is also the VS Code extension under test (package.json `main`: dist/client.js). */
export const REPO = path.resolve(__dirname, '..', '..', '..');

/** Build output of the test-runner extension and the extension-host suite (gitignored). */
export const OUT_DIR = path.join(REPO, 'out', 'vscode-tests');

/** The test-runner extension as loaded by code-server: package.json, runner.js and suite.js. */
export const RUNNER_EXTENSION_DIR = path.join(OUT_DIR, 'runner-extension');

/** Logs and screenshots kept after a run (gitignored). */
export const ARTIFACTS_DIR = path.join(REPO, 'test-artifacts');

/** A file-name-safe form of a test or step name. */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'unnamed';
}
