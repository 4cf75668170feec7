/**
 * The extension as users install it: `npm run package` builds the VSIX (into a temporary folder),
 * its file list is checked, `code-server --install-extension` installs it offline into a fresh
 * extensions folder, and one code-server session on THAT folder (plus the test-runner extension;
 * the repository is not linked) runs the harness checks, the activation tests and the describes
 * titled "packaged extension …" (test/vscode/suite/packaged.test.ts): loaded from the installed
 * folder, activates, lists the shop datastores, syncs SQLite and DuckDB with the packaged drivers.
 * Skips when code-server is not installed, unless CI is set (then it fails). See test/vscode/README.md.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Mocha from 'mocha';
import { buildRunnerExtension } from './launch/build';
import { requireCodeServer } from './launch/codeServer';
import { replay, waitForResults } from './launch/hostSuite';
import { GREP_ENV, PACKAGED_ENV, RESULTS_ENV, TRUST_ENV, summarize, type SuiteResults } from './launch/results';
import { startSession, type VsCodeSession } from './launch/session';
import { installVsix, packageVsix, readVsixEntries, type InstalledVsix, type VsixEntry } from './launch/vsix';

/** Bound on the extension-host suite of this session. */
const SUITE_TIMEOUT_MS = 3 * 60_000;

/** What the packaged session runs (CAC_VSCODE_TEST_GREP narrows it further). */
const PACKAGED_TESTS = '^(?:the harness|activation|packaged extension)';

/** Upper bounds on the VSIX: the DuckDB driver is most of it (about 20 MB zipped, 60 MB unzipped). */
const MAX_VSIX_BYTES = 40 * 1024 * 1024;
const MAX_FILES = 300;

const userGrep = process.env[GREP_ENV];

