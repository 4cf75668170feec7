import * as vscode from 'vscode';
import {
  ListOperationsRequest,
  type ContainerChange, type OperationChangedParams, type OperationItem, type OperationLog, type OperationResult,
} from '../../../server/src/protocol/catalogProtocol';
import type { CatalogServer } from '../server/catalogServer';
import { escapeMarkdown, formatCount, formatDuration, isNoProjectMessage, relativeTime, workspaceProjects, type ProjectRef } from './catalogProjects';

/** How many operations the view lists (newest first); the Activity view and `cac history` page further. */
const LISTED = 100;

/**
 * One operation whole, its changes and logs included (the view lists summaries: a first sync of
 * 20,000 containers is one line of it, not 20,000 changes); null when it left the history.
 */
export async function fetchOperation(server: CatalogServer, projectUri: string | undefined, id: number): Promise<OperationItem | null> {
  const page = await server.request(ListOperationsRequest.type, { projectUri, search: `#${id}`, size: 1 });
  return page.items[0] ?? null;
}

export type OperationNode =
  | { kind: 'operation'; project: ProjectRef; item: OperationItem }
  | { kind: 'change'; operation: OperationItem; change: ContainerChange }
  | { kind: 'log'; operation: OperationItem; log: OperationLog }
  | { kind: 'message'; text: string };

/**
 * The Operations view: the project's sync history, newest first, with live progress of running
 * operations (from `catalog/operationChanged`, for syncs this editor started and for those the
 * CLI, a daemon or the API run). Context actions follow the seed: running → Abort; aborted →
 * Resume, Rerun, Delete; warning/failure → Rerun, Delete, Show Logs; success → Rerun, Delete.
 */
