/**
 * The current schema and partition columns of an Iceberg table, from its `metadata/` folder
 * (Apache Iceberg table spec, format/spec.md). The current metadata file is the one
 * `version-hint.text` names (file-system tables), moved on to any later `v<N>.metadata.json`
 * already written, as Iceberg's HadoopTableOperations does; without a usable hint, the
 * highest-numbered one (`v<N>.metadata.json` or a metastore's `<N>-<uuid>.metadata.json`). A
 * metastore's pointer is the real current one; it is not in the folder, and the highest number is
 * what the newest commit wrote. The table's version is that N.
 */
import { gunzipSync } from 'node:zlib';
import type { FieldInfo, OperationLogEntry } from '../../../model';
import { compareText } from '../../../text/order';
import type { FileStore, ListedFile, TableListing } from '../fileStore';
import { icebergFields, icebergStructFields, isObject } from './lakeTypes';
import { MAX_JSON_BYTES, mebibytes, readCappedBytes, textOf, TableUnreadable } from './tableErrors';

export interface IcebergSnapshot {
  version: number;
  fields: FieldInfo[];
  /** Source columns of the default partition spec's fields, in spec order, by their current names. */
  partitionColumns: string[];
  /** Names of the default spec's partition fields (`ts_day`): the data folders Iceberg writes. */
  partitionFields: string[];
  /** `write.format.default`: parquet unless the table says otherwise. */
  dataFormat: string;
  logs: OperationLogEntry[];
}

const METADATA_FILE = /^(?:v(\d+)|(\d+)-[^/]+?)(\.gz)?\.metadata\.json$/;
const VERSION_HINT = 'version-hint.text';
/** A version hint is a number or a file name. */
const MAX_HINT_BYTES = 1024;

interface MetadataFile {
  version: number;
  name: string;
  listed: ListedFile;
  gzip: boolean;
  /** `v<N>.metadata.json`, the file-system tables' naming that version-hint.text refers to. */
  hinted: boolean;
}

export async function readIcebergMetadata(store: FileStore, table: TableListing, signal: AbortSignal): Promise<IcebergSnapshot> {
  const prefix = table.folder === '.' ? '' : `${table.folder}/`;
  const logs: OperationLogEntry[] = [];
  const candidates: MetadataFile[] = [];
  let hintFile: ListedFile | undefined;
  for (const listed of table.files) {
    const name = listed.name.slice(listed.name.indexOf('/') + 1);
    if (name === VERSION_HINT) hintFile = listed;
    const match = METADATA_FILE.exec(name);
    if (match) candidates.push({ version: Number(match[1] ?? match[2]), name, listed, gzip: match[3] !== undefined, hinted: match[1] !== undefined });
  }
  if (candidates.length === 0) throw new TableUnreadable(`${prefix}metadata`, 'it holds no `*.metadata.json` file, so the table has no current metadata');
  const current = await currentMetadata(store, candidates, hintFile, prefix, logs);
  signal.throwIfAborted();
  const path = `${prefix}metadata/${current.name}`;
  let bytes = await readCappedBytes(store, current.listed, path);
  if (current.gzip) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_JSON_BYTES });
    } catch (error) {
      const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError;
      throw new TableUnreadable(path, tooLarge ? `it unpacks to more than the ${mebibytes(MAX_JSON_BYTES)} a metadata file is read up to` : 'it is named as gzip-compressed but cannot be unpacked');
    }
  }
  let metadata: unknown;
  try {
    metadata = JSON.parse(textOf(bytes, path));
  } catch (error) {
    if (error instanceof TableUnreadable) throw error;
    throw new TableUnreadable(path, 'it is not valid JSON, so the metadata file is corrupt or was cut off');
  }
  if (!isObject(metadata)) throw new TableUnreadable(path, 'it is not a JSON object of table metadata');
  return { version: current.version, ...describeMetadata(metadata, path, logs), logs };
}

