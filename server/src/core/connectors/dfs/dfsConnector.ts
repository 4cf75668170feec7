import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DiscoveredContainer, FieldInfo, FileContainerInfo, OperationLogEntry } from '../../model';
import { ConnectorError, type Connector, type ConnectorTarget, type DiscoveryContext, type DiscoveryResult } from '../contract';
import { groupFolderFiles, type FileGroup } from './globbing';
import { inferFileSchema, reconcileSchemas, type FileFormat, type InferredFileSchema } from './inference';
import { traverseFileStore, type HiveListing, type ListedFile } from './traverse';

/** A file store's settings. */
export interface DfsSettings {
  /** The folder, absolute. */
  root?: string;
  /** Lower-case extensions of the files that are containers. */
  extensions: string[];
  /** `true`: group similar names of one folder; `folder`: every file of an extension in a folder; `false`: a file is a container. */
  globbing: boolean | 'folder';
  /** How many files of a globbed container are read to infer its schema. */
  sample_files: number;
}

export type DfsTarget = ConnectorTarget<DfsSettings>;

/**
 * A local folder as a datastore. Each supported file is a container, or a partition of a globbed
 * or hive-partitioned container. A resync opens no file of a folder whose names, sizes and
 * modification times are unchanged: its containers come from the cache of the last sync.
 */
export function openDfsConnector(datastore: DfsTarget): Connector {
  const root = datastore.settings.root;
  let stat: fs.Stats | undefined;
  try {
    stat = root ? fs.statSync(root) : undefined;
  } catch {
    stat = undefined;
  }
  if (!root || !stat?.isDirectory()) {
    throw new ConnectorError(`The root folder '${root ?? ''}' of datastore '${datastore.name}' does not exist or is not a folder. Check 'root' (it is relative to the definition file).`, 'source-not-found');
  }
  return {
    discover: async (_request, context) => discover(root, datastore.settings, context),
    close: async () => undefined,
  };
}

/** Bump when the cached shape or the inference changes, so old caches are ignored. */
const CACHE_VERSION = 2;

interface DfsCache {
  version: number;
  settings: string;
  /** Folder (or `hive:<folder>:<ext>`) → fingerprint of its listing, and what was found there. */
  folders: Record<string, { fingerprint: string; containers: DiscoveredContainer[]; unreadable: string[]; logs: OperationLogEntry[] }>;
}

async function discover(root: string, datastore: DfsSettings, context: DiscoveryContext): Promise<DiscoveryResult> {
  const settings = JSON.stringify([CACHE_VERSION, datastore.extensions, datastore.globbing, datastore.sample_files]);
  const previous = readCache(context.previousCache, settings);
  const listing = await traverseFileStore(root, new Set(datastore.extensions), context.signal);
  const next: DfsCache = { version: CACHE_VERSION, settings, folders: {} };
  const containers: DiscoveredContainer[] = [];
  const unreadable: string[] = [];
  const logs: OperationLogEntry[] = [...listing.logs];
  const units = [
    ...[...listing.folders.entries()].map(([folder, files]) => ({ key: folder, fingerprint: fingerprintOf(files), describe: () => describeFolder(root, folder, files, datastore) })),
    ...listing.hives.map((hive) => ({ key: `hive:${hive.folder}:${hive.extension}`, fingerprint: fingerprintOf(hive.files, (f) => f.path), describe: () => describeHive(root, hive, datastore) })),
  ];
  let done = 0;
  let allCached = previous !== undefined;
  for (const unit of units) {
    context.signal.throwIfAborted();
    const cached = previous?.folders[unit.key];
    const hit = cached !== undefined && cached.fingerprint === unit.fingerprint;
    if (!hit) allCached = false;
    const found = hit ? cached : { fingerprint: unit.fingerprint, ...unit.describe() };
    next.folders[unit.key] = found;
    containers.push(...found.containers);
    unreadable.push(...found.unreadable);
    logs.push(...found.logs);
    context.onProgress?.({ phase: 'reading files', done: ++done, total: units.length });
  }
  // Nothing changed: hand back the cache object that was read, so that writing it back is a
  // no-op the cache store recognises without serialising ~1 MB of JSON (connectorCache.ts).
  const cache = allCached && sameKeys(next.folders, previous!.folders) ? previous : next;
  return { containers, complete: listing.complete, logs, unreadable, cache };
}

function sameKeys(a: object, b: object): boolean {
  const left = Object.keys(a);
  const right = Object.keys(b);
  return left.length === right.length && left.every((key, i) => key === right[i]);
}

function readCache(value: unknown, settings: string): DfsCache | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const cache = value as Partial<DfsCache>;
  return cache.version === CACHE_VERSION && cache.settings === settings && cache.folders && typeof cache.folders === 'object' ? (cache as DfsCache) : undefined;
}

/**
 * Names, sizes and modification times of a folder's files: any change means reading it again.
 * The numbers are hashed as binary doubles: formatting 200,000 of them as text cost a resync of
 * 100,000 files about 6 ms.
 */
function fingerprintOf<T extends ListedFile>(files: readonly T[], nameOf: (file: T) => string = (f) => f.name): string {
  const numbers = new Float64Array(files.length * 2);
  let names = '';
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    names += `${nameOf(file)}\u0000`;
    numbers[2 * i] = file.size;
    numbers[2 * i + 1] = file.mtimeMs;
  }
  return createHash('sha1').update(names).update(numbers).digest('hex');
}

interface FolderResult {
  containers: DiscoveredContainer[];
  unreadable: string[];
  logs: OperationLogEntry[];
}

