import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { CompletionItem, CompletionList, Hover } from 'vscode-languageserver-protocol';
import { removeCatalog } from '../helpers/syncFixtures';
import { caretAfter, positionOf, startedClient, syncedCatalog } from '../helpers/catalogFixture';
import { uri, type LspTestClient } from '../helpers/lspClient';

describe('language server: completion and hover', function () {
  this.timeout(60000);
  let root: string;
  let client: LspTestClient;
  const versions = new Map<string, number>();
  before(async () => {
    root = await syncedCatalog();
    client = await startedClient(root);
  });
  after(async () => {
    await client.stop();
    removeCatalog(root);
  });

  /** Opens (or replaces) a buffer with `text` and asks for completion at the caret `|`. */
  async function complete(relative: string, textWithCaret: string): Promise<CompletionItem[]> {
    const { text, position } = caret(textWithCaret);
    const file = await show(relative, text);
    const list = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri: uri(file) }, position });
    return list.items;
  }

  /** Opens the buffer, or replaces its text when it is open already. */
  async function show(relative: string, text: string): Promise<string> {
    const file = path.join(root, relative);
    const version = (versions.get(file) ?? 0) + 1;
    versions.set(file, version);
    if (version === 1) await client.open(file, text, version);
    else await client.replace(file, text, version);
    return file;
  }

  async function hover(relative: string, text: string, position: { line: number; character: number }): Promise<string> {
    const file = await show(relative, text);
    const result = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: uri(file) }, position });
    assert.ok(result, 'a hover');
    return (result.contents as { value: string }).value;
  }

  const labels = (items: readonly CompletionItem[]): string[] => items.map((i) => i.label);

  describe('completion', () => {
    it('offers the keys a datastore may still have, with their schema descriptions, required ones first', async () => {
      const items = await complete('datastores/new.yaml', 'kind: Datastore\nname: fresh\n|');
      assert.ok(labels(items).includes('type') && labels(items).includes('connection') && !labels(items).includes('name'));
      const type = items.find((i) => i.label === 'type')!;
      assert.equal(type.detail, 'required');
      assert.match((type.documentation as { value: string }).value, /Kind of source/);
      const byClientOrder = [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
      assert.equal(byClientOrder[0]!.label, 'type', 'the required key not yet written sorts first');
      const connection = items.find((i) => i.label === 'connection')!;
      assert.deepEqual(connection.textEdit, { range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, newText: 'connection:\n  ' });
      assert.equal(connection.insertTextMode, 1, 'inserted as is: the text carries its indentation');
    });

    it('offers the keys of a nested mapping (connection), and of a mapping inside it', async () => {
      const items = await complete('datastores/new.yaml', 'kind: Datastore\nname: fresh\ntype: postgresql\nconnection:\n  host: db\n  |');
      assert.ok(labels(items).includes('password') && labels(items).includes('database') && !labels(items).includes('host'));
      const ssl = await complete('datastores/new.yaml', 'kind: Datastore\nname: fresh\ntype: postgresql\nconnection:\n  ssl:\n    |');
      assert.deepEqual(labels(ssl).sort(), ['ca', 'mode']);
    });

    it('offers enum values with the property\'s documentation', async () => {
      const items = await complete('datastores/new.yaml', 'kind: Datastore\nname: fresh\ntype: |\n');
      assert.deepEqual(labels(items), ['postgresql', 'mysql', 'mariadb', 'sqlite', 'duckdb', 'dfs', 's3', 'azure_blob', 'gcs']);
      const include = await complete('datastores/new.yaml', 'kind: Datastore\nname: fresh\ntype: sqlite\ninclude: [table, |]\n');
      assert.deepEqual(labels(include), ['table', 'view']);
      const globbing = await complete('datastores/new.yaml', 'kind: Datastore\nname: fresh\ntype: dfs\nglobbing: |\n');
      assert.deepEqual(labels(globbing), ['true', 'false', 'folder']);
    });

    it('offers the workspace\'s datastore names where a datastore is referenced', async () => {
      const items = await complete('schedules/new.yaml', 'kind: Schedule\nname: again\ndatastore: sh|\n');
      // `fresh` is defined by the datastores/new.yaml buffer earlier tests left open; whether its
      // last (unfinished) text has been re-analysed yet depends on the debounce, so it may or may not be offered.
      assert.deepEqual(labels(items).filter((label) => label !== 'fresh').sort(), ['shop', 'warehouse']);
      const shop = items.find((i) => i.label === 'shop')!;
      assert.equal(shop.detail, 'sqlite datastore');
      assert.deepEqual(shop.textEdit, { range: { start: { line: 2, character: 11 }, end: { line: 2, character: 13 } }, newText: 'shop' });
    });

    it('offers container names from the snapshots inside overrides, without those already overridden', async () => {
      const items = await complete('overrides/new.yaml', 'kind: Overrides\ndatastore: shop\ncontainers:\n  orders:\n    incremental_identifier: updated_at\n  |\n');
      assert.deepEqual(labels(items), ['big_orders', 'customers']);
      assert.equal(items[1]!.detail, 'table of shop');
    });

    it('offers only date/timestamp and number fields for an incremental identifier, every field for a partition identifier', async () => {
      const incremental = await complete('overrides/new.yaml', 'kind: Overrides\ndatastore: shop\ncontainers:\n  orders:\n    incremental_identifier: |\n');
      assert.deepEqual(labels(incremental), ['id', 'customer_id', 'total', 'ordered_at', 'updated_at', 'null']);
      assert.equal(incremental.find((i) => i.preselect)?.label, 'updated_at');
      assert.equal(incremental.find((i) => i.label === 'ordered_at')!.detail, 'DATETIME NOT NULL');
      const partition = await complete('overrides/new.yaml', 'kind: Overrides\ndatastore: shop\ncontainers:\n  orders: { partition_identifier: | }\n');
      assert.deepEqual(labels(partition), ['id', 'customer_id', 'status', 'total', 'ordered_at', 'updated_at', 'null']);
    });

    it('offers schedule presets, and cron presets described in words', async () => {
      const items = await complete('schedules/new.yaml', 'kind: Schedule\nname: again\ndatastore: shop\n|');
      const daily = items.find((i) => i.label === 'daily: daily at midnight')!;
      assert.equal(daily.textEdit && 'newText' in daily.textEdit ? daily.textEdit.newText : undefined, 'daily: { every: 1, at: "00:00" }');
      assert.equal(daily.detail, 'every day at 00:00 UTC');
      const cron = await complete('schedules/new.yaml', 'kind: Schedule\nname: again\ndatastore: shop\ncron: |\n');
      assert.equal(cron.find((i) => i.label === '0 12 * * 1-5')!.detail, 'at 12:00, on Monday to Friday (UTC)');
    });

    it('offers the kinds and document skeletons in a new file', async () => {
      const items = await complete('datastores/empty.yaml', '|');
      assert.ok(labels(items).includes('kind') && labels(items).includes('Datastore (SQLite)'));
      const kinds = await complete('datastores/empty.yaml', 'kind: |');
      assert.deepEqual(labels(kinds), ['Datastore', 'Schedule', 'Overrides']);
    });
  });

  describe('hover', () => {
    it('shows the schema\'s documentation for a key', async () => {
      const text = 'kind: Datastore\nname: fresh\ntype: sqlite\nprune_limit: 0.3\nconnection:\n  path: ./x.sqlite\n';
      const value = await hover('datastores/new.yaml', text, positionOf(text, 'prune_limit'));
      assert.match(value, /^\*\*prune_limit\*\*\n\nLargest share of the datastore's containers one prune may delete/);
      assert.match(await hover('datastores/new.yaml', text, positionOf(text, 'path')), /SQLite and DuckDB: the database file/);
    });

    it('shows a schedule in words with its next five runs in UTC', async () => {
      const text = 'kind: Schedule\nname: weekly-shop\ndatastore: shop\nweekly: { days: [friday, sunday], at: "06:15" }\n';
      const value = await hover('schedules/new.yaml', text, positionOf(text, 'weekly:'));
      assert.match(value, /\*\*weekly-shop\*\* syncs `shop` every Sunday and Friday at 06:15 UTC\./);
      const runs = value.split('\n').filter((line) => /^- (Sun|Fri) \d{4}-\d{2}-\d{2} 06:15 UTC$/.test(line));
      assert.equal(runs.length, 5);
      const dates = runs.map((line) => Date.parse(`${line.slice(6, 16)}T06:15:00Z`));
      assert.ok(dates[0]! > Date.now() && dates.every((d, i) => i === 0 || d > dates[i - 1]!), 'five future runs in order');
    });

    it('shows what the snapshot says about an overridden container and field', async () => {
      const text = 'kind: Overrides\ndatastore: shop\ncontainers:\n  orders:\n    incremental_identifier: updated_at\n';
      const container = await hover('overrides/new.yaml', text, positionOf(text, 'orders'));
      assert.match(container, /^\*\*orders\*\* · table · 6 fields/);
      assert.match(container, /incremental identifier: `updated_at` \(last_modified, override\)/);
      assert.match(container, /Snapshot: `snapshots\/shop\/orders\.yaml`/);
      const field = await hover('overrides/new.yaml', text, caretAfter(text, 'updated_'));
      assert.match(field, /^\*\*updated_at\*\* `DATETIME` · NOT NULL/);
      assert.match(field, /Serves as an incremental identifier \(`last_modified`\)/);
    });

    it('shows the datastore a schedule names', async () => {
      const text = 'kind: Schedule\nname: x\ndatastore: warehouse\nhourly: { every: 2, minute: 5 }\n';
      const value = await hover('schedules/new.yaml', text, positionOf(text, 'warehouse'));
      assert.match(value, /^\*\*warehouse\*\* · postgresql datastore/);
      assert.match(value, /The analytics warehouse\./);
      assert.match(value, /Not synced yet\./);
    });
  });
});

/** Splits `text|more` into the text without the caret and the caret's position. */
function caret(textWithCaret: string): { text: string; position: { line: number; character: number } } {
  const index = textWithCaret.indexOf('|');
  assert.ok(index >= 0, 'fixture has a caret');
  const before = textWithCaret.slice(0, index).split('\n');
  return { text: textWithCaret.slice(0, index) + textWithCaret.slice(index + 1), position: { line: before.length - 1, character: before[before.length - 1]!.length } };
}
