import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileStoreConnector, type DfsSettings } from '../../server/src/core/connectors/dfs/dfsConnector';
import type { ByteRange, FileBytes, FileStat, FileStore, FileStoreListing, OpenedFile } from '../../server/src/core/connectors/dfs/fileStore';
import { inferParquetFile } from '../../server/src/core/connectors/dfs/inference/parquet';
import { LocalFileStore } from '../../server/src/core/connectors/dfs/localFileStore';
import type { DiscoveryResult } from '../../server/src/core/connectors/contract';
import type { DiscoveredContainer } from '../../server/src/core/model';
import { readSnapshot } from '../../server/src/core/snapshots/read';
import {
  addDeltaColumn, CHECKPOINTED_FIELDS, deltaCommitInfo, deltaCommitName, deltaField, deltaMetaData, deltaProtocol, writeDeltaCheckpointed,
  writeDeltaColumnMapped, writeDeltaCommit, writeDeltaSales, writeIcebergEvents, writeIcebergLegacy,
} from '../helpers/lakeFixtures';
import { makeCatalog, removeCatalog, snapshotFiles, snapshotNames, sync, writeFile } from '../helpers/syncFixtures';

const DATASTORE = 'kind: Datastore\nname: landing\ntype: dfs\nroot: ../data\n';
const SETTINGS: DfsSettings = { extensions: ['csv', 'tsv', 'json', 'jsonl', 'parquet'], globbing: true, sample_files: 10, patterns: [] };

