/**
 * The metaData action of a Parquet checkpoint, read without reading the checkpoint: its footer,
 * then only the column chunks of the `metaData` column, and only of the row groups whose
 * statistics do not say that column is all null there. A checkpoint of a table of millions of
 * files is gigabytes of `add` actions; its metaData column is a few kilobytes.
 */
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData, type RowGroup } from 'hyparquet';
import { FileStoreError, type FileStore, type OpenedFile } from '../fileStore';
import { isObject } from './lakeTypes';
import { mebibytes, TableUnreadable } from './tableErrors';

/** What one checkpoint read may fetch, footer included: the metaData column is kilobytes in any real checkpoint. */
const MAX_CHECKPOINT_READ_BYTES = 64 * 1024 * 1024;
/** The first read of the tail, which holds the footer of most checkpoints (a larger one takes a second read). */
const FOOTER_FETCH_BYTES = 64 * 1024;

export async function metaDataOfParquetCheckpoint(store: FileStore, path: string, size: number): Promise<Record<string, unknown> | undefined> {
  const opened = await store.open(path);
  try {
    const file = budgetedBuffer(opened, size, path);
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(file, { geoparquet: false, initialFetchSize: FOOTER_FETCH_BYTES });
    } catch (error) {
      if (error instanceof TableUnreadable || error instanceof FileStoreError) throw error;
      throw new TableUnreadable(path, 'this checkpoint is not a readable Parquet file (its footer cannot be decoded). Delete it so that readers use the commits, or write a new checkpoint');
    }
    if (!parquetSchema(metadata).children.some((child) => child.element.name === 'metaData')) return undefined;
    const groups = candidateGroups(metadata);
    const bytes = groups.reduce((n, group) => n + group.bytes, 0);
    if (bytes > MAX_CHECKPOINT_READ_BYTES) {
      throw new TableUnreadable(path, `its metaData column is ${mebibytes(bytes)}, more than the ${mebibytes(MAX_CHECKPOINT_READ_BYTES)} read of a checkpoint, so it is not a checkpoint as Delta writes them`);
    }
    for (const group of groups) {
      const found = await metaDataInRows(file, metadata, group.start, group.end, path);
      if (found) return found;
    }
    return undefined;
  } finally {
    opened.close();
  }
}

interface GroupRange {
  start: number;
  end: number;
  /** Compressed bytes of the group's metaData column chunks. */
  bytes: number;
}

/** Row groups that may hold the metaData action: a group whose `metaData.schemaString` is all null (by its statistics) holds none. */
function candidateGroups(metadata: FileMetaData): GroupRange[] {
  const groups: GroupRange[] = [];
  let start = 0;
  for (const group of metadata.row_groups) {
    const rows = Number(group.num_rows);
    const end = start + rows;
    if (rows > 0 && !allNull(group, rows)) {
      const bytes = group.columns
        .filter((chunk) => chunk.meta_data?.path_in_schema[0] === 'metaData')
        .reduce((n, chunk) => n + Number(chunk.meta_data?.total_compressed_size ?? 0), 0);
      groups.push({ start, end, bytes });
    }
    start = end;
  }
  return groups;
}

function allNull(group: RowGroup, rows: number): boolean {
  const chunk = group.columns.find((c) => c.meta_data?.path_in_schema.join('.') === 'metaData.schemaString');
  const nulls = chunk?.meta_data?.statistics?.null_count;
  return nulls !== undefined && Number(nulls) === rows;
}

async function metaDataInRows(file: AsyncBuffer, metadata: FileMetaData, rowStart: number, rowEnd: number, path: string): Promise<Record<string, unknown> | undefined> {
  let found: Record<string, unknown> | undefined;
  try {
    // Column by column (onChunk), not row objects: a row group may hold a million add actions.
    await parquetRead({
      file, metadata, columns: ['metaData'], rowStart, rowEnd, geoparquet: false,
      onChunk: ({ columnName, columnData }) => {
        if (found || columnName !== 'metaData') return;
        const values = columnData as ArrayLike<unknown>;
        for (let i = 0; i < values.length; i++) {
          const value = values[i];
          if (isObject(value) && typeof value.schemaString === 'string') {
            found = value;
            return;
          }
        }
      },
    });
  } catch (error) {
    if (error instanceof TableUnreadable || error instanceof FileStoreError) throw error;
    throw new TableUnreadable(path, `the metaData column of this checkpoint cannot be decoded (${(error as Error).message}). Delete the checkpoint so that readers use the commits, or write a new one`);
  }
  return found;
}

/** The checkpoint as hyparquet reads files: ranged reads of the opened file, refused once the budget is spent. */
function budgetedBuffer(opened: OpenedFile, size: number, path: string): AsyncBuffer {
  let spent = 0;
  return {
    byteLength: size,
    slice: async (start, end = size) => {
      spent += end - start;
      if (spent > MAX_CHECKPOINT_READ_BYTES) {
        throw new TableUnreadable(path, `reading its metaData would take more than ${mebibytes(MAX_CHECKPOINT_READ_BYTES)} of this checkpoint, so it is not a checkpoint as Delta writes them`);
      }
      const { bytes } = await opened.read({ offset: start, length: end - start });
      if (bytes.length !== end - start) throw new TableUnreadable(path, 'this checkpoint ended early: it changed or was cut off since the log was listed');
      // hyparquet wants an ArrayBuffer of exactly the range (a Node Buffer may be a view into a shared pool).
      return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer as ArrayBuffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}
