/**
 * Drives the VS Code workbench that code-server serves, as a person would: Debian's Chromium
 * through playwright-core. Every wait is bounded and, when it times out, says what it expected and
 * what was on screen (notifications, quick input, active editor, visible tree rows), with a
 * screenshot in test-artifacts/screenshots/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';
import { ARTIFACTS_DIR, fileSafe } from '../launch/paths';

export const SCREENSHOTS_DIR = path.join(ARTIFACTS_DIR, 'screenshots');

const CHROMIUM = process.env.CAC_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

/** An item's label in a quick pick row (not its detail line, the second row). */
const QUICK_PICK_LABEL = '.quick-input-list-rows > .quick-input-list-row:first-child .label-name';

/** Default bound of one wait. */
const WAIT_MS = 20_000;

export interface OpenOptions {
  /** Names screenshots: `<name>-<step>.png`. */
  name: string;
  /** Bound on the workbench appearing (default 60 s). */
  timeoutMs?: number;
  /** Runs on the new page before it navigates, e.g. to add an init script (benchmarks: bench/vscode.bench.ts). */
  beforeGoto?: (page: Page) => Promise<void>;
  /**
   * Wait for the workbench and the activity bar by checking every animation frame instead of the
   * locator's back-off (which polls up to 500 ms apart), so open() returns as soon as they show.
   */
  framePolling?: boolean;
}

/** When open() navigated and when it saw the workbench, in epoch milliseconds (Date.now()). */
export interface OpenTimes {
  /** Just before page.goto. */
  gotoEpochMs: number;
  /** When open() saw the activity bar (it returned right after). */
  shownEpochMs: number;
}

