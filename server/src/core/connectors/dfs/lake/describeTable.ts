import type { DiscoveredContainer, FieldInfo, FileContainerInfo, LakeTableInfo, OperationLogEntry } from '../../../model';
import { FileStoreError, type FileStore, type TableListing } from '../fileStore';
import type { DfsSettings, FolderResult } from '../dfsConnector';
import { readDeltaLog } from './deltaLog';
import { readIcebergMetadata } from './icebergMetadata';
import { TableUnreadable } from './tableErrors';

/**
 * One lake table (Delta or Iceberg) as one container: its schema and partition columns from its
 * log or metadata, never from its data files, whose layout is the writer's business. A log or
 * metadata that cannot be read makes the container unreadable (its snapshot is kept) with a
 * warning that names the file; only a cancelled sync rejects.
 */
export async function describeTable(store: FileStore, table: TableListing, settings: DfsSettings, signal: AbortSignal): Promise<FolderResult> {
  const name = table.folder === '.' ? settings.rootName || 'table' : table.folder;
  const result: FolderResult = { containers: [], unreadable: [], logs: [] };
  let described: Described;
  try {
    described = table.format === 'delta' ? await describeDelta(store, table, signal) : await describeIceberg(store, table, signal);
  } catch (error) {
    signal.throwIfAborted();
    result.unreadable.push(name);
    result.logs.push(unreadableLog(error, table, name));
    return result;
  }
  const { fields, partitionKey, pattern, extension, info, logs } = described;
  const file: FileContainerInfo = { folder: table.folder, pattern, globbed: true, extension, format: 'parquet', table: info };
  const container: DiscoveredContainer = { name, kind: 'file', fields, file };
  if (partitionKey.length > 0) container.partition_key = partitionKey;
  result.containers.push(container);
  result.logs.push(...logs.map((log) => ({ ...log, container: name })));
  const label = table.format === 'delta' ? 'Delta' : 'Iceberg';
  const partitions = partitionKey.length === 0 ? 'unpartitioned' : `${partitionKey.length} partition column${partitionKey.length === 1 ? '' : 's'}`;
  result.logs.push({ level: 'info', code: 'lake-table', container: name, message: `${label} table at '${table.folder}' (version ${info.version}, ${partitions}) is one container.` });
  return result;
}

interface Described {
  fields: FieldInfo[];
  partitionKey: string[];
  pattern: string;
  extension: string;
  info: LakeTableInfo;
  logs: OperationLogEntry[];
}

async function describeDelta(store: FileStore, table: TableListing, signal: AbortSignal): Promise<Described> {
  const log = await readDeltaLog(store, table, signal);
  // Where the log's add actions put data files, as Delta writers lay them out: partition folders
  // (`date=…/`), or, with column mapping, random two-letter prefix folders.
  const pattern = log.columnMapping !== 'none' && log.partitionColumns.length > 0
    ? '*/*.parquet'
    : `${log.partitionColumns.map((column) => `${column}=*/`).join('')}*.parquet`;
  return { fields: log.fields, partitionKey: log.partitionColumns, pattern, extension: 'parquet', info: { format: 'delta', version: log.version }, logs: [] };
}

async function describeIceberg(store: FileStore, table: TableListing, signal: AbortSignal): Promise<Described> {
  const metadata = await readIcebergMetadata(store, table, signal);
  if (metadata.dataFormat !== 'parquet') {
    // A snapshot records Parquet, CSV or JSON files; an ORC or Avro table would be recorded as something it is not.
    throw new TableUnreadable(`${table.folder === '.' ? '' : `${table.folder}/`}metadata`, `its data files are ${metadata.dataFormat.toUpperCase()} (write.format.default), and only Parquet lake tables are catalogued`);
  }
  const pattern = `data/${metadata.partitionFields.map((field) => `${field}=*/`).join('')}*.parquet`;
  return { fields: metadata.fields, partitionKey: metadata.partitionColumns, pattern, extension: 'parquet', info: { format: 'iceberg', version: metadata.version }, logs: metadata.logs };
}

function unreadableLog(error: unknown, table: TableListing, name: string): OperationLogEntry {
  const label = table.format === 'delta' ? 'Delta' : 'Iceberg';
  if (error instanceof TableUnreadable) {
    return { level: 'warning', code: 'table-unreadable', container: name, file: error.file, message: `${label} table '${name}' cannot be read: '${error.file}': ${error.problem}. Its snapshot (if any) is kept as it is.` };
  }
  if (error instanceof FileStoreError) {
    return { level: 'warning', code: 'table-unreadable', container: name, file: error.file, message: `${label} table '${name}' cannot be read: '${error.file}' could not be read (${error.code}). Check that the user that syncs may read it; its snapshot (if any) is kept as it is.` };
  }
  // A defect here must not fail the whole sync: the other containers are still described.
  return { level: 'warning', code: 'table-unreadable', container: name, message: `${label} table '${name}' cannot be read (${(error as Error).message ?? String(error)}). Its snapshot (if any) is kept as it is.` };
}
