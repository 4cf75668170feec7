/**
 * For the Node-side launchers of the extension-host suite: waiting for the results file the
 * test-runner extension writes, and replaying each extension-host result as a mocha test.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Mocha from 'mocha';
import { sleep } from './codeServer';
import { summarize, type SuiteResults, type TestResult } from './results';
import type { VsCodeSession } from './session';
import { mapStack } from './stacks';

/** A mocha test function that reports one extension-host result again. */
export function replay(result: TestResult): Mocha.Func {
  return function (this: Mocha.Context) {
    if (result.state === 'pending') this.skip();
    if (result.state === 'failed') {
      const error = Object.assign(new Error(result.error?.message ?? 'failed without an error'), {
        actual: result.error?.actual,
        expected: result.error?.expected,
        showDiff: result.error?.actual !== undefined,
      });
      if (result.error?.stack) error.stack = `${mapStack(result.error.stack)}\n    (in the extension host${result.file ? `: test/vscode/suite/${path.basename(result.file).replace(/\.js$/, '.ts')}` : ''})`;
      throw error;
    }
  };
}

/** Polls the results file until the runner says done; bounded, and on failure says how far the suite got. */
export async function waitForResults(file: string, session: VsCodeSession, timeoutMs: number): Promise<SuiteResults> {
  const deadline = Date.now() + timeoutMs;
  let last: SuiteResults | undefined;
  for (;;) {
    if (fs.existsSync(file)) {
      try {
        last = JSON.parse(fs.readFileSync(file, 'utf8')) as SuiteResults;
      } catch {
        // Replaced while read; the runner writes atomically, so the next read is whole.
      }
      if (last?.done) return last;
    }
    const timedOut = Date.now() > deadline;
    const exited = session.server.hasExited();
    if (timedOut || exited) {
      const progress = last
        ? `The suite started (${summarize(last)})${last.running ? `; it was running "${last.running}"` : ''}; finished: ${JSON.stringify(last.tests.map((t) => `${t.state}: ${t.title}`))}`
        : `The test-runner extension never wrote ${file}: it did not activate (is it in the extensions folder, and does the extension host start?)`;
      throw new Error(`${exited ? 'code-server exited before the suite finished' : `The extension-host suite did not finish within ${timeoutMs / 1000} s`}. ${progress}\nOn screen:\n${await session.workbench.describeScreen()}\ncode-server's output (${session.server.logFile}):\n${session.server.logTail(40)}`);
    }
    await sleep(250);
  }
}
