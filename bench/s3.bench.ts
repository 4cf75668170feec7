/**
 * Object store benchmark: a bucket prefix of 100,000 small Parquet objects in 1,000 folders on a
 * local S3 server (s3rver, in its own process on loopback), synced through the engine in this
 * process. Times are ratios to floors measured in the same run with the same SDK client:
 *
 * - L (listing): the bare paged ListObjectsV2 of the prefix, every page, nothing else.
 * - R (reads): one footer read (two ranged GETs: the 8-byte tail, then the footer) of every file a
 *   first sync samples, at the engine's concurrency.
 *
 * Targets (issue 18): first sync ≤ 3 × (L + R); no-change resync ≤ 1.2 × L (a resync reads no object).
 *
 *   node --import tsx bench/s3.bench.ts [--objects 100000] [--folders 1000] [--runs 3]
 *   npm run bench:s3 -- --objects 10000 --folders 100
 *
 * A MISS is reported, not fatal (exit 0); exit 1 only when a check fails (wrong container count,
 * a resync that read an object or changed something, a failed sync).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { samplePositions } from '../server/src/core/connectors/dfs/dfsConnector';
import { LocalS3, S3RVER_KEYS } from '../test/helpers/s3Server';
import { BenchAssertion, assertBench, countSnapshotFiles, engineSync } from './lib/engine';
import { median } from './lib/stats';
import { count, formatTable, ms, ratio } from './lib/table';

const TARGET_FIRST = 3;
const TARGET_RESYNC = 1.2;
const SAMPLE_FILES = 10;
/** What the connector keeps in flight (dfsConnector.ts INFERENCES_IN_FLIGHT). */
const READS_IN_FLIGHT = 8;
const BUCKET = 'bench';
const PREFIX = 'lake/';

const { values } = parseArgs({ options: { objects: { type: 'string', default: '100000' }, folders: { type: 'string', default: '1000' }, runs: { type: 'string', default: '3' } } });
const objects = Number(values.objects);
const folders = Number(values.folders);
const runs = Number(values.runs);
if (!(objects > 0 && folders > 0 && objects % folders === 0 && runs > 0)) {
  console.error('--objects must be a positive multiple of --folders, and --runs positive.');
  process.exit(2);
}
const perFolder = objects / folders;

