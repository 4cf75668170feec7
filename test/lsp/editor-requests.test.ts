import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CreateFile, TextDocumentEdit } from 'vscode-languageserver-protocol';
import type {
  DatastoreItem, DatastoreTypeItem, IdentifierChoices, LocateResult, NewDatastoreResult, SnapshotChange,
} from '../../server/src/protocol/catalogProtocol';
import { hasErrors, loadWorkspace } from '../../server/src/core';
import { startedClient, syncedCatalog } from '../helpers/catalogFixture';
import { LspTestClient, uri } from '../helpers/lspClient';
import { makeCatalog, removeCatalog, sqlite, sync } from '../helpers/syncFixtures';

/** The files a creation edit makes, with their texts (as a client would apply it). */
function createdFiles(edit: { documentChanges?: unknown[] }): Map<string, string> {
  const files = new Map<string, string>();
  for (const change of edit.documentChanges ?? []) {
    if ((change as CreateFile).kind === 'create') files.set((change as CreateFile).uri, '');
    else {
      const textEdit = change as TextDocumentEdit;
      files.set(textEdit.textDocument.uri, textEdit.edits.map((e) => ('newText' in e ? e.newText : '')).join(''));
    }
  }
  return files;
}

const FILE_STORE = {
  'datastores/files.yaml': 'kind: Datastore\nname: files\ntype: dfs\nroot: ../data\n',
  'data/sales/2024/orders.csv': 'id,total,created_at\n1,2.5,2024-01-01\n',
  'notes/readme.yaml': 'title: not a catalog file\n',
};

function git(root: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd: root, stdio: 'pipe' });
}

