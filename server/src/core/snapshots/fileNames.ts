import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isTempFileName } from '../fs/atomicFiles';

/**
 * Maps container names to snapshot files that are safe on every OS: no reserved characters, no
 * leading dots, no reserved device names, bounded length, and no two paths that differ only by
 * case. The original name is stored inside the file, so the mapping only has to be injective, not
 * reversible.
 *
 * Containers for which `nested` holds (a file store's, named by their folder) get a path that
 * mirrors their folders, and a wildcard reads as `(any)`: `orders/orders_*.csv` is
 * `orders/orders_(any).csv.yaml`, what a reviewer should see in a pull request. Other names are
 * one file each, any `/` in them encoded. A container keeps the file it has while that file is
 * still what this scheme would name it (a collision suffix aside); one named by an older scheme
 * moves, once, to its new file (the sync writes it there and deletes the old one, so git sees a
 * rename).
 */
export function assignSnapshotFiles(names: readonly string[], existing: ReadonlyMap<string, string>, nested: (name: string) => boolean = () => false): Map<string, string> {
  const assigned = new Map<string, string>();
  const used = new Set<string>();
  const wanted = new Set(names);
  for (const [name, file] of existing) {
    if (!wanted.has(name) || !isSafeSnapshotFileName(file) || used.has(file.toLowerCase())) continue;
    if (withoutHashSuffix(file.slice(0, -'.yaml'.length)) !== preferredBase(name, nested(name))) continue;
    assigned.set(name, file);
    used.add(file.toLowerCase());
  }
  // New names in code-unit order, so a fresh sync of the same source always assigns the same files.
  const fresh = names.filter((n) => !assigned.has(n)).sort();
  for (const name of fresh) {
    const base = preferredBase(name, nested(name));
    let file = `${base}.yaml`;
    for (let length = 8; used.has(file.toLowerCase()) && length <= 64; length += 8) {
      file = `${withoutHashSuffix(base)}~${hashOf(name).slice(0, length)}.yaml`;
    }
    assigned.set(name, file);
    used.add(file.toLowerCase());
  }
  return assigned;
}

/**
 * The file this scheme gives a container with no other name contending for its file: where the
 * snapshot of a container no longer listed (removed, pruned) was, short of a collision suffix.
 */
export function snapshotFileOf(name: string, nested: boolean): string {
  return assignSnapshotFiles([name], new Map(), () => nested).get(name)!;
}

/** The file (without `.yaml`) this scheme gives a name, before collision handling. */
function preferredBase(name: string, nested: boolean): string {
  if (!nested) return encodeSnapshotBase(name);
  const segments = name.split('/');
  const folders = segments.slice(0, -1).map((segment) => encodeSegment(segment, true));
  const base = [...folders, encodeSegment(segments[segments.length - 1]!, false)].join('/');
  // Deep trees of long names: past what every OS takes in a path, one flat file of the whole name.
  return Buffer.byteLength(base) > MAX_PATH_BYTES ? encodeSnapshotBase(name) : base;
}

/** One folder or file name of a nested path: wildcards as `(any)`, then as `encodeSnapshotBase`. */
function encodeSegment(segment: string, folder: boolean): string {
  const worded = segment.replaceAll('*', WILDCARD_WORD);
  let encoded = segment === '' || segment === '.' || segment === '..' ? percentEncodeAll(segment) : encodeSnapshotBase(worded);
  // A folder named like a snapshot file would clash with one; the index name is only reserved at the top.
  if (folder && /\.yaml$/i.test(encoded)) encoded = `${encoded.slice(0, -'.yaml'.length)}%2Eyaml`;
  return encoded;
}

/** How a `*` of a file container's pattern reads in its snapshot's path. */
const WILDCARD_WORD = '(any)';
const MAX_PATH_BYTES = 200;

function percentEncodeAll(segment: string): string {
  return segment === '' ? '%00' : [...segment].map(percentEncode).join('');
}

/** The index of a datastore's snapshot folder; no container file can ever have this name. */
export const INDEX_FILE_NAME = '_index.yaml';

/** The snapshot folder of a datastore; datastore names are schema-checked, and encoded anyway. */
export function datastoreSnapshotDir(snapshotsDir: string, datastore: string): string {
  return path.join(snapshotsDir, encodeSnapshotBase(datastore));
}

/**
 * `path.join(dir, file)` for a snapshot file of a datastore folder: on POSIX, for a plain relative
 * name (no `.` segment, no doubled slash: what this scheme writes) and a normalised folder, the
 * same string without path.join's normalising pass, which an 11,000-file sync pays several times.
 */
export function snapshotPath(dir: string, file: string): string {
  if (path.sep === '/' && !dir.endsWith('/') && !file.startsWith('.') && !file.startsWith('/') && !file.includes('/.') && !file.includes('//') && file !== '') return `${dir}/${file}`;
  return path.join(dir, file);
}

