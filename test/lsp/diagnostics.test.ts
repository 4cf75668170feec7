import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { removeCatalog, writeFile } from '../helpers/syncFixtures';
import { caretAfter, openFile, positionOf, startedClient, syncedCatalog } from '../helpers/catalogFixture';
import { analysisCacheFileOf, LspTestClient, MINIMAL_CAPABILITIES, uri } from '../helpers/lspClient';
import { ensureBuilt } from '../helpers/builtCli';

const REPO = path.resolve(__dirname, '..', '..');

/** Files with problems of many kinds: schema, references, secrets, cron, snapshots, suppressions, hostile YAML. */
const PROBLEM_FILES: Record<string, string> = {
  'datastores/typo.yaml': 'kind: Datastore\nname: typo\ntype: sqlite\nconnection:\n  path: ./typo.sqlite\n  pasword: x\n',
  'datastores/secret.yaml': 'kind: Datastore\nname: secret\ntype: postgresql\nconnection:\n  host: db\n  database: shop\n  password: hunter2\n',
  'datastores/zz-duplicate.yaml': 'kind: Datastore\nname: Shop\ntype: sqlite\nconnection: { path: ./x.sqlite }\n',
  'schedules/broken.yaml': 'kind: Schedule\nname: broken\ndatastore: shopp\ncron: "61 * * * *"\n',
  'overrides/more.yaml': [
    'kind: Overrides', 'datastore: shop', 'containers:',
    '  customers:', '    incremental_identifier: email', '  # cac-ignore: unknown-container', '  staging_orders:', '    partition_identifier: id',
    '  big_orders: { incremental_identifier: totl }   # cac-ignore: unknown-field, unknown-kind', '',
  ].join('\n'),
  'datastores/emoji.yaml': 'kind: Datastore\nname: emoji\ntype: sqlite\nconnection: { path: "🛒🛍️.sqlite", pasword: x }\n',
  'datastores/conflict.yaml': 'kind: Datastore\n<<<<<<< HEAD\nname: a\n=======\nname: b\n>>>>>>> branch\ntype: sqlite\n',
};

interface CliProblem { file: string; line: number; column: number; end_line: number; end_column: number; severity: string; code: string; message: string }