describe('language server: the requests behind the editor\'s flows', function () {
  this.timeout(60000);
  let root: string;
  let client: LspTestClient;
  before(async () => {
    root = await syncedCatalog(FILE_STORE);
    const files = await sync(root, 'files');
    assert.equal(files.result, 'success', files.message ?? '');
    client = await startedClient(root);
  });
  after(async () => {
    await client.stop();
    removeCatalog(root);
  });

  it('datastore items say a file store covers every file (include null)', async () => {
    const { items } = await client.request<{ items: DatastoreItem[] }>('catalog/listDatastores', {});
    assert.deepEqual(items.find((d) => d.name === 'files')!.defaults, { prune: false, recreate: false, include: null });
  });

  describe('catalog/locate', () => {
    const locate = (file: string): Promise<LocateResult> => client.request<LocateResult>('catalog/locate', { uri: uri(path.join(root, file)) });

    it('finds the container of a snapshot file, nested ones included', async () => {
      assert.deepEqual(await locate('snapshots/shop/orders.yaml'), { datastore: 'shop', container: 'orders', projectUri: uri(root) });
      assert.deepEqual(await locate('snapshots/files/sales/2024/orders.csv.yaml'), { datastore: 'files', container: 'sales/2024/orders.csv', projectUri: uri(root) });
    });

    it('takes a datastore\'s index and its definition file to the datastore', async () => {
      assert.deepEqual(await locate('snapshots/shop/_index.yaml'), { datastore: 'shop', container: null, projectUri: uri(root) });
      assert.deepEqual(await locate('datastores/warehouse.yaml'), { datastore: 'warehouse', container: null, projectUri: uri(root) });
      assert.deepEqual(await locate('overrides/shop.yaml'), { datastore: 'shop', container: null, projectUri: uri(root) });
    });

    it('answers nulls for a file that is neither', async () => {
      assert.deepEqual(await locate('notes/readme.yaml'), { datastore: null, container: null, projectUri: uri(root) });
      assert.deepEqual(await client.request<LocateResult>('catalog/locate', { uri: 'untitled:Untitled-1' }), { datastore: null, container: null, projectUri: null });
    });
  });

  describe('catalog/identifierChoices', () => {
    it('offers the fields the sync accepts for each identifier, and what is set now', async () => {
      const choices = await client.request<IdentifierChoices>('catalog/identifierChoices', { datastore: 'shop', container: 'orders' });
      assert.deepEqual(choices.incremental.current, { field: 'updated_at', strategy: 'last_modified', source: 'override' });
      // TEXT cannot be an incremental identifier; dates are timestamps, numbers batch values.
      assert.deepEqual(choices.incremental.candidates.map((c) => [c.field, c.strategy]), [
        ['id', 'batch_value'], ['customer_id', 'batch_value'], ['total', 'batch_value'], ['ordered_at', 'last_modified'], ['updated_at', 'last_modified'],
      ]);
      assert.deepEqual(choices.partition.candidates.map((c) => [c.field, c.strategy]), [
        ['id', 'order_by'], ['customer_id', 'order_by'], ['status', 'order_by'], ['total', 'order_by'], ['ordered_at', 'datetime'], ['updated_at', 'datetime'],
      ]);
      assert.deepEqual(choices.incremental.candidates[0], { field: 'id', type: 'INTEGER', strategy: 'batch_value' });
    });

    it('offers a file\'s last-modified time, and says detection when nothing is overridden', async () => {
      const choices = await client.request<IdentifierChoices>('catalog/identifierChoices', { datastore: 'files', container: 'sales/2024/orders.csv' });
      assert.deepEqual(choices.incremental.current, { field: '$last_modified', strategy: 'last_modified', source: 'detected' });
      assert.equal(choices.incremental.candidates[0]!.field, '$last_modified');
    });

    it('refuses an unknown datastore or container', async () => {
      await assert.rejects(client.request('catalog/identifierChoices', { datastore: 'nope', container: 'orders' }), /No datastore named 'nope'/);
      await assert.rejects(client.request('catalog/identifierChoices', { datastore: 'shop', container: 'nope' }), /no container 'nope'/);
    });
  });

  it('catalog/listDatastoreTypes: every registered type with its settings, required first, secrets marked', async () => {
    const { items } = await client.request<{ items: DatastoreTypeItem[] }>('catalog/listDatastoreTypes', {});
    assert.deepEqual(items.map((t) => t.type), ['postgresql', 'mysql', 'mariadb', 'sqlite', 'duckdb', 'dfs', 's3', 'azure_blob', 'gcs']);
    const postgres = items.find((t) => t.type === 'postgresql')!;
    assert.deepEqual(postgres.settings.slice(0, 3).map((s) => [s.path.join('.'), s.required, s.kind]), [['connection.host', true, 'string'], ['connection.database', true, 'string'], ['connection.port', false, 'number']]);
    assert.deepEqual(postgres.settings.filter((s) => s.secret).map((s) => s.path.join('.')), ['connection.password']);
    assert.deepEqual(items.find((t) => t.type === 'sqlite')!.settings, [{ path: ['connection', 'path'], title: 'Path', required: true, secret: false, kind: 'path' }]);
    const dfs = items.find((t) => t.type === 'dfs')!;
    assert.deepEqual([dfs.storeType, dfs.settings[0]], ['dfs', { path: ['root'], title: 'Root', required: true, secret: false, kind: 'path' }]);
    const s3 = items.find((t) => t.type === 's3')!;
    assert.deepEqual([s3.storeType, s3.settings[0]!.path, s3.settings[0]!.required], ['dfs', ['bucket'], true]);
    assert.deepEqual(s3.settings.filter((s) => s.secret).map((s) => s.path.join('.')), ['connection.access_key_id', 'connection.secret_access_key', 'connection.session_token']);
    assert.deepEqual(items.find((t) => t.type === 'azure_blob')!.settings.filter((s) => s.secret).map((s) => s.path.join('.')).sort(), ['connection.account_key', 'connection.connection_string', 'connection.sas_token']);
  });

  describe('catalog/newDatastore', () => {
    it('answers the validated definition file, in the folder the datastores use, as a creation', async () => {
      const result = await client.request<NewDatastoreResult>('catalog/newDatastore', {
        name: 'crm', type: 'postgresql', settings: { 'connection.host': 'db.internal', 'connection.port': '5432', 'connection.database': 'crm', 'connection.user': 'reader', 'connection.password': '${env:CRM_PASSWORD}' },
      });
      const file = path.join(root, 'datastores', 'crm.yaml');
      assert.equal(result.uri, uri(file));
      assert.match(result.text, /^# PostgreSQL datastore 'crm'\./);
      assert.match(result.text, /\nkind: Datastore\nname: crm\ntype: postgresql\nconnection:\n {2}host: db\.internal\n {2}port: 5432\n/);
      assert.match(result.text, /password: \$\{env:CRM_PASSWORD\}/);
      assert.deepEqual([...createdFiles(result.edit)], [[uri(file), result.text]]);
      // What the client writes is what `cac validate` accepts.
      const copy = makeCatalog({ 'datastores/crm.yaml': result.text });
      try {
        assert.ok(!hasErrors(loadWorkspace(copy).problems));
      } finally {
        removeCatalog(copy);
      }
    });

    it('refuses a literal secret without repeating it', async () => {
      const answer = await client.request<{ problems: string[] }>('catalog/newDatastore', {
        name: 'crm2', type: 'postgresql', settings: { 'connection.host': 'db', 'connection.database': 'crm', 'connection.password': 'hunter2-literal' },
      });
      assert.equal(answer.problems.length, 1);
      assert.match(answer.problems[0]!, /'connection.password' must be a \$\{env:VARIABLE\} reference/);
      assert.ok(!JSON.stringify(answer).includes('hunter2-literal'));
    });

    it('refuses a name taken (ignoring case), an existing file, and what the engine\'s analysis rejects', async () => {
      const taken = await client.request<{ problems: string[] }>('catalog/newDatastore', { name: 'SHOP', type: 'sqlite', settings: { 'connection.path': 'x.db' } });
      assert.match(taken.problems.join(' '), /A datastore named 'shop' is already defined \(datastores[/\\]shop\.yaml\)/);
      fs.writeFileSync(path.join(root, 'datastores', 'draft.yaml'), '# nothing yet\n');
      const existing = await client.request<{ problems: string[] }>('catalog/newDatastore', { name: 'draft', type: 'sqlite', settings: { 'connection.path': 'x.db' } });
      assert.match(existing.problems.join(' '), /draft\.yaml exists already/);
      const invalid = await client.request<{ problems: string[] }>('catalog/newDatastore', { name: 'bad name', type: 'dfs', settings: {} });
      assert.ok(invalid.problems.length >= 2, invalid.problems.join('\n'));
      assert.match(invalid.problems.join(' '), /root/);
      assert.match((await client.request<{ problems: string[] }>('catalog/newDatastore', { name: 'x', type: 'oracle', settings: {} })).problems[0]!, /'oracle' is not a datastore type; use one of postgresql/);
    });
  });

  describe('catalog/newProject', () => {
    it('answers catalog.yaml and a first datastore that validate', async () => {
      const folder = makeCatalog({});
      try {
        const result = await client.request<{ edit: { documentChanges: unknown[] }; datastoreUri: string }>('catalog/newProject', { folderUri: uri(folder) });
        assert.equal(result.datastoreUri, uri(path.join(folder, 'datastores', 'files.yaml')));
        const files = createdFiles(result.edit);
        assert.deepEqual([...files.keys()].sort(), [uri(path.join(folder, '.gitignore')), uri(path.join(folder, 'catalog.yaml')), result.datastoreUri].sort());
        for (const [fileUri, text] of files) {
          const file = fileURLToPath(fileUri);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, text);
        }
        const workspace = loadWorkspace(folder);
        assert.deepEqual(workspace.problems.filter((p) => p.severity === 'error'), []);
        assert.deepEqual(workspace.datastores.map((d) => [d.name, d.type]), [['files', 'dfs']]);
        assert.match(files.get(result.datastoreUri)!, /# The folder to catalog, relative to this file\.\nroot: \.\.\/data\n/);
        await assert.rejects(client.request('catalog/newProject', { folderUri: uri(folder) }), /catalog\.yaml exists already/);
      } finally {
        removeCatalog(folder);
      }
    });
  });
});

describe('language server: snapshot changes against git', function () {
  this.timeout(60000);
  let root: string;
  let client: LspTestClient;
  let committedOrders: string;
  before(async () => {
    root = await syncedCatalog();
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'catalog');
    committedOrders = fs.readFileSync(path.join(root, 'snapshots', 'shop', 'orders.yaml'), 'utf8');
    // A new table (a new snapshot, the index modified), a snapshot edited and one deleted by hand.
    sqlite(path.join(root, 'shop.sqlite'), 'CREATE TABLE payments (id INTEGER PRIMARY KEY, paid_at DATETIME NOT NULL);');
    const outcome = await sync(root, 'shop');
    assert.equal(outcome.result, 'success', outcome.message ?? '');
    fs.appendFileSync(path.join(root, 'snapshots', 'shop', 'orders.yaml'), '# reviewed\n');
    git(root, 'add', 'snapshots/shop/orders.yaml');
    fs.rmSync(path.join(root, 'snapshots', 'shop', 'customers.yaml'));
    client = await startedClient(root);
  });
  after(async () => {
    await client.stop();
    removeCatalog(root);
  });

  it('catalog/snapshotChanges lists added, modified (staged too) and deleted snapshot files with their containers', async () => {
    const { items } = await client.request<{ items: SnapshotChange[] }>('catalog/snapshotChanges', {});
    const shop = (name: string): string => uri(path.join(root, 'snapshots', 'shop', name));
    assert.deepEqual(items, [
      { uri: shop('_index.yaml'), datastore: 'shop', container: null, change: 'modified' },
      { uri: shop('customers.yaml'), datastore: 'shop', container: 'customers', change: 'deleted' },
      { uri: shop('orders.yaml'), datastore: 'shop', container: 'orders', change: 'modified' },
      { uri: shop('payments.yaml'), datastore: 'shop', container: 'payments', change: 'added' },
    ]);
  });

  it('catalog/committedText answers a file\'s text at HEAD, null when HEAD does not have it', async () => {
    const text = (file: string): Promise<{ text: string | null }> => client.request('catalog/committedText', { uri: uri(path.join(root, file)) });
    assert.deepEqual(await text('snapshots/shop/orders.yaml'), { text: committedOrders });
    assert.ok((await text('snapshots/shop/customers.yaml')).text?.includes('name: customers'));
    assert.deepEqual(await text('snapshots/shop/payments.yaml'), { text: null });
  });

  it('answers other requests while git runs for snapshotChanges (git never blocks the server)', async function () {
    // A git that takes 0.4 s per call: the request below runs it five times.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-slow-git-'));
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    fs.writeFileSync(path.join(bin, 'git'), `#!/bin/sh\nsleep 0.4\nexec "${realGit}" "$@"\n`, { mode: 0o755 });
    const slowClient = new LspTestClient('source', { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` });
    try {
      await slowClient.start(root);
      const order: string[] = [];
      const changes = slowClient.request<{ items: SnapshotChange[] }>('catalog/snapshotChanges', {}).then((answer) => {
        order.push('snapshotChanges');
        return answer;
      });
      await slowClient.request('catalog/listDatastores', {}).then(() => order.push('listDatastores'));
      assert.equal((await changes).items.length, 4);
      assert.deepEqual(order, ['listDatastores', 'snapshotChanges']);
    } finally {
      await slowClient.stop();
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it('answers nothing outside a git repository', async () => {
    const loose = await syncedCatalog();
    const other = await startedClient(loose);
    try {
      assert.deepEqual(await other.request('catalog/snapshotChanges', {}), { items: [] });
      assert.deepEqual(await other.request('catalog/committedText', { uri: uri(path.join(loose, 'snapshots', 'shop', 'orders.yaml')) }), { text: null });
    } finally {
      await other.stop();
      removeCatalog(loose);
    }
  });
});
