import assert from 'node:assert/strict';
import dns from 'node:dns';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { hasErrors, loadWorkspace } from '../../server/src/core';
import type { OperationLogEntry } from '../../server/src/core/model';
import { writeStoreFixture } from '../helpers/objectStoreFixtures';
import { LocalS3, S3Proxy, S3RVER_KEYS, keyOfRequest, s3Error, type SeenRequest } from '../helpers/s3Server';
import { makeCatalog, removeCatalog, snapshotFiles, sync, writeFile } from '../helpers/syncFixtures';

const BUCKET = 'lake';
const PREFIX = 'raw/';
const ENV = { LAKE_KEY_ID: S3RVER_KEYS.accessKeyId, LAKE_SECRET: S3RVER_KEYS.secretAccessKey };

function s3Definition(name: string, endpoint: string, extra = ''): string {
  return [
    'kind: Datastore', `name: ${name}`, 'type: s3', `bucket: ${BUCKET}`, `prefix: ${PREFIX}`, `endpoint: ${endpoint}`, 'force_path_style: true',
    'connection:', '  access_key_id: ${env:LAKE_KEY_ID}', '  secret_access_key: ${env:LAKE_SECRET}', extra,
  ].join('\n');
}

const usageOf = (logs: readonly OperationLogEntry[]): NonNullable<OperationLogEntry['usage']> => {
  const entry = logs.find((l) => l.code === 'store-usage');
  assert.ok(entry?.usage, `no store-usage log in ${JSON.stringify(logs.map((l) => l.code))}`);
  return entry.usage;
};

/** Object reads (GETs that are not list pages) the proxy passed or answered. */
const objectGets = (seen: readonly SeenRequest[]): string[] => seen.filter((r) => r.method === 'GET' && !/[?&]list-type=2/.test(r.url)).map((r) => keyOfRequest(r.url, BUCKET) ?? r.url);

