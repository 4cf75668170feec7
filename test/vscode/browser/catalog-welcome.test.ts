/**
 * A folder without a catalog: the Datastores view's welcome offers "Create Catalog Project";
 * clicking it writes catalog.yaml and a first datastore, and the view lists it. One session
 * (code-server + Chromium, trusted workspace); screenshots:
 * test-artifacts/screenshots/catalog-welcome-<step>.png.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { browserSession } from './browserSession';

describe('Catalog welcome in an empty folder (code-server + Chromium)', function () {
  const browser = browserSession({ name: 'catalog-welcome', trust: 'trusted', workspace: 'empty' });

  it('shows the Datastores view\'s welcome with "Create Catalog Project" when the folder has no catalog', async function () {
    this.timeout(90_000);
    await browser.workbench.openViewContainer('Catalog');
    await browser.workbench.expandView('Datastores');
    const welcome = await browser.workbench.waitForWelcome('Datastores', 'No catalog project in this workspace', 60_000);
    assert.match(welcome, /Create Catalog Project/, welcome);
    await browser.workbench.screenshot('01-no-project-welcome');
  });

  it('creates catalog.yaml and a first datastore from the welcome button, and the view lists the datastore', async function () {
    this.timeout(60_000);
    const workspace = browser.session.workspace;
    await browser.workbench.clickWelcomeButton('Datastores', 'Create Catalog Project');
    await browser.workbench.waitFor(() => fs.existsSync(path.join(workspace, 'catalog.yaml')) && fs.existsSync(path.join(workspace, 'datastores', 'files.yaml')),
      () => `catalog.yaml and datastores/files.yaml in the workspace (there: ${JSON.stringify(fs.readdirSync(workspace, { recursive: true }))})`, 20_000);
    await browser.workbench.waitForActiveEditor('files.yaml');
    await browser.workbench.waitForRows('Datastores', ['files'], 30_000);
    assert.match(await browser.workbench.rowDescription('Datastores', 'files'), /^dfs · not synced$/);
    await browser.workbench.screenshot('02-project-created');
    // The views are in their "ready" state now: the Operations view's welcome offers a first sync.
    await browser.workbench.expandView('Operations');
    await browser.workbench.waitForWelcome('Operations', 'No operations yet', 15_000);
    await browser.workbench.screenshot('03-operations-welcome');
  });
});
