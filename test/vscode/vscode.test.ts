/**
 * Runs the extension-host suite (test/vscode/suite/**\/*.test.ts) inside a real VS Code: code-server
 * with the extension under test and the test-runner extension, a fresh copy of examples/shop, and
 * Chromium connected so the extension host starts. Each extension-host test becomes a test here.
 * Two sessions: a trusted workspace (the whole suite) and Restricted Mode (the harness checks and
 * the describes titled "restricted mode …").
 * Skips when code-server is not installed, unless CI is set (then it fails). See test/vscode/README.md.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Mocha from 'mocha';
import { buildForVsCodeTests } from './launch/build';
import { requireCodeServer, type Trust } from './launch/codeServer';
import { replay, waitForResults } from './launch/hostSuite';
import { GREP_ENV, RESULTS_ENV, TRUST_ENV, summarize, type SuiteResults } from './launch/results';
import { startSession, type VsCodeSession } from './launch/session';

/** Bound on the whole extension-host suite, per session. */
const SUITE_TIMEOUT_MS = 5 * 60_000;

/**
 * Which tests the Restricted Mode session runs: the harness checks and every describe titled
 * "restricted mode …" (those skip themselves in the trusted session).
 */
const RESTRICTED_TESTS = '^(?:the harness|restricted mode)';

/** CAC_VSCODE_TEST_GREP (a regular expression) narrows both sessions. */
const userGrep = process.env[GREP_ENV];

runSuiteInCodeServer('trusted', userGrep);
runSuiteInCodeServer('restricted', userGrep ? `^(?=.*(?:${userGrep}))(?:${RESTRICTED_TESTS.slice(1)})` : RESTRICTED_TESTS);

function runSuiteInCodeServer(trust: Trust, grep: string | undefined): void {
  describe(`VS Code extension host (code-server, ${trust === 'trusted' ? 'trusted workspace' : 'Restricted Mode'})`, function () {
    let session: VsCodeSession | undefined;
    let results: SuiteResults | undefined;
    let resultsDir: string | undefined;

    before(async function () {
      this.timeout(SUITE_TIMEOUT_MS + 2 * 60_000);
      const bin = requireCodeServer(this);
      await buildForVsCodeTests();
      resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-vscode-results-'));
      const resultsFile = path.join(resultsDir, 'results.json');
      const env: Record<string, string> = { [RESULTS_ENV]: resultsFile, [TRUST_ENV]: trust };
      if (grep) env[GREP_ENV] = grep;
      session = await startSession({ name: `extension-host-${trust}`, bin, runner: true, trust, env });
      results = await waitForResults(resultsFile, session, SUITE_TIMEOUT_MS);
      await session.workbench.screenshot('end').catch(() => undefined);
      // Each extension-host result becomes a test of this suite (mocha copies the test list after
      // the before-all hooks run, so tests added here run).
      const suite = this.test!.parent!;
      for (const result of results.tests) suite.addTest(new Mocha.Test(result.title, replay(result)));
    });

    after(async function () {
      this.timeout(30_000);
      await session?.stop();
      if (resultsDir) fs.rmSync(resultsDir, { recursive: true, force: true });
    });

    it('runs the extension-host suite', function () {
      assert.ok(results, 'no results');
      console.log(`      extension host: ${summarize(results)}`);
      if (results.error) assert.fail(`The extension-host suite did not run: ${results.error.message}\n${results.error.stack ?? ''}`);
      if (results.tests.length === 0 && userGrep) {
        console.log(`      no test of this session matches ${GREP_ENV}=${userGrep}`);
        this.skip();
      }
      assert.ok(results.tests.length > 0, `The extension-host suite ran no tests${grep ? ` matching ${grep}` : ''}.`);
    });
  });
}
