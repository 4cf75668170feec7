/**
 * What a person sees: the Catalog view container of the workbench code-server serves, driven with
 * Chromium. Screenshots land in test-artifacts/screenshots/catalog-view-<step>.png.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO } from '../launch/paths';
import { browserSession } from './browserSession';

/** Datastore names of examples/shop/datastores/*.yaml. */
function shopDatastores(): string[] {
  const dir = path.join(REPO, 'examples', 'shop', 'datastores');
  return fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => (parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { name: string }).name).sort();
}

describe('Catalog view in the browser (code-server + Chromium)', function () {
  // In the dark theme (the other browser sessions use the default light one): screenshots of both.
  const browser = browserSession({ name: 'catalog-view', trust: 'trusted', settings: { 'workbench.colorTheme': 'Default Dark Modern' } });

  it('shows the shop example\'s datastores in the Datastores view', async function () {
    this.timeout(90_000);
    await browser.workbench.openViewContainer('Catalog');
    await browser.workbench.expandView('Datastores');
    await browser.workbench.waitForRows('Datastores', shopDatastores(), 60_000);
    await browser.workbench.screenshot('datastores');
  });

  it('expands a datastore into its containers and opens its definition from the context menu', async function () {
    this.timeout(60_000);
    await browser.workbench.expandRow('Datastores', 'shop_db');
    await browser.workbench.waitForRows('Datastores', ['orders', 'customers']);
    await browser.workbench.clickContextAction('Datastores', 'shop_db', 'Open Definition');
    await browser.workbench.waitForActiveEditor('shop_db.yaml');
    await browser.workbench.screenshot('definition');
  });

  it('compares an edited snapshot with the committed one in a diff editor', async function () {
    this.timeout(60_000);
    fs.appendFileSync(path.join(browser.session.workspace, 'snapshots', 'shop_db', 'orders.yaml'), '# edited by the test\n');
    // The row is redrawn when its M badge lands, which can swallow a menu opened just then: a
    // person clicks again, and so does the test (three times at most).
    for (let attempt = 1; ; attempt++) {
      await browser.workbench.clickContextAction('Datastores', 'orders', 'Open Snapshot');
      try {
        await browser.workbench.waitForActiveEditor('orders.yaml', attempt < 3 ? 7_000 : 20_000);
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    await browser.workbench.runCommand('Catalog: Compare with Committed');
    await browser.workbench.waitForDiffEditor();
    await browser.workbench.screenshot('compare-with-committed');
  });
});
