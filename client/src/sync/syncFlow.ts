import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import {
  ApplyPreviewRequest, PreviewPlanRequest, SyncRequest,
  type ChangeSummary, type DatastoreItem, type IncludeKind, type PlanPreviewResult, type PlannedFile, type SyncParams, type SyncResult,
} from '../../../server/src/protocol/catalogProtocol';
import { CatalogRequestError, reportRequestError, showError, type CatalogServer } from '../server/catalogServer';
import type { SecretEnv } from '../secrets/secretEnv';
import { plural } from '../views/catalogProjects';
import type { DatastoreNode, DatastoresTree } from '../views/datastoresTree';
import { PREVIEW_SCHEME, previewUri, type PreviewDocuments } from './previewDocuments';

/** Which datastore a flow is about: a tree node, the lens's params, or a name (asked for when absent). */
export type SyncTarget = DatastoreNode | { datastore: string; projectUri?: string } | undefined;

export interface SyncChoices {
  prune: boolean;
  recreate: boolean;
  /** Undefined for a file store (files are always covered). */
  include?: IncludeKind[];
}

/** A preview on screen, waiting to be applied or discarded. */
export interface OpenPreview {
  datastore: DatastoreNode;
  choices: SyncChoices;
  result: PlanPreviewResult;
}

/** What a finished sync (or apply) reports to the rest of the extension. */
export interface SyncEnded {
  datastore: string;
  result: SyncResult;
}

/**
 * The sync flow: choose options (defaults from the datastore, as the seed's automatic sync),
 * preview (a summary and the diff editor for each snapshot the sync would write or delete, nothing
 * written), apply exactly that plan (or, if the source moved, show the new preview instead), or
 * "Sync Now" without a preview. Runs show one cancellable progress notification; Cancel aborts.
 */
export class SyncFlow implements vscode.Disposable {
  private openPreview: OpenPreview | undefined;
  private readonly ended = new vscode.EventEmitter<SyncEnded>();
  private readonly previewed = new vscode.EventEmitter<OpenPreview>();
  /** A sync or an apply finished (any result): trees, decorations and the status bar refresh. */
  readonly onDidEndSync = this.ended.event;
  /** A preview is on screen (its changes get badges in the tree). */
  readonly onDidPreview = this.previewed.event;

  constructor(
    private readonly server: CatalogServer,
    private readonly datastores: DatastoresTree,
    private readonly previews: PreviewDocuments,
    private readonly secrets: SecretEnv,
  ) {}

  get current(): OpenPreview | undefined {
    return this.openPreview;
  }

  /**
   * Previews a sync. `choices` skips the options pick (tests, the lens); `openDiffs` caps how many
   * diff editors open at once (the rest are one "Show Files" away).
   */
  async preview(target?: SyncTarget, choices?: SyncChoices, openDiffs?: number): Promise<OpenPreview | undefined> {
    const datastore = await this.resolve(target, 'Preview the sync of which datastore?');
    if (!datastore) return undefined;
    const picked = choices ?? await pickChoices(datastore.item, `Preview Sync of ${datastore.item.name}`);
    if (!picked) return undefined;
    const params: SyncParams = { ...toParams(datastore, picked), env: await this.secrets.envFor(datastore.item.envReferences) };
    let result: PlanPreviewResult;
    try {
      result = await this.withProgress(`Previewing the sync of ${datastore.item.name}`, (token, workDoneToken) => this.server.request(PreviewPlanRequest.type, { ...params, workDoneToken }, token));
    } catch (error) {
      await this.reportFailure(error, `Preview of ${datastore.item.name} failed`, datastore);
      return undefined;
    }
    return this.show({ datastore, choices: picked, result }, openDiffs);
  }

