import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { TextEdit } from 'vscode-languageserver-protocol';
import type { OverrideEditResult } from '../../server/src/protocol/catalogProtocol';
import { startedClient, syncedCatalog } from '../helpers/catalogFixture';
import { uri, type LspTestClient } from '../helpers/lspClient';
import { removeCatalog } from '../helpers/syncFixtures';

/** Applies one file's edits (non-overlapping, as the server sends them) to its text. */
function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const offset = (line: number, character: number): number => {
    let at = 0;
    for (let l = 0; l < line; l++) at = text.indexOf('\n', at) + 1;
    return at + character;
  };
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character)) {
    out = out.slice(0, offset(edit.range.start.line, edit.range.start.character)) + edit.newText + out.slice(offset(edit.range.end.line, edit.range.end.character));
  }
  return out;
}

describe('language server: catalog/overrideEdit', function () {
  this.timeout(60000);
  let root: string;
  let client: LspTestClient;
  before(async () => {
    root = await syncedCatalog({ 'overrides/shop.yaml': '# chosen by the team\nkind: Overrides\ndatastore: shop\ncontainers:\n  orders:\n    incremental_identifier: updated_at   # keep\n' });
    client = await startedClient(root);
  });
  after(async () => {
    await client.stop();
    removeCatalog(root);
  });

  it('answers the comment-preserving edit of the open buffer, as a minimal replacement', async () => {
    const file = path.join(root, 'overrides', 'shop.yaml');
    const buffer = '# chosen by the team\nkind: Overrides\ndatastore: shop\ncontainers:\n  orders:\n    incremental_identifier: updated_at   # keep\n  # customers next\n';
    await client.open(file, buffer, 1);
    const result = await client.request<OverrideEditResult>('catalog/overrideEdit', { datastore: 'shop', container: 'customers', partitionIdentifier: 'created_at' });
    assert.equal(result.created, false);
    const edits = result.edit.changes![uri(file)]!;
    assert.equal(edits.length, 1);
    // Comments stay (a trailing one stays the map's last line); only the edited document is rendered again.
    assert.equal(applyEdits(buffer, edits), '# chosen by the team\nkind: Overrides\ndatastore: shop\ncontainers:\n  orders:\n    incremental_identifier: updated_at # keep\n  customers:\n    partition_identifier: created_at\n  # customers next\n');
  });

  it('refuses a field the sync would not accept, saying why', async () => {
    await assert.rejects(
      client.request('catalog/overrideEdit', { datastore: 'shop', container: 'orders', incrementalIdentifier: 'status' }),
      /Field 'status' of 'orders' has type TEXT/,
    );
  });
});
