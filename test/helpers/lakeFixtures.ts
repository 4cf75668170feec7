/**
 * Delta Lake and Apache Iceberg tables written into a folder by hand, as the formats' specs lay
 * them out: Delta's transaction log per PROTOCOL.md of delta-io/delta (JSON commits of
 * protocol, metaData, add, remove and commitInfo actions, one per line; Parquet checkpoints whose
 * columns are the action structs), Iceberg's metadata per format/spec.md of apache/iceberg
 * (`v<N>.metadata.json` or `<N>-<uuid>.metadata.json`, `version-hint.text`). The formats' own
 * writers (Spark, delta-rs, pyiceberg) cannot run here (no network, no PyPI), so every file is
 * built to the spec directly; data files and checkpoints are real Parquet written by DuckDB.
 *
 * Not written: Iceberg's manifest lists and manifests (Avro, which nothing here writes or reads;
 * the metadata's snapshots name them as a real table's would) and the contents of Delta deletion
 * vector files (a RoaringBitmapArray the catalog never opens).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

// ---------------------------------------------------------------- DuckDB

/** Runs statements in one in-memory DuckDB (it writes the Parquet files). */
export async function duckdb(statements: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const sql of statements) await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A path as DuckDB's SQL takes it, in a string literal. */
function sqlPath(file: string): string {
  return `'${file.split(path.sep).join('/').replace(/'/g, "''")}'`;
}

/** `COPY (select) TO file`: one Parquet data file, its folders created. */
function copyParquet(file: string, select: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return `COPY (${select}) TO ${sqlPath(file)} (FORMAT parquet)`;
}

// ---------------------------------------------------------------- Delta

export type DeltaAction = Record<string, unknown>;

/** A Spark schema field (PROTOCOL.md, "Struct Field"). */
export interface DeltaField {
  name: string;
  type: string | Record<string, unknown>;
  nullable: boolean;
  metadata: Record<string, unknown>;
}

export function deltaField(name: string, type: DeltaField['type'], nullable = true, metadata: Record<string, unknown> = {}): DeltaField {
  return { name, type, nullable, metadata };
}

export function deltaProtocol(minReaderVersion: number, minWriterVersion: number, features?: { reader: string[]; writer: string[] }): DeltaAction {
  return { protocol: { minReaderVersion, minWriterVersion, ...(features ? { readerFeatures: features.reader, writerFeatures: features.writer } : {}) } };
}

export function deltaMetaData(id: string, fields: DeltaField[], partitionColumns: string[], configuration: Record<string, string> = {}): DeltaAction {
  return {
    metaData: {
      id, format: { provider: 'parquet', options: {} },
      schemaString: JSON.stringify({ type: 'struct', fields }),
      partitionColumns, configuration, createdTime: 1704067200000,
    },
  };
}

export function deltaAdd(file: string, partitionValues: Record<string, string | null>, size: number, numRecords: number, extra: Record<string, unknown> = {}): DeltaAction {
  return {
    add: {
      path: file, partitionValues, size, modificationTime: 1704067200000, dataChange: true,
      stats: JSON.stringify({ numRecords, minValues: {}, maxValues: {}, nullCount: {} }), ...extra,
    },
  };
}

export function deltaRemove(file: string, partitionValues: Record<string, string | null>, size: number): DeltaAction {
  return { remove: { path: file, deletionTimestamp: 1704153600000, dataChange: false, extendedFileMetadata: true, partitionValues, size } };
}

export function deltaCommitInfo(operation: string, version: number): DeltaAction {
  return { commitInfo: { timestamp: 1704067200000 + version * 1000, operation, operationParameters: {}, isBlindAppend: operation === 'WRITE', engineInfo: 'catalog-as-code-fixtures' } };
}

export function deltaCommitName(version: number): string {
  return `${String(version).padStart(20, '0')}.json`;
}

/** Commit `version`: newline-delimited JSON, one action per line. */
export function writeDeltaCommit(table: string, version: number, actions: DeltaAction[]): string {
  const file = path.join(table, '_delta_log', deltaCommitName(version));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, actions.map((action) => JSON.stringify(action)).join('\n') + '\n');
  return file;
}