export class OperationsTree implements vscode.TreeDataProvider<OperationNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<OperationNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private nodes: OperationNode[] | undefined;
  /** Live progress of running operations, newer than the history record. */
  private readonly live = new Map<number, OperationChangedParams>();
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Operations expanded since the last reload, whole, by project and id. */
  private readonly details = new Map<string, Promise<OperationItem | null>>();

  constructor(private readonly server: CatalogServer) {}

  refresh(): void {
    this.nodes = undefined;
    this.details.clear();
    this.changed.fire(undefined);
  }

  /** A progress or status notification: the row updates at once, the list reloads when a run starts or ends. */
  operationChanged(params: OperationChangedParams): void {
    const known = this.nodes?.find((n): n is Extract<OperationNode, { kind: 'operation' }> => n.kind === 'operation' && n.item.id === params.operationId);
    const statusChanged = !known || known.item.result !== params.result;
    if (params.result === 'running') this.live.set(params.operationId, params);
    else this.live.delete(params.operationId);
    if (known) this.details.delete(detailKey(known.project, params.operationId));
    if (known && !statusChanged) {
      this.changed.fire(known);
      return;
    }
    // Starts and ends reload the list, at most every 300 ms (a burst of notifications is one reload).
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refresh(), 300);
  }

  /** The operations listed now (loading them if needed). */
  async operations(): Promise<OperationItem[]> {
    const nodes = await this.getChildren();
    return nodes.flatMap((n) => (n.kind === 'operation' ? [n.item] : []));
  }

  async getChildren(node?: OperationNode): Promise<OperationNode[]> {
    if (node?.kind === 'operation') {
      const key = detailKey(node.project, node.item.id);
      if (!this.details.has(key)) this.details.set(key, fetchOperation(this.server, node.project.projectUri, node.item.id));
      let op: OperationItem | null;
      try {
        op = await this.details.get(key)!;
      } catch (error) {
        this.details.delete(key);
        return [{ kind: 'message', text: (error as Error).message }];
      }
      if (!op) return [{ kind: 'message', text: `Operation #${node.item.id} is no longer in the history.` }];
      return [
        ...op.changes.map((change): OperationNode => ({ kind: 'change', operation: op, change })),
        ...op.logs.filter((log) => log.level !== 'info').map((log): OperationNode => ({ kind: 'log', operation: op, log })),
      ];
    }
    if (node) return [];
    if (this.nodes) return this.nodes;
    const out: OperationNode[] = [];
    for (const project of workspaceProjects()) {
      try {
        const page = await this.server.request(ListOperationsRequest.type, { projectUri: project.projectUri, size: LISTED, summaryOnly: true });
        out.push(...page.items.map((item): OperationNode => ({ kind: 'operation', project, item })));
      } catch (error) {
        if (!isNoProjectMessage((error as Error).message)) out.push({ kind: 'message', text: (error as Error).message });
      }
    }
    out.sort((a, b) => (b.kind === 'operation' ? b.item.created : '').localeCompare(a.kind === 'operation' ? a.item.created : ''));
    this.nodes = out;
    return out;
  }

  getTreeItem(node: OperationNode): vscode.TreeItem {
    switch (node.kind) {
      case 'message': {
        const item = new vscode.TreeItem(node.text);
        item.iconPath = new vscode.ThemeIcon('error');
        return item;
      }
      case 'change': return changeItem(node.change);
      case 'log': {
        const log = node.log;
        const item = new vscode.TreeItem(log.message);
        item.description = [log.container, log.file].filter(Boolean).join(' · ');
        item.iconPath = new vscode.ThemeIcon(log.level === 'error' ? 'error' : 'warning', new vscode.ThemeColor(log.level === 'error' ? 'list.errorForeground' : 'list.warningForeground'));
        item.tooltip = `${log.code}: ${log.message}`;
        item.contextValue = 'operationLog';
        return item;
      }
      case 'operation': return this.operationItem(node.item);
    }
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.changed.dispose();
  }

  private operationItem(op: OperationItem): vscode.TreeItem {
    const live = this.live.get(op.id);
    const result: OperationResult = live?.result ?? op.result;
    // A summary: its changes are counted (the unchanged are counted only), its warnings too.
    const changeCount = op.summary ? Object.entries(op.summary).reduce((sum, [action, count]) => (action === 'unchanged' ? sum : sum + count), 0) : 0;
    const hasChildren = changeCount > 0 || op.warningCount > 0;
    const item = new vscode.TreeItem(`#${op.id} ${op.datastore.name}`, hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `operation:${op.id}:${op.datastore.name}`;
    const progress = live?.progress ?? op.progress;
    const parts: string[] = [];
    if (result === 'running') {
      parts.push(progress.total ? `${formatCount(progress.done)}/${formatCount(progress.total)}` : op.progress.phase ?? 'starting');
    } else {
      if (result === 'aborted') parts.push(op.checkpoint ? `aborted at ${formatCount(op.checkpoint.written)}/${formatCount(op.checkpoint.total)}` : 'aborted');
      if (result === 'failure') parts.push('failed');
      const summary = summaryText(op);
      if (summary) parts.push(summary);
    }
    parts.push(relativeTime(op.created));
    const duration = op.endTime ? Date.parse(op.endTime) - Date.parse(op.startTime) : undefined;
    if (duration !== undefined) parts.push(formatDuration(duration));
    parts.push(op.schedule ? `schedule ${op.schedule}` : shortTrigger(op.triggeredBy));
    item.description = parts.filter(Boolean).join(' · ');
    item.iconPath = STATUS_ICONS[result];
    item.contextValue = `operation.${result}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**Operation #${op.id}**: sync of **${escapeMarkdown(op.datastore.name)}** (${op.datastore.type}), **${result}**\n\n`);
    tooltip.appendMarkdown(`Started ${new Date(op.startTime).toLocaleString(vscode.env.language)} by ${codeSpan(op.triggeredBy)}${op.schedule ? ` (schedule ${escapeMarkdown(op.schedule)})` : ''}`);
    if (duration !== undefined) tooltip.appendMarkdown(`, took ${formatDuration(duration)}`);
    tooltip.appendMarkdown('\n\n');
    tooltip.appendMarkdown(`Options: prune ${op.prune ? 'on' : 'off'}, recreate ${op.recreate ? 'on' : 'off'}${op.include ? `, ${op.include.join(' and ')}` : ''}\n\n`);
    if (op.checkpoint && result === 'aborted') tooltip.appendMarkdown(`Stopped after writing ${formatCount(op.checkpoint.written)} of ${formatCount(op.checkpoint.total)} snapshot files: **Resume** finishes the writes, **Rerun** syncs again from the start.\n\n`);
    else if (op.message) tooltip.appendMarkdown(`${escapeMarkdown(op.message)}\n\n`);
    item.tooltip = tooltip;
    return item;
  }
}

