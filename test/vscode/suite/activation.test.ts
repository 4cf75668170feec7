import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { TRUST_ENV } from '../launch/results';
import { EXTENSION_ID, MANIFEST, activeCatalog, catalogExtension, exists, waitFor, workspaceRoot } from './helpers';

describe('the harness', function () {
  it('opens the shop example as the workspace folder', function () {
    assert.ok(exists('catalog.yaml'), `no catalog.yaml in ${workspaceRoot()}`);
    assert.ok(exists('shop.sqlite'), 'examples/shop/setup.mjs did not build shop.sqlite in the workspace');
    assert.ok(exists('.git'), 'the workspace is not a git repository');
  });

  it('passes the launcher\'s environment to the extension host and opens the workspace with the trust it asked for', function () {
    const trust = process.env[TRUST_ENV];
    assert.ok(trust, `${TRUST_ENV} did not reach the extension host`);
    assert.equal(vscode.workspace.isTrusted, trust === 'trusted');
  });
});

describe('activation', function () {
  it('has the extension installed, with the version of package.json', function () {
    const extension = catalogExtension();
    assert.equal(extension.packageJSON.version, MANIFEST.version);
  });

  it('activates on its own in a workspace with a catalog.yaml', async function () {
    this.timeout(60_000);
    const extension = catalogExtension();
    await waitFor(() => extension.isActive, `${EXTENSION_ID} to activate (activationEvents: ${JSON.stringify(MANIFEST.activationEvents)})`, 50_000);
  });

  it('loads the workspace in its language server', async function () {
    this.timeout(70_000);
    await activeCatalog(60_000);
  });

  it('registers every command of package.json contributes.commands', async function () {
    await activeCatalog();
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = MANIFEST.contributes.commands.map((c) => c.command);
    assert.deepEqual(contributed.filter((id) => !registered.has(id)), [], 'contributed commands without a registration');
  });

  it('shows its view container and views', async function () {
    await activeCatalog();
    for (const view of MANIFEST.contributes.views.catalogAsCode) await vscode.commands.executeCommand(`${view.id}.focus`);
    await vscode.commands.executeCommand('workbench.view.extension.catalogAsCode');
  });
});