describe('lake tables (Delta Lake, Apache Iceberg)', function () {
  // DuckDB writes the fixtures' Parquet files.
  this.timeout(60_000);
  let root: string;
  let data: string;
  beforeEach(() => {
    root = makeCatalog({ 'datastores/landing.yaml': DATASTORE });
    data = path.join(root, 'data');
    fs.mkdirSync(data);
  });
  afterEach(() => removeCatalog(root));

  it('makes each table one container described by its log or metadata, and none of its files a container', async () => {
    await writeDeltaSales(path.join(data, 'lake', 'sales'));
    await writeIcebergEvents(path.join(data, 'ice', 'events'));
    await writeIcebergLegacy(path.join(data, 'ice', 'legacy'));
    // A folder named `metadata` with no Iceberg metadata in it is a folder like any other.
    writeFile(root, 'data/reports/metadata/summary.csv', 'id,total\n1,2.5\n');
    writeFile(root, 'data/reports/daily.csv', 'id,total\n1,2.5\n');
    const outcome = await sync(root, 'landing');
    assert.equal(outcome.result, 'success', JSON.stringify(outcome.logs));
    assert.deepEqual(snapshotNames(root, 'landing'), ['ice/events', 'ice/legacy', 'lake/sales', 'reports/daily.csv', 'reports/metadata/summary.csv']);

    const sales = snapshotFiles(root, 'landing').get('lake/sales.yaml')!;
    assert.match(sales, /file:\n {2}folder: lake\/sales\n {2}pattern: "region=\*\/day=\*\/\*\.parquet"\n {2}globbed: true\n {2}extension: parquet\n {2}format: parquet\n {2}table:\n {4}format: delta\n {4}version: 2\n/);
    assert.match(sales, /partition_key:\n {2}- region\n {2}- day\n/);
    assert.deepEqual(fieldsOf(sales), [
      ['id', 'BIGINT', false], ['amount', 'DECIMAL(10,2)', true], ['customer', 'STRUCT("name" VARCHAR, tags VARCHAR[])', true],
      ['attributes', 'MAP(VARCHAR, INTEGER)', true], ['ordered_at', 'TIMESTAMP WITH TIME ZONE', false], ['local_time', 'TIMESTAMP', true],
      ['flags', 'BLOB', true], ['region', 'VARCHAR', true], ['day', 'DATE', true],
    ]);

    const events = snapshotFiles(root, 'landing').get('ice/events.yaml')!;
    assert.match(events, / {2}pattern: "data\/category=\*\/ts_day=\*\/\*\.parquet"\n[^]* {2}table:\n {4}format: iceberg\n {4}version: 2\n/);
    // The spec's source column was renamed: the partition key names it as the current schema does.
    assert.match(events, /partition_key:\n {2}- kind\n {2}- ts\n/);
    assert.deepEqual(fieldsOf(events), [
      ['id', 'BIGINT', false], ['ts', 'TIMESTAMP WITH TIME ZONE', false], ['kind', 'VARCHAR', true], ['payload', 'STRUCT("source" VARCHAR, score DOUBLE)', true],
      ['tags', 'VARCHAR[]', true], ['props', 'MAP(VARCHAR, VARCHAR)', true], ['amount', 'DECIMAL(12,2)', true],
    ]);
    assert.match(events, /- name: kind\n {4}type: VARCHAR\n {4}nullable: true\n {4}comment: What kind of event\n/);

    // Format v1, metastore-named metadata files, no version hint: the highest number is current.
    const legacy = snapshotFiles(root, 'landing').get('ice/legacy.yaml')!;
    assert.match(legacy, / {2}table:\n {4}format: iceberg\n {4}version: 1\n/);
    assert.match(legacy, /partition_key:\n {2}- region\n/);
    assert.deepEqual(fieldsOf(legacy).map(([name, type]) => `${name} ${type}`), [
      'id INTEGER', 'region VARCHAR', 'at TIMESTAMP', 'code UUID', 'hash BLOB', 'opens TIME', 'blob BLOB', 'ratio FLOAT', 'ok BOOLEAN', 'day DATE', 'qty BIGINT',
    ]);

    const told = outcome.logs.filter((l) => l.code === 'lake-table').map((l) => l.message);
    assert.deepEqual(told, [
      "Iceberg table at 'ice/events' (version 2, 2 partition columns) is one container.",
      "Iceberg table at 'ice/legacy' (version 1, 1 partition column) is one container.",
      "Delta table at 'lake/sales' (version 2, 2 partition columns) is one container.",
    ]);

    // What the snapshot reader gives back is what was written, so a resync changes nothing.
    const read = readSnapshot(sales);
    assert.ok(read.ok);
    assert.deepEqual(read.value.file?.table, { format: 'delta', version: 2 });
    const resync = await sync(root, 'landing');
    assert.equal(resync.changed, false, JSON.stringify(resync.plan?.changes.filter((c) => c.action !== 'unchanged')));
  });

  it('spells types as the Parquet inference does for the same data', async () => {
    const table = path.join(data, 'sales');
    await writeDeltaSales(table);
    const result = await discover(new LocalFileStore(data));
    const fromLog = result.containers[0]!.fields;
    // The data files hold the columns that are not partition columns, written from the same types.
    const dataFile = (fs.readdirSync(table, { recursive: true }) as string[]).find((f) => f.endsWith('.parquet'))!;
    const inferred = await inferParquetFile(new LocalFileStore(table), dataFile.split(path.sep).join('/'));
    assert.ok(inferred.ok);
    assert.deepEqual(inferred.schema.fields.map((f) => [f.name, f.type]), fromLog.filter((f) => !['region', 'day'].includes(f.name)).map((f) => [f.name, f.type]));
  });

  it('records the partition columns as the partition identifier', async () => {
    await writeDeltaSales(path.join(data, 'lake', 'sales'));
    const outcome = await sync(root, 'landing');
    assert.equal(outcome.result, 'success', JSON.stringify(outcome.logs));
    assert.match(snapshotFiles(root, 'landing').get('lake/sales.yaml')!, /partition_identifier:\n {2}field: region\n {2}fields:\n {4}- region\n {4}- day\n {2}strategy: partition_key\n {2}source: detected\n/);
  });

  it('reads a table with column mapping and deletion vectors by its logical names', async () => {
    await writeDeltaColumnMapped(path.join(data, 'users'));
    const [users] = (await discover(new LocalFileStore(data))).containers;
    assert.deepEqual(users!.fields.map((f) => [f.name, f.type, f.nullable]), [
      ['user_id', 'BIGINT', false], ['contact_email', 'VARCHAR', true], ['profile', 'STRUCT(age INTEGER, score DOUBLE)', true], ['country', 'VARCHAR', true],
    ]);
    assert.deepEqual(users!.partition_key, ['country']);
    assert.deepEqual(users!.file?.table, { format: 'delta', version: 2 });
    assert.doesNotMatch(JSON.stringify(users), /col-7e0c5a1d/, 'physical names name no column');
  });

  it('reads only the metaData column of a checkpoint, and a new commit that changes the schema on resync', async () => {
    const table = path.join(data, 'scores');
    const [checkpoint] = await writeDeltaCheckpointed(table, { addedFiles: 60_000, rowGroupSize: 4096 });
    const store = new CountingStore(new LocalFileStore(data));
    const first = await discover(store);
    assert.deepEqual(first.unreadable, []);
    const [scores] = first.containers;
    assert.deepEqual(scores!.fields.map((f) => `${f.name} ${f.type}${f.nullable ? '' : ' NOT NULL'}`), ['id BIGINT NOT NULL', 'name VARCHAR', 'score FLOAT', 'level SMALLINT', 'bits TINYINT']);
    assert.deepEqual(scores!.file?.table, { format: 'delta', version: 3 });
    assert.equal(scores!.partition_key, undefined);
    const size = fs.statSync(checkpoint!).size;
    assert.ok(store.bytesOf('scores/_delta_log/00000000000000000002.checkpoint.parquet') < size / 4, `${store.bytesOf('scores/_delta_log/00000000000000000002.checkpoint.parquet')} of ${size} checkpoint bytes read`);
    assert.deepEqual(store.filesRead(), ['scores/_delta_log/00000000000000000002.checkpoint.parquet', 'scores/_delta_log/00000000000000000003.json']);

    // Nothing in the log changed: nothing is read.
    store.reset();
    const second = await discover(store, first.cache);
    assert.equal(store.reads, 0);
    assert.deepEqual(second.containers, first.containers);

    // A commit that adds a column: only it is read.
    addDeltaColumn(table, 4, CHECKPOINTED_FIELDS, deltaField('email', 'string'));
    store.reset();
    const third = await discover(store, second.cache);
    assert.deepEqual(store.filesRead(), ['scores/_delta_log/00000000000000000004.json']);
    assert.deepEqual(third.containers[0]!.fields.map((f) => f.name), ['id', 'name', 'score', 'level', 'bits', 'email']);
    assert.deepEqual(third.containers[0]!.file?.table, { format: 'delta', version: 4 });
  });

  it('uses a multi-part checkpoint only when all its parts are there', async () => {
    const table = path.join(data, 'parts');
    await writeDeltaCheckpointed(table, { addedFiles: 100, parts: 2 });
    // A newer multi-part checkpoint whose second part was never written must be ignored.
    const [part1] = await writeDeltaCheckpointed(path.join(root, 'scratch'), { addedFiles: 10, parts: 2 });
    fs.copyFileSync(part1!, path.join(table, '_delta_log', '00000000000000000003.checkpoint.0000000001.0000000002.parquet'));
    const store = new CountingStore(new LocalFileStore(data));
    const result = await discover(store);
    assert.deepEqual(result.unreadable, []);
    assert.deepEqual(result.containers[0]!.fields.map((f) => f.name), CHECKPOINTED_FIELDS.map((f) => f.name));
    assert.ok(store.filesRead().every((f) => !f.includes('00000000000000000003.checkpoint')), store.filesRead().join('\n'));
  });

  it('follows Iceberg metadata written after the version hint', async () => {
    const table = path.join(data, 'events');
    await writeIcebergEvents(table);
    const store = new CountingStore(new LocalFileStore(data));
    const first = await discover(store);
    assert.deepEqual(first.containers[0]!.file?.table, { format: 'iceberg', version: 2 });
    // A commit wrote v3 (a column added), and the hint is written after it: v3 is current already.
    const v2 = JSON.parse(fs.readFileSync(path.join(table, 'metadata', 'v2.metadata.json'), 'utf8')) as { schemas: { 'schema-id': number; fields: unknown[] }[]; 'current-schema-id': number };
    const schema2 = { ...v2.schemas[1]!, 'schema-id': 2, fields: [...v2.schemas[1]!.fields, { id: 13, name: 'channel', required: false, type: 'string' }] };
    fs.writeFileSync(path.join(table, 'metadata', 'v3.metadata.json'), JSON.stringify({ ...v2, schemas: [...v2.schemas, schema2], 'current-schema-id': 2 }));
    store.reset();
    const second = await discover(store, first.cache);
    assert.deepEqual(second.containers[0]!.file?.table, { format: 'iceberg', version: 3 });
    assert.equal(second.containers[0]!.fields.at(-1)?.name, 'channel');
    assert.deepEqual(store.filesRead(), ['events/metadata/v3.metadata.json', 'events/metadata/version-hint.text']);
    // Metadata written gzip-compressed (`write.metadata.compression-codec: gzip`) is read too.
    const v3 = fs.readFileSync(path.join(table, 'metadata', 'v3.metadata.json'), 'utf8');
    fs.writeFileSync(path.join(table, 'metadata', 'v4.gz.metadata.json'), gzipSync(v3.replace('"channel"', '"source_channel"')));
    fs.writeFileSync(path.join(table, 'metadata', 'version-hint.text'), '4\n');
    const third = await discover(store, second.cache);
    assert.deepEqual(third.containers[0]!.file?.table, { format: 'iceberg', version: 4 });
    assert.equal(third.containers[0]!.fields.at(-1)?.name, 'source_channel');
  });

  it('reads the metaData of a UUID-named (v2) JSON checkpoint', async () => {
    const table = path.join(data, 'v2');
    const fields = [deltaField('id', 'long', false), deltaField('at', 'timestamp_ntz')];
    const features = { reader: ['v2Checkpoint', 'timestampNtz'], writer: ['v2Checkpoint', 'timestampNtz'] };
    // The checkpoint of version 1 (PROTOCOL.md, "V2 Spec"): its checkpointMetadata action, then the table's state; the commits before it were cleaned up.
    writeFile(root, 'data/v2/_delta_log/00000000000000000001.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json', [
      { checkpointMetadata: { version: 1, tags: {} } }, deltaProtocol(3, 7, features), deltaMetaData('d', fields, []),
      { add: { path: 'part-0.parquet', partitionValues: {}, size: 10, modificationTime: 1704067200000, dataChange: true } },
    ].map((action) => JSON.stringify(action)).join('\n') + '\n');
    writeDeltaCommit(table, 2, [deltaCommitInfo('WRITE', 2)]);
    const result = await discover(new LocalFileStore(data));
    assert.deepEqual(result.unreadable, []);
    assert.deepEqual(result.containers[0]!.fields.map((f) => `${f.name} ${f.type}`), ['id BIGINT', 'at TIMESTAMP']);
    assert.deepEqual(result.containers[0]!.file?.table, { format: 'delta', version: 2 });
  });

  it('makes a table whose log cannot be used unreadable, with a warning naming the file, and reads the others', async () => {
    await writeDeltaSales(path.join(data, 'good'));
    // The newest commit was cut off in the middle of its metaData action.
    const cut = path.join(data, 'cut');
    await writeDeltaSales(cut);
    const commit = fs.readFileSync(path.join(cut, '_delta_log', deltaCommitName(0)), 'utf8');
    writeDeltaCommit(cut, 3, [deltaCommitInfo('SET TBLPROPERTIES', 3)]);
    fs.appendFileSync(path.join(cut, '_delta_log', deltaCommitName(3)), commit.slice(commit.indexOf('{"metaData"'), commit.indexOf('{"metaData"') + 60));
    // Commit 1 is gone and there is no checkpoint.
    const gap = path.join(data, 'gap');
    writeDeltaCommit(gap, 0, [deltaProtocol(1, 2), deltaMetaData('a', [deltaField('id', 'long')], [])]);
    writeDeltaCommit(gap, 2, [deltaCommitInfo('WRITE', 2)]);
    // A commit of 65 MiB (sparse: it takes no disk).
    const huge = path.join(data, 'huge');
    writeDeltaCommit(huge, 0, [deltaProtocol(1, 2), deltaMetaData('b', [deltaField('id', 'long')], [])]);
    fs.truncateSync(writeDeltaCommit(huge, 1, [deltaCommitInfo('WRITE', 1)]), 65 * 1024 * 1024);
    // Iceberg metadata that is not JSON.
    writeFile(root, 'data/broken_ice/metadata/v1.metadata.json', '{"format-version": 2, "schemas": [');
    // A schema naming a partition column it does not have.
    const wrongPartition = path.join(data, 'wrong_partition');
    writeDeltaCommit(wrongPartition, 0, [deltaProtocol(1, 2), deltaMetaData('c', [deltaField('id', 'long')], ['day'])]);

    const result = await discover(new LocalFileStore(data));
    assert.deepEqual(result.containers.map((c) => c.name), ['good']);
    assert.deepEqual([...result.unreadable!].sort(), ['broken_ice', 'cut', 'gap', 'huge', 'wrong_partition']);
    const warnings = new Map(result.logs.filter((l) => l.code === 'table-unreadable').map((l) => [l.container, l]));
    assert.equal(warnings.size, 5);
    for (const warning of warnings.values()) assert.equal(warning.level, 'warning');
    assert.equal(warnings.get('cut')!.file, `cut/_delta_log/${deltaCommitName(3)}`);
    assert.match(warnings.get('cut')!.message, /^Delta table 'cut' cannot be read: 'cut\/_delta_log\/00000000000000000003\.json': line 2 is not valid JSON, so the file is corrupt or was cut off\. Its snapshot \(if any\) is kept as it is\.$/);
    assert.equal(warnings.get('gap')!.file, `gap/_delta_log/${deltaCommitName(1)}`);
    assert.match(warnings.get('gap')!.message, /commit 1 is missing from the log/);
    assert.match(warnings.get('huge')!.message, /'huge\/_delta_log\/00000000000000000001\.json': it is 65 MiB, more than the 64 MiB a log or metadata file is read up to/);
    assert.equal(warnings.get('broken_ice')!.file, 'broken_ice/metadata/v1.metadata.json');
    assert.match(warnings.get('broken_ice')!.message, /^Iceberg table 'broken_ice' cannot be read: .*it is not valid JSON/);
    assert.match(warnings.get('wrong_partition')!.message, /its partition column 'day' is not a column of its schema/);
  });

  it('keeps the snapshot of a table whose log became unreadable', async () => {
    const table = path.join(data, 'lake', 'sales');
    await writeDeltaSales(table);
    await sync(root, 'landing');
    const before = snapshotFiles(root, 'landing').get('lake/sales.yaml');
    writeFile(root, `data/lake/sales/_delta_log/${deltaCommitName(3)}`, '{"metaData": {"schemaString": 42}}\n');
    const outcome = await sync(root, 'landing');
    assert.equal(outcome.result, 'warning');
    assert.ok(outcome.logs.some((l) => l.code === 'table-unreadable' && l.file === `lake/sales/_delta_log/${deltaCommitName(3)}` && /has no schemaString/.test(l.message)), JSON.stringify(outcome.logs));
    assert.equal(snapshotFiles(root, 'landing').get('lake/sales.yaml'), before);
  });

  it('names a table at the root itself by the root name, or "table"', async () => {
    await writeDeltaSales(data);
    const named = await fileStoreConnector(new LocalFileStore(data), { ...SETTINGS, rootName: 'sales' }).discover({ include: ['table'] }, { signal: new AbortController().signal });
    assert.deepEqual(named.containers.map((c) => [c.name, c.file?.folder, c.file?.pattern]), [['sales', '.', 'region=*/day=*/*.parquet']]);
    const unnamed = await discover(new LocalFileStore(data));
    assert.deepEqual(unnamed.containers.map((c) => c.name), ['table']);
  });

  it('lists a table with its log files, named below its folder, sorted and stat\'ed', async () => {
    await writeDeltaSales(path.join(data, 'a', 'b', 'sales'));
    writeFile(root, 'data/a/plain.csv', 'x\n1\n');
    // `_delta_log` with nothing in it makes nothing a table.
    fs.mkdirSync(path.join(data, 'empty', '_delta_log'), { recursive: true });
    writeFile(root, 'data/empty/rows.csv', 'x\n1\n');
    const listing: FileStoreListing = await new LocalFileStore(data).list(new Set(['csv', 'parquet']), new AbortController().signal);
    assert.deepEqual([...listing.folders.keys()].sort(), ['a', 'empty']);
    assert.deepEqual(listing.hives, [], 'the partition folders of a table are the table\'s');
    assert.equal(listing.tables.length, 1);
    const [table] = listing.tables;
    assert.equal(table!.folder, 'a/b/sales');
    assert.equal(table!.format, 'delta');
    assert.deepEqual(table!.files.map((f) => f.name), ['_delta_log/00000000000000000000.json', '_delta_log/00000000000000000001.json', '_delta_log/00000000000000000002.crc', '_delta_log/00000000000000000002.json']);
    for (const file of table!.files) {
      const stat = fs.statSync(path.join(data, 'a', 'b', 'sales', file.name));
      assert.deepEqual([file.size, file.mtimeMs], [stat.size, stat.mtimeMs]);
    }
  });
});

