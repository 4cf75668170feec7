import { parse as parseYaml, YAMLParseError } from 'yaml';
import { validateAgainstSchema, type SchemaName } from '../definitions/schemaValidation';
import type { ContainerSnapshot } from '../model';
import { INDEX_HEADER, renderIndex } from '../sync/renderSnapshot';
import { INDEX_FILE_NAME, isSafeSnapshotFileName } from '../sync/snapshotFileNames';
import { parseCanonicalIndex, type SnapshotIndex } from '../sync/snapshotIndex';
import { ReviewInputError, type FileLocator } from './snapshotTree';

/**
 * The containers one datastore's snapshot folder holds, read the way a sync reads it
 * (catalogState.ts): the index lists containers and their files; a listed container whose file is
 * gone was removed by a person; a file the index does not list is adopted. Unlike a sync, which
 * warns and carries on, a review refuses invalid files: a pull request must not hide one.
 */
export function readDatastoreCatalog(files: ReadonlyMap<string, string>, locate: FileLocator): DatastoreCatalog {
  const containers = new Map<string, CatalogContainer>();
  const removed = new Set<string>();
  const indexText = files.get(INDEX_FILE_NAME);
  const listedFiles = new Set<string>();
  if (indexText !== undefined) {
    const index = parseIndex(indexText, (position) => locate(INDEX_FILE_NAME, position));
    for (const entry of index.removed) removed.add(entry.name);
    for (const entry of index.containers) {
      const text = files.get(entry.file);
      if (text === undefined || !isSafeSnapshotFileName(entry.file)) {
        removed.add(entry.name);
        continue;
      }
      listedFiles.add(entry.file);
      containers.set(entry.name, { name: entry.name, file: entry.file, kind: entry.kind, missing: entry.missing_from_source === true, text, locate: (position) => locate(entry.file, position) });
    }
  }
  for (const [file, text] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (file === INDEX_FILE_NAME || listedFiles.has(file)) continue;
    const snapshot = parseSnapshotText(text, (position) => locate(file, position));
    const other = containers.get(snapshot.name);
    if (other) {
      throw new ReviewInputError(`${locate(file)}: repeats container '${snapshot.name}', which ${other.file} already holds; delete one of the two files.`);
    }
    removed.delete(snapshot.name);
    containers.set(snapshot.name, { name: snapshot.name, file, kind: snapshot.kind, missing: false, text, snapshot, locate: (position) => locate(file, position) });
  }
  return { containers, removed };
}

export interface DatastoreCatalog {
  containers: Map<string, CatalogContainer>;
  /** Containers removed from the catalog: listed as removed, or listed with their file gone. */
  removed: Set<string>;
}

export interface CatalogContainer {
  name: string;
  file: string;
  kind: string | undefined;
  /** The index marks it `missing_from_source`: the source no longer lists it, its snapshot is kept. */
  missing: boolean;
  text: string;
  /** Parsed on demand: containers whose text is the same on both sides are never parsed. */
  snapshot?: ContainerSnapshot;
  locate: PositionLocator;
}

/** Locates a position inside one file (or the file itself). */
export type PositionLocator = (position?: { line: number; col: number }) => string;

/** The container's snapshot, parsed once. */
export function snapshotOf(container: CatalogContainer): ContainerSnapshot {
  container.snapshot ??= parseSnapshotText(container.text, container.locate);
  return container.snapshot;
}

/** A snapshot file's content, or a located error that says what is wrong with it. */
export function parseSnapshotText(text: string, where: PositionLocator): ContainerSnapshot {
  return parseChecked(text, where, 'snapshot', 'snapshot') as ContainerSnapshot;
}

function parseIndex(text: string, where: PositionLocator): SnapshotIndex {
  // The index as a sync writes it is read without the YAML parser (catalogState.ts does the same).
  const canonical = parseCanonicalIndex(text, INDEX_HEADER);
  if (canonical && renderIndex(canonical) === text && validateAgainstSchema('snapshot-index', canonical).length === 0) return canonical;
  return parseChecked(text, where, 'snapshot-index', 'snapshot index') as SnapshotIndex;
}

function parseChecked(text: string, where: PositionLocator, schema: SchemaName, what: string): unknown {
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 0, uniqueKeys: true, merge: false, prettyErrors: true, logLevel: 'error' });
  } catch (error) {
    const position = error instanceof YAMLParseError && error.linePos ? error.linePos[0] : undefined;
    // The first line of the parser's message, without its own "at line L, column C:" (the location leads).
    const message = (error as Error).message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ReviewInputError(`${where(position)}: not a valid ${what} (${message}). Restore the file as \`cac sync\` wrote it, or sync again.`);
  }
  const issues = validateAgainstSchema(schema, value);
  if (issues.length > 0) {
    const first = issues[0]!;
    throw new ReviewInputError(`${where()}: not a valid ${what}: ${first.message.replace(/\.$/, '')}${issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length === 2 ? '' : 's'})` : ''}. Restore the file as \`cac sync\` wrote it, or sync again.`);
  }
  return value;
}
