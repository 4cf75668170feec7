import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PACKAGED_ENV } from '../launch/results';
import { catalogApi } from './catalogApi';
import { EXTENSION_ID, catalogExtension, waitFor } from './helpers';

const NO_PRUNE = { prune: false, recreate: false };

/**
 * Runs only in the session of test/vscode/packaged.test.ts, which installs the VSIX that `npm run
 * package` builds into a fresh extensions folder (named by CAC_VSCODE_TEST_PACKAGED) and loads the
 * extension from there rather than from the repository. The other sessions skip it.
 */
describe('packaged extension (installed from its VSIX)', function () {
  this.timeout(90_000);
  let extensionsDir: string;

  before(function () {
    const dir = process.env[PACKAGED_ENV];
    if (!dir) this.skip();
    extensionsDir = fs.realpathSync(dir);
  });

  it('is loaded from the extensions folder it was installed into, not from the repository', function () {
    const extension = catalogExtension();
    const extensionPath = extension.extensionPath;
    assert.equal(path.dirname(fs.realpathSync(extensionPath)), extensionsDir, `${EXTENSION_ID} loaded from ${extensionPath}`);
    assert.ok(!fs.lstatSync(extensionPath).isSymbolicLink(), `${extensionPath} is a link`);
    assert.equal(fs.realpathSync(extensionPath), path.resolve(extensionPath));
    assert.ok(!isInside(fs.realpathSync(extensionPath), repositoryRoot()), `${extensionPath} is inside the repository ${repositoryRoot()}`);
    for (const absent of ['client/src', 'server', 'test', 'examples', 'dist/client.js.map', 'dist/server.js.map']) {
      assert.ok(!fs.existsSync(path.join(extensionPath, absent)), `the installed extension has ${absent}`);
    }
    for (const present of ['dist/client.js', 'dist/server.js', 'dist/lspSyncWorker.js', 'node_modules/better-sqlite3/build/Release/better_sqlite3.node']) {
      assert.ok(fs.existsSync(path.join(extensionPath, present)), `the installed extension lacks ${present}`);
    }
  });

  it('activates and loads the workspace', async function () {
    const extension = catalogExtension();
    await waitFor(() => extension.isActive, `${EXTENSION_ID} to activate on its own`, 50_000);
    await catalogApi();
  });

  it('lists the shop example\'s datastores in the Datastores view', async function () {
    const api = await catalogApi();
    await vscode.commands.executeCommand('catalogAsCode.datastores.focus');
    const names = await waitFor(async () => {
      api.datastores.refresh();
      const found = (await api.datastores.datastores()).map((d) => String(api.datastores.getTreeItem(d).label ?? d.item.name)).sort();
      return found.length >= 3 ? found : undefined;
    }, 'the shop datastores in the Datastores view', 20_000);
    assert.deepEqual(names, ['analytics', 'landing', 'shop_db']);
  });

  it('shows the Activity panel from the installed bundle (its webview loads and asks for data)', async function () {
    const api = await catalogApi();
    const asked: string[] = [];
    const listener = api.activity.onDidPost((m) => asked.push(m.type));
    try {
      await vscode.commands.executeCommand('catalogAsCode.showActivity');
      // The webview posts ready only once its script ran: loaded from the extension's dist/webview.
      await waitFor(() => asked.includes('init') && asked.includes('runs') && asked.includes('activity'), 'the Activity webview to load and ask for its data', 30_000);
      assert.match(api.activity.webview?.html ?? '', new RegExp(`${EXTENSION_ID.split('.')[1]}-[^/]+/dist/webview/activity\\.js`));
    } finally {
      listener.dispose();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  for (const [datastore, driver] of [['shop_db', 'SQLite'], ['analytics', 'DuckDB']] as const) {
    it(`syncs ${datastore} (${driver}) with the packaged native driver`, async function () {
      const api = await catalogApi();
      const result = await api.sync.syncNow({ datastore }, NO_PRUNE);
      assert.ok(result, `the sync of ${datastore} did not run (see the Catalog output channel)`);
      assert.equal(result.result, 'success', `${result.result}: ${result.message ?? ''} ${JSON.stringify(result.logs.slice(-5))}`);
      assert.ok(result.summary && Object.values(result.summary).some((n) => typeof n === 'number' && n > 0), `nothing synced: ${JSON.stringify(result.summary)}`);
    });
  }

  it('ran both drivers\' native modules from the installed extension (the language server\'s memory maps)', function () {
    if (process.platform !== 'linux') this.skip();
    const extensionPath = fs.realpathSync(catalogExtension().extensionPath);
    const server = path.join(extensionPath, 'dist', 'server.js');
    const pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && readProc(p, 'cmdline').split('\0').includes(server));
    assert.ok(pids.length > 0, `no process runs ${server}`);
    const addons = new Set(pids.flatMap((pid) => readProc(pid, 'maps').split('\n').map((line) => line.slice(line.indexOf('/'))).filter((file) => file.endsWith('.node'))));
    const list = JSON.stringify([...addons]);
    assert.ok(addons.has(path.join(extensionPath, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')), `SQLite driver not loaded from the extension: ${list}`);
    assert.ok([...addons].some((file) => isInside(file, path.join(extensionPath, 'node_modules', '@duckdb'))), `DuckDB driver not loaded from the extension: ${list}`);
    assert.deepEqual([...addons].filter((file) => !isInside(file, extensionPath)), [], 'native modules loaded from elsewhere');
  });
});

/** The repository: this bundle runs from out/vscode-tests/runner-extension/suite/ in it. */
function repositoryRoot(): string {
  const root = path.resolve(__dirname, '..', '..', '..', '..');
  assert.ok(fs.existsSync(path.join(root, 'test', 'vscode', 'suite')), `${root} is not the repository (the suite bundle runs from ${__dirname})`);
  return root;
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function readProc(pid: string, file: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}
