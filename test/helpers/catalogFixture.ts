import * as fs from 'node:fs';
import * as path from 'node:path';
import { sqliteCatalog, sync } from './syncFixtures';
import { positionOf } from './workspace';
import { LspTestClient, uri, DEFAULT_CAPABILITIES, type ServerLaunch } from './lspClient';
import type { ClientCapabilities } from 'vscode-languageserver-protocol';

/** The shop's SQLite source: a table with an updated_at, one without timestamps, and a view. */
export const SHOP_SQL = `
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'new', total NUMERIC(12,2) NOT NULL, ordered_at DATETIME NOT NULL, updated_at DATETIME NOT NULL);
  CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL, created_at DATETIME);
  CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
`;

/** The definition files of the standard fixture, besides datastores/shop.yaml. */
export const FIXTURE_FILES: Record<string, string> = {
  'datastores/warehouse.yaml': 'kind: Datastore\nname: warehouse\ntype: postgresql\ndescription: The analytics warehouse.\nconnection:\n  host: 127.0.0.1\n  database: shop\n  user: reader\n  password: ${env:WAREHOUSE_PASSWORD}\n',
  'schedules/nightly.yaml': 'kind: Schedule\nname: nightly-shop\ndatastore: shop\ndaily: { every: 1, at: "02:30" }\n---\nkind: Schedule\nname: weekdays-warehouse\ndatastore: warehouse\ncron: "0 12 * * 1-5"\n',
  'overrides/shop.yaml': 'kind: Overrides\ndatastore: shop\ncontainers:\n  orders:\n    incremental_identifier: updated_at\n    partition_identifier: ordered_at\n',
};

/**
 * A catalog with a synced SQLite datastore (`shop`, snapshots written by the engine), a
 * PostgreSQL one never synced (`warehouse`), two schedules and overrides. `extra` adds or
 * replaces files (relative path → text).
 */
export async function syncedCatalog(extra: Record<string, string> = {}): Promise<string> {
  const root = sqliteCatalog(SHOP_SQL, { ...FIXTURE_FILES, ...extra });
  // Overrides are checked by the sync as well; sync with the fixture's valid ones.
  const outcome = await sync(root, 'shop');
  if (outcome.result !== 'success' && outcome.result !== 'warning') throw new Error(`fixture sync failed: ${outcome.message}`);
  return root;
}

/** A started server on `root`, ready (workspace loaded, diagnostics published). */
export async function startedClient(root: string, capabilities: ClientCapabilities = DEFAULT_CAPABILITIES, launch: ServerLaunch = 'source', initializationOptions: object = {}): Promise<LspTestClient> {
  const client = new LspTestClient(launch);
  await client.start(root, capabilities, initializationOptions);
  return client;
}

/** Opens a workspace file in the server with its text on disk; returns its URI and text. */
export async function openFile(client: LspTestClient, root: string, relative: string, text?: string): Promise<{ file: string; uri: string; text: string }> {
  const file = path.join(root, relative);
  const content = text ?? fs.readFileSync(file, 'utf8');
  await client.open(file, content);
  return { file, uri: uri(file), text: content };
}

/** The position right after `needle` (a caret placed at its end), or at its start with `atStart`. */
export function caretAfter(text: string, needle: string, occurrence = 1): { line: number; character: number } {
  const start = positionOf(text, needle, occurrence);
  return { line: start.line, character: start.character + needle.length };
}

export { positionOf };
