import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { DiscoveredContainer, FieldInfo, FileContainerInfo, OperationLogEntry } from '../../model';
import { ConnectorError, type Connector, type ConnectorTarget, type DiscoveryContext, type DiscoveryRequest, type DiscoveryResult } from '../contract';
import { formatOfExtension, snapshotFormat, type FileFormat } from './fileFormats';
import type { FileStore, FileStoreListing, HiveListing, ListedFile, StoreUsage } from './fileStore';
import { describeVaryingParts, groupFolderFiles, type FileGroup } from './globbing';
import { reconcileSchemas, type InferenceResult, type InferredFileSchema } from './inference';
import { describeTable } from './lake/describeTable';
import { LocalFileStore } from './localFileStore';
import { SampleQueue, type SampleFile } from './sampleQueue';

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
  /** Follow symbolic links that lead out of the root; by default such links are skipped with a warning. */
  follow_links?: boolean;
  /**
   * Pinned name patterns (`*` only), in the order written: a file goes to the first that matches,
   * before any grouping is inferred. With a `/` a pattern names one folder (`orders/orders_*.csv`);
   * without, it applies in every folder.
   */
  patterns: string[];
  /**
   * What a lake table at the root itself is called (the root folder's or the prefix's last
   * segment, or the bucket's name): every other container is named by its path below the root.
   */
  rootName?: string;
}

export type DfsTarget = ConnectorTarget<DfsSettings>;

/**
 * A file store as a datastore; `type: dfs` is a local folder. Each supported file is a container,
 * or a partition of a globbed or hive-partitioned container. A resync opens no file of a folder
 * whose names, sizes and modification times are unchanged: its containers come from the cache of
 * the last sync.
 */
export function openDfsConnector(datastore: DfsTarget): Connector {
  const root = datastore.settings.root;
  const store = root ? LocalFileStore.open(root, { followLinks: datastore.settings.follow_links === true }) : undefined;
  if (!store) {
    throw new ConnectorError(`The root folder '${root ?? ''}' of datastore '${datastore.name}' does not exist or is not a folder. Check 'root' (it is relative to the definition file).`, 'source-not-found');
  }
  return {
    // A lake table at the root itself is named after the root folder.
    ...fileStoreConnector(store, { ...datastore.settings, rootName: path.basename(root!) }),
    // One listing of the root folder: a whole listing could take longer than a test should.
    check: async () => {
      let entries: string[];
      try {
        entries = fs.readdirSync(root!);
      } catch (error) {
        throw new ConnectorError(`The root folder '${root}' of datastore '${datastore.name}' cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Give the user that syncs read access to it.`, 'source-unreadable');
      }
      return `The folder ${root} is readable (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} at its top).`;
    },
  };
}

/** The connector over any file store (`root` of the settings is not used: the store has its own). */
export function fileStoreConnector(store: FileStore, settings: DfsSettings): Connector {
  return {
    discover: async (request, context) => discover(store, settings, request, context),
    check: async (signal) => {
      const listing = await store.list(new Set(settings.extensions), signal);
      const files = [...listing.folders.values()].reduce((n, found) => n + found.length, 0) + listing.hives.reduce((n, hive) => n + hive.files.length, 0);
      const tables = listing.tables.length === 0 ? '' : ` and ${listing.tables.length} lake table${listing.tables.length === 1 ? '' : 's'}`;
      return `The file store answers: ${files} file${files === 1 ? '' : 's'} of ${settings.extensions.join(', ')}${tables}.`;
    },
    close: async () => undefined,
  };
}

/** Bump when the cached shape or the inference changes, so old caches are ignored. */
const CACHE_VERSION = 4;

interface DfsCache {
  version: number;
  settings: string;
  /** Folder (or `hive:<folder>:<ext>`) → fingerprint of its listing, and what was found there. */
  folders: Record<string, { fingerprint: string; containers: DiscoveredContainer[]; unreadable: string[]; logs: OperationLogEntry[] }>;
}

/**
 * Files whose schemas are inferred at once (one read each, two for the start of a Parquet file):
 * see sampleQueue.ts. Folders are described up to DESCRIBED_AHEAD ahead of the one being
 * collected, so that stores of many one-file folders keep reads in flight too; results are still
 * collected in listing order.
 */
const INFERENCES_IN_FLIGHT = 8;
const DESCRIBED_AHEAD = 16;

