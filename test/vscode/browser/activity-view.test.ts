/**
 * The Activity panel as a person uses it: code-server + Chromium over the shop example with a
 * year of history (launch/shopHistory.ts) and real syncs. Clicks the heatmap, the filters, a run,
 * its actions; keeps screenshots in the light and dark themes; fails on any Content Security
 * Policy violation the page or its webview logs. Screenshots: test-artifacts/screenshots/activity-*.png.
 */
import * as assert from 'node:assert/strict';
import type { Frame, Locator } from 'playwright-core';
import { writeBulkDefinition, writeBulkFiles } from '../launch/bulkStore';
import { writeShopHistory, type ShopHistory } from '../launch/shopHistory';
import { browserSession } from './browserSession';

describe('Activity view in the browser (code-server + Chromium)', function () {
  let history: ShopHistory | undefined;
  const browser = browserSession({ name: 'activity', trust: 'trusted', prepare: (workspace) => (history = writeShopHistory(workspace)) });
  /** Every console message of the page and its frames (webviews included). */
  const consoleMessages: string[] = [];
  let frame: Frame;

  const cells = (): Locator => frame.locator('.heatmap .day[data-date]');
  const runRows = (): Locator => frame.locator('tr.run');
  const rowsText = async (): Promise<string[]> => runRows().allInnerTexts();
  const waitRows = async (what: string, ok: (rows: string[]) => boolean): Promise<string[]> => {
    let rows: string[] = [];
    await browser.workbench.waitFor(async () => ok((rows = await rowsText())), () => `${what} (rows now: ${JSON.stringify(rows.slice(0, 5))})`);
    return rows;
  };

  before(function () {
    browser.workbench.page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()} (${message.location().url}:${message.location().lineNumber})`));
  });

  it('opens from the Operations view with a year of runs on the heatmap', async function () {
    this.timeout(120_000);
    await browser.workbench.openViewContainer('Catalog');
    await browser.workbench.clickViewTitleAction('Operations', 'Show Activity');
    frame = await browser.workbench.webviewFrame('#activity .heatmap .day[data-date]', 60_000);
    assert.equal(await cells().count(), 365);
    const heading = await frame.locator('.heatmap h2').innerText();
    assert.equal(heading, `${history!.count} operations in the last year`);
    await waitRows('the newest 50 runs', (rows) => rows.length === 50);
    // The webview's console reaches this test (so the CSP check below would see a violation).
    await frame.evaluate("console.error('cac-console-probe')");
    await browser.workbench.waitFor(() => consoleMessages.some((m) => m.includes('cac-console-probe')), 'the webview\'s console message to reach the test');
    await browser.workbench.screenshot('light');
  });

  it('filters the runs to a clicked day and clears it on a second click', async function () {
    this.timeout(60_000);
    const [busiest, count] = [...history!.perDay].sort((a, b) => b[1] - a[1] || b[0].localeCompare(a[0]))[0];
    const cell = frame.locator(`.heatmap .day[data-date="${busiest}"]`);
    await cell.hover();
    await browser.workbench.waitFor(async () => (await frame.locator('.day-tooltip').innerText().catch(() => '')).includes(`${count} operations`), `the tooltip of ${busiest}`);
    await cell.click();
    const day = new Date(`${busiest}T00:00:00Z`).toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
    await waitRows(`${count} runs of ${busiest}`, (rows) => rows.length === count);
    assert.equal(await cell.getAttribute('aria-selected'), 'true');
    assert.ok(await frame.locator('.day-chip').isVisible());
    assert.match(await frame.locator('.day-chip').innerText(), new RegExp(day.replace(' ', '\\s+')));
    await browser.workbench.screenshot('day-filter');
    await cell.click();
    await waitRows('all runs again', (rows) => rows.length === 50);
    assert.equal(await frame.locator('.day-chip').count(), 0);
  });

  it('moves over the heatmap with the keyboard and filters with Enter', async function () {
    this.timeout(60_000);
    const last = cells().last();
    await last.focus();
    await last.press('ArrowLeft');
    const focused = await frame.evaluate<string | undefined>('document.activeElement?.dataset?.date');
    const expected = new Date(Date.parse(`${await last.getAttribute('data-date')}T00:00:00Z`) - 7 * 86_400_000).toISOString().slice(0, 10);
    assert.equal(focused, expected, 'ArrowLeft goes a week back');
    await frame.locator(`.day[data-date="${expected}"]`).press('Enter');
    const count = history!.perDay.get(expected) ?? 0;
    await waitRows(`the ${count} runs of ${expected}`, (rows) => rows.length === count);
    assert.equal(await frame.locator(`.day[data-date="${expected}"]`).getAttribute('aria-selected'), 'true');
    await frame.locator('.day-chip').click();
    await waitRows('all runs again', (rows) => rows.length === 50);
  });

  it('filters by status with counts, searches by id and sorts by duration', async function () {
    this.timeout(60_000);
    const failure = frame.locator('button.chip.failure');
    const failures = Number(await failure.locator('.count').innerText());
    assert.ok(failures > 0);
    await failure.click();
    const rows = await waitRows('failures only', (r) => r.length === Math.min(50, failures) && r.every((t) => t.includes('Failure')));
    assert.equal(await failure.getAttribute('aria-pressed'), 'true');
    await browser.workbench.screenshot('failures');
    await failure.click();
    await waitRows('all runs again', (r) => r.length === 50 && r.length !== rows.length);

    await frame.locator('vscode-textfield.search input').fill('100');
    await waitRows('operation #100', (r) => r.length === 1 && r[0].includes('#100'));
    await frame.locator('vscode-textfield.search input').fill('');
    await waitRows('all runs again', (r) => r.length === 50);

    await frame.locator('#sort').click();
    await frame.locator('#sort li[role="option"]', { hasText: 'Duration' }).click();
    await waitRows('the longest runs first', (r) => r.length === 50 && r[0].includes('analytics'));
    await browser.workbench.screenshot('longest');
    await frame.locator('#sort').click();
    await frame.locator('#sort li[role="option"]', { hasText: 'Created date' }).click();
    await waitRows('the newest runs first', (r) => r[0]?.includes(`#${history!.count}`));
  });

  it('shows a run\'s detail with the seed\'s parameters, its changes and searchable logs', async function () {
    this.timeout(60_000);
    const warning = frame.locator('button.chip.warning');
    await warning.click();
    await waitRows('warnings only', (r) => r.length > 0 && r.every((t) => t.includes('Warning')));
    await runRows().first().click();
    const params = await frame.locator('table.params th').allInnerTexts();
    for (const name of ['Operation ID', 'Operation Type', 'Timestamp', 'Progress Bar', 'Triggered By', 'Schedule', 'Prune', 'Recreate', 'Table', 'Views']) assert.ok(params.includes(name), `${name} in ${params.join(', ')}`);
    const actions = await frame.locator('.detail .actions vscode-button').allInnerTexts();
    assert.deepEqual(actions.map((a) => a.trim()), ['Rerun', 'Delete', 'Logs']);
    await frame.locator('.detail-filter input').fill('read');
    await browser.workbench.waitFor(async () => (await frame.locator('.logs mark').count()) > 0 || (await frame.locator('.logs .log').count()) === 0, 'the log filter to apply');
    await browser.workbench.screenshot('detail');
    await frame.locator('.detail-filter input').fill('');
    await warning.click();
  });

  it('reruns a sync from the detail: the new run appears live and the detail follows it', async function () {
    this.timeout(120_000);
    await frame.locator('vscode-textfield.search input').fill('shop_db');
    await waitRows('shop_db runs', (r) => r.length > 0 && r.every((t) => t.includes('shop_db')));
    await runRows().first().click();
    await frame.locator('.detail .actions vscode-button[data-action="rerun"]').click();
    await browser.workbench.waitFor(async () => (await frame.locator('.detail h2').innerText()).includes(`#${history!.count + 1}`), 'the detail to show the new operation');
    await waitRows('the new run on top', (r) => r[0]?.includes(`#${history!.count + 1}`) && /Success|Warning/.test(r[0]));
    await frame.locator('vscode-textfield.search input').fill('');
  });

  it('deletes a run after an inline confirmation; the Operations view agrees', async function () {
    this.timeout(60_000);
    const id = history!.count; // the newest fixture run
    await frame.locator('vscode-textfield.search input').fill(String(id));
    await waitRows(`operation #${id}`, (r) => r.length === 1);
    await runRows().first().click();
    await frame.locator('.detail .actions vscode-button[data-action="delete"]').click();
    await frame.locator('.confirm vscode-button[data-action="confirm-delete"]').click();
    await waitRows(`#${id} gone`, (r) => r.length === 0);
    await browser.workbench.expandView('Operations');
    await browser.workbench.waitFor(async () => !(await browser.workbench.rowLabels('Operations')).some((l) => l.startsWith(`#${id} `)), `the Operations view to drop #${id}`);
    await frame.locator('vscode-textfield.search input').fill('');
  });

  it('keeps its filters and selection when hidden behind another editor and shown again', async function () {
    this.timeout(60_000);
    await frame.locator('button.chip.aborted').click();
    await waitRows('aborted runs', (r) => r.length > 0 && r.every((t) => t.includes('Aborted')));
    await runRows().first().click();
    const title = await frame.locator('.detail h2').innerText();
    await browser.workbench.runCommand('File: New Untitled Text File');
    await browser.workbench.waitForActiveEditor(/Untitled/);
    await browser.workbench.runCommand('View: Revert and Close Editor');
    await browser.workbench.waitForActiveEditor('Catalog Activity');
    // The webview was destroyed while hidden (no retainContextWhenHidden): this is a new page, restored from its state.
    frame = await browser.workbench.webviewFrame('#activity tr.run', 30_000);
    await waitRows('the aborted runs again', (r) => r.length > 0 && r.every((t) => t.includes('Aborted')));
    assert.equal(await frame.locator('button.chip.aborted').getAttribute('aria-pressed'), 'true');
    await browser.workbench.waitFor(async () => (await frame.locator('.detail h2').innerText().catch(() => '')) === title, `the detail of ${title} again`);
    await frame.locator('button.chip.aborted').click();
  });

  it('opens from a datastore\'s context menu with that datastore\'s runs', async function () {
    this.timeout(60_000);
    await browser.workbench.clickContextAction('Datastores', 'landing', 'Show Activity');
    await waitRows('landing runs only', (r) => r.length > 0 && r.every((t) => t.includes('landing')));
    assert.equal(await frame.locator('#datastore').evaluate((el) => (el as unknown as { value: string }).value), 'landing');
    const heading = await frame.locator('.heatmap h2').innerText();
    assert.ok(Number(heading.split(' ')[0]) < history!.count, `the heatmap counts landing's runs only: ${heading}`);
    await frame.locator('#datastore').click();
    await frame.locator('#datastore li[role="option"]', { hasText: 'All datastores' }).click();
    await waitRows('every datastore again', (r) => new Set(r.map((t) => t.split('\t')[2])).size > 1);
  });

  it('shows a running sync live with its progress bar and aborts it from the detail', async function () {
    this.timeout(150_000);
    const workspace = browser.session.workspace;
    writeBulkDefinition(workspace, 'bulk');
    await browser.workbench.refreshUntilRow('Datastores', 'bulk');
    // Twice the files of the Operations view's abort test: the detail is a click further away.
    writeBulkFiles(workspace, 'bulk', 20_000);
    await browser.workbench.clickContextAction('Datastores', 'bulk', 'Sync Now');
    // The row appears from the server's notifications with its progress bar; abort it at once
    // from its detail (the sync takes seconds), then look at the running row and the pending abort.
    const row = frame.locator('tr.run', { hasText: 'bulk' }).first();
    await row.locator('vscode-progress-bar').waitFor({ timeout: 60_000 });
    await row.click();
    await frame.locator('.detail .actions vscode-button[data-action="abort"]').click();
    await browser.workbench.screenshot('running');
    assert.match(await row.locator('.progress-text').innerText().catch(() => 'aborted already'), /^[a-z ]*([\d,]+( \/ [\d,]+)? )?· [\d.]+ (ms|s)$|aborted already/);
    await browser.workbench.waitFor(async () => (await row.innerText()).includes('Aborted'), 'the row to turn aborted', 45_000);
    // The detail follows with the aborted operation's actions.
    let actions: string[] = [];
    await browser.workbench.waitFor(async () => {
      actions = (await frame.locator('.detail .actions vscode-button').allInnerTexts()).map((a) => a.trim());
      return actions.join() === 'Resume,Rerun,Delete';
    }, () => `the aborted run's actions Resume, Rerun, Delete (now: ${actions.join(', ')})`);
    assert.match(await frame.locator('table.params').innerText(), /Stopped (at [\d,]+ of 20,000|before writing)/);
  });

  it('follows the dark theme', async function () {
    this.timeout(60_000);
    await browser.workbench.runCommand('Preferences: Toggle between Light/Dark Themes');
    await browser.workbench.waitFor(async () => frame.evaluate<boolean>("document.body.classList.contains('vscode-dark')"), 'the webview to switch to the dark theme');
    await runRows().nth(2).click();
    await browser.workbench.screenshot('dark');
  });

  it('follows a high contrast theme', async function () {
    this.timeout(60_000);
    await browser.workbench.runCommand('Preferences: Color Theme');
    await browser.workbench.pickQuickPickItem('Dark High Contrast');
    await browser.workbench.waitFor(async () => frame.evaluate<boolean>("document.body.classList.contains('vscode-high-contrast')"), 'the webview to switch to high contrast');
    await browser.workbench.screenshot('high-contrast');
  });

  it('logged no Content Security Policy violation', function () {
    const violations = consoleMessages.filter((m) => /Content Security Policy|Refused to (load|apply|execute)/i.test(m));
    assert.deepEqual(violations, []);
  });
});
