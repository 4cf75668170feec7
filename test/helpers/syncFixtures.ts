import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { parse as parseYaml } from 'yaml';
import { OperationStore, hasErrors, loadWorkspace, runSync, type SyncOptions, type SyncOutcome } from '../../server/src/core';

/** A fresh catalog folder with the given files (relative path → text). */
export { writeWorkspace as makeCatalog, writeWorkspaceFile as writeFile, cleanupWorkspace as removeCatalog } from './workspace';
import { writeWorkspace as makeCatalog } from './workspace';

/** Runs SQL against a SQLite file (creating it), as the test's "source" changes. */
export function sqlite(file: string, sql: string): void {
  const db = new Database(file);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

/** A catalog with one SQLite datastore named `shop` whose database is `shop.sqlite`. */
export function sqliteCatalog(sql: string, extra: Record<string, string> = {}, datastoreExtra = ''): string {
  const root = makeCatalog({
    'datastores/shop.yaml': `kind: Datastore\nname: shop\ntype: sqlite\nconnection:\n  path: ../shop.sqlite\n${datastoreExtra}`,
    ...extra,
  });
  sqlite(path.join(root, 'shop.sqlite'), sql);
  return root;
}

/** Loads the workspace and syncs one datastore through the engine, as every host does. */
export async function sync(root: string, datastore: string, options: Partial<SyncOptions> = {}, extra: { dryRun?: boolean; env?: Record<string, string> } = {}): Promise<SyncOutcome> {
  const workspace = loadWorkspace(root);
  if (hasErrors(workspace.problems)) throw new Error(`definitions have errors: ${JSON.stringify(workspace.problems, null, 1)}`);
  const definition = workspace.datastores.find((d) => d.name === datastore);
  if (!definition) throw new Error(`no datastore ${datastore}`);
  return runSync({
    workspace, datastore: definition, options, dryRun: extra.dryRun ?? false, env: extra.env ?? {},
    signal: new AbortController().signal, triggeredBy: 'test@example.com', history: new OperationStore(workspace.project.stateDir),
  });
}

/** Every file of a datastore's snapshot folder: name → content. */
export function snapshotFiles(root: string, datastore: string): Map<string, string> {
  const dir = path.join(root, 'snapshots', datastore);
  const files = new Map<string, string>();
  if (!fs.existsSync(dir)) return files;
  // A file store's snapshots live in subfolders: every file, as a `/`-joined path.
  for (const name of (fs.readdirSync(dir, { recursive: true }) as string[]).map((f) => f.split(path.sep).join('/')).sort()) {
    if (fs.statSync(path.join(dir, name)).isFile()) files.set(name, fs.readFileSync(path.join(dir, name), 'utf8'));
  }
  return files;
}

/** Names of the containers in a datastore's snapshot files (excluding the index). */
export function snapshotNames(root: string, datastore: string): string[] {
  const names: string[] = [];
  for (const [file, text] of snapshotFiles(root, datastore)) {
    if (file === '_index.yaml') continue;
    const name = (parseYaml(text) as { name?: unknown } | null)?.name;
    names.push(typeof name === 'string' ? name : `?${file}`);
  }
  return names.sort();
}

export function changeOf(outcome: SyncOutcome, name: string): string | undefined {
  return outcome.plan?.changes.find((c) => c.name === name)?.action;
}