function describeFolder(root: string, folder: string, files: readonly ListedFile[], datastore: DfsSettings): FolderResult {
  const result: FolderResult = { containers: [], unreadable: [], logs: [] };
  const grouping = groupFolderFiles(files.map((f) => f.name), {
    globbing: datastore.globbing !== false,
    mode: datastore.globbing === 'folder' ? 'folder' : 'names',
  });
  for (const overlap of grouping.overlaps) {
    result.logs.push({
      level: 'warning', code: 'glob-overlap', file: joinRelative(folder, overlap.file), container: joinRelative(folder, overlap.ownContainer),
      message: `File '${joinRelative(folder, overlap.file)}' belongs to container '${joinRelative(folder, overlap.ownContainer)}' but also matches pattern '${overlap.pattern}'. Move the two file families into separate folders, or set globbing: folder.`,
    });
  }
  for (const group of grouping.groups) {
    const name = joinRelative(folder, group.pattern);
    const schema = inferGroup(root, folder, group.files, formatOf(group.extension), datastore.sample_files, name, result);
    if (!schema) continue;
    const info: FileContainerInfo = {
      folder,
      pattern: group.pattern,
      globbed: group.globbed,
      extension: group.extension,
      format: snapshotFormat(group.extension),
      ...dialect(schema),
    };
    if (group.globbed) info.varying_tokens = group.varyingTokens;
    result.containers.push({ name, kind: 'file', fields: schema.fields, file: info });
    if (group.globbed) {
      result.logs.push({ level: 'info', code: 'globbed', container: name, message: globReason(group) });
    }
  }
  return result;
}

function describeHive(root: string, hive: HiveListing, datastore: DfsSettings): FolderResult {
  const result: FolderResult = { containers: [], unreadable: [], logs: [] };
  const pattern = `${hive.keys.map((key) => `${key}=*`).join('/')}/*.${hive.extension}`;
  const name = joinRelative(hive.folder, pattern);
  const schema = inferGroup(root, hive.folder, hive.files.map((f) => f.path), formatOf(hive.extension), datastore.sample_files, name, result);
  if (!schema) return result;
  // Partition values become fields, as Spark, Glue and DuckDB's hive_partitioning do.
  const fields: FieldInfo[] = [...schema.fields];
  hive.keys.forEach((key, position) => {
    if (fields.some((f) => f.name === key)) return;
    const numeric = hive.files.every((f) => /^-?[0-9]{1,18}$/.test(f.values[position] ?? ''));
    fields.push({ name: key, type: numeric ? 'BIGINT' : 'VARCHAR', nullable: true });
  });
  result.containers.push({
    name, kind: 'file', fields,
    file: { folder: hive.folder, pattern, globbed: true, extension: hive.extension, format: snapshotFormat(hive.extension), ...dialect(schema), hive_keys: hive.keys },
  });
  result.logs.push({ level: 'info', code: 'globbed', container: name, message: `${hive.files.length} files in hive partitions ${hive.keys.join('/')} form one container.` });
  return result;
}

/**
 * Reads an evenly spread, deterministic sample of a group's files and merges their schemas.
 * Paths are built for the sampled files only: a globbed folder may hold thousands of files.
 */
function inferGroup(root: string, folder: string, files: readonly string[], format: FileFormat, sampleSize: number, container: string, result: FolderResult): InferredFileSchema | undefined {
  const picks = samplePositions(files.length, sampleSize);
  const samples = picks.map((i) => ({ file: joinRelative(folder, files[i]!), result: inferFileSchema(path.join(root, folder, files[i]!), format) }));
  const merged = reconcileSchemas(samples);
  for (const problem of merged.problems) {
    result.logs.push({ level: 'warning', code: problem.code, file: problem.file, container, message: problem.message });
  }
  if (!merged.schema) {
    result.unreadable.push(container);
    result.logs.push({ level: 'warning', code: 'container-unreadable', container, message: `No readable file was found for container '${container}'; its snapshot (if any) is kept as it is.` });
    return undefined;
  }
  if (files.length > picks.length) {
    result.logs.push({ level: 'info', code: 'sampled', container, message: `Schema of '${container}' inferred from ${picks.length} of its ${files.length} files.` });
  }
  return merged.schema;
}

/** Up to `size` indices spread from the first to the last file. */
export function samplePositions(count: number, size: number): number[] {
  if (count <= size) return Array.from({ length: count }, (_, i) => i);
  if (size === 1) return [0];
  const picks = new Set<number>();
  for (let i = 0; i < size; i++) picks.add(Math.round((i * (count - 1)) / (size - 1)));
  return [...picks].sort((a, b) => a - b);
}

function globReason(group: FileGroup): string {
  return `${group.files.length} files grouped as '${group.pattern}': token${group.varyingTokens.length === 1 ? '' : 's'} ${group.varyingTokens.map((t) => t + 1).join(', ')} of their names vary (e.g. ${group.files[0]} … ${group.files[group.files.length - 1]}).`;
}

function dialect(schema: InferredFileSchema): Pick<FileContainerInfo, 'delimiter' | 'header'> {
  const out: Pick<FileContainerInfo, 'delimiter' | 'header'> = {};
  if (schema.delimiter !== undefined) out.delimiter = schema.delimiter;
  if (schema.header !== undefined) out.header = schema.header;
  return out;
}

function formatOf(extension: string): FileFormat {
  return extension === 'tsv' ? 'tsv' : extension === 'jsonl' ? 'jsonl' : extension === 'json' ? 'json' : extension === 'parquet' ? 'parquet' : 'csv';
}

function snapshotFormat(extension: string): FileContainerInfo['format'] {
  const format = formatOf(extension);
  return format === 'tsv' ? 'csv' : format;
}

function joinRelative(folder: string, name: string): string {
  return folder === '.' ? name : `${folder}/${name}`;
}
