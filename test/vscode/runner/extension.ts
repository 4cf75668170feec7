/**
 * The test-runner extension, bundled (with mocha) into out/vscode-tests/runner-extension/runner.js.
 * Two ways in:
 * - code-server: installed as an extension beside the one under test; `activate` (on startup
 *   finished) runs the suite when CAC_VSCODE_TEST_RESULTS names a results file.
 * - @vscode/test-electron: `run` is its `extensionTestsPath` entry; it rejects when a test failed.
 * Either way the suite is the mocha BDD files bundled into ./suite/*.test.js, run against the real
 * `vscode` API of this extension host.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspect } from 'node:util';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { GREP_ENV, RESULTS_ENV, type ResultError, type SuiteResults, type TestResult } from '../launch/results';

/** Per-test timeout inside the extension host; a test can raise its own with this.timeout(). */
const TEST_TIMEOUT_MS = 30_000;

let started: Promise<SuiteResults> | undefined;

/** code-server entry: runs the suite once per results file, in the background. */
export function activate(): void {
  const resultsPath = process.env[RESULTS_ENV];
  if (!resultsPath || started) return;
  // A second extension host (the browser reconnected) must not run the suite again.
  if (fs.existsSync(resultsPath)) return;
  started = runSuite(resultsPath);
  started.catch((error: unknown) => console.error('[catalog-as-code test runner]', error));
}

export function deactivate(): void {}

/** @vscode/test-electron entry (extensionTestsPath): resolves when every test passed. */
export async function run(): Promise<void> {
  const results = await runSuite(process.env[RESULTS_ENV]);
  const failed = results.tests.filter((t) => t.state === 'failed');
  if (results.error) throw new Error(`The extension-host suite did not run: ${results.error.message}`);
  if (failed.length > 0) throw new Error(`${failed.length} extension-host test(s) failed: ${failed.map((t) => t.title).join('; ')}`);
  if (results.tests.length === 0) throw new Error('The extension-host suite ran no tests.');
}

/** Runs every ./suite/**\/*.test.js with mocha; writes the results (when a path is given) after each test. */
export async function runSuite(resultsPath: string | undefined): Promise<SuiteResults> {
  const startedMs = Date.now();
  const results: SuiteResults = { done: false, vscodeVersion: vscode.version, startedAt: new Date(startedMs).toISOString(), durationMs: 0, tests: [] };
  const save = () => {
    results.durationMs = Date.now() - startedMs;
    if (resultsPath) writeAtomically(resultsPath, JSON.stringify(results, null, 2));
  };
  save();
  try {
    // Stack traces of the bundled suite point into the TypeScript sources.
    process.setSourceMapsEnabled(true);
    const mocha = new Mocha({ ui: 'bdd', timeout: TEST_TIMEOUT_MS, color: false, reporter: 'spec' });
    const grep = process.env[GREP_ENV];
    if (grep) mocha.grep(new RegExp(grep));
    for (const file of suiteFiles(path.join(__dirname, 'suite'))) mocha.addFile(file);
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('test', (test) => {
        results.running = test.fullTitle();
        save();
      });
      runner.on('pass', (test) => {
        results.tests.push(result(test, 'passed'));
        delete results.running;
        save();
      });
      runner.on('pending', (test) => {
        results.tests.push(result(test, 'pending'));
        save();
      });
      runner.on('fail', (test, error) => {
        results.tests.push({ ...result(test, 'failed'), error: describeError(error) });
        delete results.running;
        save();
      });
    });
  } catch (error) {
    results.error = describeError(error);
  }
  delete results.running;
  results.done = true;
  save();
  return results;
}

function suiteFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) throw new Error(`No suite bundle at ${dir}: build it with test/vscode/launch/build.ts.`);
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.test.js')).sort();
  if (files.length === 0) throw new Error(`No *.test.js files in ${dir}.`);
  return files.map((f) => path.join(dir, f));
}

function result(test: Mocha.Runnable, state: TestResult['state']): TestResult {
  const entry: TestResult = { title: test.fullTitle(), state, durationMs: test.duration ?? 0 };
  if (test.file) entry.file = test.file;
  return entry;
}

function describeError(error: unknown): ResultError {
  if (!(error instanceof Error)) return { message: inspect(error) };
  const described: ResultError = { message: error.message };
  if (error.stack) described.stack = error.stack;
  const { actual, expected } = error as { actual?: unknown; expected?: unknown };
  if (actual !== undefined || expected !== undefined) {
    described.actual = typeof actual === 'string' ? actual : inspect(actual, { depth: 6 });
    described.expected = typeof expected === 'string' ? expected : inspect(expected, { depth: 6 });
  }
  return described;
}

function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}
