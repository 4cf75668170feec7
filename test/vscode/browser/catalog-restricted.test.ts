/**
 * The shop example opened in Restricted Mode (an untrusted workspace) in a real workbench
 * (code-server + Chromium): the Datastores view lists the committed catalog under a message saying
 * it is browsing in Restricted Mode, the Operations view's welcome says why nothing syncs, and the
 * sync actions are disabled. Screenshots: test-artifacts/screenshots/catalog-restricted-<step>.png.
 */
import assert from 'node:assert/strict';
import { buildForVsCodeTests } from '../launch/build';
import { requireCodeServer } from '../launch/codeServer';
import { fileSafe } from '../launch/paths';
import { startSession, type VsCodeSession } from '../launch/session';
import type { Workbench } from './workbench';

describe('Catalog views in Restricted Mode (code-server + Chromium)', function () {
  let session: VsCodeSession | undefined;
  let workbench: Workbench;

  before(async function () {
    this.timeout(3 * 60_000);
    const bin = requireCodeServer(this);
    await buildForVsCodeTests();
    session = await startSession({ name: 'catalog-restricted', bin, trust: 'restricted' });
    workbench = session.workbench;
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await session?.workbench.screenshot(`failed-${fileSafe(this.currentTest.title)}`).catch(() => undefined);
  });

  after(async function () {
    this.timeout(30_000);
    await session?.stop();
  });

  it('lists the committed datastores under a Restricted Mode message, with the sync actions disabled', async function () {
    this.timeout(90_000);
    await workbench.openViewContainer('Catalog');
    await workbench.expandView('Datastores');
    await workbench.waitForRows('Datastores', ['analytics', 'landing', 'shop_db'], 60_000);
    let message: string | undefined;
    await workbench.waitFor(async () => /Restricted Mode/.test((message = await workbench.viewMessage('Datastores')) ?? ''),
      () => `the Datastores view's message about Restricted Mode (shown: ${JSON.stringify(message)})`);
    assert.match(message!, /^Restricted Mode: browsing the committed catalog\. Trust the workspace to sync or test connections\.$/);
    await workbench.expandView('Operations');
    await workbench.waitForWelcome('Operations', /Restricted Mode: syncs, previews and connection tests are off until you trust this workspace/);
    await workbench.waitForStatusBarItem('database', 'Catalog', 30_000);
    await workbench.screenshot('01-restricted-mode');

    // The sync actions are there but disabled (their commands need a trusted workspace).
    const menu = await workbench.openContextMenu('Datastores', 'shop_db');
    assert.ok(!menu.includes('Sync Now') && !menu.includes('Preview Sync…'), `no enabled sync action in Restricted Mode: ${JSON.stringify(menu)}`);
    assert.ok(menu.includes('Open Definition'), `browsing actions stay: ${JSON.stringify(menu)}`);
    await workbench.screenshot('02-restricted-context-menu');
    await workbench.closeMenu();
  });
});
