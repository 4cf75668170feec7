import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { catalogApi, datastoreNode, writeWorkspaceFile } from './catalogApi';
import { workspaceRoot } from './helpers';

const VARIABLE = 'CAC_E2E_WAREHOUSE_PASSWORD';
const SECRET = `s3cr3t-${Date.now().toString(36)}-do-not-leak`;

describe('secrets from VS Code\'s secret storage', function () {
  this.timeout(90_000);

  it('passes a stored password to one sync and it appears in no file, log or history', async () => {
    const api = await catalogApi();
    assert.equal(process.env[VARIABLE], undefined, 'the variable is not in the environment: only secret storage has it');
    writeWorkspaceFile('datastores/warehouse.yaml', [
      'kind: Datastore', 'name: warehouse', 'type: postgresql',
      'connection:', '  host: 127.0.0.1', '  port: 5432', '  database: test', '  user: postgres', `  password: \${env:${VARIABLE}}`,
      'schemas: [cac_e2e_absent]', '',
    ].join('\n'));
    const warehouse = await datastoreNode(api, 'warehouse');
    assert.deepEqual(warehouse.item.envReferences, [VARIABLE]);
    assert.equal(api.datastores.getTreeItem(warehouse).contextValue, 'datastore.jdbc.secrets');

    const without = await api.sync.syncNow(warehouse);
    assert.equal(without?.result, 'failure', 'without the secret the sync cannot connect');
    assert.match(without.message ?? '', new RegExp(`${VARIABLE}.*Set the variable`));

    await api.secrets.store(VARIABLE, SECRET);
    const result = await api.sync.syncNow(warehouse);
    assert.ok(result && ['success', 'warning'].includes(result.result), `sync with the stored password: ${result?.result} ${result?.message}`);

    const leaks = [...filesContaining(workspaceRoot(), SECRET), ...filesContaining(logsFolder(api.logUri), SECRET)];
    assert.deepEqual(leaks, [], 'the secret is in no workspace file, history record or log');
    await api.secrets.clear(VARIABLE);
  });
});

/** The extension host's logs folder (every output channel, the extension's log and the language client's trace). */
function logsFolder(logUri: vscode.Uri): string {
  let dir = logUri.fsPath;
  while (path.basename(dir) !== 'logs' && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

function filesContaining(root: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && fs.readFileSync(full).includes(needle)) found.push(full);
    }
  };
  if (fs.existsSync(root)) walk(root);
  return found;
}
