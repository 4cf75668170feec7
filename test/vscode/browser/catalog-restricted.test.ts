/**
 * The shop example opened in Restricted Mode (an untrusted workspace) in a real workbench
 * (code-server + Chromium): the Datastores view lists the committed catalog under a message saying
 * it is browsing in Restricted Mode, the Operations view's welcome says why nothing syncs, and the
 * sync actions are disabled. Screenshots: test-artifacts/screenshots/catalog-restricted-<step>.png.
 */
import assert from 'node:assert/strict';
import { browserSession } from './browserSession';

describe('Catalog views in Restricted Mode (code-server + Chromium)', function () {
  const browser = browserSession({ name: 'catalog-restricted', trust: 'restricted' });

  it('lists the committed datastores under a Restricted Mode message, with the sync actions disabled', async function () {
    this.timeout(90_000);
    await browser.workbench.openViewContainer('Catalog');
    await browser.workbench.expandView('Datastores');
    await browser.workbench.waitForRows('Datastores', ['analytics', 'landing', 'shop_db'], 60_000);
    let message: string | undefined;
    await browser.workbench.waitFor(async () => /Restricted Mode/.test((message = await browser.workbench.viewMessage('Datastores')) ?? ''),
      () => `the Datastores view's message about Restricted Mode (shown: ${JSON.stringify(message)})`);
    assert.match(message!, /^Restricted Mode: browsing the committed catalog\. Trust the workspace to sync or test connections\.$/);
    await browser.workbench.expandView('Operations');
    await browser.workbench.waitForWelcome('Operations', /Restricted Mode: syncs, previews and connection tests are off until you trust this workspace/);
    await browser.workbench.waitForStatusBarItem('database', 'Catalog', 30_000);
    await browser.workbench.screenshot('01-restricted-mode');

    // The sync actions are there but disabled (their commands need a trusted workspace).
    const menu = await browser.workbench.openContextMenu('Datastores', 'shop_db');
    assert.ok(!menu.includes('Sync Now') && !menu.includes('Preview Sync…'), `no enabled sync action in Restricted Mode: ${JSON.stringify(menu)}`);
    assert.ok(menu.includes('Open Definition'), `browsing actions stay: ${JSON.stringify(menu)}`);
    await browser.workbench.screenshot('02-restricted-context-menu');
    await browser.workbench.closeMenu();
  });
});
