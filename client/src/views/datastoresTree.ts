import * as vscode from 'vscode';
import {
  ListContainersRequest, ListDatastoresRequest, ListFieldsRequest,
  type ContainerItem, type DatastoreItem, type FieldItem, type IdentifierItem,
} from '../../../server/src/protocol/catalogProtocol';
import { treeResourceUri } from '../decorations/snapshotDecorations';
import type { CatalogServer } from '../server/catalogServer';
import { escapeMarkdown, formatCount, isNoProjectMessage, plural, relativeTime, workspaceProjects, type ProjectRef } from './catalogProjects';

/** Containers fetched per page: a datastore of 50,000 shows its first page at once, the rest on "Load more". */
export const CONTAINER_PAGE = 200;

export type CatalogNode = ProjectNode | DatastoreNode | ContainerNode | FieldNode | MoreNode | RemovedNode | MessageNode;

export interface ProjectNode { kind: 'project'; project: ProjectRef }
export interface DatastoreNode { kind: 'datastore'; project: ProjectRef; item: DatastoreItem }
export interface ContainerNode { kind: 'container'; parent: DatastoreNode; item: ContainerItem }
export interface FieldNode { kind: 'field'; parent: ContainerNode; item: FieldItem }
export interface MoreNode { kind: 'more'; parent: DatastoreNode; remaining: number }
export interface RemovedNode { kind: 'removed'; parent: DatastoreNode; name: string }
export interface MessageNode { kind: 'message'; text: string; tooltip?: string; icon: string }

interface LoadedContainers {
  items: ContainerNode[];
  total: number;
  removed: string[];
}

/**
 * The Datastores view: datastore → containers (paged) → fields, from the server's tree requests
 * over the committed snapshots. A node's children are asked for only when it expands; what the
 * last preview or sync changed carries a marker until the next one.
 */
