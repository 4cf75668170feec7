/**
 * What a person sees: the Catalog view container of the workbench code-server serves, driven with
 * Chromium. Screenshots land in test-artifacts/screenshots/catalog-view-<step>.png.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { buildForVsCodeTests } from '../launch/build';
import { requireCodeServer } from '../launch/codeServer';
import { REPO, fileSafe } from '../launch/paths';
import { startSession, type VsCodeSession } from '../launch/session';

/** Datastore names of examples/shop/datastores/*.yaml. */
function shopDatastores(): string[] {
  const dir = path.join(REPO, 'examples', 'shop', 'datastores');
  return fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => (parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { name: string }).name).sort();
}

describe('Catalog view in the browser (code-server + Chromium)', function () {
  let session: VsCodeSession | undefined;

  before(async function () {
    this.timeout(3 * 60_000);
    const bin = requireCodeServer(this);
    await buildForVsCodeTests();
    session = await startSession({ name: 'catalog-view', bin, trust: 'trusted' });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await session?.workbench.screenshot(`failed-${fileSafe(this.currentTest.title)}`).catch(() => undefined);
  });

  after(async function () {
    this.timeout(30_000);
    await session?.stop();
  });

  it('shows the shop example\'s datastores in the Datastores view', async function () {
    this.timeout(90_000);
    const workbench = session!.workbench;
    await workbench.openViewContainer('Catalog');
    await workbench.expandView('Datastores');
    await workbench.waitForRows('Datastores', shopDatastores(), 60_000);
    await workbench.screenshot('datastores');
  });

  it('expands a datastore into its containers and opens its definition from the context menu', async function () {
    this.timeout(60_000);
    const workbench = session!.workbench;
    await workbench.expandRow('Datastores', 'shop_db');
    await workbench.waitForRows('Datastores', ['orders', 'customers']);
    await workbench.clickContextAction('Datastores', 'shop_db', 'Open Definition');
    await workbench.waitForActiveEditor('shop_db.yaml');
    await workbench.screenshot('definition');
  });

  it('compares an edited snapshot with the committed one in a diff editor', async function () {
    this.timeout(60_000);
    const workbench = session!.workbench;
    fs.appendFileSync(path.join(session!.workspace, 'snapshots', 'shop_db', 'orders.yaml'), '# edited by the test\n');
    await workbench.clickContextAction('Datastores', 'orders', 'Open Snapshot');
    await workbench.waitForActiveEditor('orders.yaml');
    await workbench.runCommand('Catalog: Compare with Committed');
    await workbench.waitForDiffEditor();
    await workbench.screenshot('compare-with-committed');
  });
});