async function discover(store: FileStore, datastore: DfsSettings, request: DiscoveryRequest, context: DiscoveryContext): Promise<DiscoveryResult> {
  const settings = JSON.stringify([CACHE_VERSION, datastore.extensions, datastore.globbing, datastore.sample_files, datastore.patterns, datastore.follow_links === true, datastore.rootName ?? null]);
  const listing = await store.list(new Set(datastore.extensions), context.signal);
  const next: DfsCache = { version: CACHE_VERSION, settings, folders: {} };
  const containers: DiscoveredContainer[] = [];
  const unreadable: string[] = [];
  const logs: OperationLogEntry[] = [...listing.logs];
  const sampleQueue = new SampleQueue(store, context.signal, INFERENCES_IN_FLIGHT);
  const units = [
    ...[...listing.folders.entries()].map(([folder, files]) => ({ key: folder, fingerprint: fingerprintOf(files), describe: () => describeFolder(sampleQueue, folder, files, datastore) })),
    ...listing.hives.map((hive) => ({ key: `hive:${hive.folder}:${hive.extension}`, fingerprint: fingerprintOf(hive.files, (f) => f.path), describe: () => describeHive(sampleQueue, hive, datastore) })),
    ...listing.tables.map((table) => ({ key: `table:${table.folder}`, fingerprint: fingerprintOf(table.files), describe: () => describeTable(store, table, datastore, context.signal) })),
  ];
  // A local listing is all a description depends on (descriptions are cached by the same
  // fingerprints), so it is the store's signature: when it equals the recorded one, the engine
  // replays the last sync instead of rendering and comparing every snapshot. Not for object
  // stores: their logs say what each run asked of the store.
  const signature = store.usage ? undefined : listingSignature(settings, units, listing);
  if (signature !== undefined && signature === request.unchangedSince) return { containers: [], complete: listing.complete, logs: [], signature, unchanged: true };
  const previous = readCache(context.previousCache, settings);
  const cachedOf = (i: number): FolderResult & { fingerprint: string } | undefined => {
    const cached = previous?.folders[units[i]!.key];
    return cached !== undefined && cached.fingerprint === units[i]!.fingerprint ? cached : undefined;
  };
  // Descriptions started ahead of the loop, by unit index; a failure is seen when the loop awaits it.
  const described = new Map<number, Promise<FolderResult>>();
  let started = 0;
  let done = 0;
  let allCached = previous !== undefined;
  for (let i = 0; i < units.length; i++) {
    context.signal.throwIfAborted();
    for (; started < Math.min(units.length, i + DESCRIBED_AHEAD); started++) {
      if (cachedOf(started)) continue;
      const description = units[started]!.describe();
      // Marked handled now: after an abort the loop stops and never awaits the ones ahead.
      description.catch(() => undefined);
      described.set(started, description);
    }
    const unit = units[i]!;
    let found = cachedOf(i);
    if (!found) {
      allCached = false;
      const description = await described.get(i)!;
      described.delete(i);
      // Reads skipped after an abort leave placeholders in the description: it must not be used.
      context.signal.throwIfAborted();
      found = { fingerprint: unit.fingerprint, ...description };
    }
    next.folders[unit.key] = found;
    containers.push(...found.containers);
    unreadable.push(...found.unreadable);
    logs.push(...found.logs);
    context.onProgress?.({ phase: 'reading files', done: ++done, total: units.length });
  }
  // Nothing changed: hand back the cache object that was read, so that writing it back is a
  // no-op the cache store recognises without serialising ~1 MB of JSON (connectorCache.ts).
  const cache = allCached && sameKeys(next.folders, previous!.folders) ? previous : next;
  const usage = store.usage?.();
  if (usage) logs.push(usageLog(usage));
  return { containers, complete: listing.complete, logs, unreadable, cache, ...(signature !== undefined ? { signature } : {}) };
}

/** The fingerprint of a whole listing: the settings, every folder's (or hive's, or table's) fingerprint in order, and what the walk reported. */
function listingSignature(settings: string, units: readonly { key: string; fingerprint: string }[], listing: FileStoreListing): string {
  const hash = createHash('sha1').update(settings).update(listing.complete ? '\u0001' : '\u0000').update(JSON.stringify(listing.logs));
  for (const unit of units) hash.update(`${unit.key}\u0000${unit.fingerprint}\u0000`);
  return `dfs1:${hash.digest('hex')}`;
}