export class Workbench {
  private shots = 0;
  /** Messages the page printed with console.error, for failure messages. */
  readonly consoleErrors: string[] = [];
  /** Set by open(). */
  openTimes: OpenTimes = { gotoEpochMs: 0, shownEpochMs: 0 };

  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
    readonly name: string,
  ) {
    page.on('console', (message) => {
      // code-server's missing vsda files 404 on every start: noise.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) this.consoleErrors.push(message.text());
    });
  }

  /** Launches Chromium and opens `url` (a code-server folder URL); resolves once the workbench is shown. */
  static async open(url: string, options: OpenOptions): Promise<Workbench> {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: run .ci/install-e2e (or set CAC_CHROMIUM).`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const workbench = new Workbench(browser, page, options.name);
      const timeout = options.timeoutMs ?? 60_000;
      await options.beforeGoto?.(page);
      const gotoEpochMs = Date.now();
      await page.goto(url, { timeout, waitUntil: 'domcontentloaded' });
      if (options.framePolling) {
        await workbench.waitShownEveryFrame('.monaco-workbench', 'the VS Code workbench (.monaco-workbench)', timeout);
        await workbench.waitShownEveryFrame('.part.activitybar', 'the activity bar', timeout);
      } else {
        await workbench.waitVisible(page.locator('.monaco-workbench'), 'the VS Code workbench (.monaco-workbench)', timeout);
        // The activity bar is rendered once the workbench has restored its parts.
        await workbench.waitVisible(page.locator('.part.activitybar'), 'the activity bar', timeout);
      }
      workbench.openTimes = { gotoEpochMs, shownEpochMs: Date.now() };
      return workbench;
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  /** Closes Chromium, waiting at most 10 s (playwright kills it when this process exits anyway). */
  async close(): Promise<void> {
    const closed = this.browser.close().then(() => true, () => true);
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000).unref());
    if (!(await Promise.race([closed, timeout]))) console.warn('Chromium did not close within 10 s.');
  }

  // ---- views -------------------------------------------------------------------------------

  /** Clicks the activity bar entry whose title is `title` (e.g. "Catalog"), unless its container is already shown. */
  async openViewContainer(title: string): Promise<void> {
    const item = this.page.locator(`.part.activitybar .action-item[role="tab"]`).filter({ has: this.page.locator(`.action-label[aria-label^="${cssString(title)}"]`) });
    await this.waitVisible(item.first(), `the activity bar entry "${title}"`);
    if ((await item.first().getAttribute('aria-selected')) !== 'true') await item.first().click();
    await this.waitFor(async () => (await item.first().getAttribute('aria-selected')) === 'true', `the "${title}" view container to be selected`);
    await this.waitVisible(this.page.locator('.part.sidebar .composite.title h2', { hasText: title }).first(), `the side bar titled "${title}"`);
  }

  /** The view pane (header + body) whose header reads `viewName` (e.g. "Datastores"). */
  view(viewName: string): Locator {
    return this.page.locator('.part.sidebar .pane').filter({ has: this.page.locator(`.pane-header[aria-label^="${cssString(viewName)}"]`) });
  }

  /** Expands the view's section when it is collapsed. */
  async expandView(viewName: string): Promise<Locator> {
    const view = this.view(viewName);
    const header = view.locator('.pane-header').first();
    await this.waitVisible(header, `the header of the "${viewName}" view`);
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    await this.waitFor(async () => (await header.getAttribute('aria-expanded')) === 'true', `the "${viewName}" view to expand`);
    return view;
  }

  /** Clicks an action of a view's title bar (e.g. "Refresh"), shown when the view is hovered. */
  async clickViewTitleAction(viewName: string, actionTitle: string): Promise<void> {
    const header = (await this.expandView(viewName)).locator('.pane-header').first();
    await header.hover();
    const action = header.locator(`.actions .action-label[aria-label^="${cssString(actionTitle)}"]`).first();
    await this.waitVisible(action, `the title action "${actionTitle}" of the "${viewName}" view`);
    await action.click();
  }

  /** Clicks the view's Refresh every 2 s until a row labelled `label` shows (a file written outside the editor). */
  async refreshUntilRow(viewName: string, label: string, timeoutMs = 30_000): Promise<void> {
    let nextRefresh = 0;
    await this.waitFor(async () => {
      if ((await this.rowLabels(viewName)).includes(label)) return true;
      if (Date.now() >= nextRefresh) {
        nextRefresh = Date.now() + 2_000;
        await this.clickViewTitleAction(viewName, 'Refresh');
      }
      return false;
    }, `a row "${label}" in the "${viewName}" view after Refresh`, timeoutMs);
  }

  /** Rows of a view's tree (all rendered ones). */
  rows(viewName: string): Locator {
    return this.view(viewName).locator('.pane-body .monaco-list-row');
  }

  /** The tree row whose label is exactly `label` (or matches the pattern), waited for. */
  async row(viewName: string, label: RowLabel, timeoutMs = WAIT_MS): Promise<Locator> {
    const row = this.rowLocator(viewName, label);
    await this.waitVisible(row, `a row labelled ${showLabel(label)} in the "${viewName}" view`, timeoutMs);
    return row;
  }

  /** The first tree row labelled `label` (exactly, or matching the pattern), not waited for. */
  rowLocator(viewName: string, label: RowLabel): Locator {
    return this.rows(viewName).filter({ has: this.page.locator('.label-name', { hasText: typeof label === 'string' ? exactText(label) : label }) }).first();
  }

  /** Labels of the rendered rows of a view, top to bottom. */
  async rowLabels(viewName: string): Promise<string[]> {
    return (await this.rows(viewName).locator('.label-name').allTextContents()).map((t) => t.trim());
  }

  /** Waits until the view shows rows with all of `labels`; returns every label shown. */
  async waitForRows(viewName: string, labels: string[], timeoutMs = WAIT_MS): Promise<string[]> {
    let shown: string[] = [];
    await this.waitFor(async () => {
      shown = await this.rowLabels(viewName);
      return labels.every((l) => shown.includes(l));
    }, () => `rows ${JSON.stringify(labels)} in the "${viewName}" view (shown: ${JSON.stringify(shown)})`, timeoutMs);
    return shown;
  }

  /** Expands a collapsed row (clicks its twistie) and waits for it to report expanded. */
  async expandRow(viewName: string, label: RowLabel): Promise<Locator> {
    const row = await this.row(viewName, label);
    if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
    await this.waitFor(async () => (await row.getAttribute('aria-expanded')) === 'true', `the row ${showLabel(label)} of "${viewName}" to expand`);
    return row;
  }

  /** Collapses an expanded row (clicks its twistie); a collapsed or leaf row is left alone. */
  async collapseRow(viewName: string, label: RowLabel): Promise<void> {
    const row = await this.row(viewName, label);
    if ((await row.getAttribute('aria-expanded')) !== 'true') return;
    await row.locator('.monaco-tl-twistie').click();
    await this.waitFor(async () => (await row.getAttribute('aria-expanded')) === 'false', `the row ${showLabel(label)} of "${viewName}" to collapse`);
  }

  /** Clicks an inline action (the icon shown on hover) of a row, by its title, e.g. "Preview Sync…". */
  async clickInlineAction(viewName: string, label: RowLabel, actionTitle: string): Promise<void> {
    const row = await this.row(viewName, label);
    await row.hover();
    const action = row.locator(`.actions .action-label[aria-label^="${cssString(actionTitle)}"]`).first();
    await this.waitVisible(action, `the inline action "${actionTitle}" on the row ${showLabel(label)} of "${viewName}"`);
    await action.click();
  }

  /** Right-clicks a row and picks `actionTitle` from its context menu. */
  async clickContextAction(viewName: string, label: RowLabel, actionTitle: string): Promise<void> {
    const row = await this.row(viewName, label);
    await row.click({ button: 'right' });
    await this.clickMenuItem(actionTitle);
  }

  /** Clicks an item of the open context menu. */
  async clickMenuItem(title: string): Promise<void> {
    const menu = this.page.locator('.context-view .monaco-menu');
    const item = menu.locator('.action-item:not(.disabled) .action-label', { hasText: exactText(title) }).first();
    await this.waitVisible(item, () => `the menu item "${title}"`);
    // A click landing while the menu still settles is sometimes ignored; hovering focuses the
    // item, so Enter runs it if the menu is still open.
    await item.hover();
    await item.click();
    if (await menu.first().isVisible().catch(() => false)) {
      await this.page.waitForTimeout(300);
      if (await menu.first().isVisible().catch(() => false)) await this.page.keyboard.press('Enter');
    }
    await this.waitFor(async () => !(await menu.first().isVisible()), `the menu to close after choosing "${title}"`, 5_000);
  }

  /** The description (the dimmed text after the label) of a row. */
  async rowDescription(viewName: string, label: RowLabel): Promise<string> {
    const row = await this.row(viewName, label);
    return ((await row.locator('.label-description').first().textContent().catch(() => '')) ?? '').trim();
  }

  /** The codicon of a row's icon, e.g. `pass` or `sync` (with `spinning` when it turns); undefined without one. */
  async rowIcon(viewName: string, label: RowLabel): Promise<{ name: string; spinning: boolean } | undefined> {
    const row = await this.row(viewName, label);
    const classes = (await row.locator('.custom-view-tree-node-item-icon').first().getAttribute('class').catch(() => null)) ?? '';
    const name = /(?:^|\s)codicon-(?!modifier-)([\w-]+)/.exec(classes)?.[1];
    return name ? { name, spinning: /codicon-modifier-spin/.test(classes) } : undefined;
  }

  /** Hovers a row's label and waits for its tooltip (the workbench hover) to contain `expected`; returns the tooltip's text. */
  async hoverRow(viewName: string, label: RowLabel, expected: string | RegExp, timeoutMs = WAIT_MS): Promise<string> {
    const row = await this.row(viewName, label);
    const hovers = this.page.locator('.workbench-hover');
    let shown: string[] = [];
    let nextMove = 0;
    await this.waitFor(async () => {
      // The hover needs the mouse to travel onto the label (one jump there is not always enough): move in steps, again every 3 s.
      if (Date.now() >= nextMove) {
        nextMove = Date.now() + 3_000;
        const box = await row.locator('.label-name').first().boundingBox();
        if (box) {
          await this.page.mouse.move(box.x + box.width / 2, box.y + box.height + 60, { steps: 2 });
          await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 10 });
        }
      }
      shown = (await hovers.allTextContents()).map((t) => t.trim()).filter(Boolean);
      return (await hovers.first().isVisible()) && shown.some((t) => (typeof expected === 'string' ? t.includes(expected) : expected.test(t)));
    }, () => `the tooltip of the row ${showLabel(label)} of "${viewName}" with ${String(expected)} (tooltips shown: ${JSON.stringify(shown)})`, timeoutMs);
    return shown.find((t) => (typeof expected === 'string' ? t.includes(expected) : expected.test(t)))!;
  }

  /** Moves the mouse off everything (hovers close). */
  async moveMouseAway(): Promise<void> {
    await this.page.mouse.move(1, 450);
    await this.waitFor(async () => !(await this.page.locator('.workbench-hover').first().isVisible()), 'the tooltip to close', 5_000);
  }

  /** Right-clicks a row and returns the labels of its context menu's enabled items; the menu stays open ({@link closeMenu}). */
  async openContextMenu(viewName: string, label: RowLabel): Promise<string[]> {
    const row = await this.row(viewName, label);
    await row.click({ button: 'right' });
    const items = this.page.locator('.context-view .monaco-menu .action-item:not(.disabled) .action-label');
    await this.waitVisible(items.first(), `the context menu of the row ${showLabel(label)} of "${viewName}"`);
    return (await items.allTextContents()).map((t) => t.trim()).filter(Boolean);
  }

  /** Closes an open context menu (Escape). */
  async closeMenu(): Promise<void> {
    const menu = this.page.locator('.context-view .monaco-menu').first();
    if (await menu.isVisible().catch(() => false)) await this.page.keyboard.press('Escape');
    await this.waitFor(async () => !(await menu.isVisible()), 'the context menu to close', 5_000);
  }

  /** The message a tree view shows above its rows (TreeView.message), or undefined. */
  async viewMessage(viewName: string): Promise<string | undefined> {
    const message = this.view(viewName).locator('.tree-explorer-viewlet-tree-view > .message').first();
    if (!(await message.isVisible().catch(() => false))) return undefined;
    return ((await message.textContent()) ?? '').trim() || undefined;
  }

  /** Waits for a view's welcome content (viewsWelcome) to contain `text`; returns all of it. */
  async waitForWelcome(viewName: string, text: string | RegExp, timeoutMs = WAIT_MS): Promise<string> {
    const welcome = this.view(viewName).locator('.welcome-view-content').filter({ hasText: text }).first();
    await this.waitVisible(welcome, `the welcome content of the "${viewName}" view with ${String(text)}`, timeoutMs);
    return ((await welcome.textContent()) ?? '').trim();
  }

  /** Clicks a button of a view's welcome content, e.g. "Create Catalog Project". */
  async clickWelcomeButton(viewName: string, title: string): Promise<void> {
    const button = this.view(viewName).locator('.welcome-view-content .monaco-button', { hasText: exactText(title) }).first();
    await this.waitVisible(button, `the button "${title}" in the welcome content of the "${viewName}" view`);
    await button.click();
  }

  /** The status bar item showing the codicon `icon` (e.g. `database`) and `text`, waited for; returns its text. */
  async waitForStatusBarItem(icon: string, text: string | RegExp, timeoutMs = WAIT_MS): Promise<string> {
    const item = this.page.locator('.part.statusbar .statusbar-item').filter({ has: this.page.locator(`.codicon-${icon}`) }).filter({ hasText: text }).first();
    let shown: string[] = [];
    await this.waitFor(async () => {
      shown = await this.statusBarTexts();
      return item.isVisible();
    }, () => `a status bar item with $(${icon}) and ${String(text)} (status bar: ${JSON.stringify(shown)})`, timeoutMs);
    return ((await item.textContent()) ?? '').trim();
  }

  /** Texts of the status bar's items. */
  async statusBarTexts(): Promise<string[]> {
    return (await this.page.locator('.part.statusbar .statusbar-item').allTextContents()).map((t) => t.trim()).filter(Boolean);
  }

  // ---- commands and quick input ------------------------------------------------------------

  /** Opens the command palette (F1), types `command` (e.g. "Catalog: Refresh") and runs the exact match. */
  async runCommand(command: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await this.waitVisible(input, 'the command palette');
    await input.fill(`>${command}`);
    await this.pickQuickPickItem(command);
  }

  /** Waits for the quick pick to show an item whose label is exactly `label` and picks it. */
  async pickQuickPickItem(label: string, timeoutMs = WAIT_MS): Promise<void> {
    const item = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ has: this.page.locator(QUICK_PICK_LABEL, { hasText: exactText(label) }) }).first();
    await this.waitVisible(item, () => `the quick pick item "${label}"`, timeoutMs);
    await item.click();
  }

  /** Types into the open quick input (an input box or a quick pick's filter) and presses Enter. */
  async typeInQuickInput(text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await this.waitVisible(input, 'an open quick input');
    await input.fill(text);
    await input.press('Enter');
  }

  /** Waits for the quick input to show a title containing `title`; returns the title. */
  async waitForQuickInputTitle(title: string | RegExp, timeoutMs = WAIT_MS): Promise<string> {
    const element = this.page.locator('.quick-input-widget .quick-input-title').filter({ hasText: title }).first();
    await this.waitVisible(element, () => `a quick input titled ${String(title)}`, timeoutMs);
    return ((await element.textContent()) ?? '').trim();
  }

  /** Labels of the items the quick pick shows now. */
  async quickPickItems(): Promise<string[]> {
    const widget = this.page.locator('.quick-input-widget');
    if (!(await widget.isVisible())) return [];
    return (await widget.locator(`.quick-input-list .monaco-list-row ${QUICK_PICK_LABEL}`).allTextContents()).map((t) => t.trim());
  }

  // ---- notifications and editors -----------------------------------------------------------

  /** Texts of the notification toasts on screen. */
  async notifications(): Promise<string[]> {
    return (await this.page.locator('.notifications-toasts .notification-toast .notification-list-item-message').allTextContents()).map((t) => t.trim());
  }

  /** Waits for a notification containing `text` (a string or pattern); returns its full text. */
  async waitForNotification(text: string | RegExp, timeoutMs = WAIT_MS): Promise<string> {
    let found: string | undefined;
    await this.waitFor(async () => {
      found = (await this.notifications()).find((n) => (typeof text === 'string' ? n.includes(text) : text.test(n)));
      return found !== undefined;
    }, `a notification with ${String(text)}`, timeoutMs);
    return found!;
  }

  /** The button labels of the notification containing `text`. */
  async notificationButtons(text: string | RegExp): Promise<string[]> {
    await this.waitForNotification(text);
    const toast = this.page.locator('.notifications-toasts .notification-toast').filter({ hasText: text }).first();
    return (await toast.locator('.monaco-button').allTextContents()).map((t) => t.trim()).filter(Boolean);
  }

  /** Clicks a button (e.g. "Apply") of the notification containing `text`. */
  async clickNotificationButton(text: string | RegExp, button: string): Promise<void> {
    await this.waitForNotification(text);
    const toast = this.page.locator('.notifications-toasts .notification-toast').filter({ hasText: text }).first();
    const target = toast.locator('.monaco-button', { hasText: exactText(button) }).first();
    await this.waitVisible(target, `the button "${button}" on the notification ${String(text)}`);
    await target.click();
  }

  /** The active editor tab's title, or undefined without an editor. */
  async activeEditorTitle(): Promise<string | undefined> {
    const tab = this.page.locator('.part.editor .editor-group-container.active .tab.active .label-name').first();
    if ((await tab.count()) === 0) return undefined;
    return (await tab.textContent())?.trim();
  }

  /** Waits for the active editor's tab title to match. */
  async waitForActiveEditor(title: string | RegExp, timeoutMs = WAIT_MS): Promise<string> {
    let shown: string | undefined;
    await this.waitFor(async () => {
      shown = await this.activeEditorTitle();
      return shown !== undefined && (typeof title === 'string' ? shown === title : title.test(shown));
    }, () => `the active editor titled ${String(title)} (active: ${JSON.stringify(shown)})`, timeoutMs);
    return shown!;
  }

  /** Whether the active editor group shows a diff editor. */
  async isDiffEditorActive(): Promise<boolean> {
    return this.page.locator('.part.editor .editor-group-container.active .monaco-diff-editor').first().isVisible();
  }

  /** Waits for a diff editor in the active group with text rendered on both sides. */
  async waitForDiffEditor(timeoutMs = WAIT_MS): Promise<void> {
    const diff = this.page.locator('.part.editor .editor-group-container.active .monaco-diff-editor').first();
    await this.waitFor(async () => (await diff.isVisible())
      && (await diff.locator('.editor.original .view-lines .view-line').count()) > 0
      && (await diff.locator('.editor.modified .view-lines .view-line').count()) > 0,
    'a diff editor (.monaco-diff-editor) with text on both sides in the active editor group', timeoutMs);
  }

  // ---- webviews ---------------------------------------------------------------------------

  /**
   * The content of the webview that holds `selector` (a webview is an iframe in an iframe: the
   * host frame VS Code owns, and `#active-frame` with the extension's page).
   */
  async webviewFrame(selector: string, timeoutMs = WAIT_MS): Promise<Frame> {
    let found: Frame | undefined;
    await this.waitFor(async () => {
      for (const frame of this.page.frames()) {
        if (frame.name() !== 'active-frame' && !frame.url().includes('fake.html')) continue;
        if (await frame.locator(selector).count().catch(() => 0)) {
          found = frame;
          return true;
        }
      }
      return false;
    }, `a webview showing ${selector}`, timeoutMs);
    return found!;
  }

  // ---- evidence ----------------------------------------------------------------------------

  /** Saves a screenshot as test-artifacts/screenshots/<name>-<step>.png; returns its path. */
  async screenshot(step: string): Promise<string> {
    fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });
    // Toasts slide in: a shot taken as one appears catches it half drawn. (Not while a tooltip is
    // shown: that is what the shot is about, and it may close meanwhile.)
    const visible = (selector: string) => this.page.locator(selector).first().isVisible().catch(() => false);
    if (await visible('.notifications-toasts .notification-toast') && !(await visible('.workbench-hover'))) await this.page.waitForTimeout(250);
    const file = path.join(SCREENSHOTS_DIR, `${fileSafe(this.name)}-${fileSafe(step)}.png`);
    await this.page.screenshot({ path: file, timeout: 10_000 });
    return file;
  }

  /** What is on screen, in words: for failure messages. */
  async describeScreen(): Promise<string> {
    const safe = async <T>(read: () => Promise<T>, fallback: T) => {
      try {
        return await read();
      } catch {
        return fallback;
      }
    };
    const sideBar = await safe(async () => (await this.page.locator('.part.sidebar .composite.title h2').first().textContent())?.trim(), undefined);
    const views = await safe(() => this.page.locator('.part.sidebar .pane').evaluateAll((panes) => panes.map((pane) => {
      const header = pane.querySelector('.pane-header');
      const title = header?.getAttribute('aria-label') ?? '?';
      const rows = [...pane.querySelectorAll('.monaco-list-row .label-name')].map((r) => r.textContent?.trim());
      const welcome = pane.querySelector('.welcome-view-content')?.textContent?.trim();
      return `${title}${header?.getAttribute('aria-expanded') === 'false' ? ' (collapsed)' : ''}: ${rows.length ? JSON.stringify(rows) : welcome ? `welcome "${welcome}"` : 'empty'}`;
    })), [] as string[]);
    const lines = [
      `side bar: ${sideBar ?? '(hidden)'}`,
      ...views.map((v) => `  view ${v}`),
      `notifications: ${JSON.stringify(await safe(() => this.notifications(), []))}`,
      `quick pick: ${JSON.stringify(await safe(() => this.quickPickItems(), []))}`,
      `active editor: ${JSON.stringify(await safe(() => this.activeEditorTitle(), undefined))}${(await safe(() => this.isDiffEditorActive(), false)) ? ' (diff editor)' : ''}`,
    ];
    if (this.consoleErrors.length) lines.push(`browser console errors (last 5): ${JSON.stringify(this.consoleErrors.slice(-5))}`);
    return lines.join('\n');
  }

  /** Polls `ready` until true; on timeout throws with what was expected, what is on screen and a screenshot. */
  async waitFor(ready: () => Promise<boolean> | boolean, what: string | (() => string), timeoutMs = WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await Promise.resolve().then(ready).catch(() => false)) return;
      if (Date.now() > deadline) throw await this.timeoutError(typeof what === 'string' ? what : what(), timeoutMs);
      await this.page.waitForTimeout(100);
    }
  }

  /**
   * Waits for an element matching the CSS `selector` to be visible (a non-empty box, not
   * visibility: hidden), checking every animation frame in the page: no polling delay.
   */
  async waitShownEveryFrame(selector: string, what: string, timeoutMs = WAIT_MS): Promise<void> {
    // A string expression, not a function: a function's source compiled by tsx may call helpers the page lacks.
    const shown = `(() => { const e = document.querySelector(${JSON.stringify(selector)}); if (!e) return false; const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; })()`;
    try {
      await this.page.waitForFunction(shown, undefined, { polling: 'raf', timeout: timeoutMs });
    } catch {
      throw await this.timeoutError(what, timeoutMs);
    }
  }

  /** Waits for a locator to be visible, bounded, with the same failure report. */
  async waitVisible(locator: Locator, what: string | (() => string), timeoutMs = WAIT_MS): Promise<void> {
    try {
      await locator.waitFor({ state: 'visible', timeout: timeoutMs });
    } catch {
      throw await this.timeoutError(typeof what === 'string' ? what : what(), timeoutMs);
    }
  }

  private async timeoutError(what: string, timeoutMs: number): Promise<Error> {
    let shot = '';
    try {
      shot = `\nscreenshot: ${path.relative(process.cwd(), await this.screenshot(`timeout-${++this.shots}`))}`;
    } catch {
      // The page may be gone.
    }
    return new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.\nOn screen:\n${await this.describeScreen()}${shot}`);
  }
}

/** A row's label: exactly this text, or a pattern. */
export type RowLabel = string | RegExp;

function showLabel(label: RowLabel): string {
  return typeof label === 'string' ? `"${label}"` : String(label);
}

/** A pattern matching exactly `text` (trimmed), for hasText filters. */
function exactText(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

function cssString(text: string): string {
  return text.replace(/["\\]/g, '\\$&');
}
