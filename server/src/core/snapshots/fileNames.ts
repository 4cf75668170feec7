import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { isTempFileName } from '../fs/atomicFiles';
import { compareText } from '../text/order';

/**
 * Maps container names to snapshot file names that are safe on every OS: no separators or
 * reserved characters, no leading dots, no reserved device names, bounded length, and no two
 * names that differ only by case. The original name is stored inside the file, so the mapping
 * only has to be injective, not reversible.
 */
export function assignSnapshotFiles(names: readonly string[], existing: ReadonlyMap<string, string>): Map<string, string> {
  const assigned = new Map<string, string>();
  const used = new Set<string>();
  const wanted = new Set(names);
  for (const [name, file] of existing) {
    if (wanted.has(name) && isSafeSnapshotFileName(file) && !used.has(file.toLowerCase())) {
      assigned.set(name, file);
      used.add(file.toLowerCase());
    }
  }
  // New names in code-unit order, so a fresh sync of the same source always assigns the same files.
  const fresh = names.filter((n) => !assigned.has(n)).sort(compareText);
  for (const name of fresh) {
    const base = encodeSnapshotBase(name);
    let file = `${base}.yaml`;
    for (let length = 8; used.has(file.toLowerCase()) && length <= 64; length += 8) {
      file = `${withoutHashSuffix(base)}~${hashOf(name).slice(0, length)}.yaml`;
    }
    assigned.set(name, file);
    used.add(file.toLowerCase());
  }
  return assigned;
}

/** The index of a datastore's snapshot folder; no container file can ever have this name. */
export const INDEX_FILE_NAME = '_index.yaml';

/** The snapshot folder of a datastore; datastore names are schema-checked, and encoded anyway. */
export function datastoreSnapshotDir(snapshotsDir: string, datastore: string): string {
  return path.join(snapshotsDir, encodeSnapshotBase(datastore));
}

/** True for a file name a snapshot folder may hold: `*.yaml`, not a temp file (the index included). */
export function isSnapshotFileName(name: string): boolean {
  return name.endsWith('.yaml') && !isTempFileName(name);
}

const MAX_BASE_BYTES = 120;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
const RESERVED_BASES = new Set(['_index']);

/** The file name base for one container name, before collision handling. */
export function encodeSnapshotBase(name: string): string {
  const normalized = name.normalize('NFC');
  let encoded = '';
  for (const ch of normalized) {
    const code = ch.codePointAt(0)!;
    encoded += code < 0x20 || code === 0x7f || UNSAFE_CHARACTERS.has(ch) ? percentEncode(ch) : ch;
  }
  if (encoded === '') encoded = '%00';
  // Leading dots hide files (and `..` walks up); trailing dots and spaces vanish on Windows.
  encoded = encoded.replace(/^[. ]/, (ch) => percentEncode(ch)).replace(/[. ]$/, (ch) => percentEncode(ch));
  const stem = encoded.split('.')[0]!;
  const needsHash = WINDOWS_RESERVED.test(stem) || RESERVED_BASES.has(encoded.toLowerCase()) || Buffer.byteLength(encoded) > MAX_BASE_BYTES;
  if (!needsHash) return encoded;
  return `${truncateBytes(encoded, MAX_BASE_BYTES - 20)}~${hashOf(name).slice(0, 8)}`;
}

/** True for a name this module could have produced: used to distrust a hand-edited index. */
export function isSafeSnapshotFileName(file: string): boolean {
  if (!file.endsWith('.yaml') || file === INDEX_FILE_NAME) return false;
  const base = file.slice(0, -'.yaml'.length);
  if (base === '' || /^[. ]|[. ]$/.test(base) || Buffer.byteLength(base) > MAX_BASE_BYTES + 64) return false;
  for (const ch of base) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f || (UNSAFE_CHARACTERS.has(ch) && ch !== '%')) return false;
  }
  return !WINDOWS_RESERVED.test(base.split('.')[0]!) && !RESERVED_BASES.has(base.toLowerCase());
}

const UNSAFE_CHARACTERS = new Set(['/', '\\', ':', '*', '?', '"', '<', '>', '|', '%']);

function percentEncode(ch: string): string {
  return [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

function hashOf(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest('hex');
}

function withoutHashSuffix(base: string): string {
  return base.replace(/~[0-9a-f]{8,64}$/, '');
}

function truncateBytes(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  // Never end on a half percent-escape or a dot/space.
  return out.replace(/%[0-9A-F]?$/, '').replace(/[. ]+$/, '');
}
