/**
 * The JSON the test-runner extension writes (to the file named by CAC_VSCODE_TEST_RESULTS) and
 * the launchers read. Rewritten after every test, so a run that hangs still shows how far it got.
 */
/** Environment variable naming the file the runner writes its results to; without it the runner does nothing. */
export const RESULTS_ENV = 'CAC_VSCODE_TEST_RESULTS';

/** Environment variable with a mocha `grep` pattern (a regular expression) for the extension-host suite (optional). */
export const GREP_ENV = 'CAC_VSCODE_TEST_GREP';

/** Environment variable telling the suite how the launcher opened the workspace: `trusted` or `restricted`. */
export const TRUST_ENV = 'CAC_VSCODE_TEST_TRUST';

/**
 * Environment variable set only in the session that loads the extension installed from its VSIX
 * (test/vscode/packaged.test.ts): the extensions folder it was installed into. The describes titled
 * "packaged extension …" run only there; the other sessions skip them.
 */
export const PACKAGED_ENV = 'CAC_VSCODE_TEST_PACKAGED';

export interface SuiteResults {
  /** False while the suite is still running. */
  done: boolean;
  /** VS Code version of the extension host (vscode.version). */
  vscodeVersion: string;
  startedAt: string;
  durationMs: number;
  /** The test that has started but not finished yet (while running). */
  running?: string;
  /** Set when the suite could not be loaded or mocha itself failed. */
  error?: ResultError;
  tests: TestResult[];
}

export interface TestResult {
  /** Full title: suite titles and the test title, joined with spaces. */
  title: string;
  /** For hooks: e.g. `"before all" hook for "…"`. */
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  file?: string;
  error?: ResultError;
}

export interface ResultError {
  message: string;
  stack?: string;
  actual?: string;
  expected?: string;
}

export function summarize(results: SuiteResults): string {
  const count = (state: TestResult['state']) => results.tests.filter((t) => t.state === state).length;
  return `${count('passed')} passed, ${count('failed')} failed, ${count('pending')} pending in ${(results.durationMs / 1000).toFixed(1)} s (VS Code ${results.vscodeVersion})`;
}
