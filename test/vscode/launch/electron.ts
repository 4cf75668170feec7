/**
 * Runs the extension-host suite (test/vscode/suite) in desktop VS Code with @vscode/test-electron:
 * `npm run test:vscode:electron`. It downloads VS Code (into .vscode-test/), so it runs on a
 * developer's machine, not on the CI machines here (they reach no VS Code download; CI runs the
 * same suite in code-server: test/vscode/vscode.test.ts).
 *
 * CAC_VSCODE_VERSION picks the build: a version (default 1.100.3, the minimum of engines.vscode,
 * the same as the code-server CI uses), `stable` or `insiders`. CAC_VSCODE_TEST_GREP filters tests.
 * On Linux without a display, run it under xvfb-run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildForVsCodeTests } from './build';
import { defaultSettings, prepareShopWorkspace, removeWorkspace } from './codeServer';
import { ARTIFACTS_DIR, REPO, RUNNER_EXTENSION_DIR } from './paths';
import { GREP_ENV, RESULTS_ENV, TRUST_ENV, summarize, type SuiteResults } from './results';
import { mapStack } from './stacks';

export async function runInElectron(): Promise<number> {
  await buildForVsCodeTests();
  const workspace = prepareShopWorkspace();
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-vscode-electron-'));
  const userDataDir = path.join(temp, 'user-data');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(defaultSettings('trusted'), null, 2));
  const resultsFile = path.join(ARTIFACTS_DIR, 'vscode', 'electron', 'results.json');
  fs.rmSync(resultsFile, { force: true });
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  const env: Record<string, string> = { [RESULTS_ENV]: resultsFile, [TRUST_ENV]: 'trusted' };
  if (process.env[GREP_ENV]) env[GREP_ENV] = process.env[GREP_ENV];
  try {
    await runTests({
      version: process.env.CAC_VSCODE_VERSION ?? '1.100.3',
      extensionDevelopmentPath: REPO,
      extensionTestsPath: path.join(RUNNER_EXTENSION_DIR, 'runner.js'),
      extensionTestsEnv: env,
      launchArgs: [
        workspace,
        '--user-data-dir', userDataDir,
        '--extensions-dir', path.join(temp, 'extensions'),
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--disable-gpu',
      ],
    });
    return 0;
  } catch (error) {
    console.error(`VS Code tests failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    report(resultsFile);
    removeWorkspace(workspace);
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

function report(resultsFile: string): void {
  if (!fs.existsSync(resultsFile)) {
    console.error(`No results at ${resultsFile}: the suite did not start.`);
    return;
  }
  const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as SuiteResults;
  console.log(`\nextension host: ${summarize(results)}`);
  for (const test of results.tests.filter((t) => t.state === 'failed')) {
    console.log(`\n  ✗ ${test.title}\n    ${mapStack(test.error?.stack ?? test.error?.message ?? '').split('\n').join('\n    ')}`);
  }
  console.log(`results: ${path.relative(process.cwd(), resultsFile)}`);
}

if (require.main === module) {
  runInElectron().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