/** Where a sync of the datastore stages its temp files: local state, out of git's sight. */
export function stagingFolder(stateDir: string, datastore: string): string {
  return path.join(stateDir, 'staging', encodeSnapshotBase(datastore));
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
  // Printable ASCII without an unsafe character (most names) is its own NFC form and encoding.
  let encoded = SAFE_ASCII.test(name) ? name : '';
  if (encoded === '') {
    for (const ch of name.normalize('NFC')) {
      const code = ch.codePointAt(0)!;
      encoded += code < 0x20 || code === 0x7f || UNSAFE_CHARACTERS.has(ch) ? percentEncode(ch) : ch;
    }
  }
  if (encoded === '') encoded = '%00';
  // Leading dots hide files (and `..` walks up); trailing dots and spaces vanish on Windows.
  encoded = encoded.replace(/^[. ]/, (ch) => percentEncode(ch)).replace(/[. ]$/, (ch) => percentEncode(ch));
  const stem = encoded.split('.')[0]!;
  // Windows reserves a device name whatever follows its first dot (`aux.csv`): the hash goes into the stem.
  if (WINDOWS_RESERVED.test(stem) && Buffer.byteLength(encoded) <= MAX_BASE_BYTES) return `${stem}~${hashOf(name).slice(0, 8)}${encoded.slice(stem.length)}`;
  const needsHash = WINDOWS_RESERVED.test(stem) || RESERVED_BASES.has(encoded.toLowerCase()) || Buffer.byteLength(encoded) > MAX_BASE_BYTES;
  if (!needsHash) return encoded;
  return `${truncateBytes(encoded, MAX_BASE_BYTES - 20)}~${hashOf(name).slice(0, 8)}`;
}

/** True for a path this module could have produced: used to distrust a hand-edited index. */
export function isSafeSnapshotFileName(file: string): boolean {
  if (!file.endsWith('.yaml') || file === INDEX_FILE_NAME) return false;
  const segments = file.slice(0, -'.yaml'.length).split('/');
  return segments.every((segment, i) => isSafeSegment(segment, i < segments.length - 1));
}

function isSafeSegment(base: string, folder: boolean): boolean {
  // Printable ASCII without an unsafe character but `%` (most names): no per-character check needed.
  const plain = PLAIN_SEGMENT.test(base);
  if (base === '' || /^[. ]|[. ]$/.test(base) || (plain ? base.length : Buffer.byteLength(base)) > MAX_BASE_BYTES + 64) return false;
  if (folder && /\.yaml$/i.test(base)) return false;
  if (!plain) {
    for (const ch of base) {
      const code = ch.codePointAt(0)!;
      if (code < 0x20 || code === 0x7f || (UNSAFE_CHARACTERS.has(ch) && ch !== '%')) return false;
    }
  }
  return !WINDOWS_RESERVED.test(base.split('.')[0]!) && !RESERVED_BASES.has(base.toLowerCase());
}

/** SAFE_ASCII and `%`. */
const PLAIN_SEGMENT = /^[\x20\x21\x23-\x29\x2b-\x2e\x30-\x39\x3b\x3d\x40-\x5b\x5d-\x7b\x7d\x7e]+$/;

const UNSAFE_CHARACTERS = new Set(['/', '\\', ':', '*', '?', '"', '<', '>', '|', '%']);
/** Printable ASCII with none of UNSAFE_CHARACTERS: `encodeSnapshotBase` keeps such a name as it is. */
const SAFE_ASCII = /^[\x20\x21\x23\x24\x26-\x29\x2b-\x2e\x30-\x39\x3b\x3d\x40-\x5b\x5d-\x7b\x7d\x7e]+$/;

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

/**
 * Every file of a datastore's snapshot folder and its subfolders (a file store's containers
 * mirror their folders): snapshot and index files as `/`-joined paths relative to `dir`, sorted,
 * and temp files a killed sync left, as full paths. Symbolic links are neither followed nor
 * listed: snapshots are only read from real files inside the folder.
 */
export function listSnapshotFolder(dir: string): { files: string[]; temps: string[] } {
  const files: string[] = [];
  const temps: string[] = [];
  const walk = (folder: string, prefix: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (depth < MAX_FOLDER_DEPTH) walk(path.join(folder, entry.name), `${prefix}${entry.name}/`, depth + 1);
      } else if (entry.isFile()) {
        if (isTempFileName(entry.name)) temps.push(path.join(folder, entry.name));
        else if (entry.name.endsWith('.yaml')) files.push(prefix + entry.name);
      }
    }
  };
  walk(dir, '', 0);
  // The default order of strings is compareText's (UTF-16 code units), without a call per comparison.
  files.sort();
  return { files, temps };
}

/** Deeper than any file store's folders we would write; a loop of hard-linked folders cannot occur, but a bound costs nothing. */
const MAX_FOLDER_DEPTH = 64;

/** Removes the now empty folders that held `files` (deleted snapshots), up to but not including `dir`. */
export function removeEmptyFolders(dir: string, files: readonly string[]): void {
  const folders = new Set<string>();
  for (const file of files) {
    for (let folder = path.dirname(file); folder.startsWith(dir + path.sep); folder = path.dirname(folder)) folders.add(folder);
  }
  // Deepest first, so a parent is tried after its children.
  for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
    try {
      fs.rmdirSync(folder);
    } catch {
      // Not empty (other snapshots, or someone's file): it stays.
    }
  }
}