describe('packaged extension (VSIX built by npm run package, installed into code-server)', function () {
  let work: string | undefined;
  let vsix: string;
  let vsixOutput = '';
  let entries: VsixEntry[] = [];
  let installed: InstalledVsix | undefined;
  let session: VsCodeSession | undefined;
  let results: SuiteResults | undefined;

  before(async function () {
    this.timeout(SUITE_TIMEOUT_MS + 6 * 60_000);
    const bin = requireCodeServer(this);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-vscode-packaged-'));
    // The runner and its suite (the extension itself is built by vsce's vscode:prepublish).
    await buildRunnerExtension();
    vsix = path.join(work, 'catalog-as-code-linux-x64.vsix');
    vsixOutput = await packageVsix(vsix);
    entries = readVsixEntries(vsix);
    const extensionsDir = path.join(work, 'extensions');
    installed = await installVsix(bin, vsix, extensionsDir);
    const resultsFile = path.join(work, 'results.json');
    const grep = userGrep ? `^(?=.*(?:${userGrep}))(?:${PACKAGED_TESTS.slice(1)})` : PACKAGED_TESTS;
    session = await startSession({
      name: 'extension-host-packaged',
      bin,
      runner: true,
      trust: 'trusted',
      extensionsDir,
      env: { [RESULTS_ENV]: resultsFile, [TRUST_ENV]: 'trusted', [GREP_ENV]: grep, [PACKAGED_ENV]: extensionsDir },
    });
    results = await waitForResults(resultsFile, session, SUITE_TIMEOUT_MS);
    const suite = this.test!.parent!;
    for (const result of results.tests) suite.addTest(new Mocha.Test(`extension host: ${result.title}`, replay(result)));
  });

  after(async function () {
    this.timeout(30_000);
    await session?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('packages the bundles, the native drivers, the manifest\'s assets, README and LICENSE', function () {
    const names = new Set(entries.map((e) => e.name));
    const size = fs.statSync(vsix).size;
    console.log(`      VSIX: ${(size / 1024 / 1024).toFixed(1)} MB, ${entries.length} entries (${entries.filter((e) => e.name.startsWith('extension/')).length} files of the extension, ${(entries.reduce((n, e) => n + e.size, 0) / 1024 / 1024).toFixed(1)} MB unpacked)`);
    const required = [
      'extension.vsixmanifest',
      'extension/package.json',
      'extension/readme.md',
      'extension/LICENSE.txt',
      'extension/dist/client.js',
      'extension/dist/server.js',
      'extension/dist/lspSyncWorker.js',
      // Object store connectors: bundles of their own, required on their first sync.
      'extension/dist/connectors/s3Connector.js',
      'extension/dist/connectors/azureBlobConnector.js',
      'extension/dist/connectors/gcsConnector.js',
      'extension/dist/webview/activity.js',
      'extension/dist/webview/activity.css',
      'extension/dist/webview/codicon.css',
      'extension/dist/webview/codicon.ttf',
      'extension/client/media/catalog.svg',
      'extension/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'extension/node_modules/better-sqlite3/lib/index.js',
      'extension/node_modules/bindings/package.json',
      'extension/node_modules/file-uri-to-path/package.json',
      'extension/node_modules/@duckdb/node-api/package.json',
      'extension/node_modules/@duckdb/node-bindings/package.json',
    ];
    const lower = new Set([...names].map((n) => n.toLowerCase()));
    assert.deepEqual(required.filter((n) => !lower.has(n.toLowerCase())), [], `missing from the VSIX (it has ${JSON.stringify([...names].sort())})`);
    assert.ok([...names].some((n) => /^extension\/node_modules\/@duckdb\/node-bindings-linux-x64\/.+\.node$/.test(n)), 'the DuckDB native binding');
    const manifest = JSON.parse(fs.readFileSync(path.join(installed!.extensionPath, 'package.json'), 'utf8')) as { contributes: { grammars?: { path: string }[] } };
    for (const grammar of manifest.contributes.grammars ?? []) assert.ok(names.has(`extension/${path.posix.normalize(grammar.path)}`), `grammar ${grammar.path}`);
  });

  it('leaves out sources, source maps, tests, examples and secrets', function () {
    const forbidden: [RegExp, string][] = [
      [/\.map$/, 'source map'],
      [/\.tsx?$/, 'TypeScript'],
      [/(^|\/)(test|tests|__tests__|spec)\//i, 'test folder'],
      [/\.(test|spec)\.[cm]?[jt]s$/i, 'test file'],
      [/^extension\/(examples|client\/src|server|scripts|bench|docs|out|test-artifacts|\.ci|\.github|\.vscode)\//, 'repository folder'],
      [/(^|\/)\.env(\.|$)/i, '.env file'],
      [/(^|\/)(\.npmrc|\.git|\.gitignore|\.vscodeignore|id_rsa|id_ed25519)(\/|$)/i, 'config or key'],
      [/\.(pem|key|p12|pfx|sqlite|duckdb|db|parquet|vsix|tgz|log)$/i, 'key, database, archive or log'],
      [/(^|\/)(tsconfig|eslint\.config|\.mocharc)[^/]*$/i, 'tooling config'],
    ];
    const found = entries.flatMap((e) => forbidden.filter(([pattern]) => pattern.test(e.name.replace(/\.d\.ts$/, '.d-ts'))).map(([, what]) => `${what}: ${e.name}`));
    assert.deepEqual(found, [], 'files that must not be in the VSIX');
    assert.ok(![...entries].some((e) => e.name.endsWith('.d.ts')), `type declarations: ${entries.filter((e) => e.name.endsWith('.d.ts')).map((e) => e.name).join(', ')}`);
  });

  it(`stays small: at most ${MAX_VSIX_BYTES / 1024 / 1024} MB and ${MAX_FILES} files`, function () {
    const size = fs.statSync(vsix).size;
    assert.ok(size <= MAX_VSIX_BYTES, `${vsix} is ${(size / 1024 / 1024).toFixed(1)} MB; biggest: ${biggest(entries)}`);
    assert.ok(entries.length <= MAX_FILES, `${entries.length} entries`);
  });

  it('rewrites the README\'s relative links to the repository (vsce)', function () {
    const readme = fs.readFileSync(path.join(installed!.extensionPath, 'readme.md'), 'utf8');
    const relative = [...readme.matchAll(/!?\[[^\]]*\]\(([^)\s]+)[^)]*\)/g)].map((m) => m[1]!).filter((target) => !/^(https?:|mailto:|#)/.test(target));
    assert.deepEqual(relative, [], 'relative links left in the packaged README');
    assert.doesNotMatch(vsixOutput, /\bERROR\b/);
  });

  it('installs the VSIX without contacting a marketplace', function () {
    assert.ok(installed, 'not installed');
    assert.deepEqual(installed.contacts, [], `code-server --install-extension made requests:\n${installed.output}`);
    assert.ok(!fs.lstatSync(installed.extensionPath).isSymbolicLink());
  });

  it('runs the extension-host suite on the installed extension', function () {
    assert.ok(results, 'no results');
    console.log(`      extension host: ${summarize(results)}`);
    if (results.error) assert.fail(`The extension-host suite did not run: ${results.error.message}\n${results.error.stack ?? ''}`);
    if (results.tests.length === 0 && userGrep) this.skip();
    const packaged = results.tests.filter((t) => t.title.startsWith('packaged extension'));
    assert.ok(userGrep || packaged.length >= 5, `ran ${packaged.length} "packaged extension" tests`);
    assert.ok(packaged.every((t) => t.state !== 'pending'), 'a "packaged extension" test skipped itself: did CAC_VSCODE_TEST_PACKAGED reach the extension host?');
  });
});

function biggest(list: VsixEntry[]): string {
  return [...list].sort((a, b) => b.compressedSize - a.compressedSize).slice(0, 5).map((e) => `${e.name} ${(e.compressedSize / 1024 / 1024).toFixed(1)} MB`).join(', ');
}
