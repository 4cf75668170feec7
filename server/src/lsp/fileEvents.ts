import * as path from 'node:path';
import { DidChangeWatchedFilesNotification, WatchKind, type Connection } from 'vscode-languageserver/node';
import { pathOf } from './convert';

/**
 * Tells the session about definition and snapshot files changed on disk (a sync, a git
 * checkout, another editor). Clients that can watch files are asked to, through dynamic
 * registration of `workspace/didChangeWatchedFiles` (convention: no second watcher in the
 * server). Clients that cannot get a chokidar watcher in the server instead.
 */
export class FileEvents {
  private watcher: { close(): Promise<void> } | undefined;

  constructor(private readonly connection: Connection, private readonly onChange: (file: string) => void) {}

  /** The client watches: register our globs and route its notifications. */
  async useClientWatcher(): Promise<void> {
    this.connection.onDidChangeWatchedFiles((params) => {
      for (const change of params.changes) {
        const file = pathOf(change.uri);
        if (file) this.onChange(file);
      }
    });
    await this.connection.client.register(DidChangeWatchedFilesNotification.type, {
      // Deleted folders come as one event for the folder, whatever it held.
      // Operation records: syncs started by the CLI, a daemon or the API show up as they run.
      watchers: [{ globPattern: '**/*.{yaml,yml}' }, { globPattern: '**/operations/*.json' }, { globPattern: '**/*', kind: WatchKind.Delete }],
    });
  }

  /** The client cannot watch: watch the roots ourselves. Resolves once the watcher is ready. */
  async useOwnWatcher(roots: readonly string[]): Promise<void> {
    if (roots.length === 0) return;
    const { watch } = await import('chokidar');
    const watcher = watch([...roots], {
      ignoreInitial: true,
      // Folders are walked (except dependencies and VCS data); files only matter when they are YAML.
      ignored: (file, stats) => {
        const name = path.basename(file);
        if (name === 'node_modules' || name === '.git' || name === '.hg' || name === '.svn') return true;
        return stats?.isFile() === true && !/\.ya?ml$/i.test(name) && !isOperationRecordPath(file);
      },
    });
    watcher.on('all', (_event, file) => this.onChange(path.resolve(file)));
    watcher.on('error', (error) => this.connection.console.warn(`File watcher: ${String(error)}`));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    this.watcher = watcher;
  }

  async dispose(): Promise<void> {
    await this.watcher?.close();
  }
}

/** `…/operations/00000012.json`: an operation record of some project's history. */
export function isOperationRecordPath(file: string): boolean {
  return /^[0-9]{8,}\.json$/.test(path.basename(file)) && path.basename(path.dirname(file)) === 'operations';
}