/** The checkpoint's columns (PROTOCOL.md, "Checkpoint Schema"): one struct per action, null where a row is another action. */
const DELETION_VECTOR = 'STRUCT(storageType VARCHAR, pathOrInlineDv VARCHAR, "offset" INTEGER, sizeInBytes INTEGER, cardinality BIGINT)';
const CHECKPOINT_COLUMNS: Record<string, string> = {
  txn: 'STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)',
  add: `STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR), deletionVector ${DELETION_VECTOR}, baseRowId BIGINT, defaultRowCommitVersion BIGINT)`,
  remove: `STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, deletionVector ${DELETION_VECTOR})`,
  metaData: 'STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)',
  protocol: 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], writerFeatures VARCHAR[])',
  // Checkpoints keep no commit provenance, but Spark's have the (all-null) column.
  commitInfo: 'STRUCT("timestamp" BIGINT, operation VARCHAR)',
};

/**
 * A Parquet checkpoint of `version` holding `actions` (the reconciled state: protocol, metaData,
 * live adds, unexpired removes, txns), as `parts` files (`n.checkpoint.parquet`, or
 * `n.checkpoint.o.p.parquet` when more than one). Rows go into row groups of `rowGroupSize`.
 * Returns the files written.
 */
export async function writeDeltaCheckpoint(table: string, version: number, actions: DeltaAction[], options: { parts?: number; rowGroupSize?: number } = {}): Promise<string[]> {
  const parts = options.parts ?? 1;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-checkpoint-'));
  const columns = `{${Object.entries(CHECKPOINT_COLUMNS).map(([name, type]) => `"${name}": '${type}'`).join(', ')}}`;
  const files: string[] = [];
  const statements: string[] = [];
  try {
    for (let part = 1; part <= parts; part++) {
      // Spark splits a multi-part checkpoint by hashing each file's path; an even split is as valid.
      const rows = actions.filter((_, i) => i % parts === part - 1);
      const json = path.join(scratch, `part-${part}.jsonl`);
      fs.writeFileSync(json, rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
      const padded = String(version).padStart(20, '0');
      const name = parts === 1 ? `${padded}.checkpoint.parquet` : `${padded}.checkpoint.${String(part).padStart(10, '0')}.${String(parts).padStart(10, '0')}.parquet`;
      const file = path.join(table, '_delta_log', name);
      files.push(file);
      const select = `SELECT ${Object.keys(CHECKPOINT_COLUMNS).map((c) => `"${c}"`).join(', ')} FROM read_json(${sqlPath(json)}, format = 'newline_delimited', columns = ${columns})`;
      statements.push(`COPY (${select}) TO ${sqlPath(file)} (FORMAT parquet${options.rowGroupSize ? `, ROW_GROUP_SIZE ${options.rowGroupSize}` : ''})`);
    }
    await duckdb(statements);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return files;
}

/** `_delta_log/_last_checkpoint` (PROTOCOL.md, "Last Checkpoint File Schema"). */
export function writeDeltaLastCheckpoint(table: string, version: number, size: number, parts?: number): void {
  fs.writeFileSync(path.join(table, '_delta_log', '_last_checkpoint'), JSON.stringify({ version, size, ...(parts ? { parts } : {}) }));
}

const struct = (fields: DeltaField[]): Record<string, unknown> => ({ type: 'struct', fields });

/** The fields of the partitioned sales table, in schema order. */
export const SALES_FIELDS: DeltaField[] = [
  deltaField('id', 'long', false),
  deltaField('amount', 'decimal(10,2)'),
  deltaField('customer', struct([deltaField('name', 'string'), deltaField('tags', { type: 'array', elementType: 'string', containsNull: true })])),
  deltaField('attributes', { type: 'map', keyType: 'string', valueType: 'integer', valueContainsNull: true }),
  deltaField('ordered_at', 'timestamp', false),
  deltaField('local_time', 'timestamp_ntz'),
  deltaField('flags', 'binary'),
  deltaField('region', 'string'),
  deltaField('day', 'date'),
];

/**
 * A Delta table partitioned by region and day, three commits (create, append, compact) and a
 * version checksum; data files in `region=…/day=…/` folders hold the non-partition columns.
 */
export async function writeDeltaSales(table: string): Promise<void> {
  const statements: string[] = [];
  const dataFile = (region: string, day: string, n: number): { path: string; values: Record<string, string> } => {
    const relative = `region=${region}/day=${day}/part-0000${n}-3f1c2b7e-6a0d-4c55-9d4e-${String(n).padStart(12, '0')}.c000.snappy.parquet`;
    statements.push(copyParquet(path.join(table, relative), `SELECT range::BIGINT AS id, (range * 1.5)::DECIMAL(10,2) AS amount,
      {'name': 'c' || range, 'tags': ['a', 'b']} AS customer, MAP {'k': range::INTEGER} AS attributes,
      TIMESTAMPTZ '${day} 10:00:00+00' + INTERVAL (range) MINUTE AS ordered_at, TIMESTAMP '${day} 10:00:00' AS local_time,
      '\\x01'::BLOB AS flags FROM range(${n * 10})`));
    return { path: relative, values: { region, day } };
  };
  const first = dataFile('eu', '2024-01-01', 1);
  const second = dataFile('us', '2024-01-01', 2);
  const third = dataFile('eu', '2024-01-02', 3);
  await duckdb(statements);
  const sizeOf = (file: { path: string }): number => fs.statSync(path.join(table, file.path)).size;
  writeDeltaCommit(table, 0, [
    deltaCommitInfo('CREATE TABLE AS SELECT', 0), deltaProtocol(1, 2),
    deltaMetaData('5b0ed8c4-5f5d-4a8f-9a9e-3c7d1f6b2a10', SALES_FIELDS, ['region', 'day']),
    deltaAdd(first.path, first.values, sizeOf(first), 10),
  ]);
  writeDeltaCommit(table, 1, [deltaCommitInfo('WRITE', 1), deltaAdd(second.path, second.values, sizeOf(second), 20)]);
  writeDeltaCommit(table, 2, [
    deltaCommitInfo('OPTIMIZE', 2), deltaRemove(first.path, first.values, sizeOf(first)),
    deltaAdd(third.path, third.values, sizeOf(third), 30, { dataChange: false }),
  ]);
  // The version checksum (optional): with the metadata in it, which this catalog does not rely on.
  fs.writeFileSync(path.join(table, '_delta_log', '00000000000000000002.crc'), JSON.stringify({ tableSizeBytes: sizeOf(second) + sizeOf(third), numFiles: 2, numMetadata: 1, numProtocol: 1 }));
}

/** Physical names as Delta assigns them with column mapping: `col-<uuid>`. */
const physical = (n: number): string => `col-7e0c5a1d-2b3f-4c6d-8e9f-${String(n).padStart(12, '0')}`;
const mapped = (id: number): Record<string, unknown> => ({ 'delta.columnMapping.id': id, 'delta.columnMapping.physicalName': physical(id) });

/**
 * A Delta table with column mapping (`name` mode) and deletion vectors (reader 3 / writer 7 with
 * both features), partitioned by country. Data files sit in random two-letter prefix folders and
 * use the physical names; commit 1 renames `email` to `contact_email` (metadata only, the
 * physical name stays) and adds files carrying deletion vectors.
 */
export async function writeDeltaColumnMapped(table: string): Promise<void> {
  const fields = (emailName: string): DeltaField[] => [
    deltaField('user_id', 'long', false, mapped(1)),
    deltaField(emailName, 'string', true, mapped(2)),
    deltaField('profile', struct([deltaField('age', 'integer', true, mapped(4)), deltaField('score', 'double', true, mapped(5))]), true, mapped(3)),
    deltaField('country', 'string', true, mapped(6)),
  ];
  const configuration = { 'delta.columnMapping.mode': 'name', 'delta.columnMapping.maxColumnId': '6', 'delta.enableDeletionVectors': 'true' };
  const features = { reader: ['columnMapping', 'deletionVectors'], writer: ['columnMapping', 'deletionVectors'] };
  const files = ['Ab/part-00000-1d2e3f40-0000-4000-8000-000000000001.c000.snappy.parquet', 'Zq/part-00000-1d2e3f40-0000-4000-8000-000000000002.c000.snappy.parquet'];
  await duckdb(files.map((file) => copyParquet(path.join(table, file), `SELECT range::BIGINT AS "${physical(1)}", 'u' || range || '@example.com' AS "${physical(2)}",
    {'${physical(4)}': range::INTEGER, '${physical(5)}': range / 2} AS "${physical(3)}" FROM range(5)`)));
  const partition = (country: string): Record<string, string> => ({ [physical(6)]: country });
  const size = (file: string): number => fs.statSync(path.join(table, file)).size;
  writeDeltaCommit(table, 0, [
    deltaCommitInfo('CREATE TABLE', 0), deltaProtocol(3, 7, features),
    deltaMetaData('0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b', fields('email'), ['country'], configuration),
    deltaAdd(files[0]!, partition('DE'), size(files[0]!), 5),
  ]);
  const deletionVector = { storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 1, sizeInBytes: 36, cardinality: 2 };
  writeDeltaCommit(table, 1, [
    deltaCommitInfo('RENAME COLUMN', 1),
    deltaMetaData('0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b', fields('contact_email'), ['country'], configuration),
  ]);
  writeDeltaCommit(table, 2, [
    deltaCommitInfo('DELETE', 2),
    deltaRemove(files[0]!, partition('DE'), size(files[0]!)),
    deltaAdd(files[0]!, partition('DE'), size(files[0]!), 5, { deletionVector, dataChange: true }),
    deltaAdd(files[1]!, partition('FR'), size(files[1]!), 5),
  ]);
}

export const CHECKPOINTED_FIELDS: DeltaField[] = [deltaField('id', 'long', false), deltaField('name', 'string'), deltaField('score', 'float'), deltaField('level', 'short'), deltaField('bits', 'byte')];

/**
 * An unpartitioned Delta table with `addedFiles` add actions: commits 0–2, a checkpoint at 2
 * (with `_last_checkpoint`), and commit 3. Commits 0 and 1 were cleaned up (allowed: the
 * checkpoint covers them), so the schema is only in the checkpoint. The data files are not
 * written: a log naming 20,000 files is what is being read, not the files.
 */
export async function writeDeltaCheckpointed(table: string, options: { addedFiles: number; parts?: number; rowGroupSize?: number }): Promise<string[]> {
  const protocol = deltaProtocol(1, 2);
  const metaData = deltaMetaData('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', CHECKPOINTED_FIELDS, []);
  const adds = Array.from({ length: options.addedFiles }, (_, i) => deltaAdd(`part-${String(i).padStart(5, '0')}-a1b2c3d4-0000-4000-8000-000000000000.c000.snappy.parquet`, {}, 1000 + i, 10));
  writeDeltaCommit(table, 0, [deltaCommitInfo('CREATE TABLE', 0), protocol, metaData]);
  writeDeltaCommit(table, 1, [deltaCommitInfo('WRITE', 1), ...adds.slice(0, options.addedFiles / 2)]);
  writeDeltaCommit(table, 2, [deltaCommitInfo('WRITE', 2), ...adds.slice(options.addedFiles / 2)]);
  // Live adds first and the protocol and metaData last, so they are found in the last row group.
  const files = await writeDeltaCheckpoint(table, 2, [...adds, protocol, metaData], options);
  writeDeltaLastCheckpoint(table, 2, adds.length + 2, options.parts);
  for (const version of [0, 1]) fs.rmSync(path.join(table, '_delta_log', deltaCommitName(version)));
  writeDeltaCommit(table, 3, [deltaCommitInfo('WRITE', 3), deltaAdd('part-99999-a1b2c3d4-0000-4000-8000-000000000000.c000.snappy.parquet', {}, 999, 1)]);
  return files;
}

/** A commit that evolves the checkpointed table's schema (a column added), as `ALTER TABLE … ADD COLUMNS` writes it. */
export function addDeltaColumn(table: string, version: number, fields: DeltaField[], added: DeltaField): void {
  writeDeltaCommit(table, version, [deltaCommitInfo('ADD COLUMNS', version), deltaMetaData('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', [...fields, added], [])]);
}

// ---------------------------------------------------------------- Iceberg

type IcebergType = string | Record<string, unknown>;

export function icebergField(id: number, name: string, type: IcebergType, required = false, doc?: string): Record<string, unknown> {
  return { id, name, required, type, ...(doc ? { doc } : {}) };
}

/** Table metadata (spec.md, "Table Metadata Fields") of format version 2, one snapshot per metadata version. */
function icebergV2Metadata(options: {
  location: string; uuid: string; version: number; schemas: Record<string, unknown>[]; currentSchemaId: number;
  specs: Record<string, unknown>[]; defaultSpecId: number; lastColumnId: number; lastPartitionId: number; previous: string[];
}): Record<string, unknown> {
  const snapshots = Array.from({ length: options.version }, (_, i) => ({
    'snapshot-id': 3051729675574597000 + i, ...(i > 0 ? { 'parent-snapshot-id': 3051729675574597000 + i - 1 } : {}),
    'sequence-number': i + 1, 'timestamp-ms': 1704067200000 + i * 60000,
    'manifest-list': `${options.location}/metadata/snap-${3051729675574597000 + i}-1-${options.uuid}.avro`,
    summary: { operation: 'append' }, 'schema-id': Math.min(i, options.currentSchemaId),
  }));
  const current = snapshots[snapshots.length - 1]!;
  return {
    'format-version': 2, 'table-uuid': options.uuid, location: options.location,
    'last-sequence-number': options.version, 'last-updated-ms': current['timestamp-ms'], 'last-column-id': options.lastColumnId,
    'current-schema-id': options.currentSchemaId, schemas: options.schemas,
    'default-spec-id': options.defaultSpecId, 'partition-specs': options.specs, 'last-partition-id': options.lastPartitionId,
    'default-sort-order-id': 0, 'sort-orders': [{ 'order-id': 0, fields: [] }],
    properties: { 'write.format.default': 'parquet', 'write.parquet.compression-codec': 'zstd' },
    'current-snapshot-id': current['snapshot-id'], refs: { main: { 'snapshot-id': current['snapshot-id'], type: 'branch' } },
    snapshots, 'snapshot-log': snapshots.map((s) => ({ 'timestamp-ms': s['timestamp-ms'], 'snapshot-id': s['snapshot-id'] })),
    'metadata-log': options.previous.map((file, i) => ({ 'timestamp-ms': 1704067200000 + i * 60000, 'metadata-file': `${options.location}/metadata/${file}` })),
  };
}

const EVENTS_UUID = '4c3b2a19-0f8e-4d7c-9b6a-5e4d3c2b1a09';

/**
 * An Iceberg format-v2 table partitioned by identity(category) and day(ts): v1.metadata.json,
 * then v2.metadata.json after a schema evolution (`amount` added, `category` renamed to `kind`;
 * the partition spec still points at the same field id), version-hint.text = 2, and Parquet data
 * files in `data/category=…/ts_day=…/`.
 */
export async function writeIcebergEvents(table: string): Promise<void> {
  const location = `file://${table.split(path.sep).join('/')}`;
  const baseFields = (categoryName: string): Record<string, unknown>[] => [
    icebergField(1, 'id', 'long', true),
    icebergField(2, 'ts', 'timestamptz', true),
    icebergField(3, categoryName, 'string', false, 'What kind of event'),
    icebergField(4, 'payload', { type: 'struct', fields: [icebergField(5, 'source', 'string', true), icebergField(6, 'score', 'double')] }),
    icebergField(7, 'tags', { type: 'list', 'element-id': 8, element: 'string', 'element-required': false }),
    icebergField(9, 'props', { type: 'map', 'key-id': 10, key: 'string', 'value-id': 11, value: 'string', 'value-required': false }),
  ];
  const schema0 = { type: 'struct', 'schema-id': 0, 'identifier-field-ids': [1], fields: baseFields('category') };
  const schema1 = { type: 'struct', 'schema-id': 1, 'identifier-field-ids': [1], fields: [...baseFields('kind'), icebergField(12, 'amount', 'decimal(12, 2)')] };
  const spec = { 'spec-id': 0, fields: [{ 'source-id': 3, 'field-id': 1000, name: 'category', transform: 'identity' }, { 'source-id': 2, 'field-id': 1001, name: 'ts_day', transform: 'day' }] };
  const common = { location, uuid: EVENTS_UUID, specs: [spec], defaultSpecId: 0, lastPartitionId: 1001 };
  writeJson(path.join(table, 'metadata', 'v1.metadata.json'), icebergV2Metadata({ ...common, version: 1, schemas: [schema0], currentSchemaId: 0, lastColumnId: 11, previous: [] }));
  writeJson(path.join(table, 'metadata', 'v2.metadata.json'), icebergV2Metadata({ ...common, version: 2, schemas: [schema0, schema1], currentSchemaId: 1, lastColumnId: 12, previous: ['v1.metadata.json'] }));
  fs.writeFileSync(path.join(table, 'metadata', 'version-hint.text'), '2');
  await duckdb(['a', 'b'].map((category, i) => copyParquet(
    path.join(table, 'data', `category=${category}`, 'ts_day=2024-01-01', `00000-${i}-${EVENTS_UUID}-00001.parquet`),
    `SELECT range::BIGINT AS id, TIMESTAMPTZ '2024-01-01 00:00:00+00' + INTERVAL (range) HOUR AS ts, '${category}' AS category,
      {'source': 'app', 'score': range / 3} AS payload, ['x'] AS tags, MAP {'k': 'v'} AS props FROM range(4)`,
  )));
}

/**
 * An Iceberg format-v1 table as a metastore catalog writes it: `<N>-<uuid>.metadata.json` files
 * (no version hint), the deprecated `schema` and `partition-spec` fields, identity(region). The
 * second metadata file adds a column.
 */
export async function writeIcebergLegacy(table: string): Promise<void> {
  const location = `file://${table.split(path.sep).join('/')}`;
  const fields = [
    icebergField(1, 'id', 'int', true), icebergField(2, 'region', 'string'), icebergField(3, 'at', 'timestamp'),
    icebergField(4, 'code', 'uuid'), icebergField(5, 'hash', 'fixed[16]'), icebergField(6, 'opens', 'time'),
    icebergField(7, 'blob', 'binary'), icebergField(8, 'ratio', 'float'), icebergField(9, 'ok', 'boolean'), icebergField(10, 'day', 'date'),
  ];
  const metadata = (withQty: boolean): Record<string, unknown> => ({
    'format-version': 1, 'table-uuid': '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', location, 'last-updated-ms': 1704067200000,
    'last-column-id': withQty ? 11 : 10,
    schema: { type: 'struct', fields: withQty ? [...fields, icebergField(11, 'qty', 'long')] : fields },
    'partition-spec': [{ name: 'region', transform: 'identity', 'source-id': 2, 'field-id': 1000 }],
    properties: {}, 'current-snapshot-id': -1, snapshots: [],
  });
  writeJson(path.join(table, 'metadata', '00000-6f1d2a3b-0000-4000-8000-00000000000a.metadata.json'), metadata(false));
  writeJson(path.join(table, 'metadata', '00001-6f1d2a3b-0000-4000-8000-00000000000b.metadata.json'), metadata(true));
  await duckdb([copyParquet(path.join(table, 'data', 'region=eu', '00000-0-6f1d2a3b.parquet'), 'SELECT 1::INTEGER AS id, \'eu\' AS region')]);
}

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value));
}