/** `cac validate --format json` from the built CLI, as CI runs it. */
function cacValidate(root: string): CliProblem[] {
  const result = spawnSync(process.execPath, [path.join(REPO, 'bin', 'cac.js'), 'validate', '--root', root, '--format', 'json'], { encoding: 'utf8', cwd: root, env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir() } });
  assert.ok(result.stdout, `cac validate printed nothing: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { problems: CliProblem[] }).problems;
}

function asCli(root: string, fileUri: string, d: Diagnostic): CliProblem {
  const severity = d.severity === 1 ? 'error' : d.severity === 2 ? 'warning' : 'info';
  const file = path.relative(root, new URL(fileUri).pathname);
  return { file, line: d.range.start.line + 1, column: d.range.start.character + 1, end_line: d.range.end.line + 1, end_column: d.range.end.character + 1, severity, code: String(d.code), message: String(d.message) };
}

function codesOf(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => String(d.code));
}

describe('language server: diagnostics', function () {
  this.timeout(60000);

  describe('on a catalog with problems in many files', () => {
    let root: string;
    let client: LspTestClient;
    before(async () => {
      ensureBuilt();
      root = await syncedCatalog();
      for (const [relative, text] of Object.entries(PROBLEM_FILES)) writeFile(root, relative, text);
      client = await startedClient(root);
    });
    after(async () => {
      await client.stop();
      removeCatalog(root);
    });

    it('publishes the problems of every definition file at startup, on the offending node, with stable codes', () => {
      const typo = client.diagnostics.get(uri(path.join(root, 'datastores/typo.yaml')))!.diagnostics;
      const text = PROBLEM_FILES['datastores/typo.yaml']!;
      assert.deepEqual(typo.map((d) => [d.code, d.severity, d.range, d.source]), [
        ['unknown-property', 1, { start: positionOf(text, 'pasword'), end: caretAfter(text, 'pasword') }, 'cac'],
      ]);
      assert.deepEqual((typo[0]!.data as { suggestions: string[] }).suggestions, ['password']);
      const schedule = client.diagnostics.get(uri(path.join(root, 'schedules/broken.yaml')))!.diagnostics;
      assert.deepEqual(codesOf(schedule), ['unknown-datastore', 'invalid-cron']);
      assert.deepEqual(codesOf(client.diagnostics.get(uri(path.join(root, 'datastores/secret.yaml')))!.diagnostics), ['literal-secret']);
      assert.deepEqual(codesOf(client.diagnostics.get(uri(path.join(root, 'datastores/zz-duplicate.yaml')))!.diagnostics), ['duplicate-name']);
      // Columns count UTF-16 code units (LSP's default encoding), as JS strings do: astral characters count twice.
      const emoji = PROBLEM_FILES['datastores/emoji.yaml']!;
      assert.deepEqual(client.diagnostics.get(uri(path.join(root, 'datastores/emoji.yaml')))!.diagnostics.map((d) => d.range.start), [positionOf(emoji, 'pasword')]);
      assert.equal(positionOf(emoji, 'pasword').character, 36, '🛒 is two code units, 🛍️ three');
      // A clean file gets no message at all.
      assert.equal(client.diagnostics.has(uri(path.join(root, 'datastores/warehouse.yaml'))), false);
    });

    it('checks overrides against the committed snapshots, with suppression comments applied', () => {
      const text = PROBLEM_FILES['overrides/more.yaml']!;
      const diagnostics = client.diagnostics.get(uri(path.join(root, 'overrides/more.yaml')))!.diagnostics;
      assert.deepEqual(diagnostics.map((d) => [d.code, d.range.start]), [
        ['identifier-type-mismatch', positionOf(text, 'email')],
        // `unknown-kind` silences nothing on that line: reported, so stale comments do not pile up.
        ['unused-suppression', positionOf(text, 'unknown-kind')],
      ]);
      assert.equal(diagnostics[1]!.severity, 3);
    });

    it('answers a second session from the analyses the first one kept, with the very same diagnostics', async () => {
      const files = Object.keys(PROBLEM_FILES).length;
      const cacheFile = analysisCacheFileOf(root);
      fs.rmSync(cacheFile, { force: true });
      const first = new LspTestClient('bin');
      await first.start(root);
      // The built server writes its cache right after its load; wait for it rather than race it.
      for (let i = 0; i < 100 && !fs.existsSync(cacheFile); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      await first.stop();
      const second = new LspTestClient('bin');
      try {
        const loaded = await second.start(root);
        assert.ok(loaded.filesFromCache >= files, `from cache: ${loaded.filesFromCache} of ${loaded.files}`);
        // The same diagnostics as the server that parsed everything (this suite's own, run from sources).
        assert.deepEqual(new Map([...second.diagnostics].sort()), new Map([...client.diagnostics].sort()));
      } finally {
        await second.stop();
      }
    });

    it('gives hostile YAML (merge-conflict markers) exactly one diagnostic', () => {
      assert.deepEqual(codesOf(client.diagnostics.get(uri(path.join(root, 'datastores/conflict.yaml')))!.diagnostics), ['merge-conflict-markers']);
    });

    it('agrees with `cac validate` on the same workspace: same files, positions, codes, severities and messages', () => {
      // What validate checks of its surroundings (variables set, local files present) belongs to the
      // environment that runs it, not to the editor's: the editor shows everything else alike.
      const ENVIRONMENT_CODES = new Set(['unset-env-variable', 'source-not-found', 'snapshot-folder-symlink']);
      const fromCli = cacValidate(root).filter((p) => !ENVIRONMENT_CODES.has(p.code));
      const fromServer: CliProblem[] = [];
      for (const [fileUri, entry] of client.diagnostics) for (const d of entry.diagnostics) fromServer.push(asCli(root, fileUri, d));
      const key = (p: CliProblem): string => JSON.stringify([p.file, p.line, p.column, p.code, p.message]);
      assert.ok(fromCli.length >= 8, `the fixture should have many problems, got ${fromCli.length}`);
      const sorted = (problems: CliProblem[]): CliProblem[] => [...problems].sort((a, b) => key(a).localeCompare(key(b)));
      const withoutSuggestions = ({ suggestions: _s, ...problem }: CliProblem & { suggestions?: string[] }): CliProblem => problem;
      assert.deepEqual(sorted(fromServer), sorted(fromCli.map(withoutSuggestions)));
    });
  });

  describe('as files change', () => {
    let root: string;
    let client: LspTestClient;
    beforeEach(async () => {
      root = await syncedCatalog();
    });
    afterEach(async () => {
      await client.stop();
      removeCatalog(root);
    });

    it('re-validates the schedules and overrides that name a datastore when its buffer is edited (incremental sync)', async () => {
      client = await startedClient(root);
      const { file, text } = await openFile(client, root, 'datastores/shop.yaml');
      await client.waitForDiagnostics(file, (_d, version) => version === 1);
      const at = positionOf(text, 'shop');
      await client.edit(file, 2, { start: at, end: { line: at.line, character: at.character + 4 } }, 'shops');
      const schedules = await client.waitForDiagnostics(path.join(root, 'schedules/nightly.yaml'), (d) => d.length > 0);
      assert.deepEqual(codesOf(schedules), ['unknown-datastore']);
      assert.match(String(schedules[0]!.message), /No datastore named 'shop'.*Did you mean 'shops'\?/);
      assert.deepEqual(codesOf(await client.waitForDiagnostics(path.join(root, 'overrides/shop.yaml'), (d) => d.length > 0)), ['unknown-datastore']);
      // Undo: the dependants are clean again, and say so.
      await client.edit(file, 3, { start: at, end: { line: at.line, character: at.character + 5 } }, 'shop');
      await client.waitForDiagnostics(path.join(root, 'schedules/nightly.yaml'), (d) => d.length === 0, 'cleared diagnostics');
      await client.waitForDiagnostics(path.join(root, 'overrides/shop.yaml'), (d) => d.length === 0, 'cleared diagnostics');
      assert.equal(client.exitCode, null);
    });

    it('refreshes override diagnostics when the client reports changed snapshot files (workspace/didChangeWatchedFiles)', async () => {
      client = await startedClient(root);
      const registration = client.messages.find((m) => m.method === 'client/registerCapability');
      assert.ok(registration, 'the server registers its file watchers with the client');
      assert.equal((registration.params as { registrations: { method: string }[] }).registrations[0]!.method, 'workspace/didChangeWatchedFiles');
      const overrides = path.join(root, 'overrides/shop.yaml');
      assert.equal(client.diagnostics.has(uri(overrides)), false);
      // A sync elsewhere (or a checkout) drops `updated_at` from the orders snapshot.
      const snapshot = path.join(root, 'snapshots/shop/orders.yaml');
      fs.writeFileSync(snapshot, fs.readFileSync(snapshot, 'utf8').replace('  - name: updated_at\n    type: DATETIME\n    nullable: false\n', ''));
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(snapshot), type: 2 }] });
      const diagnostics = await client.waitForDiagnostics(overrides, (d) => d.length > 0);
      assert.deepEqual(codesOf(diagnostics), ['unknown-field']);
    });

    it('watches the disk itself when the client cannot, and sees a deleted snapshot file', async () => {
      client = await startedClient(root, MINIMAL_CAPABILITIES);
      const loaded = client.messages.find((m) => m.method === 'catalog/workspaceLoaded')!.params as { fileEvents: string };
      assert.equal(loaded.fileEvents, 'server');
      assert.equal(client.messages.some((m) => m.method === 'client/registerCapability'), false);
      const overrides = path.join(root, 'overrides/shop.yaml');
      fs.rmSync(path.join(root, 'snapshots/shop/orders.yaml'));
      const diagnostics = await client.waitForDiagnostics(overrides, (d) => d.length > 0);
      assert.deepEqual(codesOf(diagnostics), ['unknown-container']);
    });

    it('reads a definition file created on disk and forgets a deleted one', async () => {
      client = await startedClient(root);
      const created = writeFile(root, 'schedules/new.yaml', 'kind: Schedule\nname: new\ndatastore: nowhere\nhourly: { every: 1 }\n');
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(created), type: 1 }] });
      assert.deepEqual(codesOf(await client.waitForDiagnostics(created, (d) => d.length > 0)), ['unknown-datastore']);
      fs.rmSync(created);
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(created), type: 3 }] });
      await client.waitForDiagnostics(created, (d) => d.length === 0, 'cleared diagnostics');
    });

    it('survives an alias bomb and other hostile buffers with one diagnostic each, and keeps answering', async () => {
      client = await startedClient(root);
      const bomb = ['kind: Datastore', 'name: bomb', 'type: dfs', 'root: ./data', 'a0: &a0 [x, x, x, x, x, x, x, x, x]'];
      for (let level = 1; level <= 12; level++) bomb.push(`a${level}: &a${level} [${Array.from({ length: 9 }, () => `*a${level - 1}`).join(', ')}]`);
      const file = path.join(root, 'datastores/bomb.yaml');
      await client.open(file, bomb.join('\n') + '\n');
      assert.deepEqual(codesOf(await client.waitForDiagnostics(file, (_d, v) => v === 1)), ['too-many-aliases']);
      await client.replace(file, 'kind: Datastore\n\tname: tabs\n', 2);
      assert.deepEqual(codesOf(await client.waitForDiagnostics(file, (_d, v) => v === 2)).slice(0, 1), ['yaml-syntax']);
      await client.replace(file, `kind: Datastore\nname: big\ntype: dfs\nroot: ./x\n#${'x'.repeat(2 * 1024 * 1024)}\n`, 3);
      assert.deepEqual(codesOf(await client.waitForDiagnostics(file, (_d, v) => v === 3)), ['file-too-large']);
      const hover = await client.request('textDocument/hover', { textDocument: { uri: uri(path.join(root, 'datastores/shop.yaml')) }, position: { line: 2, character: 1 } });
      assert.ok(hover, 'the server still answers');
      assert.equal(client.exitCode, null);
    });
  });
});
