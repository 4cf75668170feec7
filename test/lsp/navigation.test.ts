import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CodeAction, CodeLens, DocumentSymbol, Location, TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { removeCatalog } from '../helpers/syncFixtures';
import { FIXTURE_FILES, caretAfter, openFile, positionOf, startedClient, syncedCatalog } from '../helpers/catalogFixture';
import { MINIMAL_CAPABILITIES, uri, type LspTestClient } from '../helpers/lspClient';

const SHOP = 'kind: Datastore\nname: shop\ntype: sqlite\nconnection:\n  path: ../shop.sqlite\n';

describe('language server: navigation, rename, symbols, code lenses and code actions', function () {
  this.timeout(60000);
  let root: string;
  let client: LspTestClient;
  before(async () => {
    root = await syncedCatalog();
    client = await startedClient(root);
  });
  after(async () => {
    await client.stop();
    removeCatalog(root);
  });

  const at = (relative: string, position: { line: number; character: number }): object => ({ textDocument: { uri: uri(path.join(root, relative)) }, position });
  const rangeOf = (text: string, needle: string): object => ({ start: positionOf(text, needle), end: caretAfter(text, needle) });

  it('goes from a datastore reference to the datastore\'s name', async () => {
    const schedules = FIXTURE_FILES['schedules/nightly.yaml']!;
    const locations = await client.request<Location[]>('textDocument/definition', at('schedules/nightly.yaml', caretAfter(schedules, 'datastore: sh')));
    assert.deepEqual(locations, [{ uri: uri(path.join(root, 'datastores/shop.yaml')), range: rangeOf(SHOP, 'shop') }]);
  });

  it('goes from an overridden container to its snapshot, and from an identifier to the field\'s line in it', async () => {
    const overrides = FIXTURE_FILES['overrides/shop.yaml']!;
    const snapshot = path.join(root, 'snapshots/shop/orders.yaml');
    const snapshotText = fs.readFileSync(snapshot, 'utf8');
    const container = await client.request<Location[]>('textDocument/definition', at('overrides/shop.yaml', positionOf(overrides, 'orders')));
    assert.deepEqual(container, [{ uri: uri(snapshot), range: rangeOf(snapshotText, 'name') }]);
    const field = await client.request<Location[]>('textDocument/definition', at('overrides/shop.yaml', positionOf(overrides, 'ordered_at')));
    const fieldLine = positionOf(snapshotText, 'ordered_at');
    assert.deepEqual(field, [{ uri: uri(snapshot), range: { start: fieldLine, end: { line: fieldLine.line, character: fieldLine.character + 'ordered_at'.length } } }]);
  });

  it('finds every reference to a datastore, with or without its declaration', async () => {
    const references = await client.request<Location[]>('textDocument/references', { ...at('datastores/shop.yaml', positionOf(SHOP, 'shop')), context: { includeDeclaration: true } });
    assert.deepEqual(references.map((l) => [path.relative(root, new URL(l.uri).pathname), l.range.start.line]), [
      ['datastores/shop.yaml', 1], ['overrides/shop.yaml', 1], ['schedules/nightly.yaml', 2],
    ]);
    const withoutDeclaration = await client.request<Location[]>('textDocument/references', { ...at('overrides/shop.yaml', { line: 1, character: 12 }), context: { includeDeclaration: false } });
    assert.equal(withoutDeclaration.length, 2);
  });

  it('renames a datastore across its references and moves its snapshot folder (prepareRename first)', async () => {
    const prepared = await client.request<{ range: object; placeholder: string }>('textDocument/prepareRename', at('schedules/nightly.yaml', caretAfter(FIXTURE_FILES['schedules/nightly.yaml']!, 'datastore: s')));
    assert.deepEqual(prepared, { range: { start: { line: 2, character: 11 }, end: { line: 2, character: 15 } }, placeholder: 'shop' });
    assert.equal(await client.request('textDocument/prepareRename', at('schedules/nightly.yaml', { line: 3, character: 2 })), null);
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { ...at('datastores/shop.yaml', positionOf(SHOP, 'shop')), newName: 'webshop' });
    const textEdits = edit.documentChanges!.filter((c): c is TextDocumentEdit => 'textDocument' in c);
    assert.deepEqual(textEdits.map((c) => [path.relative(root, new URL(c.textDocument.uri).pathname), c.edits.map((e) => [e.range.start.line, 'newText' in e ? e.newText : undefined])]).sort(), [
      ['datastores/shop.yaml', [[1, 'webshop']]], ['overrides/shop.yaml', [[1, 'webshop']]], ['schedules/nightly.yaml', [[2, 'webshop']]],
    ]);
    assert.deepEqual(edit.documentChanges!.find((c) => 'kind' in c), {
      kind: 'rename', oldUri: uri(path.join(root, 'snapshots', 'shop')), newUri: uri(path.join(root, 'snapshots', 'webshop')), options: { overwrite: false, ignoreIfExists: true },
    });
  });

  it('refuses a rename to an invalid or taken name, saying why', async () => {
    await assert.rejects(client.request('textDocument/rename', { ...at('datastores/shop.yaml', positionOf(SHOP, 'shop')), newName: 'bad name' }), /'bad name' is not a valid datastore name/);
    await assert.rejects(client.request('textDocument/rename', { ...at('datastores/shop.yaml', positionOf(SHOP, 'shop')), newName: 'Warehouse' }), /A datastore named 'warehouse' already exists/);
  });

  it('outlines a file: one symbol per document, overrides with their containers and identifiers', async () => {
    const schedules = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: uri(path.join(root, 'schedules/nightly.yaml')) } });
    assert.deepEqual(schedules.map((s) => [s.name, s.detail, s.kind]), [['nightly-shop', 'every day at 02:30 UTC', 24], ['weekdays-warehouse', 'at 12:00, on Monday to Friday (UTC)', 24]]);
    const overrides = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: uri(path.join(root, 'overrides/shop.yaml')) } });
    assert.deepEqual(overrides.map((s) => [s.name, s.children!.map((c) => [c.name, c.children!.map((i) => `${i.name}=${i.detail}`)])]), [
      ['overrides of shop', [['orders', ['incremental_identifier=updated_at', 'partition_identifier=ordered_at']]]],
    ]);
  });

  it('puts Sync and Preview lenses on a datastore and the next run on a schedule', async () => {
    const datastore = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uri(path.join(root, 'datastores/shop.yaml')) } });
    assert.deepEqual(datastore.map((l) => [l.range.start.line, l.command!.title, l.command!.command, l.command!.arguments]), [
      [1, 'Sync', 'catalog.sync', [{ datastore: 'shop', projectUri: uri(root) }]],
      [1, 'Preview', 'catalog.preview', [{ datastore: 'shop', projectUri: uri(root) }]],
    ]);
    const schedules = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uri(path.join(root, 'schedules/nightly.yaml')) } });
    assert.equal(schedules.length, 2);
    assert.match(schedules[0]!.command!.title, /^Next run: \w{3} \d{4}-\d{2}-\d{2} 02:30 UTC · every day at 02:30 UTC$/);
  });

  it('offers quick fixes: the nearest names for an unknown key or field, ${env:…} for a literal password, and ignoring a warning', async () => {
    const text = 'kind: Datastore\nname: leaky\ntype: postgresql\nconnection:\n  host: db\n  database: shop\n  pasword: x\n  password: hunter2\n';
    const { file } = await openFile(client, root, 'datastores/leaky.yaml', text);
    const diagnostics = await client.waitForDiagnostics(file, (_d, v) => v === 1);
    assert.deepEqual(diagnostics.map((d) => d.code), ['unknown-property', 'literal-secret']);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uri(file) }, range: diagnostics[0]!.range, context: { diagnostics } });
    assert.deepEqual(actions.map((a) => [a.title, a.isPreferred, a.edit!.changes![uri(file)]]), [
      ["Change to 'password'", true, [{ range: rangeOf(text, 'pasword'), newText: 'password' }]],
      ['Replace the literal secret with ${env:LEAKY_PASSWORD}', true, [{ range: rangeOf(text, 'hunter2'), newText: '${env:LEAKY_PASSWORD}' }]],
    ]);
    const overrides = 'kind: Overrides\ndatastore: shop\ncontainers:\n  customers:\n    incremental_identifier: created\n';
    const opened = await openFile(client, root, 'overrides/typo.yaml', overrides);
    const [unknownField] = await client.waitForDiagnostics(opened.file, (d, v) => v === 1 && d.length > 0);
    assert.equal(unknownField!.code, 'unknown-field');
    const fieldFixes = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: opened.uri }, range: unknownField!.range, context: { diagnostics: [unknownField] } });
    assert.deepEqual(fieldFixes.map((a) => [a.title, a.edit!.changes![opened.uri]]), [
      ["Change to 'created_at'", [{ range: rangeOf(overrides, 'created'), newText: 'created_at' }]],
      ["Ignore 'unknown-field' on this line", [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, newText: '    # cac-ignore: unknown-field\n' }]],
    ]);
    const warning = { range: { start: { line: 3, character: 2 }, end: { line: 3, character: 8 } }, severity: 2, code: 'unknown-container', source: 'cac', message: 'x' };
    const ignore = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri: uri(file) }, range: warning.range, context: { diagnostics: [warning] } });
    assert.deepEqual(ignore.map((a) => [a.title, a.edit!.changes![uri(file)]]), [
      ["Ignore 'unknown-container' on this line", [{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, newText: '# cac-ignore: unknown-container\n' }]],
    ]);
  });
});

describe('language server: rename for a client without versioned edits', function () {
  this.timeout(60000);
  it('answers with plain per-URI changes and leaves the snapshot folder alone', async () => {
    const root = await syncedCatalog();
    const client = await startedClient(root, MINIMAL_CAPABILITIES);
    try {
      const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: uri(path.join(root, 'datastores/shop.yaml')) }, position: positionOf(SHOP, 'shop'), newName: 'webshop' });
      assert.equal(edit.documentChanges, undefined);
      assert.deepEqual(Object.keys(edit.changes!).map((u) => path.relative(root, new URL(u).pathname)).sort(), ['datastores/shop.yaml', 'overrides/shop.yaml', 'schedules/nightly.yaml']);
    } finally {
      await client.stop();
      removeCatalog(root);
    }
  });
});