/** What the sync asked of an object store, in the operation's logs (and so in its summary everywhere). */
function usageLog(usage: StoreUsage): OperationLogEntry {
  const retried = usage.retries > 0 ? ` (${usage.retries} retried after throttling or a transient error)` : '';
  return {
    level: 'info', code: 'store-usage', usage,
    message: `The object store answered ${usage.requests.toLocaleString('en-US')} request${usage.requests === 1 ? '' : 's'}${retried}; ${formatBytes(usage.bytes)} of objects were read.`,
  };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
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
    // An object store's ETag changes with the content even where its time is rounded to seconds.
    names += file.etag === undefined ? `${nameOf(file)}\u0000` : `${nameOf(file)}\u0001${file.etag}\u0000`;
    numbers[2 * i] = file.size;
    numbers[2 * i + 1] = file.mtimeMs;
  }
  return createHash('sha1').update(names).update(numbers).digest('hex');
}

export interface FolderResult {
  containers: DiscoveredContainer[];
  unreadable: string[];
  logs: OperationLogEntry[];
}

async function describeFolder(queue: SampleQueue, folder: string, files: readonly ListedFile[], datastore: DfsSettings): Promise<FolderResult> {
  const result: FolderResult = { containers: [], unreadable: [], logs: [] };
  const grouping = groupFolderFiles(files.map((f) => f.name), {
    globbing: datastore.globbing !== false,
    mode: datastore.globbing === 'folder' ? 'folder' : 'names',
    pinned: pinnedIn(folder, datastore.patterns),
  });
  for (const overlap of grouping.overlaps) {
    result.logs.push({
      level: 'warning', code: 'glob-overlap', file: joinRelative(folder, overlap.file), container: joinRelative(folder, overlap.ownContainer),
      message: `File '${joinRelative(folder, overlap.file)}' belongs to container '${joinRelative(folder, overlap.ownContainer)}' but also matches pattern '${overlap.pattern}'. Move the two file families into separate folders, or set globbing: folder.`,
    });
  }
  // Every group's samples are read as one batch, so that a folder of many small groups keeps reads in flight.
  const picked = grouping.groups.map((group) => sampleFiles(folder, group.files, formatOfExtension(group.extension), datastore.sample_files));
  const results = await queue.inferAll(picked.flat());
  let next = 0;
  grouping.groups.forEach((group, g) => {
    const name = joinRelative(folder, group.pattern);
    const samples = picked[g]!.map(({ file }) => ({ file, result: results[next++]! }));
    const merged = mergeSamples(samples, group.files.length, name, result);
    // Files whose columns cannot be one container with the family's become containers of their own.
    for (const outlier of merged.outliers) {
      const base = outlier.file.slice(outlier.file.lastIndexOf('/') + 1);
      const own = joinRelative(folder, base);
      result.logs.push({
        level: 'warning', code: 'schema-split', file: outlier.file, container: own,
        message: `File '${outlier.file}' matches '${name}' but ${outlier.reason}, so it is a container of its own, '${own}'. Move it to another folder, or pin the grouping with 'patterns'.`,
      });
      result.containers.push({ name: own, kind: 'file', fields: outlier.schema.fields, file: { folder, pattern: base, globbed: false, extension: group.extension, format: snapshotFormat(group.extension), ...dialect(outlier.schema) } });
    }
    const schema = merged.schema;
    if (!schema) return;
    const info: FileContainerInfo = {
      folder,
      pattern: group.pattern,
      globbed: group.globbed,
      extension: group.extension,
      format: snapshotFormat(group.extension),
      ...dialect(schema),
    };
    result.containers.push({ name, kind: 'file', fields: schema.fields, file: info });
    if (group.globbed) {
      // Why these files are one container is the operation's to tell, not the snapshot's: it must
      // not change when a day's file arrives.
      const apart = new Set(merged.outliers.map((o) => o.file));
      const grouping = { pattern: group.pattern, files: group.files.length - apart.size, varying: describeVaryingParts(group), sampled: samples.map((s) => s.file).filter((f) => !apart.has(f)), ...(group.pinned ? { pinned: true } : {}) };
      result.logs.push({ level: 'info', code: 'globbed', container: name, message: globReason(group, grouping.sampled.length), grouping });
    }
  });
  return result;
}