export class DatastoresTree implements vscode.TreeDataProvider<CatalogNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<CatalogNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly loadedRoots = new vscode.EventEmitter<number>();
  /** The first level loaded again, with how many datastores it holds (the welcome views follow). */
  readonly onDidLoadDatastores = this.loadedRoots.event;
  private roots: CatalogNode[] | undefined;
  private readonly containers = new Map<string, LoadedContainers>();
  /** Containers the last preview or sync of each datastore changed, with the change. */
  private readonly recent = new Map<string, Map<string, string>>();
  private readonly datastoreNodes = new Map<string, DatastoreNode>();

  constructor(private readonly server: CatalogServer) {}

  /** Reloads everything (the workspace changed, a sync ended), or one datastore's subtree. */
  refresh(node?: DatastoreNode): void {
    if (node) {
      this.containers.delete(datastoreKey(node));
      this.changed.fire(node);
      return;
    }
    this.roots = undefined;
    this.containers.clear();
    this.datastoreNodes.clear();
    this.changed.fire(undefined);
  }

  /** Marks the containers a preview or sync changed (a badge until the next one). */
  markChanges(datastore: string, changes: { name: string; action: string }[]): void {
    this.recent.set(datastore, new Map(changes.map((c) => [c.name, c.action])));
    const node = [...this.datastoreNodes.values()].find((d) => d.item.name === datastore);
    if (node) this.changed.fire(node);
  }

  /** The datastores of every project, loading them when needed. */
  async datastores(): Promise<DatastoreNode[]> {
    const roots = await this.getChildren();
    const out: DatastoreNode[] = [];
    for (const node of roots) {
      if (node.kind === 'datastore') out.push(node);
      else if (node.kind === 'project') for (const child of await this.getChildren(node)) if (child.kind === 'datastore') out.push(child);
    }
    return out;
  }

  async findDatastore(name: string, projectUri?: string): Promise<DatastoreNode | undefined> {
    const all = await this.datastores();
    return all.find((d) => d.item.name === name && (projectUri === undefined || d.project.projectUri === undefined || d.project.projectUri === projectUri));
  }

  /** Asks which datastore (the only one without asking; undefined when there is none or the pick is dismissed). */
  async pick(title: string): Promise<DatastoreNode | undefined> {
    const all = await this.datastores();
    if (all.length <= 1) return all[0];
    const picked = await vscode.window.showQuickPick(all.map((node) => ({
      label: node.item.name, description: node.item.type, detail: node.item.containers ? plural(node.item.containers, 'container') : 'not synced yet', node,
    })), { title, matchOnDescription: true });
    return picked?.node;
  }

  /** The node of one container, loading pages until it is there (for Reveal in Catalog). */
  async findContainer(datastore: DatastoreNode, name: string): Promise<ContainerNode | undefined> {
    for (let guard = 0; guard < 1000; guard++) {
      const loaded = await this.loadContainers(datastore);
      const found = loaded.items.find((c) => c.item.name === name);
      if (found || loaded.items.length >= loaded.total) return found;
      await this.loadMore(datastore, false);
    }
    return undefined;
  }

  async getChildren(node?: CatalogNode): Promise<CatalogNode[]> {
    try {
      if (!node) {
        if (!this.roots) {
          this.roots = await this.loadRoots();
          this.loadedRoots.fire((await this.datastores()).length);
        }
        return this.roots;
      }
      switch (node.kind) {
        case 'project': return await this.loadDatastores(node.project);
        case 'datastore': {
          const loaded = await this.loadContainers(node);
          const children: CatalogNode[] = [...loaded.items];
          if (loaded.items.length < loaded.total) children.push({ kind: 'more', parent: node, remaining: loaded.total - loaded.items.length });
          for (const name of loaded.removed) children.push({ kind: 'removed', parent: node, name });
          if (children.length === 0) return [{ kind: 'message', icon: 'info', text: 'Not synced yet: preview or run a sync to catalog its containers.' }];
          return children;
        }
        case 'container': {
          const { items } = await this.server.request(ListFieldsRequest.type, { projectUri: node.parent.project.projectUri, datastore: node.parent.item.name, container: node.item.name });
          return items.map((item) => ({ kind: 'field', parent: node, item }));
        }
        default: return [];
      }
    } catch (error) {
      return [{ kind: 'message', icon: 'error', text: (error as Error).message, tooltip: 'See Catalog: Show Logs for details.' }];
    }
  }

  getParent(node: CatalogNode): CatalogNode | undefined {
    switch (node.kind) {
      case 'datastore': return this.roots?.find((r) => r.kind === 'project' && r.project.projectUri === node.project.projectUri);
      case 'container': case 'more': case 'removed': return node.parent;
      case 'field': return node.parent;
      default: return undefined;
    }
  }

  getTreeItem(node: CatalogNode): vscode.TreeItem {
    switch (node.kind) {
      case 'project': {
        const item = new vscode.TreeItem(node.project.label, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('root-folder');
        item.contextValue = 'project';
        item.id = `project:${node.project.projectUri ?? ''}`;
        return item;
      }
      case 'datastore': return this.datastoreItem(node);
      case 'container': return this.containerItem(node);
      case 'field': return fieldItem(node);
      case 'more': {
        const item = new vscode.TreeItem(`Load ${formatCount(Math.min(CONTAINER_PAGE, node.remaining))} more…`, vscode.TreeItemCollapsibleState.None);
        item.description = `${formatCount(node.remaining)} not shown`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'catalogAsCode.loadMoreContainers', title: 'Load More', arguments: [node] };
        item.contextValue = 'more';
        return item;
      }
      case 'removed': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        item.description = 'removed from the catalog';
        item.tooltip = 'Removed with cac remove: syncs leave it out until one runs with recreate.';
        item.iconPath = new vscode.ThemeIcon('trash', new vscode.ThemeColor('disabledForeground'));
        item.contextValue = 'removedContainer';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.icon, node.icon === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
        item.tooltip = node.tooltip ?? node.text;
        item.contextValue = 'message';
        return item;
      }
    }
  }

  /** Shows the next page of a datastore's containers. */
  async loadMore(node: DatastoreNode | MoreNode, fire = true): Promise<void> {
    const datastore = node.kind === 'more' ? node.parent : node;
    const loaded = await this.loadContainers(datastore);
    const page = await this.server.request(ListContainersRequest.type, {
      projectUri: datastore.project.projectUri, datastore: datastore.item.name, offset: loaded.items.length, limit: CONTAINER_PAGE,
    });
    loaded.items.push(...page.items.map((item): ContainerNode => ({ kind: 'container', parent: datastore, item })));
    loaded.total = page.total;
    if (fire) this.changed.fire(datastore);
  }

  dispose(): void {
    this.changed.dispose();
    this.loadedRoots.dispose();
  }

  private async loadRoots(): Promise<CatalogNode[]> {
    const projects = workspaceProjects();
    if (projects.length === 1) return this.loadDatastores(projects[0]);
    return projects.map((project): ProjectNode => ({ kind: 'project', project }));
  }

  private async loadDatastores(project: ProjectRef): Promise<CatalogNode[]> {
    try {
      const { items } = await this.server.request(ListDatastoresRequest.type, { projectUri: project.projectUri });
      return items.map((item) => {
        const node: DatastoreNode = { kind: 'datastore', project, item };
        this.datastoreNodes.set(datastoreKey(node), node);
        return node;
      });
    } catch (error) {
      if (isNoProjectMessage((error as Error).message)) return [];
      throw error;
    }
  }

  private async loadContainers(node: DatastoreNode): Promise<LoadedContainers> {
    const key = datastoreKey(node);
    const cached = this.containers.get(key);
    if (cached) return cached;
    const page = await this.server.request(ListContainersRequest.type, { projectUri: node.project.projectUri, datastore: node.item.name, offset: 0, limit: CONTAINER_PAGE });
    const loaded: LoadedContainers = {
      items: page.items.map((item) => ({ kind: 'container', parent: node, item })),
      total: page.total,
      removed: page.removed,
    };
    this.containers.set(key, loaded);
    return loaded;
  }

  private datastoreItem(node: DatastoreNode): vscode.TreeItem {
    const { item: d } = node;
    const tree = new vscode.TreeItem(d.name, vscode.TreeItemCollapsibleState.Collapsed);
    tree.id = `datastore:${node.project.projectUri ?? ''}:${d.name}`;
    const last = d.lastOperation;
    tree.description = `${d.type} · ${d.containers === 0 ? 'not synced' : plural(d.containers, 'container')}`;
    const failed = last && (last.result === 'failure' || last.result === 'aborted');
    tree.iconPath = new vscode.ThemeIcon(
      d.storeType === 'dfs' ? 'file-submodule' : 'database',
      failed ? new vscode.ThemeColor(last.result === 'failure' ? 'list.errorForeground' : 'list.warningForeground') : undefined,
    );
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${escapeMarkdown(d.name)}** · ${escapeMarkdown(d.type)} (${d.storeType === 'dfs' ? 'file store' : 'database'})\n\n`);
    tooltip.appendMarkdown(`${d.containers === 0 ? 'No snapshot yet' : `${plural(d.containers, 'container')} in its snapshots`}\n\n`);
    if (last) tooltip.appendMarkdown(`Last operation: #${last.id} **${last.result}**${last.endTime ? `, ${relativeTime(last.endTime)}` : ''}\n\n`);
    tooltip.appendMarkdown(`Sync defaults: prune ${onOff(d.defaults.prune)}, recreate ${onOff(d.defaults.recreate)}${d.defaults.include ? `, ${d.defaults.include.join(' and ')}` : ''}`);
    if (d.envReferences.length > 0) tooltip.appendMarkdown(`\n\nSecrets from: ${d.envReferences.map((v) => `\`${v}\``).join(', ')}`);
    tree.tooltip = tooltip;
    tree.contextValue = `datastore.${d.storeType}${d.envReferences.length > 0 ? '.secrets' : ''}`;
    return tree;
  }

  private containerItem(node: ContainerNode): vscode.TreeItem {
    const c = node.item;
    const tree = new vscode.TreeItem(c.name, c.fields > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    tree.id = `container:${node.parent.project.projectUri ?? ''}:${node.parent.item.name}:${c.name}`;
    const recentChange = this.recent.get(node.parent.item.name)?.get(c.name);
    const parts = [c.kind, plural(c.fields, 'field')];
    if (c.incremental?.field) parts.push(`↻ ${c.incremental.field}`);
    if (c.partition?.field) parts.push(`▦ ${c.partition.field}`);
    if (c.missingFromSource) parts.unshift('missing from source');
    if (recentChange) parts.unshift(recentChange);
    tree.description = parts.join(' · ');
    tree.iconPath = c.missingFromSource
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
      : new vscode.ThemeIcon(KIND_ICONS[c.kind] ?? 'symbol-class', recentChange ? new vscode.ThemeColor('gitDecoration.modifiedResourceForeground') : undefined);
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${escapeMarkdown(c.name)}** · ${c.kind}, ${plural(c.fields, 'field')}\n\n`);
    tooltip.appendMarkdown(`Incremental identifier: ${identifierText(c.incremental)}\n\n`);
    tooltip.appendMarkdown(`Partition identifier: ${identifierText(c.partition)}`);
    if (c.missingFromSource) tooltip.appendMarkdown('\n\n$(warning) The last sync did not find it in the source; its snapshot is kept (prune deletes it).');
    if (recentChange) tooltip.appendMarkdown(`\n\nLast preview or sync: **${recentChange}**`);
    tree.tooltip = tooltip;
    tree.contextValue = `container${c.snapshotUri ? '.snapshot' : ''}${recentChange ? '.changed' : ''}`;
    if (c.snapshotUri) {
      // The snapshot's URI (in the tree's scheme) lets the snapshot-change decorations badge this row.
      tree.resourceUri = treeResourceUri(c.snapshotUri);
    }
    return tree;
  }
}

