/**
 * The current schema and partition columns of a Delta table, from its `_delta_log` (Delta
 * Transaction Log Protocol, PROTOCOL.md of delta-io/delta). The table's version is the newest
 * commit or checkpoint in the listing; its metadata is the last `metaData` action, found by
 * reading the JSON commits from the newest back, and only when none of the commits after the
 * newest complete checkpoint holds one, in that checkpoint (its `metaData` column only).
 *
 * `_last_checkpoint` is not read: it exists so that a reader need not list the log, and it may
 * lag behind; the listing here already names every checkpoint and commit.
 */
import type { FieldInfo } from '../../../model';
import type { FileStore, ListedFile, TableListing } from '../fileStore';
import { metaDataOfParquetCheckpoint } from './deltaCheckpoint';
import { deltaFields, isObject } from './lakeTypes';
import { mebibytes, readCappedText, TableUnreadable } from './tableErrors';

export interface DeltaSnapshot {
  version: number;
  fields: FieldInfo[];
  partitionColumns: string[];
  /** `delta.columnMapping.mode`: `none` when absent. */
  columnMapping: string;
}

/** A commit, or one file of a checkpoint, in the `_delta_log` listing. */
interface LogFile {
  /** Path relative to the store's root. */
  path: string;
  listed: ListedFile;
}

interface Checkpoint {
  version: number;
  /** The parts in order: one for a classic or UUID-named checkpoint. */
  parts: LogFile[];
  /** UUID-named (v2) checkpoints may be JSON lines of actions. */
  json: boolean;
}