async function parquetBytes(): Promise<Buffer> {
  const file = path.join(os.tmpdir(), `cac-bench-${process.pid}.parquet`);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`COPY (SELECT range::BIGINT AS id, 'user-' || range AS name, range * 1.5 AS amount, TIMESTAMP '2024-01-01' + INTERVAL (range) MINUTE AS at FROM range(50)) TO '${file}' (FORMAT PARQUET)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  const bytes = fs.readFileSync(file);
  fs.rmSync(file);
  return bytes;
}

const keyOf = (folder: number, file: number): string => `${PREFIX}f${String(folder).padStart(4, '0')}/part-${String(file).padStart(5, '0')}.parquet`;

async function listingFloor(client: S3Client): Promise<number> {
  const start = performance.now();
  let token: string | undefined;
  let seen = 0;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX, ContinuationToken: token }));
    seen += page.KeyCount ?? 0;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  assertBench(seen === objects, `the bare listing saw ${seen} of ${objects} objects`);
  return performance.now() - start;
}

async function readsFloor(client: S3Client, size: number): Promise<number> {
  const sampled = samplePositions(perFolder, SAMPLE_FILES);
  const keys: string[] = [];
  for (let folder = 0; folder < folders; folder++) for (const file of sampled) keys.push(keyOf(folder, file));
  const start = performance.now();
  let next = 0;
  const read = async (key: string, range: string): Promise<void> => {
    const answer = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: range }));
    await answer.Body!.transformToByteArray();
  };
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++]!;
      await read(key, `bytes=${size - 8}-${size - 1}`);
      await read(key, `bytes=${Math.max(0, size - 4096)}-${size - 9}`);
    }
  };
  await Promise.all(Array.from({ length: READS_IN_FLIGHT }, worker));
  return performance.now() - start;
}

async function main(): Promise<void> {
  const load = os.loadavg()[0]!.toFixed(2);
  const s3 = await LocalS3.start();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-bench-s3-'));
  try {
    await s3.createBucket(BUCKET);
    const body = await parquetBytes();
    const seedStart = performance.now();
    s3.seed(BUCKET, (function* () {
      for (let folder = 0; folder < folders; folder++) for (let file = 0; file < perFolder; file++) yield [keyOf(folder, file), body] as [string, Buffer];
    })());
    console.log(`seeded ${count(objects)} objects (${body.length} bytes each) in ${count(folders)} folders in ${ms(performance.now() - seedStart)} ms; load ${load}`);
    const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: S3RVER_KEYS, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    const catalog = path.join(work, 'catalog');
    fs.mkdirSync(path.join(catalog, 'datastores'), { recursive: true });
    fs.writeFileSync(path.join(catalog, 'catalog.yaml'), 'kind: Project\nsnapshots: snapshots\nstate: .cac\n');
    fs.writeFileSync(path.join(catalog, 'datastores', 'lake.yaml'), [
      'kind: Datastore', 'name: lake', 'type: s3', `bucket: ${BUCKET}`, `prefix: ${PREFIX}`, `endpoint: ${s3.endpoint}`, 'force_path_style: true', 'extensions: [parquet]',
      'connection:', '  access_key_id: ${env:BENCH_S3_KEY}', '  secret_access_key: ${env:BENCH_S3_SECRET}', '',
    ].join('\n'));
    process.env.BENCH_S3_KEY = S3RVER_KEYS.accessKeyId;
    process.env.BENCH_S3_SECRET = S3RVER_KEYS.secretAccessKey;

    const listing: number[] = [];
    const reads: number[] = [];
    const first: number[] = [];
    const resync: number[] = [];
    let requests = { first: 0, resync: 0 };
    // One warm-up of everything, not counted.
    for (let run = 0; run <= runs; run++) {
      const l = await listingFloor(client);
      const r = await readsFloor(client, body.length);
      fs.rmSync(path.join(catalog, 'snapshots'), { recursive: true, force: true });
      fs.rmSync(path.join(catalog, '.cac'), { recursive: true, force: true });
      const a = await engineSync(catalog, 'lake');
      assertBench(a.outcome.result === 'success', `first sync: ${a.outcome.result} ${a.outcome.message ?? ''}`);
      assertBench(countSnapshotFiles(path.join(catalog, 'snapshots', 'lake')) === folders, `first sync wrote ${countSnapshotFiles(path.join(catalog, 'snapshots', 'lake'))} snapshots, not ${folders}`);
      const b = await engineSync(catalog, 'lake');
      assertBench(b.outcome.plan?.changes.every((c) => c.action === 'unchanged') === true, 'the resync changed something');
      const usage = b.outcome.logs.find((l) => l.code === 'store-usage')?.usage;
      assertBench(usage !== undefined && usage.bytes === 0, `the resync read ${usage?.bytes} bytes of objects`);
      requests = { first: a.outcome.logs.find((l) => l.code === 'store-usage')?.usage?.requests ?? 0, resync: usage.requests };
      if (run === 0) continue;
      listing.push(l);
      reads.push(r);
      first.push(a.ms);
      resync.push(b.ms);
    }
    client.destroy();
    const L = median(listing);
    const R = median(reads);
    const firstRatio = median(first) / (L + R);
    const resyncRatio = median(resync) / L;
    const range = (xs: number[]): string => `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}`;
    console.log(formatTable(['figure', 'median ms', 'range', 'ratio', 'target', 'verdict'], [
      ['L: bare paged listing', ms(L), range(listing), '', '', ''],
      ['R: one footer read per sampled file', ms(R), range(reads), '', '', ''],
      [`first sync (${count(requests.first)} requests)`, ms(median(first)), range(first), ratio(firstRatio), `≤ ${TARGET_FIRST}× (L+R)`, firstRatio <= TARGET_FIRST ? 'PASS' : 'MISS'],
      [`no-change resync (${count(requests.resync)} requests)`, ms(median(resync)), range(resync), ratio(resyncRatio), `≤ ${TARGET_RESYNC}× L`, resyncRatio <= TARGET_RESYNC ? 'PASS' : 'MISS'],
    ]));
    console.log(`${count(objects)} objects, ${count(folders)} containers, ${runs} runs after a warm-up; load now ${os.loadavg()[0]!.toFixed(2)}`);
  } finally {
    await s3.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof BenchAssertion ? `CHECK FAILED: ${error.message}` : error);
  process.exit(1);
});