  /** Writes exactly the open preview's plan (or the one given). */
  async apply(openDiffs?: number): Promise<SyncResult | undefined> {
    const preview = this.openPreview;
    if (!preview?.result.planId) {
      void vscode.window.showInformationMessage('There is no sync preview to apply. Preview a sync first (Catalog: Preview Sync…).');
      return undefined;
    }
    const { datastore } = preview;
    const planId = preview.result.planId;
    let answer;
    try {
      answer = await this.withProgress(`Syncing ${datastore.item.name} (applying the preview)`, async (token, workDoneToken) => this.server.request(
        ApplyPreviewRequest.type, { planId, workDoneToken, env: await this.secrets.envFor(datastore.item.envReferences) }, token));
    } catch (error) {
      await this.reportFailure(error, `Sync of ${datastore.item.name} failed`, datastore);
      return undefined;
    }
    this.previews.dropPlan(planId);
    if (answer.status === 'expired') {
      await this.close();
      void vscode.window.showWarningMessage(`${answer.message} Nothing was written.`, 'Preview Again').then((pick) => {
        if (pick) void this.preview(datastore, preview.choices, openDiffs);
      });
      return undefined;
    }
    if (answer.status === 'stale') {
      await this.closeDiffs();
      void vscode.window.showWarningMessage(`${answer.message} Nothing was written; the new preview is shown instead.`);
      await this.show({ datastore, choices: preview.choices, result: answer.preview }, openDiffs, false);
      return undefined;
    }
    await this.close();
    await this.finished(datastore, answer.result);
    return answer.result;
  }

  /** Closes the preview without writing anything. */
  async discard(): Promise<void> {
    if (this.openPreview?.result.planId) this.previews.dropPlan(this.openPreview.result.planId);
    await this.close();
  }

  /** The seed's Run Now: a sync with the datastore's defaults (or the given choices), no preview. */
  async syncNow(target?: SyncTarget, choices?: SyncChoices, cancel?: vscode.CancellationToken): Promise<SyncResult | undefined> {
    const datastore = await this.resolve(target, 'Sync which datastore?');
    if (!datastore) return undefined;
    const picked = choices ?? defaultsOf(datastore.item);
    let result: SyncResult;
    try {
      result = await this.withProgress(`Syncing ${datastore.item.name}`, async (token, workDoneToken) => this.server.request(
        SyncRequest.type, { ...toParams(datastore, picked), env: await this.secrets.envFor(datastore.item.envReferences), workDoneToken }, either(token, cancel)));
    } catch (error) {
      await this.reportFailure(error, `Sync of ${datastore.item.name} failed`, datastore);
      return undefined;
    }
    await this.finished(datastore, result);
    return result;
  }

  /** Opens the diff of one planned file: left the committed text, right what the sync writes. */
  async openDiff(file: PlannedFile, preview = this.openPreview, options: vscode.TextDocumentShowOptions = { preview: false }): Promise<void> {
    if (!preview?.result.planId) return;
    const planId = preview.result.planId;
    const name = file.container ?? 'index';
    const verb = file.action === 'delete' ? 'deleted by the sync' : file.committedHash === null ? 'new' : 'after sync';
    await vscode.commands.executeCommand('vscode.diff', previewUri(file.uri, planId, 'committed'), previewUri(file.uri, planId, 'planned'),
      `${name} (${preview.datastore.item.name}): committed ↔ ${verb}`, options);
  }

  /** Lists every planned file; the one picked opens as a diff. */
  async showFiles(): Promise<void> {
    const preview = this.openPreview;
    if (!preview) return;
    const changes = new Map(preview.result.changes.map((c) => [c.name, c]));
    const pick = await vscode.window.showQuickPick(orderFiles(preview).map((file) => {
      const change = file.container ? changes.get(file.container) : undefined;
      return {
        label: `$(${file.action === 'delete' ? 'diff-removed' : file.committedHash === null ? 'diff-added' : 'diff-modified'}) ${file.container ?? 'datastore index'}`,
        description: change?.action ?? (file.action === 'delete' ? 'deleted' : 'written'),
        detail: change?.details?.slice(0, 3).join('; '),
        file,
      };
    }), { title: `Sync preview of ${preview.datastore.item.name}: ${plural(preview.result.files.length, 'file')}`, matchOnDescription: true, matchOnDetail: true });
    if (pick) await this.openDiff(pick.file);
  }

  dispose(): void {
    this.ended.dispose();
    this.previewed.dispose();
  }

