import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { BlobServiceClient, ContainerSASPermissions, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { loadWorkspace, type SyncOutcome } from '../../server/src/core';
import { ConnectorError } from '../../server/src/core/connectors/contract';
import { FILE_EXTENSIONS } from '../../server/src/core/connectors/dfs/datastoreType';
import { fileStoreConnector } from '../../server/src/core/connectors/dfs/dfsConnector';
import type { FileStore } from '../../server/src/core/connectors/dfs/fileStore';
import { inferFileSchema } from '../../server/src/core/connectors/dfs/inference';
import { openAzureBlobConnector, openAzureBlobStore } from '../../server/src/core/connectors/objectStore/azure/azureBlobConnector';
import type { AzureBlobSettings } from '../../server/src/core/connectors/objectStore/azure/datastoreType';
import type { OperationLogEntry } from '../../server/src/core/model';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Azurite } from '../helpers/azurite';
import { duckdb } from '../helpers/lakeFixtures';
import { makeCatalog, removeCatalog, snapshotFiles, snapshotNames, sync } from '../helpers/syncFixtures';

/** The variable the definitions reference: the key reaches a definition only as `${env:…}`. */
const KEY_VARIABLE = 'CAC_TEST_AZURE_ACCOUNT_KEY';
const ENV = { [KEY_VARIABLE]: AZURITE_KEY };
/** A well-formed key that is not the account's. */
const WRONG_KEY = Buffer.alloc(64, 7).toString('base64');
const PREFIX = 'raw/';

/**
 * The files of the datastore, relative to its root (a local folder) or its prefix (a container):
 * globbed families, hive partitions, JSON, JSON Lines, Parquet, and what must not become a
 * container (hidden files, `_temporary/`).
 */
async function writeFixtures(folder: string): Promise<void> {
  const write = (relative: string, content: string | Buffer): void => {
    fs.mkdirSync(path.dirname(path.join(folder, relative)), { recursive: true });
    fs.writeFileSync(path.join(folder, relative), content);
  };
  for (const day of ['01', '02', '03']) write(`sales/orders_2024-01-${day}.csv`, `id,amount,created_at\n${day},2.5,2024-01-${day} 10:00:00\n`);
  write('sales/customers.json', '[{"id": 1, "name": "Ada"}, {"id": 2, "name": "Bob"}]\n');
  write('sales/.x', 'hidden\n');
  write('sales/.hidden.csv', 'a\n1\n');
  write('events/clicks.jsonl', '{"user": 1, "page": "/"}\n{"user": 2, "page": "/about", "ms": 12.5}\n');
  write('_temporary/0/part-0.csv', 'scratch\n1\n');
  // 2 MB of CSV: a sync reads its first 64 KiB only.
  write('big/readings.csv', `sensor,reading,taken_at\n${Array.from({ length: 60_000 }, (_, i) => `s${i % 97},${(i * 0.37).toFixed(2)},2024-02-01 00:00:${String(i % 60).padStart(2, '0')}`).join('\n')}\n`);
  fs.mkdirSync(path.join(folder, 'events', 'year=2024', 'month=01'), { recursive: true });
  fs.mkdirSync(path.join(folder, 'events', 'year=2024', 'month=02'), { recursive: true });
  // An ADLS Gen2 directory that happens to be named like a file: a folder, not a container.
  fs.mkdirSync(path.join(folder, 'dir.csv'), { recursive: true });
  await duckdb([
    `COPY (SELECT range AS id, 'click-' || range AS label, DATE '2024-01-01' + (range % 28)::INTEGER AS day FROM range(100)) TO '${path.join(folder, 'events/year=2024/month=01/part-0.parquet')}' (FORMAT PARQUET)`,
    `COPY (SELECT range AS id, 'click-' || range AS label, DATE '2024-02-01' + (range % 28)::INTEGER AS day FROM range(100)) TO '${path.join(folder, 'events/year=2024/month=02/part-0.parquet')}' (FORMAT PARQUET)`,
    // A few MB of Parquet: a sync reads its tail, marker and footer only.
    `COPY (SELECT range AS id, 'name-' || range AS name, (range * 2.5)::DOUBLE AS amount, range % 7 = 0 AS flagged FROM range(300000)) TO '${path.join(folder, 'big/measurements.parquet')}' (FORMAT PARQUET)`,
  ]);
}

/** Every file below `folder`, relative with `/`. */
function filesBelow(folder: string): string[] {
  return (fs.readdirSync(folder, { recursive: true }) as string[]).map((f) => f.split(path.sep).join('/')).filter((f) => fs.statSync(path.join(folder, f)).isFile()).sort();
}

