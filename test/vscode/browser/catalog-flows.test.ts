/**
 * What a person does in the Catalog views of a real workbench (code-server + Chromium), in one
 * session over a fresh copy of examples/shop, in order: browse the tree and read a tooltip, set an
 * identifier override from a container's gear, preview a sync from a datastore's inline action and
 * apply it from the notification, and abort a slow sync from the Operations view. Every step is
 * screenshotted: test-artifacts/screenshots/catalog-flows-<step>.png.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { BULK_FILES, writeBulkDefinition, writeBulkFiles } from '../launch/bulkStore';
import { browserSession } from './browserSession';

/**
 * Files of the slow sync: enough, and wide enough, that it is still running when Abort is clicked
 * (about 5 s for the CLI on an idle machine; 40 MB, written in about 1 s).
 */

describe('Catalog flows in the browser: browse, override, preview and apply, abort (code-server + Chromium)', function () {
  const browser = browserSession({ name: 'catalog-flows', trust: 'trusted' });

  it('shows "Catalog" in the status bar, and shop_db down to a container\'s fields, with a container\'s tooltip', async function () {
    this.timeout(90_000);
    await browser.workbench.openViewContainer('Catalog');
    await browser.workbench.expandView('Datastores');
    await browser.workbench.waitForRows('Datastores', ['analytics', 'landing', 'shop_db'], 60_000);
    // The item says "Catalog" with $(database) once the server is ready (a spinner before).
    assert.equal(await browser.workbench.waitForStatusBarItem('database', 'Catalog', 30_000), 'Catalog');
    assert.match(await browser.workbench.rowDescription('Datastores', 'shop_db'), /^sqlite · 5 containers$/);
    await browser.workbench.screenshot('01-datastores-and-status-bar');

    await browser.workbench.expandRow('Datastores', 'shop_db');
    await browser.workbench.waitForRows('Datastores', ['customer_order_totals', 'customers', 'order_items', 'orders', 'products']);
    assert.match(await browser.workbench.rowDescription('Datastores', 'orders'), /^table · \d+ fields · ↻ updated_at · ▦ ordered_at$/);
    await browser.workbench.screenshot('02-shop_db-containers');

    const tooltip = await browser.workbench.hoverRow('Datastores', 'orders', 'Incremental identifier');
    assert.match(tooltip, /Incremental identifier: updated_at \(last_modified, override\)/, tooltip);
    assert.match(tooltip, /Partition identifier: ordered_at \(\w+, override\)/, tooltip);
    await browser.workbench.screenshot('03-orders-tooltip');
    await browser.workbench.moveMouseAway();

    await browser.workbench.expandRow('Datastores', 'customers');
    await browser.workbench.waitForRows('Datastores', ['id', 'email', 'full_name', 'country', 'created_at', 'updated_at']);
    assert.match(await browser.workbench.rowDescription('Datastores', 'id'), /primary key/);
    await browser.workbench.screenshot('04-customers-fields');
  });

  it('sets an identifier override from a container\'s gear, keeping the Overrides file\'s comment and entries', async function () {
    this.timeout(60_000);
    const file = path.join(browser.session.workspace, 'overrides', 'shop_db.yaml');
    const before = fs.readFileSync(file, 'utf8');
    const heading = before.split('\n')[0];
    assert.match(heading, /^# /, 'the example\'s Overrides file starts with a comment');

    await browser.workbench.clickInlineAction('Datastores', 'customers', 'Identifier Settings…');
    await browser.workbench.waitForQuickInputTitle('customers: incremental identifier (1/2)');
    let items: string[] = [];
    await browser.workbench.waitFor(async () => (items = await browser.workbench.quickPickItems()).length > 2, () => `the incremental identifier choices (shown: ${JSON.stringify(items)})`);
    assert.equal(items[0], 'Automatic', JSON.stringify(items));
    assert.equal(items.at(-1), 'None', JSON.stringify(items));
    const fields = items.slice(1, -1);
    // A field other than the detected one (updated_at), so the override changes something.
    const field = fields.find((f) => f !== 'updated_at') ?? fields[0];
    assert.ok(field, `customers offers a field for its incremental identifier: ${JSON.stringify(items)}`);
    await browser.workbench.screenshot('05-identifier-incremental-pick');
    await browser.workbench.pickQuickPickItem(field);

    await browser.workbench.waitForQuickInputTitle('customers: partition identifier (2/2)');
    await browser.workbench.screenshot('06-identifier-partition-pick');
    await browser.workbench.pickQuickPickItem('Automatic');

    let parsed: { containers: Record<string, Record<string, string> | undefined> } | undefined;
    await browser.workbench.waitFor(() => {
      parsed = parse(fs.readFileSync(file, 'utf8')) as typeof parsed;
      return parsed?.containers.customers?.incremental_identifier === field;
    }, () => `overrides/shop_db.yaml to set customers' incremental_identifier to ${field} (now: ${JSON.stringify(parsed?.containers.customers)})`, 15_000);
    const after = fs.readFileSync(file, 'utf8');
    assert.equal(after.split('\n')[0], heading, 'the leading comment is kept');
    assert.equal(parsed!.containers.customers?.partition_identifier, undefined, '"Automatic" writes no partition identifier');
    assert.deepEqual(parsed!.containers.orders, { incremental_identifier: 'updated_at', partition_identifier: 'ordered_at' }, 'other entries are kept');
    assert.deepEqual(parsed!.containers.order_items, { incremental_identifier: 'id' }, 'other entries are kept');
    // The tree shows the snapshot until the next sync, so a notification says when the choice applies.
    await browser.workbench.waitForNotification(/Updated overrides\/shop_db\.yaml: the next sync of shop_db uses the identifiers set for customers/, 10_000);
    await browser.workbench.screenshot('07-override-saved');
  });

  it('previews a sync of landing from its inline action, writes nothing, then applies it from the notification', async function () {
    this.timeout(90_000);
    const workspace = browser.session.workspace;
    fs.writeFileSync(path.join(workspace, 'data', 'landing', 'carriers.csv'), 'carrier_id,name,country\n1,Royal Mail,GB\n2,DHL,DE\n');
    const snapshotsBefore = filesUnder(path.join(workspace, 'snapshots'));

    await browser.workbench.collapseRow('Datastores', 'shop_db');
    await browser.workbench.clickInlineAction('Datastores', 'landing', 'Preview Sync…');
    await browser.workbench.waitForQuickInputTitle('Preview Sync of landing');
    assert.deepEqual(await browser.workbench.quickPickItems(), ['Prune', 'Recreate'], 'a file store offers prune and recreate, no tables/views');
    await browser.workbench.screenshot('08-preview-options');
    await browser.workbench.page.keyboard.press('Enter');

    await browser.workbench.waitForDiffEditor(45_000);
    await browser.workbench.moveMouseAway();
    const notification = await browser.workbench.waitForNotification(/^Sync preview of landing: /, 30_000);
    assert.match(notification, /1 added/, notification);
    assert.deepEqual(await browser.workbench.notificationButtons('Sync preview of landing'), ['Apply', 'Show Files', 'Discard']);
    await browser.workbench.screenshot('09-preview-diff-and-notification');
    assert.deepEqual(filesUnder(path.join(workspace, 'snapshots')), snapshotsBefore, 'a preview writes nothing under snapshots/');

    await browser.workbench.clickNotificationButton('Sync preview of landing', 'Apply');
    const synced = await browser.workbench.waitForNotification(/^Synced landing \(operation #\d+\)/, 45_000);
    const operationId = /operation #(\d+)/.exec(synced)![1];
    assert.match(synced, /1 added/, synced);
    let written: string[] = [];
    await browser.workbench.waitFor(() => {
      written = [...filesUnder(path.join(workspace, 'snapshots')).keys()].filter((f) => !snapshotsBefore.has(f));
      return written.some((f) => f.startsWith('landing/') && f.includes('carriers'));
    }, () => `a snapshot of carriers.csv under snapshots/landing/ (new files: ${JSON.stringify(written)})`, 15_000);
    await browser.workbench.screenshot('10-applied');

    await browser.workbench.expandView('Operations');
    const label = `#${operationId} landing`;
    await browser.workbench.waitFor(async () => (await browser.workbench.rowIcon('Operations', label))?.name === 'pass', `the operation ${label} with a success icon ($(pass)) in the Operations view`, 15_000);
    assert.match(await browser.workbench.rowDescription('Operations', label), /^\+1 · /);
    await browser.workbench.screenshot('11-operations-success');
  });

  it('aborts a slow sync from the Operations view\'s inline action; the aborted operation offers Resume, Rerun and Delete', async function () {
    this.timeout(120_000);
    const workspace = browser.session.workspace;
    // The definition first: VS Code's file watcher, flooded by the 10,000 data files, may miss it.
    writeBulkDefinition(workspace, 'bulk');
    // The view does not follow definitions written outside the editor: Refresh, as a person would.
    await browser.workbench.refreshUntilRow('Datastores', 'bulk');
    writeBulkFiles(workspace, 'bulk');
    await browser.workbench.screenshot('12-bulk-datastore');

    await browser.workbench.clickContextAction('Datastores', 'bulk', 'Sync Now');
    await browser.workbench.moveMouseAway();
    const running = /^#\d+ bulk$/;
    const progress = /^[\d,]+\/10,000 · /;
    const descriptions: string[] = [];
    let icon: { name: string; spinning: boolean } | undefined;
    // Running (a spinning $(sync)), with its progress counted against the 10,000 files.
    await browser.workbench.waitFor(async () => {
      icon = await browser.workbench.rowIcon('Operations', running);
      if (icon?.name !== 'sync') return false;
      const description = await browser.workbench.rowDescription('Operations', running);
      if (descriptions.at(-1) !== description) descriptions.push(description);
      return progress.test(description);
    }, () => `the operation of bulk running with progress like "312/10,000" in the Operations view (icon: ${JSON.stringify(icon)}, descriptions seen: ${JSON.stringify(descriptions)})`, 30_000);
    assert.ok(icon?.spinning, 'a running operation\'s $(sync) icon spins');
    // Hovered, the row shows its inline Abort action.
    await (await browser.workbench.row('Operations', running)).hover();
    await browser.workbench.screenshot('13-bulk-running');

    await browser.workbench.clickInlineAction('Operations', running, 'Abort');
    const aborted = await browser.workbench.waitForNotification(/Sync of bulk aborted|Synced bulk/, 45_000);
    assert.match(aborted, /^Sync of bulk aborted \(operation #\d+\)/, `Abort came too late: the sync of bulk ended first (${aborted}); make BULK_FILES bigger`);
    await browser.workbench.waitFor(async () => (await browser.workbench.rowIcon('Operations', running))?.name === 'stop-circle', 'the aborted operation of bulk with a $(stop-circle) icon', 15_000);
    // Aborted while reading, it wrote none; while writing, some (each complete).
    const written = fs.existsSync(path.join(workspace, 'snapshots', 'bulk')) ? fs.readdirSync(path.join(workspace, 'snapshots', 'bulk')).length : 0;
    assert.ok(written < BULK_FILES, `an aborted sync wrote only part of the snapshots (${written})`);
    await browser.workbench.moveMouseAway();
    await browser.workbench.screenshot('14-bulk-aborted');
    const tooltip = await browser.workbench.hoverRow('Operations', running, 'aborted');
    assert.match(tooltip, /Stopped after writing [\d,]+ of 10,000 snapshot files: Resume finishes the writes, Rerun syncs again from the start\./, tooltip);
    await browser.workbench.screenshot('15-bulk-aborted-tooltip');
    await browser.workbench.moveMouseAway();

    const menu = await browser.workbench.openContextMenu('Operations', running);
    for (const action of ['Resume', 'Rerun', 'Delete']) assert.ok(menu.includes(action), `the aborted operation's menu offers ${action}: ${JSON.stringify(menu)}`);
    assert.ok(!menu.includes('Abort'), `an aborted operation offers no Abort: ${JSON.stringify(menu)}`);
    await browser.workbench.screenshot('16-bulk-aborted-menu');
    await browser.workbench.closeMenu();
  });
});

/** Files under `dir` (relative, `/`-separated) with their text. */
function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, file).split(path.sep).join('/'), fs.readFileSync(file, 'utf8'));
  }
  return out;
}