const STATUS_ICONS: Record<OperationResult, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('sync~spin'),
  success: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  failure: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  aborted: new vscode.ThemeIcon('stop-circle', new vscode.ThemeColor('list.warningForeground')),
};

const CHANGE_ICONS: Record<string, [string, string]> = {
  new: ['diff-added', 'gitDecoration.addedResourceForeground'],
  recreated: ['diff-added', 'gitDecoration.addedResourceForeground'],
  changed: ['diff-modified', 'gitDecoration.modifiedResourceForeground'],
  missing: ['question', 'list.warningForeground'],
  pruned: ['diff-removed', 'gitDecoration.deletedResourceForeground'],
  removed: ['diff-removed', 'gitDecoration.deletedResourceForeground'],
  still_removed: ['circle-slash', 'disabledForeground'],
};

function changeItem(change: ContainerChange): vscode.TreeItem {
  const item = new vscode.TreeItem(change.name);
  const [icon, color] = CHANGE_ICONS[change.action] ?? ['circle-outline', 'foreground'];
  item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
  item.description = [change.action.replace('_', ' '), change.kind, ...(change.details ?? []).slice(0, 2)].filter(Boolean).join(' · ');
  item.tooltip = [`${change.name}: ${change.action}`, ...(change.details ?? [])].join('\n');
  item.contextValue = 'operationChange';
  return item;
}

/** `maintainers@users.noreply.github.com` → `maintainers`: the row has little room; the tooltip has it all. */
function shortTrigger(triggeredBy: string): string {
  const at = triggeredBy.indexOf('@');
  return at > 0 ? triggeredBy.slice(0, at) : triggeredBy;
}

/** As code, so an e-mail address is shown as written, not turned into a mailto link. */
function codeSpan(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function detailKey(project: ProjectRef, id: number): string {
  return `${project.projectUri}#${id}`;
}

function summaryText(op: OperationItem): string {
  const s = op.summary;
  if (!s) return op.result === 'failure' ? 'failed' : '';
  const parts: string[] = [];
  if (s.new + s.recreated > 0) parts.push(`+${s.new + s.recreated}`);
  if (s.changed > 0) parts.push(`~${s.changed}`);
  if (s.pruned + s.removed > 0) parts.push(`−${s.pruned + s.removed}`);
  if (s.missing > 0) parts.push(`${s.missing} missing`);
  return parts.length > 0 ? parts.join(' ') : 'no changes';
}

/** The operation's logs as a plain-text document (Show Logs). */
export function operationLogText(op: OperationItem): string {
  const lines = [
    `Operation #${op.id}: sync of ${op.datastore.name} (${op.datastore.type}), ${op.result}`,
    `Started ${op.startTime}${op.endTime ? `, ended ${op.endTime}` : ''}, triggered by ${op.triggeredBy}${op.schedule ? ` (schedule ${op.schedule})` : ''}`,
    ...(op.message ? ['', op.message] : []),
    '',
    ...op.logs.map((log) => `${log.level.toUpperCase().padEnd(7)} ${log.code}${log.container ? ` [${log.container}]` : ''}${log.file ? ` (${log.file})` : ''}: ${log.message}`),
  ];
  if (op.logs.length === 0) lines.push('No log entries.');
  return `${lines.join('\n')}\n`;
}