function discover(store: FileStore, previousCache?: unknown): Promise<DiscoveryResult & { unreadable: string[] }> {
  return fileStoreConnector(store, SETTINGS).discover({ include: ['table'] }, { signal: new AbortController().signal, previousCache }) as Promise<DiscoveryResult & { unreadable: string[] }>;
}

/** [name, type, nullable] of every field of a snapshot's text. */
function fieldsOf(text: string): [string, string, boolean][] {
  const read = readSnapshot(text);
  assert.ok(read.ok, JSON.stringify(read));
  return (read.value as DiscoveredContainer).fields.map((f) => [f.name, f.type, f.nullable]);
}

/** A store that counts what is read of which file. */
class CountingStore implements FileStore {
  reads = 0;
  private bytes = new Map<string, number>();

  constructor(private readonly inner: FileStore) {}

  reset(): void {
    this.reads = 0;
    this.bytes.clear();
  }

  /** Files read since the last reset, sorted. */
  filesRead(): string[] {
    return [...this.bytes.keys()].sort();
  }

  bytesOf(file: string): number {
    return this.bytes.get(file) ?? 0;
  }

  list(extensions: ReadonlySet<string>, signal: AbortSignal): Promise<FileStoreListing> {
    return this.inner.list(extensions, signal);
  }

  async read(file: string, range: ByteRange): Promise<FileBytes> {
    return this.count(file, await this.inner.read(file, range));
  }

  async open(file: string): Promise<OpenedFile> {
    const opened = await this.inner.open(file);
    return { read: async (range) => this.count(file, await opened.read(range)), close: () => opened.close() };
  }

  stat(file: string): Promise<FileStat> {
    return this.inner.stat(file);
  }

  private count(file: string, answer: FileBytes): FileBytes {
    this.reads++;
    this.bytes.set(file, (this.bytes.get(file) ?? 0) + answer.bytes.length);
    return answer;
  }
}