  private async show(preview: OpenPreview, openDiffs = vscode.workspace.getConfiguration('catalogAsCode').get<number>('preview.openDiffs', 3), notify = true): Promise<OpenPreview | undefined> {
    const { result, datastore } = preview;
    if (result.result === 'failure' || result.planId === null) {
      await showError(`Preview of ${datastore.item.name} failed: ${result.message ?? 'the sync could not plan.'}`, this.server.log);
      return undefined;
    }
    if (result.files.length === 0) {
      await this.close();
      if (notify) void vscode.window.showInformationMessage(`No changes: the snapshots of ${datastore.item.name} already match the source.`);
      return preview;
    }
    this.openPreview = preview;
    await vscode.commands.executeCommand('setContext', 'catalogAsCode.previewOpen', true);
    this.previewed.fire(preview);
    const files = orderFiles(preview);
    // Containers' snapshots first; the datastore's index only when nothing else changed.
    const containers = files.filter((f) => f.container !== undefined);
    const opened = (containers.length > 0 ? containers : files).slice(0, openDiffs);
    for (const file of opened) await this.openDiff(file, preview, { preview: false, preserveFocus: true });
    // The most telling change (deletions first) ends up in front.
    if (opened.length > 0) await this.openDiff(opened[0], preview, { preview: false });
    if (notify) {
      void vscode.window.showInformationMessage(
        `Sync preview of ${datastore.item.name}: ${describeSummary(result.summary)} (${plural(files.filter((f) => f.container !== undefined).length, 'snapshot')}). Nothing is written until you apply.`,
        'Apply', 'Show Files', 'Discard',
      ).then(async (pick) => {
        // The answer may come after another preview replaced this one.
        if (this.openPreview !== preview) return;
        if (pick === 'Apply') await this.apply(openDiffs);
        else if (pick === 'Show Files') await this.showFiles();
        else if (pick === 'Discard') await this.discard();
      });
    }
    return preview;
  }

  private async close(): Promise<void> {
    this.openPreview = undefined;
    await vscode.commands.executeCommand('setContext', 'catalogAsCode.previewOpen', false);
    await this.closeDiffs();
  }

  private async closeDiffs(): Promise<void> {
    const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) =>
      tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.scheme === PREVIEW_SCHEME);
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
  }

  private async finished(datastore: DatastoreNode, result: SyncResult): Promise<void> {
    this.ended.fire({ datastore: datastore.item.name, result });
    const id = result.operationId !== null ? ` (operation #${result.operationId})` : '';
    const summary = describeSummary(result.summary);
    switch (result.result) {
      case 'success':
        void vscode.window.showInformationMessage(`Synced ${datastore.item.name}${id}: ${result.changed ? summary : 'no changes'}.`);
        break;
      case 'warning':
        void vscode.window.showWarningMessage(`Synced ${datastore.item.name} with warnings${id}: ${summary}. ${result.message ?? ''}`, 'Show in Operations').then((pick) => {
          if (pick) void vscode.commands.executeCommand('catalogAsCode.operations.focus');
        });
        break;
      case 'aborted':
        void vscode.window.showWarningMessage(`Sync of ${datastore.item.name} aborted${id}. Files written so far are complete; resume it from the Operations view.`);
        break;
      case 'refused':
        void vscode.window.showWarningMessage(result.message ?? `Another sync of ${datastore.item.name} is running.`);
        break;
      default:
        await this.reportFailure(new CatalogRequestError(result.message ?? 'the sync failed.', 'server'), `Sync of ${datastore.item.name} failed${id}`, datastore);
    }
  }

  private async reportFailure(error: unknown, what: string, datastore: DatastoreNode): Promise<void> {
    const message = (error as Error).message ?? '';
    // An unset `${env:…}` variable: offer to store it rather than only explain it.
    if (/Set the variable/.test(message) && datastore.item.envReferences.length > 0) {
      await showError(`${what}: ${message}`, this.server.log, [{ title: 'Set Password…', run: () => vscode.commands.executeCommand('catalogAsCode.setPassword', datastore) }]);
      return;
    }
    await reportRequestError(error, what, this.server.log);
  }

  private async resolve(target: SyncTarget, question: string): Promise<DatastoreNode | undefined> {
    if (target && 'kind' in target) return target;
    if (target?.datastore) {
      const found = await this.datastores.findDatastore(target.datastore, target.projectUri);
      if (!found) void vscode.window.showErrorMessage(`No datastore named '${target.datastore}' in this workspace.`);
      return found;
    }
    if ((await this.datastores.datastores()).length === 0) {
      void vscode.window.showInformationMessage('This workspace has no datastores yet.', 'Add Datastore…').then((pick) => {
        if (pick) void vscode.commands.executeCommand('catalogAsCode.addDatastore');
      });
      return undefined;
    }
    return this.datastores.pick(question);
  }

  /**
   * One cancellable progress notification for a request: the server reports work-done progress
   * against our token; Cancel cancels the request, which the server turns into an abort.
   */
  private withProgress<T>(title: string, run: (token: vscode.CancellationToken, workDoneToken: string) => Promise<T>): Promise<T> {
    return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const workDoneToken = randomUUID();
      let reported = 0;
      const listener = this.server.onProgress(workDoneToken, (value) => {
        const increment = typeof value.percentage === 'number' ? Math.max(0, value.percentage - reported) : undefined;
        if (typeof value.percentage === 'number') reported = Math.max(reported, value.percentage);
        progress.report({ message: value.message, increment });
      });
      try {
        return await run(token, workDoneToken);
      } finally {
        listener.dispose();
      }
    }));
  }
}

