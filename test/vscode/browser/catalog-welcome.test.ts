/**
 * A folder without a catalog: the Datastores view's welcome offers "Create Catalog Project";
 * clicking it writes catalog.yaml and a first datastore, and the view lists it. One session
 * (code-server + Chromium, trusted workspace); screenshots:
 * test-artifacts/screenshots/catalog-welcome-<step>.png.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildForVsCodeTests } from '../launch/build';
import { requireCodeServer } from '../launch/codeServer';
import { fileSafe } from '../launch/paths';
import { startSession, type VsCodeSession } from '../launch/session';
import type { Workbench } from './workbench';

describe('Catalog welcome in an empty folder (code-server + Chromium)', function () {
  let session: VsCodeSession | undefined;
  let workbench: Workbench;

  before(async function () {
    this.timeout(3 * 60_000);
    const bin = requireCodeServer(this);
    await buildForVsCodeTests();
    session = await startSession({ name: 'catalog-welcome', bin, trust: 'trusted', workspace: 'empty' });
    workbench = session.workbench;
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await session?.workbench.screenshot(`failed-${fileSafe(this.currentTest.title)}`).catch(() => undefined);
  });

  after(async function () {
    this.timeout(30_000);
    await session?.stop();
  });

  it('shows the Datastores view\'s welcome with "Create Catalog Project" when the folder has no catalog', async function () {
    this.timeout(90_000);
    await workbench.openViewContainer('Catalog');
    await workbench.expandView('Datastores');
    const welcome = await workbench.waitForWelcome('Datastores', 'No catalog project in this workspace', 60_000);
    assert.match(welcome, /Create Catalog Project/, welcome);
    await workbench.screenshot('01-no-project-welcome');
  });

  it('creates catalog.yaml and a first datastore from the welcome button, and the view lists the datastore', async function () {
    this.timeout(60_000);
    const workspace = session!.workspace;
    await workbench.clickWelcomeButton('Datastores', 'Create Catalog Project');
    await workbench.waitFor(() => fs.existsSync(path.join(workspace, 'catalog.yaml')) && fs.existsSync(path.join(workspace, 'datastores', 'files.yaml')),
      () => `catalog.yaml and datastores/files.yaml in the workspace (there: ${JSON.stringify(fs.readdirSync(workspace, { recursive: true }))})`, 20_000);
    await workbench.waitForActiveEditor('files.yaml');
    await workbench.waitForRows('Datastores', ['files'], 30_000);
    assert.match(await workbench.rowDescription('Datastores', 'files'), /^dfs · not synced$/);
    await workbench.screenshot('02-project-created');
    // The views are in their "ready" state now: the Operations view's welcome offers a first sync.
    await workbench.expandView('Operations');
    await workbench.waitForWelcome('Operations', 'No operations yet', 15_000);
    await workbench.screenshot('03-operations-welcome');
  });
});