describe('S3 file store (s3rver on loopback)', function () {
  this.timeout(60_000);
  let s3: LocalS3;
  let proxy: S3Proxy;
  let root: string;

  before(async () => {
    s3 = await LocalS3.start();
    await s3.createBucket(BUCKET);
    proxy = await S3Proxy.start(s3.endpoint);
  });
  after(async () => {
    await proxy?.stop();
    await s3?.stop();
  });

  beforeEach(async () => {
    root = makeCatalog({
      'datastores/local.yaml': 'kind: Datastore\nname: local\ntype: dfs\nroot: ../data\n',
      'datastores/bucket.yaml': s3Definition('bucket', proxy.endpoint),
    });
    await writeStoreFixture(path.join(root, 'data'));
    await s3.upload(BUCKET, path.join(root, 'data'), PREFIX);
    proxy.seen.length = 0;
    proxy.intercept = () => undefined;
    proxy.rewriteList = undefined;
  });
  afterEach(async () => {
    await s3.clear(BUCKET);
    removeCatalog(root);
  });

  it('syncs the same snapshots as the same files in a local folder, reading byte ranges only', async () => {
    const local = await sync(root, 'local');
    const bucket = await sync(root, 'bucket', {}, { env: ENV });
    assert.equal(bucket.result, local.result, bucket.message ?? '');
    const localFiles = snapshotFiles(root, 'local');
    const bucketFiles = snapshotFiles(root, 'bucket');
    assert.deepEqual([...bucketFiles.keys()], [...localFiles.keys()]);
    for (const [file, text] of localFiles) {
      assert.equal(bucketFiles.get(file), file === '_index.yaml' ? text.replace('datastore: local', 'datastore: bucket') : text, file);
    }
    assert.ok(bucketFiles.has('events/year=(any)/month=(any)/(any).parquet.yaml'), [...bucketFiles.keys()].join('\n'));
    // Lake tables are one container each, read from their log or metadata in the bucket too.
    assert.match(bucketFiles.get('tables/sales_delta.yaml') ?? '', /\n {2}table:\n {4}format: delta\n/);
    assert.match(bucketFiles.get('tables/events_iceberg.yaml') ?? '', /\n {2}table:\n {4}format: iceberg\n/);
    assert.ok(![...bucketFiles.keys()].some((f) => f.startsWith('tables/sales_delta/')), [...bucketFiles.keys()].join('\n'));
    assert.ok(!bucketFiles.has('secret.csv.yaml') && ![...bucketFiles.keys()].some((f) => f.includes('_temporary')));
    // The same warnings, in the same order (the malformed Parquet file).
    const codes = (logs: readonly OperationLogEntry[]): string[] => logs.filter((l) => l.level !== 'info').map((l) => `${l.code} ${l.file ?? l.container ?? ''}`);
    assert.deepEqual(codes(bucket.logs), codes(local.logs));
    const usage = usageOf(bucket.logs);
    const total = [...fs.readdirSync(path.join(root, 'data'), { recursive: true }) as string[]].reduce((n, f) => n + (fs.statSync(path.join(root, 'data', f)).isFile() ? fs.statSync(path.join(root, 'data', f)).size : 0), 0);
    assert.ok(usage.bytes < total / 4, `read ${usage.bytes} of ${total} bytes`);
    assert.ok(usage.requests >= objectGets(proxy.seen).length);
    // The 2 MB CSV was read by its head, never whole.
    assert.ok(proxy.seen.length > 0);
  });

  it('resyncs without reading any unchanged object, and re-reads only the folder of a changed one', async () => {
    const first = await sync(root, 'bucket', {}, { env: ENV });
    proxy.seen.length = 0;
    const again = await sync(root, 'bucket', {}, { env: ENV });
    assert.equal(again.result, first.result, again.message ?? '');
    assert.deepEqual(objectGets(proxy.seen), []);
    assert.equal(usageOf(again.logs).bytes, 0);
    // Same size, new content: only the ETag tells.
    await s3.put(BUCKET, `${PREFIX}sales/customers.csv`, 'id,nom\n1,Ada\n');
    proxy.seen.length = 0;
    const changed = await sync(root, 'bucket', {}, { env: ENV });
    assert.equal(changed.plan?.changes.find((c) => c.name === 'sales/customers.csv')?.action, 'changed');
    const read = objectGets(proxy.seen);
    assert.ok(read.length > 0 && read.every((key) => key.startsWith(`${PREFIX}sales/`)), read.join('\n'));
  });

  it('reports an object that vanished between the listing and its read, and keeps its snapshot', async () => {
    await sync(root, 'bucket', {}, { env: ENV });
    await s3.put(BUCKET, `${PREFIX}inventory.parquet`, fs.readFileSync(path.join(root, 'data/inventory.parquet')).subarray(0, 10));
    proxy.intercept = (request) => (request.method === 'GET' && keyOfRequest(request.url, BUCKET) === `${PREFIX}inventory.parquet` ? s3Error(404, 'NoSuchKey', 'The specified key does not exist.') : undefined);
    const outcome = await sync(root, 'bucket', {}, { env: ENV });
    assert.equal(outcome.result, 'warning', outcome.message ?? '');
    assert.ok(outcome.logs.some((l) => l.level === 'warning' && l.container === 'inventory.parquet'), JSON.stringify(outcome.logs));
    assert.match(snapshotFiles(root, 'bucket').get('inventory.parquet.yaml') ?? '', /name: "?sku"?/);
  });

  it('prunes an object removed from the bucket, and nothing when the listing fails', async () => {
    await sync(root, 'bucket', {}, { env: ENV });
    await s3.remove(BUCKET, `${PREFIX}logs/app.jsonl`);
    const pruned = await sync(root, 'bucket', { prune: true }, { env: ENV });
    assert.equal(pruned.plan?.changes.find((c) => c.name === 'logs/app.jsonl')?.action, 'pruned');
    assert.ok(!snapshotFiles(root, 'bucket').has('logs/app.jsonl.yaml'));
    const before = snapshotFiles(root, 'bucket');
    proxy.intercept = (request) => (/[?&]list-type=2/.test(request.url) ? s3Error(500, 'InternalError', 'We encountered an internal error.') : undefined);
    const failed = await sync(root, 'bucket', { prune: true }, { env: ENV });
    assert.equal(failed.result, 'failure');
    assert.match(failed.message ?? '', /kept failing \(HTTP 500 InternalError\) after retries/);
    assert.deepEqual(snapshotFiles(root, 'bucket'), before);
  });

  it('retries throttled requests (503 SlowDown, 429) with backoff and counts them', async () => {
    const clean = await sync(root, 'local');
    assert.notEqual(clean.result, 'failure');
    let n = 0;
    proxy.intercept = () => {
      n++;
      if (n % 6 === 0) return s3Error(429, 'TooManyRequests', 'Too many requests.');
      return n % 3 === 0 ? s3Error(503, 'SlowDown', 'Please reduce your request rate.') : undefined;
    };
    const outcome = await sync(root, 'bucket', {}, { env: ENV });
    assert.equal(outcome.result, clean.result, outcome.message ?? '');
    assert.ok(usageOf(outcome.logs).retries > 0);
    const localFiles = snapshotFiles(root, 'local');
    for (const [file, text] of snapshotFiles(root, 'bucket')) if (file !== '_index.yaml') assert.equal(text, localFiles.get(file), file);
  });

  it('needs nothing but List and Get: a sync through an identity allowed only those succeeds, and the code path holds no other call', async () => {
    proxy.intercept = (request) => (request.method === 'GET' || request.method === 'HEAD' ? undefined : s3Error(403, 'AccessDenied', 'Access Denied'));
    const outcome = await sync(root, 'bucket', {}, { env: ENV });
    assert.notEqual(outcome.result, 'failure', outcome.message ?? '');
    assert.deepEqual([...new Set(proxy.seen.map((r) => r.method))].sort(), ['GET']);
    const source = fs.readdirSync('server/src/core/connectors/objectStore', { recursive: true }).map(String).filter((f) => f.endsWith('.ts')).map((f) => fs.readFileSync(path.join('server/src/core/connectors/objectStore', f), 'utf8')).join('\n');
    for (const call of ['PutObject', 'DeleteObject', 'CopyObject', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload', 'DeleteObjects', 'PutBucket', 'uploadData', 'delete(', 'upload(', 'setMetadata']) {
      assert.ok(!source.includes(call), `the object store code mentions ${call}`);
    }
  });

  it('says which region the bucket is in, when the definition names another', async () => {
    proxy.intercept = () => s3Error(301, 'PermanentRedirect', 'The bucket you are attempting to access must be addressed using the specified endpoint.', { 'x-amz-bucket-region': 'eu-west-1' });
    const outcome = await sync(root, 'bucket', {}, { env: ENV });
    assert.equal(outcome.result, 'failure');
    assert.match(outcome.message ?? '', /Bucket 'lake' is in region 'eu-west-1', not 'us-east-1'\. Set region: eu-west-1/);
  });

  it('says clearly what is wrong with a missing bucket, a refused key or an unreachable endpoint, never echoing the key', async () => {
    writeFile(root, 'datastores/bucket.yaml', s3Definition('bucket', proxy.endpoint).replace(`bucket: ${BUCKET}`, 'bucket: no-such-bucket'));
    const missing = await sync(root, 'bucket', {}, { env: ENV });
    assert.match(missing.message ?? '', /Bucket 'no-such-bucket' does not exist at http:\/\/127\.0\.0\.1:\d+\. Check 'bucket' and 'endpoint'/);

    writeFile(root, 'datastores/bucket.yaml', s3Definition('bucket', proxy.endpoint));
    const refused = await sync(root, 'bucket', {}, { env: { LAKE_KEY_ID: 'NOT-A-KEY-ID', LAKE_SECRET: 'wrong-secret-value' } });
    assert.equal(refused.result, 'failure');
    assert.match(refused.message ?? '', /refused the keys in the definition's connection/);
    assert.doesNotMatch(JSON.stringify(refused), /wrong-secret-value/);

    const closed = await S3Proxy.start(s3.endpoint);
    const gone = closed.endpoint;
    await closed.stop();
    writeFile(root, 'datastores/bucket.yaml', s3Definition('bucket', gone));
    const unreachable = await sync(root, 'bucket', {}, { env: ENV });
    assert.match(unreachable.message ?? '', /could not be reached at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('refuses a literal secret in the definition, and never writes a key into snapshots or history', async () => {
    writeFile(root, 'datastores/bucket.yaml', s3Definition('bucket', proxy.endpoint).replace('${env:LAKE_SECRET}', 'S3RVER'));
    const problems = loadWorkspace(root).problems.filter((p) => p.code === 'literal-secret');
    assert.equal(problems.length, 1, JSON.stringify(loadWorkspace(root).problems));
    assert.match(problems[0]!.message, /'secret_access_key' holds a literal secret/);
    writeFile(root, 'datastores/bucket.yaml', s3Definition('bucket', proxy.endpoint));
    assert.ok(!hasErrors(loadWorkspace(root).problems));
    const env = { LAKE_KEY_ID: S3RVER_KEYS.accessKeyId, LAKE_SECRET: S3RVER_KEYS.secretAccessKey };
    await sync(root, 'bucket', {}, { env });
    const written = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => !f.startsWith('data') && !f.startsWith('datastores') && fs.statSync(path.join(root, f)).isFile());
    for (const file of written) assert.doesNotMatch(fs.readFileSync(path.join(root, file), 'utf8'), /S3RVER/, file);
  });

  it('skips hostile keys with a warning and keeps every snapshot inside its folder', async () => {
    await s3.put(BUCKET, `${PREFIX}weird/ok.csv`, 'id\n1\n');
    const hostile = ['../../../etc/passwd.csv', 'a//double.csv', './dot.csv', 'a%2F..%2Fescape.csv', `${'L'.repeat(900)}.csv`, 'cafÃ©-Ã¼.csv', 'bad\uFFFDname.csv'];
    const body = 'id,name\n1,x\n';
    proxy.rewriteList = (xml, request) => {
      if (!request.url.includes(`prefix=${encodeURIComponent(PREFIX)}`)) return xml;
      const entries = hostile.map((key) => `<Contents><Key>${PREFIX}weird/${key}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"e"</ETag><Size>${body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`);
      return xml.replace('</ListBucketResult>', `${entries.join('')}</ListBucketResult>`);
    };
    proxy.intercept = (request) => {
      const key = keyOfRequest(request.url, BUCKET);
      return key && hostile.some((h) => key.endsWith(h)) && request.method === 'GET' ? { status: 206, headers: { 'content-type': 'text/csv', 'content-range': `bytes 0-${body.length - 1}/${body.length}`, etag: '"e"' }, body } : undefined;
    };
    const outcome = await sync(root, 'bucket', {}, { env: ENV });
    assert.notEqual(outcome.result, 'failure', outcome.message ?? '');
    const unsafe = outcome.logs.filter((l) => l.code === 'object-key-unsafe').map((l) => l.file);
    assert.deepEqual(unsafe.sort(), ['weird/../../../etc/passwd.csv', 'weird/./dot.csv', 'weird/a//double.csv'].sort());
    const snapshots = path.join(root, 'snapshots', 'bucket');
    for (const file of fs.readdirSync(snapshots, { recursive: true }) as string[]) {
      assert.ok(path.resolve(snapshots, file).startsWith(snapshots + path.sep));
      for (const segment of file.split(path.sep)) assert.ok(Buffer.byteLength(segment) <= 255, `segment too long: ${segment.length}`);
    }
    assert.ok(!fs.existsSync(path.join(root, 'etc')));
    const names = [...snapshotFiles(root, 'bucket').values()].map((text) => /^name: (.*)$/m.exec(text)?.[1] ?? '');
    assert.ok(names.some((n) => n.includes('a%2F..%2Fescape')), names.join('\n'));
  });

  it('reads GCS through its S3-compatible XML API with HMAC keys, as the S3 store does', async () => {
    writeFile(root, 'datastores/gcs.yaml', [
      'kind: Datastore', 'name: gcs', 'type: gcs', `bucket: ${BUCKET}`, `prefix: ${PREFIX}`, `endpoint: ${proxy.endpoint}`,
      'connection:', '  hmac_access_id: ${env:GCS_HMAC_ID}', '  hmac_secret: ${env:GCS_HMAC_SECRET}', '',
    ].join('\n'));
    const local = await sync(root, 'local');
    const gcs = await sync(root, 'gcs', {}, { env: { GCS_HMAC_ID: S3RVER_KEYS.accessKeyId, GCS_HMAC_SECRET: S3RVER_KEYS.secretAccessKey } });
    assert.equal(gcs.result, local.result, gcs.message ?? '');
    const localFiles = snapshotFiles(root, 'local');
    for (const [file, text] of snapshotFiles(root, 'gcs')) if (file !== '_index.yaml') assert.equal(text, localFiles.get(file), file);
    assert.ok(proxy.seen.some((r) => /[?&]list-type=2/.test(r.url)));
  });

  it('without HMAC keys uses application default credentials, and says what to set when there are none (never leaving loopback)', async () => {
    writeFile(root, 'datastores/gcs.yaml', ['kind: Datastore', 'name: gcs', 'type: gcs', `bucket: ${BUCKET}`, 'project: test-project', ''].join('\n'));
    const attempted: string[] = [];
    const connect = net.Socket.prototype.connect;
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      const options = args[0] as { host?: string } | number;
      const host = typeof options === 'object' ? options.host : (args[1] as string | undefined);
      attempted.push(String(host ?? 'localhost'));
      return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
    } as typeof connect;
    const lookup = dns.lookup;
    (dns as { lookup: unknown }).lookup = function (this: unknown, host: string, ...rest: unknown[]) {
      attempted.push(host);
      return (lookup as (...a: unknown[]) => void).call(this, host, ...rest);
    };
    try {
      const outcome = await sync(root, 'gcs', {}, { env: {} });
      assert.equal(outcome.result, 'failure');
      assert.match(outcome.message ?? '', /No usable Google credentials for gs:\/\/lake\/: set GOOGLE_APPLICATION_CREDENTIALS/);
    } finally {
      net.Socket.prototype.connect = connect;
      (dns as { lookup: unknown }).lookup = lookup;
    }
    assert.deepEqual(attempted.filter((host) => !['127.0.0.1', '::1', 'localhost'].includes(host)), []);
  });
});

describe('S3 file store: a prefix of 20,000 objects', function () {
  this.timeout(180_000);
  let s3: LocalS3;
  let proxy: S3Proxy;
  let root: string;

  before(async () => {
    s3 = await LocalS3.start();
    await s3.createBucket(BUCKET);
    proxy = await S3Proxy.start(s3.endpoint);
    // 200 folders of one daily family each: 200 containers.
    s3.seed(BUCKET, Array.from({ length: 20_000 }, (_, i) => [`${PREFIX}f${String(Math.floor(i / 100)).padStart(3, '0')}/events_2024-${String(1 + Math.floor((i % 100) / 28)).padStart(2, '0')}-${String(1 + ((i % 100) % 28)).padStart(2, '0')}.csv`, `id,at\n${i},2024-01-01\n`] as [string, string]));
    root = makeCatalog({ 'datastores/bucket.yaml': s3Definition('bucket', proxy.endpoint, 'sample_files: 3\n') });
  });
  after(async () => {
    if (root) removeCatalog(root);
    await proxy?.stop();
    await s3?.stop();
  });

  it('lists it page by page, samples each family, and resyncs by listing alone', async () => {
    const first = await sync(root, 'bucket', {}, { env: ENV });
    assert.equal(first.result, 'success', first.message ?? '');
    const names = [...snapshotFiles(root, 'bucket').keys()].filter((f) => f !== '_index.yaml');
    assert.equal(names.length, 200);
    assert.ok(names.includes('f000/events_(any).csv.yaml'), names.slice(0, 3).join('\n'));
    const pages = proxy.seen.filter((r) => /[?&]list-type=2/.test(r.url)).length;
    assert.equal(pages, 20);
    assert.equal(objectGets(proxy.seen).length, 600);
    proxy.seen.length = 0;
    const again = await sync(root, 'bucket', {}, { env: ENV });
    assert.equal(again.plan?.changes.every((c) => c.action === 'unchanged'), true);
    assert.deepEqual(objectGets(proxy.seen), []);
    assert.equal(usageOf(again.logs).requests, 20);
  });
});
