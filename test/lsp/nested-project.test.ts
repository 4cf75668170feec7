import assert from 'node:assert/strict';
import { findDefinitionFiles, readProjectSettings } from '../../server/src/core';
import { openFile, startedClient } from '../helpers/catalogFixture';
import type { LspTestClient } from '../helpers/lspClient';
import { makeCatalog, removeCatalog } from '../helpers/syncFixtures';

describe('a nested catalog.yaml is a project of its own', function () {
  this.timeout(60000);
  let root: string;
  let client: LspTestClient | undefined;
  beforeEach(() => {
    root = makeCatalog({
      'catalog.yaml': 'kind: Project\n',
      'datastores/outer.yaml': 'kind: Datastore\nname: outer\ntype: dfs\nroot: .\n',
      'team/catalog.yaml': 'kind: Project\nsnapshots: snaps\n',
      'team/datastores/inner.yaml': 'kind: Datastore\nname: inner\ntype: dfs\nroot: .\nglobbing: maybe\n',
    });
  });
  afterEach(async () => {
    await client?.stop();
    client = undefined;
    removeCatalog(root);
  });

  it('is a boundary: the outer project reads none of its files', () => {
    const files = findDefinitionFiles(readProjectSettings(root).project).map((f) => f.slice(root.length + 1));
    assert.deepEqual(files, ['catalog.yaml', 'datastores/outer.yaml']);
  });

  it('gets its own diagnostics in the editor when one of its files is opened', async () => {
    client = await startedClient(root);
    const { file } = await openFile(client, root, 'team/datastores/inner.yaml');
    const diagnostics = await client.waitForDiagnostics(file, (d) => d.length > 0);
    assert.deepEqual(diagnostics.map((d) => d.code), ['schema-violation']);
  });
});
