/**
 * File names to formats, once for the whole file store connector: the listing, the globbing and
 * the snapshots must agree on what a name's extension is, so they all parse it here.
 */
import type { FileContainerInfo } from '../../model';

/** How a file's content is read to infer its schema. */
export type FileFormat = 'csv' | 'tsv' | 'json' | 'jsonl' | 'parquet';

/**
 * A name's extension, lower-cased and without the dot; '' when the name has none. A caller that
 * already holds `extensionDot(name)` passes it as `dot`, so the name is not searched twice.
 */
export function extensionOf(name: string, dot = extensionDot(name)): string {
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/**
 * Index of the dot that starts a name's extension, or -1. A trailing dot starts none, so
 * "extension ''" always means "no dot", and a pattern for such names never gains or loses one.
 */
export function extensionDot(name: string): number {
  const dot = name.lastIndexOf('.');
  return dot === name.length - 1 ? -1 : dot;
}

/** The format files of an extension are read as; an extension the store does not know reads as CSV. */
export function formatOfExtension(extension: string): FileFormat {
  switch (extension) {
    case 'tsv':
    case 'jsonl':
    case 'json':
    case 'parquet':
      return extension;
    default:
      return 'csv';
  }
}

/** The format a snapshot records: TSV is CSV with another delimiter, which the snapshot states apart. */
export function snapshotFormat(extension: string): FileContainerInfo['format'] {
  const format = formatOfExtension(extension);
  return format === 'tsv' ? 'csv' : format;
}