async function currentMetadata(store: FileStore, candidates: MetadataFile[], hintFile: ListedFile | undefined, prefix: string, logs: OperationLogEntry[]): Promise<MetadataFile> {
  const hintPath = `${prefix}metadata/${VERSION_HINT}`;
  // `v<N>.metadata.json` by N; where a gzip-compressed one has the same N, the plain one (set last).
  const hinted = new Map(candidates.filter((c) => c.hinted).sort((a, b) => Number(b.gzip) - Number(a.gzip)).map((c) => [c.version, c]));
  if (hintFile) {
    const hint = hintFile.size > MAX_HINT_BYTES ? '(a file too large to be a version hint)' : textOf(await readCappedBytes(store, hintFile, hintPath), hintPath).trim();
    let found = /^\d+$/.test(hint) ? hinted.get(Number(hint)) : candidates.find((c) => c.name === hint.slice(hint.lastIndexOf('/') + 1));
    if (found) {
      // The hint is written after the metadata file it names: a later one may already be there.
      for (let next = hinted.get(found.version + 1); next; next = hinted.get(found.version + 1)) found = next;
      return found;
    }
    logs.push({ level: 'info', code: 'table-version-hint', file: hintPath, message: `'${hintPath}' holds '${hint.slice(0, 80)}', which names no metadata file of the table; the highest-numbered metadata file was read instead.` });
  }
  // Highest number; among files of one number (a failed concurrent commit), the newest, then by name.
  return [...candidates].sort((a, b) => b.version - a.version || b.listed.mtimeMs - a.listed.mtimeMs || compareText(a.name, b.name))[0]!;
}

function describeMetadata(metadata: Record<string, unknown>, path: string, logs: OperationLogEntry[]): Omit<IcebergSnapshot, 'version' | 'logs'> {
  const schema = currentSchema(metadata, path);
  const fields = icebergFields(schema, path);
  const namesById = new Map<number, string>();
  collectNames(schema, '', namesById);
  const partitionColumns: string[] = [];
  const partitionFields: string[] = [];
  for (const field of currentSpecFields(metadata, path)) {
    if (!isObject(field) || typeof field.transform !== 'string' || typeof field.name !== 'string') {
      throw new TableUnreadable(path, 'a field of its current partition spec has no name or transform');
    }
    // A `void` field is one that was dropped from the spec (format v1 keeps it in place): it partitions nothing.
    if (field.transform === 'void') continue;
    partitionFields.push(field.name);
    const sourceIds = Array.isArray(field['source-ids']) ? field['source-ids'] : [field['source-id']];
    for (const id of sourceIds) {
      const name = typeof id === 'number' ? namesById.get(id) : undefined;
      if (name === undefined) {
        logs.push({ level: 'warning', code: 'table-partition-unknown', file: path, message: `Partition field '${field.name}' of '${path}' has source column id ${String(id)}, which is not in the table's current schema; it is left out of the partition key.` });
      } else if (!partitionColumns.includes(name)) {
        partitionColumns.push(name);
      }
    }
  }
  const properties = isObject(metadata.properties) ? metadata.properties : {};
  const format = properties['write.format.default'];
  return { fields, partitionColumns, partitionFields, dataFormat: typeof format === 'string' ? format.toLowerCase() : 'parquet' };
}

/** Format v2 and later: `schemas` and `current-schema-id`; v1: `schema` (newer v1 writers add both). */
function currentSchema(metadata: Record<string, unknown>, path: string): Record<string, unknown> {
  const id = metadata['current-schema-id'];
  if (Array.isArray(metadata.schemas) && typeof id === 'number') {
    const schema = metadata.schemas.find((s) => isObject(s) && s['schema-id'] === id);
    if (!isObject(schema)) throw new TableUnreadable(path, `its current-schema-id is ${id}, but no schema in 'schemas' has that id`);
    return schema;
  }
  if (isObject(metadata.schema)) return metadata.schema;
  throw new TableUnreadable(path, "it has neither 'schemas' with 'current-schema-id' nor 'schema', so the table has no schema");
}

/** Format v2 and later: `partition-specs` and `default-spec-id`; v1: `partition-spec` (only its fields). */
function currentSpecFields(metadata: Record<string, unknown>, path: string): unknown[] {
  const id = metadata['default-spec-id'];
  if (Array.isArray(metadata['partition-specs']) && typeof id === 'number') {
    const spec = metadata['partition-specs'].find((s) => isObject(s) && s['spec-id'] === id);
    if (!isObject(spec) || !Array.isArray(spec.fields)) throw new TableUnreadable(path, `its default-spec-id is ${id}, but no partition spec in 'partition-specs' has that id`);
    return spec.fields;
  }
  if (Array.isArray(metadata['partition-spec'])) return metadata['partition-spec'];
  return [];
}

/** Field id → its current name, dotted below structs (`location.city`): partition sources may be nested. */
function collectNames(struct: unknown, prefix: string, names: Map<number, string>): void {
  for (const field of icebergStructFields(struct) ?? []) {
    const name = prefix + field.name;
    names.set(field.id, name);
    if (isObject(field.type) && field.type.type === 'struct') collectNames(field.type, `${name}.`, names);
  }
}