const COMMIT = /^(\d{20})\.json$/;
const CLASSIC_CHECKPOINT = /^(\d{20})\.checkpoint\.parquet$/;
const MULTI_PART_CHECKPOINT = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/;
const UUID_CHECKPOINT = /^(\d{20})\.checkpoint\.[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\.(json|parquet)$/;

/** Commits read at once, newest first: on an object store each is a request's round trip. */
const COMMITS_IN_FLIGHT = 8;
/** All commits read for one table together: past this, the table needs a checkpoint. */
const MAX_COMMIT_BYTES = 128 * 1024 * 1024;

export async function readDeltaLog(store: FileStore, table: TableListing, signal: AbortSignal): Promise<DeltaSnapshot> {
  const prefix = table.folder === '.' ? '' : `${table.folder}/`;
  const logFolder = `${prefix}_delta_log`;
  const { commits, checkpoint } = parseListing(table.files, prefix);
  const newestCommit = commits.size > 0 ? Math.max(...commits.keys()) : -1;
  const version = Math.max(newestCommit, checkpoint?.version ?? -1);
  if (version < 0) throw new TableUnreadable(logFolder, 'it holds no commit (`<version>.json`) and no checkpoint, so the table has no version to read');

  // Commits after the checkpoint, newest first, until one holds a metaData action.
  const oldest = checkpoint ? checkpoint.version + 1 : 0;
  let bytesRead = 0;
  // Batches of 1, 2, 4, then COMMITS_IN_FLIGHT: a schema change is often the newest commit.
  for (let from = version, size = 1; from >= oldest; from -= size, size = Math.min(2 * size, COMMITS_IN_FLIGHT)) {
    signal.throwIfAborted();
    const batch: LogFile[] = [];
    for (let v = from; v > from - size && v >= oldest; v--) {
      const commit = commits.get(v);
      if (!commit) {
        throw new TableUnreadable(`${logFolder}/${String(v).padStart(20, '0')}.json`,
          `commit ${v} is missing from the log, between ${checkpoint ? `checkpoint ${checkpoint.version}` : 'the first commit'} and version ${version}, so the table's state cannot be known. Restore the file, or write a checkpoint`);
      }
      batch.push(commit);
    }
    bytesRead += batch.reduce((n, commit) => n + commit.listed.size, 0);
    if (bytesRead > MAX_COMMIT_BYTES) {
      throw new TableUnreadable(logFolder, `more than ${mebibytes(MAX_COMMIT_BYTES)} of commits since the ${checkpoint ? `checkpoint at version ${checkpoint.version}` : 'table was created'} would have to be read to find its schema. Write a checkpoint (Delta writes one every 10 to 100 commits by default)`);
    }
    const texts = await Promise.all(batch.map((commit) => readCappedText(store, commit.listed, commit.path)));
    for (let i = 0; i < batch.length; i++) {
      const metaData = metaDataOfJsonLines(texts[i]!, batch[i]!.path);
      if (metaData) return snapshotOf(metaData, version, batch[i]!.path);
    }
  }
  signal.throwIfAborted();
  if (!checkpoint) throw new TableUnreadable(`${logFolder}/${String(0).padStart(20, '0')}.json`, 'no commit of the log holds a metaData action, so the table has no schema. The first commit of a Delta table must hold one');
  for (const part of checkpoint.parts) {
    signal.throwIfAborted();
    const metaData = checkpoint.json
      ? metaDataOfJsonLines(await readCappedText(store, part.listed, part.path), part.path)
      : await metaDataOfParquetCheckpoint(store, part.path, part.listed.size);
    if (metaData) return snapshotOf(metaData, version, part.path);
  }
  throw new TableUnreadable(checkpoint.parts[0]!.path, `checkpoint ${checkpoint.version} holds no metaData action, and no later commit does, so the table has no schema. Write a new checkpoint`);
}

/** Commits by version, and the newest complete checkpoint. Other files (`.crc`, `_last_checkpoint`, compactions) are not needed. */
function parseListing(files: readonly ListedFile[], prefix: string): { commits: Map<number, LogFile>; checkpoint: Checkpoint | undefined } {
  const commits = new Map<number, LogFile>();
  const checkpoints: Checkpoint[] = [];
  const multiPart = new Map<string, { version: number; count: number; parts: Map<number, LogFile> }>();
  for (const listed of files) {
    const name = listed.name.slice(listed.name.indexOf('/') + 1);
    const file = { path: prefix + listed.name, listed };
    let match: RegExpExecArray | null;
    if ((match = COMMIT.exec(name))) commits.set(Number(match[1]), file);
    else if ((match = CLASSIC_CHECKPOINT.exec(name))) checkpoints.push({ version: Number(match[1]), parts: [file], json: false });
    else if ((match = UUID_CHECKPOINT.exec(name))) checkpoints.push({ version: Number(match[1]), parts: [file], json: match[2] === 'json' });
    else if ((match = MULTI_PART_CHECKPOINT.exec(name))) {
      const key = `${match[1]}/${match[3]}`;
      let entry = multiPart.get(key);
      if (!entry) multiPart.set(key, (entry = { version: Number(match[1]), count: Number(match[3]), parts: new Map() }));
      entry.parts.set(Number(match[2]), file);
    }
  }
  // A multi-part checkpoint is written part by part: one with a part missing must be ignored.
  for (const { version, count, parts } of multiPart.values()) {
    if (count > 0 && parts.size === count && [...parts.keys()].every((part) => part >= 1 && part <= count)) {
      checkpoints.push({ version, parts: [...parts.entries()].sort((a, b) => a[0] - b[0]).map(([, file]) => file), json: false });
    }
  }
  // Newest first; at one version a single-file Parquet checkpoint is cheapest to read.
  checkpoints.sort((a, b) => b.version - a.version || a.parts.length - b.parts.length || Number(a.json) - Number(b.json) || (a.parts[0]!.path < b.parts[0]!.path ? -1 : 1));
  return { commits, checkpoint: checkpoints[0] };
}

/**
 * The metaData action of a commit or JSON checkpoint (one action per line), if it has one. Only
 * lines that mention it are parsed: a commit may add a hundred thousand files.
 */
function metaDataOfJsonLines(text: string, path: string): Record<string, unknown> | undefined {
  for (let at = text.indexOf('"metaData"'); at >= 0; at = text.indexOf('"metaData"', at + 1)) {
    const start = text.lastIndexOf('\n', at) + 1;
    const newline = text.indexOf('\n', at);
    const end = newline < 0 ? text.length : newline;
    const line = (): number => text.slice(0, start).split('\n').length;
    let action: unknown;
    try {
      action = JSON.parse(text.slice(start, end));
    } catch {
      throw new TableUnreadable(path, `line ${line()} is not valid JSON, so the file is corrupt or was cut off`);
    }
    if (isObject(action) && action.metaData !== undefined) {
      if (!isObject(action.metaData)) throw new TableUnreadable(path, `line ${line()} has a metaData action that is not an object`);
      return action.metaData;
    }
    // `"metaData"` inside another action (a partition value, a tag): go on after that line.
    at = end;
  }
  return undefined;
}

function snapshotOf(metaData: Record<string, unknown>, version: number, path: string): DeltaSnapshot {
  if (typeof metaData.schemaString !== 'string') throw new TableUnreadable(path, 'its metaData action has no schemaString, so the table has no schema');
  const fields = deltaFields(metaData.schemaString, path);
  const declared = metaData.partitionColumns ?? [];
  if (!Array.isArray(declared) || !declared.every((c) => typeof c === 'string')) throw new TableUnreadable(path, 'its metaData action has partitionColumns that are not a list of column names');
  // Delta column names are case-insensitive; the schema's spelling is the one shown.
  const byLowerName = new Map(fields.map((f) => [f.name.toLowerCase(), f.name]));
  const partitionColumns = declared.map((column) => {
    const name = byLowerName.get(column.toLowerCase());
    if (name === undefined) throw new TableUnreadable(path, `its partition column '${column}' is not a column of its schema`);
    return name;
  });
  const mode = configurationValue(metaData.configuration, 'delta.columnMapping.mode');
  return { version, fields, partitionColumns, columnMapping: mode ?? 'none' };
}

/** A key of the configuration map: an object in JSON, key/value entries where a Parquet map was decoded as such. */
function configurationValue(configuration: unknown, key: string): string | undefined {
  if (Array.isArray(configuration)) {
    const entry = configuration.find((e) => isObject(e) && e.key === key) as { value?: unknown } | undefined;
    return typeof entry?.value === 'string' ? entry.value : undefined;
  }
  const value = isObject(configuration) ? configuration[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

