import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OperationStore, checkSurroundings, loadWorkspace, runSync } from '../../server/src/core';
import { redactCredentials, urlCredentialsIn } from '../../server/src/core/text/redact';
import { makeCatalog, removeCatalog } from '../helpers/syncFixtures';

const datastore = (host: string): string => `kind: Datastore\nname: warehouse\ntype: postgresql\nconnection:\n  host: "${host}"\n  port: 1\n  database: db\n  user: u\n`;

describe('secrets inside URLs', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) removeCatalog(root);
    root = undefined;
  });

  it('is a literal-secret error in any connection value, without echoing it', () => {
    for (const host of ['postgresql://u:Hunter2pw@127.0.0.1/db', 'mysql://127.0.0.1/db?user=u&password=Hunter2pw', 'host=127.0.0.1 password=Hunter2pw']) {
      root = makeCatalog({ 'datastores/w.yaml': datastore(host) });
      const problems = loadWorkspace(root).problems.filter((p) => p.code === 'literal-secret');
      assert.equal(problems.length, 1, host);
      assert.doesNotMatch(problems[0]!.message, /Hunter2pw/);
      assert.equal(problems[0]!.range.start.line, 4);
      removeCatalog(root);
      root = undefined;
    }
  });

  it('accepts a credential written as a reference', () => {
    root = makeCatalog({ 'datastores/w.yaml': datastore('postgresql://u:${env:PW}@127.0.0.1/db') });
    assert.deepEqual(loadWorkspace(root).problems.filter((p) => p.code === 'literal-secret'), []);
    assert.deepEqual(urlCredentialsIn('https://example.com/a@b'), []);
  });

  it('redacts credentials from every message a sync records, whatever the driver quotes', async () => {
    root = makeCatalog({ 'datastores/w.yaml': datastore('${env:WAREHOUSE_URL}') });
    const workspace = loadWorkspace(root);
    const outcome = await runSync({
      workspace, datastore: workspace.datastores[0]!, options: {}, dryRun: false,
      env: { WAREHOUSE_URL: 'postgresql://u:Secret@127.0.0.1:1/db?password=Other' },
      signal: new AbortController().signal, triggeredBy: 'x', history: new OperationStore(path.join(root, '.cac')),
    });
    assert.equal(outcome.result, 'failure');
    const record = new OperationStore(path.join(root, '.cac')).get(outcome.operationId!)!;
    assert.doesNotMatch(JSON.stringify(record) + (outcome.message ?? ''), /Secret|Other/);
    assert.equal(redactCredentials('connect postgresql://u:Secret@h/db?password=Other&x=1'), 'connect postgresql://u:***@h/db?password=***&x=1');
    // Azure connection strings and SAS URLs.
    assert.equal(redactCredentials('DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=c2VjcmV0==;EndpointSuffix=core.windows.net'), 'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=***;EndpointSuffix=core.windows.net');
    assert.equal(redactCredentials('BlobEndpoint=https://a.blob.core.windows.net;SharedAccessSignature=sv=2024&sig=abc'), 'BlobEndpoint=https://a.blob.core.windows.net;SharedAccessSignature=***&sig=***');
  });
});

describe('what validate knows without connecting', () => {
  it('warns about unset variables and missing local sources, and refuses a symlinked snapshot folder', () => {
    const root = makeCatalog({
      'datastores/a.yaml': 'kind: Datastore\nname: files\ntype: dfs\nroot: ./missing\n---\nkind: Datastore\nname: db\ntype: postgresql\nconnection:\n  host: 127.0.0.1\n  database: d\n  user: u\n  password: ${env:CAC_TEST_UNSET_PW}\n',
    });
    try {
      fs.mkdirSync(path.join(root, 'elsewhere'));
      fs.mkdirSync(path.join(root, 'snapshots'));
      fs.symlinkSync(path.join(root, 'elsewhere'), path.join(root, 'snapshots', 'db'));
      const problems = checkSurroundings(loadWorkspace(root), {});
      assert.deepEqual(problems.map((p) => [p.code, p.severity, p.range.start.line]), [
        ['source-not-found', 'warning', 3],
        ['unset-env-variable', 'warning', 12],
        ['snapshot-folder-symlink', 'error', 6],
      ]);
      assert.deepEqual(checkSurroundings(loadWorkspace(root), { CAC_TEST_UNSET_PW: 'x' }).map((p) => p.code), ['source-not-found', 'snapshot-folder-symlink']);
    } finally {
      removeCatalog(root);
    }
  });
});
