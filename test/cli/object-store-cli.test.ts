import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, ensureBuilt, runCac } from '../helpers/builtCli';
import { LocalS3, S3RVER_KEYS } from '../helpers/s3Server';
import { makeCatalog, removeCatalog } from '../helpers/syncFixtures';

describe('cac with an S3 datastore (built CLI, s3rver on loopback)', function () {
  this.timeout(120_000);
  let s3: LocalS3;
  let root: string;
  const env = { LAKE_KEY_ID: S3RVER_KEYS.accessKeyId, LAKE_SECRET: S3RVER_KEYS.secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true' };

  before(async () => {
    s3 = await LocalS3.start();
    await s3.createBucket('lake');
    await s3.put('lake', 'raw/sales/orders_2024-01-01.csv', 'id,amount\n1,2.5\n');
    await s3.put('lake', 'raw/sales/orders_2024-01-02.csv', 'id,amount\n2,3.5\n');
    await s3.put('lake', 'raw/customers.json', '[{"id":1,"name":"Ada"}]');
    root = makeCatalog({
      'datastores/lake.yaml': ['kind: Datastore', 'name: lake', 'type: s3', 'bucket: lake', 'prefix: raw', `endpoint: ${s3.endpoint}`, 'force_path_style: true',
        'connection:', '  access_key_id: ${env:LAKE_KEY_ID}', '  secret_access_key: ${env:LAKE_SECRET}', ''].join('\n'),
    });
  });
  after(async () => {
    if (root) removeCatalog(root);
    await s3?.stop();
  });

  it('syncs and tests the connection through the connector bundle, which the CLI loads only then', () => {
    ensureBuilt();
    // Starting the CLI parses no cloud SDK: the object store connectors are bundles of their own.
    assert.ok(!fs.readFileSync(path.join(path.dirname(CLI), '..', 'dist', 'cli.js'), 'utf8').includes('ListObjectsV2Command'));
    const check = runCac(['--root', root, 'test-connection', 'lake'], env);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /^ok s3:\/\/lake\/raw\/ at http:\/\/127\.0\.0\.1:\d+ can be listed \(it holds objects\)\./);
    const result = runCac(['--root', root, 'sync', 'lake'], env);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /2 new/);
    assert.match(result.stdout, /\n {2}The object store answered \d+ requests; [\d.]+ (B|KiB) of objects were read\.\n/);
    // Neither the SDK's Node-version warning nor anything else on stderr.
    assert.equal(result.stderr, '');
    assert.deepEqual(fs.readdirSync(path.join(root, 'snapshots', 'lake'), { recursive: true }).map(String).filter((f) => f.endsWith('.yaml')).sort(), ['_index.yaml', 'customers.json.yaml', 'sales', 'sales/orders_(any).csv.yaml'].filter((f) => f.endsWith('.yaml')));
  });

  it('reports a connector\'s error as the connector words it, though the connector is another bundle', () => {
    const missing = makeCatalog({
      'datastores/gone.yaml': ['kind: Datastore', 'name: gone', 'type: s3', 'bucket: no-such-bucket', `endpoint: ${s3.endpoint}`, 'force_path_style: true',
        'connection:', '  access_key_id: ${env:LAKE_KEY_ID}', '  secret_access_key: ${env:LAKE_SECRET}', ''].join('\n'),
    });
    try {
      const result = runCac(['--root', missing, 'sync', 'gone'], env);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /\n {2}Bucket 'no-such-bucket' does not exist at http:\/\/127\.0\.0\.1:\d+\. Check 'bucket' and 'endpoint' in the definition\.\n/);
      assert.doesNotMatch(result.stdout, /Sync of 'gone' failed/);
    } finally {
      removeCatalog(missing);
    }
  });
});