const KIND_ICONS: Record<string, string> = { table: 'table', view: 'eye', file: 'file', 'materialized view': 'eye' };

function fieldItem(node: FieldNode): vscode.TreeItem {
  const f = node.item;
  const tree = new vscode.TreeItem(f.name, vscode.TreeItemCollapsibleState.None);
  const parts = [f.type + (f.nullable ? '' : ' not null')];
  if (f.primaryKey !== null) parts.push(`primary key${f.primaryKey > 1 ? ` (${f.primaryKey})` : ''}`);
  for (const role of f.identifierOf) parts.push(`${role} identifier`);
  tree.description = parts.join(' · ');
  tree.iconPath = new vscode.ThemeIcon(f.identifierOf.includes('incremental') ? 'history' : f.identifierOf.includes('partition') ? 'layers' : f.primaryKey !== null ? 'key' : 'symbol-field');
  tree.tooltip = `${f.name}: ${parts.join(', ')}`;
  tree.contextValue = 'field';
  return tree;
}

function identifierText(identifier: IdentifierItem | null): string {
  if (!identifier) return 'none detected';
  const field = identifier.field ? `\`${identifier.field}\`` : 'none';
  return `${field} (${identifier.strategy}, ${identifier.source === 'override' ? 'override' : 'detected'})`;
}

function onOff(value: boolean): string {
  return value ? 'on' : 'off';
}

function datastoreKey(node: DatastoreNode): string {
  return `${node.project.projectUri ?? ''}\u0000${node.item.name}`;
}
