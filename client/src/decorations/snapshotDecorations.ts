import * as vscode from 'vscode';
import { SnapshotChangesRequest, type SnapshotChange } from '../../../server/src/protocol/catalogProtocol';
import type { CatalogServer } from '../server/catalogServer';
import { workspaceProjects } from '../views/catalogProjects';

const BADGES: Record<SnapshotChange['change'], { badge: string; color: string; tooltip: string }> = {
  added: { badge: 'A', color: 'gitDecoration.addedResourceForeground', tooltip: 'Snapshot added since the last commit' },
  modified: { badge: 'M', color: 'gitDecoration.modifiedResourceForeground', tooltip: 'Snapshot changed since the last commit' },
  deleted: { badge: 'D', color: 'gitDecoration.deletedResourceForeground', tooltip: 'Snapshot deleted since the last commit' },
};

/** More badge changes than this are announced as one "everything changed" event. */
const MAX_NAMED_CHANGES = 500;

/** The scheme of the Datastores tree's container rows: decorated by this provider only, never by git's. */
const TREE_SCHEME = 'catalog-snapshot';

/** The resource a container row carries: its snapshot file, in the tree's own scheme. */
export function treeResourceUri(snapshotUri: string): vscode.Uri {
  return vscode.Uri.parse(snapshotUri).with({ scheme: TREE_SCHEME });
}

function gitDecoratesFiles(): boolean {
  const git = vscode.extensions.getExtension('vscode.git');
  return git?.isActive === true && vscode.workspace.getConfiguration('git').get<boolean>('enabled', true) && vscode.workspace.getConfiguration('git').get<boolean>('decorations.enabled', true);
}

/**
 * Badges on snapshot files that differ from git's HEAD, in the Datastores tree (whose container
 * rows carry their snapshot's URI in a scheme of their own) and, where VS Code's git extension
 * does not already badge them, in the Explorer. The server answers which files changed;
 * this reloads when snapshot files change on disk, at most every 500 ms.
 */
export class SnapshotDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changedEmitter = new vscode.EventEmitter<vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.changedEmitter.event;
  private changes = new Map<string, SnapshotChange>();
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  /** `watcher`: the extension's watcher of YAML files (its owner disposes it). */
  constructor(private readonly server: CatalogServer, watcher: vscode.FileSystemWatcher) {
    this.disposables.push(vscode.window.registerFileDecorationProvider(this));
    this.disposables.push(watcher.onDidChange(() => this.scheduleReload()), watcher.onDidCreate(() => this.scheduleReload()), watcher.onDidDelete(() => this.scheduleReload()));
  }

  /** The snapshot changes known now, by URI. */
  get current(): ReadonlyMap<string, SnapshotChange> {
    return this.changes;
  }

  /** Whether a snapshot file differs from HEAD (the tree's "Compare with Committed"). */
  isChanged(uri: string): boolean {
    return this.changes.has(vscode.Uri.parse(uri).toString());
  }

  scheduleReload(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), 500);
  }

  async reload(): Promise<void> {
    const next = new Map<string, SnapshotChange>();
    for (const project of workspaceProjects()) {
      try {
        const { items } = await this.server.request(SnapshotChangesRequest.type, { projectUri: project.projectUri });
        for (const item of items) next.set(vscode.Uri.parse(item.uri).toString(), item);
      } catch (error) {
        this.server.log.debug(`Snapshot changes not loaded: ${(error as Error).message}`);
      }
    }
    // Only the files whose badge changed: a sync that added 20,000 snapshots keeps them added
    // across reloads, and an event naming each of them again floods the extension host.
    const touched: string[] = [];
    for (const [uri, change] of next) if (this.changes.get(uri)?.change !== change.change) touched.push(uri);
    for (const uri of this.changes.keys()) if (!next.has(uri)) touched.push(uri);
    this.changes = next;
    if (touched.length === 0) return;
    // Past a few hundred, "everything changed" is one event and VS Code asks only for what it shows.
    this.changedEmitter.fire(touched.length > MAX_NAMED_CHANGES ? undefined : touched.flatMap((uri) => [vscode.Uri.parse(uri), treeResourceUri(uri)]));
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    // In the Explorer, VS Code's git extension already badges changed files; ours would repeat it.
    if (uri.scheme === 'file' && gitDecoratesFiles()) return undefined;
    const file = uri.scheme === TREE_SCHEME ? uri.with({ scheme: 'file' }) : uri;
    const change = this.changes.get(file.toString());
    if (!change) return undefined;
    const style = BADGES[change.change];
    return new vscode.FileDecoration(style.badge, style.tooltip, new vscode.ThemeColor(style.color));
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.changedEmitter.dispose();
  }
}
