/**
 * The extension's own parts, as its `activate` returns them (client/src/extension.ts), for the
 * extension-host tests of each view and flow; plus small helpers over the workspace copy.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CatalogExtensionApi } from '../../../client/src/extension';
import type { CatalogNode, DatastoreNode } from '../../../client/src/views/datastoresTree';
import { activeCatalog, waitFor, workspaceFile, workspaceRoot } from './helpers';

export async function catalogApi(): Promise<CatalogExtensionApi> {
  return (await activeCatalog()) as unknown as CatalogExtensionApi;
}

/** One datastore's node, waiting (bounded) until the server lists it (a definition just written). */
export async function datastoreNode(api: CatalogExtensionApi, name: string): Promise<DatastoreNode> {
  return waitFor(async () => {
    api.datastores.refresh();
    return api.datastores.findDatastore(name);
  }, `datastore ${name} in the Datastores view`, 20_000);
}

export async function childrenOf(api: CatalogExtensionApi, node: CatalogNode): Promise<CatalogNode[]> {
  return api.datastores.getChildren(node);
}

/** Every file under a folder of the workspace, relative path → text (what "writes nothing" compares). */
export function filesUnder(relative: string): Map<string, string> {
  const out = new Map<string, string>();
  const root = workspaceFile(relative);
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.set(path.relative(workspaceRoot(), full), fs.readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return out;
}

/** The history records of the workspace (.cac/operations), by file name. */
export function historyFiles(): string[] {
  const dir = workspaceFile('.cac/operations');
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** The diff editors open on a preview's documents. */
export function previewDiffTabs(): vscode.TabInputTextDiff[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => t.input)
    .filter((input): input is vscode.TabInputTextDiff => input instanceof vscode.TabInputTextDiff && input.modified.scheme === 'catalog-preview');
}

export function writeWorkspaceFile(relative: string, text: string): void {
  const file = workspaceFile(relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

export function removeWorkspaceFile(relative: string): void {
  fs.rmSync(workspaceFile(relative), { recursive: true, force: true });
}

/** Names of the datastores' children that are containers. */
export function containerNames(nodes: CatalogNode[]): string[] {
  return nodes.flatMap((n) => (n.kind === 'container' ? [n.item.name] : []));
}

/** `a`, `b`, … `aa`, `ab`…: distinct letter-only names, so no two files group into one container. */
function letters(n: number): string {
  let out = '';
  let i = n;
  do {
    out = String.fromCharCode(97 + (i % 26)) + out;
    i = Math.floor(i / 26) - 1;
  } while (i >= 0);
  return `t${out}`;
}

/**
 * A file store of `files` one-line CSV files with letter-only names (none group), defined as
 * `name`: enough work that a sync is still running when a test aborts it.
 */
export async function bulkDatastore(api: CatalogExtensionApi, name: string, files = 4000): Promise<DatastoreNode> {
  // Git need not list them (its extension would work through every untracked file).
  fs.appendFileSync(workspaceFile('.git/info/exclude'), `data/${name}/\n`);
  for (let i = 0; i < files; i++) writeWorkspaceFile(`data/${name}/${letters(i)}.csv`, `id,${letters(i)}_value\n1,2\n`);
  writeWorkspaceFile(`datastores/${name}.yaml`, `kind: Datastore\nname: ${name}\ntype: dfs\nroot: ../data/${name}\nextensions: [csv]\n`);
  const node = await datastoreNode(api, name);
  await extensionHostSettled();
  return node;
}

/**
 * Waits (at most 60 s) until this extension host's event loop runs on time again: thousands of
 * files just written arrive as file events, and a notification queued behind them (an operation
 * started) would reach a test only after the sync it announces has ended.
 */
export async function extensionHostSettled(): Promise<void> {
  const deadline = Date.now() + 60_000;
  let calm = 0;
  while (calm < 5 && Date.now() < deadline) {
    const start = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 100));
    calm = Date.now() - start < 150 ? calm + 1 : 0;
  }
}

/** Removes a bulk datastore's definition, data and snapshots, so later tests run on a workspace of the usual size. */
export async function removeBulkDatastore(name: string): Promise<void> {
  for (const relative of [`datastores/${name}.yaml`, `data/${name}`, `snapshots/${name}`]) fs.rmSync(workspaceFile(relative), { recursive: true, force: true });
  await extensionHostSettled();
}