async function describeHive(queue: SampleQueue, hive: HiveListing, datastore: DfsSettings): Promise<FolderResult> {
  const result: FolderResult = { containers: [], unreadable: [], logs: [] };
  const pattern = `${hive.keys.map((key) => `${key}=*`).join('/')}/*.${hive.extension}`;
  const name = joinRelative(hive.folder, pattern);
  const picked = sampleFiles(hive.folder, hive.files.map((f) => f.path), formatOfExtension(hive.extension), datastore.sample_files);
  const results = await queue.inferAll(picked);
  const merged = mergeSamples(picked.map(({ file }, i) => ({ file, result: results[i]! })), hive.files.length, name, result);
  // Partitions of one table cannot be split by schema: an outlier is a warning only.
  for (const outlier of merged.outliers) {
    result.logs.push({ level: 'warning', code: 'schema-mismatch', file: outlier.file, container: name, message: `File '${outlier.file}' is a partition of '${name}' but ${outlier.reason}. Fix or move this file.` });
  }
  const schema = merged.schema;
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
 * An evenly spread, deterministic sample of a group's files, in file order. Paths are built for
 * the sampled files only: a globbed folder may hold thousands of files.
 */
function sampleFiles(folder: string, files: readonly string[], format: FileFormat, sampleSize: number): SampleFile[] {
  return samplePositions(files.length, sampleSize).map((i) => ({ file: joinRelative(folder, files[i]!), format }));
}

/** Merges a group's sampled schemas into the container's, logging what disagrees; outliers are the caller's. */
function mergeSamples(samples: { file: string; result: InferenceResult }[], fileCount: number, container: string, result: FolderResult): { schema: InferredFileSchema | undefined; outliers: ReturnType<typeof reconcileSchemas>['outliers'] } {
  const merged = reconcileSchemas(samples);
  for (const problem of merged.problems) {
    // A file that only adds columns is a note, not a problem (its columns join the container).
    result.logs.push({ level: problem.code === 'schema-extended' ? 'info' : 'warning', code: problem.code, file: problem.file, container, message: problem.message });
  }
  if (!merged.schema) {
    result.unreadable.push(container);
    result.logs.push({ level: 'warning', code: 'container-unreadable', container, message: `No readable file was found for container '${container}'; its snapshot (if any) is kept as it is.` });
    return { schema: undefined, outliers: merged.outliers };
  }
  if (fileCount > samples.length) {
    result.logs.push({ level: 'info', code: 'sampled', container, message: `Schema of '${container}' inferred from ${samples.length} of its ${fileCount} files.` });
  }
  return merged;
}

/** Up to `size` indices spread from the first to the last file. */
export function samplePositions(count: number, size: number): number[] {
  if (count <= size) return Array.from({ length: count }, (_, i) => i);
  if (size === 1) return [0];
  const picks = new Set<number>();
  for (let i = 0; i < size; i++) picks.add(Math.round((i * (count - 1)) / (size - 1)));
  return [...picks].sort((a, b) => a - b);
}

/** The pinned patterns that apply in `folder`, as name patterns. */
function pinnedIn(folder: string, patterns: readonly string[]): string[] {
  const names: string[] = [];
  for (const pattern of patterns) {
    const slash = pattern.lastIndexOf('/');
    if (slash < 0) names.push(pattern);
    else if (pattern.slice(0, slash) === folder) names.push(pattern.slice(slash + 1));
  }
  return names;
}

function globReason(group: FileGroup, sampled: number): string {
  const how = group.pinned ? 'by the pinned pattern' : 'as';
  const count = group.files.length === 1 ? `1 file (so far) is named ${how}` : `${group.files.length} files grouped ${how}`;
  const parts = group.pinned ? '' : `: ${group.varyingTokens.length === 1 ? 'part' : 'parts'} ${group.varyingTokens.map((t) => t + 1).join(', ')} of the name vary`;
  const example = group.files.length === 1 ? group.files[0] : `${group.files[0]} … ${group.files[group.files.length - 1]}`;
  return `${count} '${group.pattern}'${parts} (${example}); schema read from ${sampled} of ${group.files.length}.`;
}

function dialect(schema: InferredFileSchema): Pick<FileContainerInfo, 'delimiter' | 'header'> {
  const out: Pick<FileContainerInfo, 'delimiter' | 'header'> = {};
  if (schema.delimiter !== undefined) out.delimiter = schema.delimiter;
  if (schema.header !== undefined) out.header = schema.header;
  return out;
}

function joinRelative(folder: string, name: string): string {
  return folder === '.' ? name : `${folder}/${name}`;
}