function usageOf(outcome: SyncOutcome): { requests: number; bytes: number; retries: number } {
  const entry = outcome.logs.find((log) => log.code === 'store-usage');
  assert.ok(entry?.usage, `no store-usage log in ${JSON.stringify(outcome.logs.map((l) => l.code))}`);
  return entry.usage;
}

function azureDefinition(name: string, endpoint: string, container: string, connection = `  account_key: \${env:${KEY_VARIABLE}}\n`): string {
  return `kind: Datastore\nname: ${name}\ntype: azure_blob\naccount: ${AZURITE_ACCOUNT}\ncontainer: ${container}\nendpoint: ${endpoint}\nprefix: ${PREFIX}\nconnection:\n${connection}`;
}

describe('azure_blob object store (real Azurite on loopback)', function () {
  this.timeout(60_000);
  let azurite: Azurite;
  let service: BlobServiceClient;
  let fixtures: string;
  let fixtureBytes = 0;
  let root: string | undefined;

  /** A container holding the fixtures under the prefix, the placeholders an ADLS Gen2 account lists, and a blob outside the prefix. */
  async function seedContainer(name: string): Promise<ContainerClient> {
    const container = service.getContainerClient(name);
    await container.create();
    await Promise.all(filesBelow(fixtures).map(async (file) => {
      const bytes = fs.readFileSync(path.join(fixtures, file));
      await container.getBlockBlobClient(PREFIX + file).upload(bytes, bytes.length);
    }));
    const empty = (key: string, metadata?: Record<string, string>): Promise<unknown> => container.getBlockBlobClient(key).upload('', 0, metadata ? { metadata } : {});
    await Promise.all([
      empty(`${PREFIX}dir.csv`, { hdi_isfolder: 'true' }),
      empty(`${PREFIX}events`, { hdi_isfolder: 'true' }),
      empty(`${PREFIX}sales/`),
      container.getBlockBlobClient('other/outside.csv').upload('x\n1\n', 4),
    ]);
    return container;
  }

  before(async function () {
    fixtures = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-azure-fixtures-'));
    const [started] = await Promise.all([startAzurite(), writeFixtures(fixtures)]);
    azurite = started;
    service = new BlobServiceClient(azurite.endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
    fixtureBytes = filesBelow(fixtures).reduce((sum, file) => sum + fs.statSync(path.join(fixtures, file)).size, 0);
  });

  after(async () => {
    await azurite?.stop();
    if (fixtures) fs.rmSync(fixtures, { recursive: true, force: true });
  });

  afterEach(() => {
    if (root) removeCatalog(root);
    root = undefined;
  });

  it('describes the same containers and fields as the same files in a local folder, byte for byte', async () => {
    await seedContainer('landing');
    root = makeCatalog({
      'datastores/local.yaml': 'kind: Datastore\nname: local\ntype: dfs\nroot: ../data\n',
      'datastores/lake.yaml': azureDefinition('lake', azurite.endpoint, 'landing'),
    });
    fs.cpSync(fixtures, path.join(root, 'data'), { recursive: true });
    const local = await sync(root, 'local');
    const lake = await sync(root, 'lake', {}, { env: ENV });
    assert.equal(lake.result, local.result, lake.message ?? JSON.stringify(lake.logs));
    assert.deepEqual(snapshotNames(root, 'lake'), [
      'big/measurements.parquet', 'big/readings.csv', 'events/clicks.jsonl', 'events/year=*/month=*/*.parquet', 'sales/customers.json', 'sales/orders_*.csv',
    ]);
    const localFiles = snapshotFiles(root, 'local');
    const lakeFiles = snapshotFiles(root, 'lake');
    assert.deepEqual([...lakeFiles.keys()], [...localFiles.keys()]);
    // Only the datastore's own name (in the index) may differ.
    const neutral = (text: string, name: string): string => text.replace(`\ndatastore: ${name}\n`, '\ndatastore: X\n');
    for (const [file, text] of lakeFiles) assert.equal(neutral(text, 'lake'), neutral(localFiles.get(file)!, 'local'), file);
    // The same warnings and notes, apart from the object store's own usage line.
    const codes = (logs: readonly OperationLogEntry[]): string[] => logs.filter((l) => l.code !== 'store-usage').map((l) => `${l.level} ${l.code} ${l.file ?? l.container ?? ''}`).sort();
    assert.deepEqual(codes(lake.logs), codes(local.logs));
  });

  it('reads ranges only, logs its usage in the operation, and reads no blob again on an unchanged resync', async () => {
    await seedContainer('ranged');
    root = makeCatalog({ 'datastores/lake.yaml': azureDefinition('lake', azurite.endpoint, 'ranged') });
    const first = await sync(root, 'lake', {}, { env: ENV });
    assert.equal(first.result, 'success', first.message ?? JSON.stringify(first.logs));
    const usage = usageOf(first);
    // 64 KiB of the big CSV, the small files whole, and two small reads per Parquet file.
    assert.ok(usage.bytes < 128 * 1024 && usage.bytes * 20 < fixtureBytes, `${usage.bytes} of ${fixtureBytes} bytes read`);
    // One list page, one read per text file, two per Parquet file (tail, then footer).
    assert.deepEqual(usage, { requests: 1 + 6 + 2 * 3, bytes: usage.bytes, retries: 0 });
    assert.ok(first.operation?.logs.some((log) => log.code === 'store-usage' && log.usage?.requests === usage.requests), 'the operation record holds the usage');

    const resync = await sync(root, 'lake', {}, { env: ENV });
    assert.equal(resync.changed, false);
    assert.deepEqual(usageOf(resync), { requests: 1, bytes: 0, retries: 0 }, 'one list page, no blob read');
  });

  it('reads a blob again when its ETag changed, though its size did not', async () => {
    const container = await seedContainer('changing');
    root = makeCatalog({ 'datastores/lake.yaml': azureDefinition('lake', azurite.endpoint, 'changing') });
    await sync(root, 'lake', {}, { env: ENV });
    const before = fs.readFileSync(path.join(fixtures, 'sales/customers.json'), 'utf8');
    const after = before.replaceAll('"name"', '"nick"');
    assert.equal(after.length, before.length);
    await container.getBlockBlobClient(`${PREFIX}sales/customers.json`).upload(after, after.length);
    const resync = await sync(root, 'lake', {}, { env: ENV });
    assert.equal(resync.plan?.changes.find((c) => c.name === 'sales/customers.json')?.action, 'changed');
    assert.match(snapshotFiles(root, 'lake').get('sales/customers.json.yaml')!, /name: nick/);
    // The cache is per folder: the changed blob's folder is read again, no other.
    const salesFiles = filesBelow(path.join(fixtures, 'sales')).filter((file) => !file.startsWith('.'));
    const salesBytes = salesFiles.reduce((sum, file) => sum + fs.statSync(path.join(fixtures, 'sales', file)).size, 0);
    assert.deepEqual(usageOf(resync), { requests: 1 + salesFiles.length, bytes: salesBytes, retries: 0 }, 'one list page and the changed folder\'s blobs only');
  });

  it('reports blobs deleted between the listing and the read as unreadable, not as a failure', async () => {
    const container = await seedContainer('vanishing');
    const settings = { ...baseSettings('vanishing'), account_key: AZURITE_KEY };
    const store = await openAzureBlobStore(settings, 'lake');
    // The real store, whose blobs are really deleted once it has listed them.
    const vanishing: FileStore = {
      list: async (extensions, signal) => {
        const listing = await store.list(extensions, signal);
        await Promise.all(['sales/customers.json', 'big/measurements.parquet'].map((file) => container.getBlobClient(PREFIX + file).delete()));
        return listing;
      },
      read: (file, range) => store.read(file, range),
      open: (file) => store.open(file),
      stat: (file) => store.stat(file),
      usage: () => store.usage(),
    };
    const result = await fileStoreConnector(vanishing, settings).discover({ include: [] }, { signal: new AbortController().signal });
    assert.deepEqual(result.unreadable?.slice().sort(), ['big/measurements.parquet', 'sales/customers.json']);
    const unreadable = result.logs.filter((l) => l.code === 'file-unreadable').map((l) => `${l.file}: ${l.message}`);
    assert.equal(unreadable.length, 2, unreadable.join('\n'));
    for (const line of unreadable) assert.match(line, /ENOENT: it does not exist/);
    assert.ok(result.containers.some((c) => c.name === 'sales/orders_*.csv'), 'the other containers are described');
  });

  it('reads the real tail of a Parquet blob that grew after the listing', async () => {
    const container = await seedContainer('growing');
    const store = await openAzureBlobStore({ ...baseSettings('growing'), account_key: AZURITE_KEY }, 'lake');
    await store.list(new Set(FILE_EXTENSIONS), new AbortController().signal);
    const file = 'events/year=2024/month=01/part-0.parquet';
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-azure-grown-'));
    try {
      const grown = path.join(scratch, 'grown.parquet');
      await duckdb([`COPY (SELECT range AS id, 'v-' || range AS version, range * 1.5 AS weight FROM range(20000)) TO '${grown}' (FORMAT PARQUET)`]);
      const bytes = fs.readFileSync(grown);
      assert.ok(bytes.length > fs.statSync(path.join(fixtures, file)).size);
      await container.getBlockBlobClient(PREFIX + file).upload(bytes, bytes.length);
      // The listing's size is stale: the tail asked at it would be the middle of the new blob.
      const result = await inferFileSchema(store, file, 'parquet');
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(result.schema.fields.map((f) => `${f.name} ${f.type}`), ['id BIGINT', 'version VARCHAR', 'weight DECIMAL(21,1)']);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('fails with a clear message, never the key, for a missing container and for a wrong key', async () => {
    await seedContainer('guarded');
    root = makeCatalog({
      'datastores/missing.yaml': azureDefinition('missing', azurite.endpoint, 'no-such-container'),
      'datastores/wrongkey.yaml': azureDefinition('wrongkey', azurite.endpoint, 'guarded', '  account_key: ${env:CAC_TEST_WRONG_KEY}\n'),
    });
    const missing = await sync(root, 'missing', {}, { env: ENV });
    assert.equal(missing.result, 'failure');
    assert.equal(missing.message, `Container 'no-such-container' does not exist in storage account '${AZURITE_ACCOUNT}' at ${azurite.endpoint}. Check 'container' and 'account' in the definition.`);
    const wrong = await sync(root, 'wrongkey', {}, { env: { CAC_TEST_WRONG_KEY: WRONG_KEY } });
    assert.equal(wrong.result, 'failure');
    assert.match(wrong.message!, /^Container 'guarded' of storage account 'devstoreaccount1' at http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1 refused the account key \(connection\.account_key\) \((AuthorizationFailure|AuthenticationFailed)\)\. Check that the variable connection\.account_key references holds a current key/);
    for (const outcome of [missing, wrong]) {
      const told = JSON.stringify(outcome);
      for (const key of [AZURITE_KEY, WRONG_KEY, AZURITE_KEY.slice(0, 20), WRONG_KEY.slice(0, 20)]) assert.ok(!told.includes(key), 'no key in the outcome');
    }
  });

  it('rejects a literal account_key in the definition, without echoing it', () => {
    root = makeCatalog({ 'datastores/lake.yaml': azureDefinition('lake', azurite.endpoint, 'landing', `  account_key: ${AZURITE_KEY}\n`) });
    const problems = loadWorkspace(root).problems.filter((p) => p.severity === 'error');
    assert.deepEqual(problems.map((p) => p.code), ['literal-secret']);
    assert.match(problems[0]!.message, /'account_key' holds a literal secret\. .*account_key: \$\{env:LAKE_ACCOUNT_KEY\}/);
    assert.ok(!JSON.stringify(problems).includes(AZURITE_KEY.slice(0, 20)));
  });

  it('tests the connection with one list page, and says what it reached with which credential', async () => {
    await seedContainer('probed');
    const connector = await openAzureBlobConnector({ name: 'lake', type: 'azure_blob', settings: { ...baseSettings('probed'), account_key: AZURITE_KEY } });
    const said = await connector.check(new AbortController().signal);
    assert.equal(said, `Container 'probed' of storage account '${AZURITE_ACCOUNT}' at ${azurite.endpoint} can be listed with the account key (connection.account_key) (it holds blobs under 'raw/').`);
    const connectionString = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${azurite.endpoint};`;
    const viaString = await openAzureBlobConnector({ name: 'lake', type: 'azure_blob', settings: { ...baseSettings('probed'), connection_string: connectionString } });
    assert.match(await viaString.check(new AbortController().signal), /can be listed with the connection string \(connection\.connection_string\)/);
    // An aborted sync's listing rejects with the abort's reason, not as a connection problem.
    const aborted = new AbortController();
    aborted.abort(new Error('stopped by the test'));
    const store = await openAzureBlobStore({ ...baseSettings('probed'), account_key: AZURITE_KEY }, 'lake');
    await assert.rejects(store.list(new Set(FILE_EXTENSIONS), aborted.signal), /stopped by the test/);
  });

  it('refuses unusable connection settings before sending anything, without repeating a secret', async () => {
    const refusal = (settings: AzureBlobSettings): Promise<string> => openAzureBlobStore(settings, 'lake').then(() => 'opened', (error: unknown) => {
      assert.ok(error instanceof ConnectorError);
      return error.message;
    });
    assert.equal(await refusal({ ...baseSettings('landing'), account_key: AZURITE_KEY, sas_token: 'sv=1&sig=secret' }), "Datastore 'lake' gives connection.account_key and connection.sas_token: keep only one of them (or none, to use DefaultAzureCredential).");
    assert.match(await refusal(baseSettings('landing')), /DefaultAzureCredential needs an https endpoint, not http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\. For Azurite, set connection\.account_key/);
    const withQuery = await refusal({ ...baseSettings('landing'), endpoint: `${azurite.endpoint}?sv=1&sig=secret`, account_key: AZURITE_KEY });
    assert.match(withQuery, /holds a query/);
    assert.ok(!withQuery.includes('secret'));
    assert.match(await refusal({ ...baseSettings('landing'), endpoint: 'https://acme.dfs.core.windows.net', account_key: AZURITE_KEY }), /write the blob endpoint, https:\/\/acme\.blob\.core\.windows\.net,/);
  });

  it('reads with a SAS that allows read and list, and says what a SAS without list lacks', async () => {
    const container = await seedContainer('shared');
    const sas = async (permissions: string): Promise<string> => new URL(await container.generateSasUrl({ permissions: ContainerSASPermissions.parse(permissions), expiresOn: new Date(Date.now() + 3_600_000) })).search;
    root = makeCatalog({
      'datastores/readlist.yaml': azureDefinition('readlist', azurite.endpoint, 'shared', '  sas_token: ${env:CAC_TEST_SAS_RL}\n'),
      'datastores/readonly.yaml': azureDefinition('readonly', azurite.endpoint, 'shared', '  sas_token: ${env:CAC_TEST_SAS_R}\n'),
    });
    const env = { CAC_TEST_SAS_RL: await sas('rl'), CAC_TEST_SAS_R: await sas('r') };
    const readList = await sync(root, 'readlist', {}, { env });
    assert.equal(readList.result, 'success', readList.message ?? JSON.stringify(readList.logs));
    assert.equal(snapshotNames(root, 'readlist').length, 6);
    const readOnly = await sync(root, 'readonly', {}, { env });
    assert.equal(readOnly.result, 'failure');
    assert.match(readOnly.message!, /refused to list blobs to the SAS token \(connection\.sas_token\): it is authenticated but not allowed \(AuthorizationPermissionMismatch\)\. The SAS must be valid now and allow read \(r\) and list \(l\)/);
    assert.ok(!readOnly.message!.includes('sig='));
  });

  it('names the endpoint it cannot reach, after counted retries, and abandons a request that never answers', async () => {
    const closedPort = await freePort();
    const unreachable = await openAzureBlobStore({ ...baseSettings('landing'), endpoint: `http://127.0.0.1:${closedPort}/${AZURITE_ACCOUNT}`, account_key: AZURITE_KEY }, 'lake', { maxTries: 3, retryDelayMs: 5 });
    const refused = await unreachable.list(new Set(FILE_EXTENSIONS), new AbortController().signal).then(() => undefined, (error: unknown) => error);
    assert.ok(refused instanceof ConnectorError);
    assert.equal(refused.message, `The blob endpoint http://127.0.0.1:${closedPort}/${AZURITE_ACCOUNT} of storage account '${AZURITE_ACCOUNT}' could not be reached (ECONNREFUSED). Check 'account' and 'endpoint' in the definition, and that this machine can reach it (DNS, firewall, proxy).`);
    assert.deepEqual(unreachable.usage(), { requests: 3, bytes: 0, retries: 2 });

    // A loopback server that accepts connections and never answers.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const hung = await openAzureBlobStore({ ...baseSettings('landing'), endpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`, account_key: AZURITE_KEY }, 'lake', { maxTries: 2, retryDelayMs: 5, tryTimeoutMs: 300 });
      const started = Date.now();
      const timedOut = await hung.list(new Set(FILE_EXTENSIONS), new AbortController().signal).then(() => undefined, (error: unknown) => error);
      assert.ok(timedOut instanceof ConnectorError);
      assert.match(timedOut.message, /could not be reached \(ETIMEDOUT\)/);
      assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
      assert.deepEqual(hung.usage(), { requests: 2, bytes: 0, retries: 1 });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  /** Settings as the type entry reads them from a definition, minus the credential. */
  function baseSettings(container: string): AzureBlobSettings {
    return { extensions: [...FILE_EXTENSIONS], globbing: true, sample_files: 10, patterns: [], prefix: PREFIX, rootName: 'raw', account: AZURITE_ACCOUNT, container, endpoint: azurite.endpoint };
  }
});

/** A loopback port nothing listens on (listened on, then closed). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
