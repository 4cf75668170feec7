import * as vscode from 'vscode';
import { ListSchedulesRequest, type ScheduleItem } from '../../../server/src/protocol/catalogProtocol';
import type { CatalogServer } from '../server/catalogServer';
import { isNoProjectMessage, relativeTime, workspaceProjects, type ProjectRef } from './catalogProjects';

export type ScheduleNode =
  | { kind: 'schedule'; project: ProjectRef; item: ScheduleItem }
  | { kind: 'run'; at: string }
  | { kind: 'message'; text: string };

/** The Schedules view: each schedule's timing in words and its next runs (the server computes both). */
export class SchedulesTree implements vscode.TreeDataProvider<ScheduleNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ScheduleNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly server: CatalogServer) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: ScheduleNode): Promise<ScheduleNode[]> {
    if (node?.kind === 'schedule') return node.item.nextRuns.map((at) => ({ kind: 'run', at }));
    if (node) return [];
    const out: ScheduleNode[] = [];
    for (const project of workspaceProjects()) {
      try {
        const { items } = await this.server.request(ListSchedulesRequest.type, { projectUri: project.projectUri });
        out.push(...items.map((item): ScheduleNode => ({ kind: 'schedule', project, item })));
      } catch (error) {
        if (!isNoProjectMessage((error as Error).message)) out.push({ kind: 'message', text: (error as Error).message });
      }
    }
    return out;
  }

  getTreeItem(node: ScheduleNode): vscode.TreeItem {
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text);
      item.iconPath = new vscode.ThemeIcon('error');
      return item;
    }
    if (node.kind === 'run') {
      const item = new vscode.TreeItem(new Date(node.at).toLocaleString(vscode.env.language, { dateStyle: 'medium', timeStyle: 'short' }));
      item.description = relativeTime(node.at);
      item.iconPath = new vscode.ThemeIcon('clock');
      item.tooltip = node.at;
      return item;
    }
    const s = node.item;
    const item = new vscode.TreeItem(s.name, s.nextRuns.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `schedule:${node.project.projectUri ?? ''}:${s.name}`;
    const next = s.enabled && s.nextRuns[0] ? `next ${relativeTime(s.nextRuns[0])}` : s.enabled ? 'no upcoming run' : 'disabled';
    item.description = `${s.datastore} · ${s.timing ?? 'no timing'} · ${next}`;
    item.iconPath = new vscode.ThemeIcon(s.enabled ? 'watch' : 'circle-slash', s.enabled ? undefined : new vscode.ThemeColor('disabledForeground'));
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`**${s.name}** syncs **${s.datastore}** ${s.timing ?? ''}${s.enabled ? '' : ' (disabled)'}\n\n`);
    if (s.nextRuns.length > 0) tooltip.appendMarkdown(`Next runs (UTC): ${s.nextRuns.map((r) => r.replace('T', ' ').replace(/:00\.000Z$/, '')).join(', ')}`);
    item.tooltip = tooltip;
    item.contextValue = s.enabled ? 'schedule' : 'schedule.disabled';
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