/** A token cancelled when either is (the notification's Cancel, or a caller's own). */
function either(a: vscode.CancellationToken, b: vscode.CancellationToken | undefined): vscode.CancellationToken {
  if (!b) return a;
  const source = new vscode.CancellationTokenSource();
  a.onCancellationRequested(() => source.cancel());
  b.onCancellationRequested(() => source.cancel());
  if (a.isCancellationRequested || b.isCancellationRequested) source.cancel();
  return source.token;
}

export function defaultsOf(datastore: DatastoreItem): SyncChoices {
  return {
    prune: datastore.defaults.prune,
    recreate: datastore.defaults.recreate,
    include: datastore.storeType === 'dfs' ? undefined : (datastore.defaults.include ?? ['table', 'view']),
  };
}

/** The options pick, defaults ticked (prune off, recreate off, tables and views unless the datastore says otherwise). */
async function pickChoices(datastore: DatastoreItem, title: string): Promise<SyncChoices | undefined> {
  const defaults = defaultsOf(datastore);
  type Option = vscode.QuickPickItem & { key: 'prune' | 'recreate' | 'table' | 'view' };
  const options: Option[] = [
    { key: 'prune', label: 'Prune', description: 'delete the snapshots of containers the source no longer has', picked: defaults.prune },
    { key: 'recreate', label: 'Recreate', description: 'catalog removed containers again', picked: defaults.recreate },
  ];
  if (datastore.storeType !== 'dfs') {
    options.push(
      { key: 'table', label: 'Tables', description: 'include tables', picked: defaults.include?.includes('table') ?? true },
      { key: 'view', label: 'Views', description: 'include views', picked: defaults.include?.includes('view') ?? true },
    );
  }
  const picked = await vscode.window.showQuickPick(options, { title, canPickMany: true, placeHolder: 'Sync options (Enter to accept)', ignoreFocusOut: true });
  if (!picked) return undefined;
  const keys = new Set(picked.map((p) => p.key));
  const include = datastore.storeType === 'dfs' ? undefined : (['table', 'view'] as const).filter((k) => keys.has(k));
  if (include && include.length === 0) {
    void vscode.window.showWarningMessage('Pick tables, views or both: a sync with neither would catalog nothing.');
    return undefined;
  }
  return { prune: keys.has('prune'), recreate: keys.has('recreate'), include };
}

function toParams(datastore: DatastoreNode, choices: SyncChoices): SyncParams {
  return {
    projectUri: datastore.project.projectUri,
    datastore: datastore.item.name,
    prune: choices.prune,
    recreate: choices.recreate,
    ...(choices.include ? { include: choices.include } : {}),
  };
}

/** Deletions first (the breaking ones), then rewrites, then new files; the index last. */
function orderFiles(preview: OpenPreview): PlannedFile[] {
  const rank = (f: PlannedFile): number => (f.container === undefined ? 3 : f.action === 'delete' ? 0 : f.committedHash !== null ? 1 : 2);
  return [...preview.result.files].sort((a, b) => rank(a) - rank(b) || (a.container ?? '').localeCompare(b.container ?? ''));
}

export function describeSummary(summary: ChangeSummary | null): string {
  if (!summary) return 'no summary';
  const parts = [
    [summary.new + summary.recreated, 'added'],
    [summary.changed, 'changed'],
    [summary.pruned + summary.removed, 'removed'],
    [summary.missing, 'missing from the source'],
  ] as const;
  const text = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  return text.length > 0 ? text.join(', ') : 'no changes';
}
