import type { OperationLogEntry } from '../../model';
import { compareText } from '../../text/order';
import { extensionOf } from './fileFormats';
import type { HiveListing, ListedFile } from './fileStore';

/** A `key=value` folder name. */
export const HIVE_SEGMENT = /^[^=]+=[^=]*$/;

/** One file below the `key=value` folders of a folder: its path below that folder and the `key=value` segments on the way. */
export interface HiveEntry {
  relative: string;
  segments: readonly string[];
  file: ListedFile;
}

/**
 * The hive listings of one folder, one per extension, from its files in the order given (the
 * first file of an extension sets its partition layout): the local walk and the object stores'
 * listings group them with this one rule. A file partitioned otherwise than its siblings is left
 * out; `onMismatch` gets its position among `entries` and the warning to log.
 */
export function hiveListingsOf(folder: string, entries: readonly HiveEntry[], onMismatch: (position: number, log: OperationLogEntry) => void): HiveListing[] {
  const byExtension = new Map<string, HiveListing>();
  entries.forEach(({ relative, segments, file }, position) => {
    const extension = extensionOf(file.name);
    const keys = segments.map((segment) => segment.slice(0, segment.indexOf('=')));
    let hive = byExtension.get(extension);
    if (!hive) byExtension.set(extension, (hive = { folder, extension, keys, files: [] }));
    if (keys.join('/') !== hive.keys.join('/')) {
      const where = folder === '.' ? relative : `${folder}/${relative}`;
      onMismatch(position, { level: 'warning', code: 'schema-mismatch', file: where, message: `File '${where}' is partitioned by ${keys.join('/')} but its siblings by ${hive.keys.join('/')}; it was left out. Keep one partition layout per folder.` });
      return;
    }
    hive.files.push({ ...file, path: relative, values: segments.map((segment) => segment.slice(segment.indexOf('=') + 1)) });
  });
  const listings = [...byExtension.values()];
  for (const listing of listings) listing.files.sort((a, b) => compareText(a.path, b.path));
  return listings.sort((a, b) => compareText(a.extension, b.extension));
}
