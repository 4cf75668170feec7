/**
 * Filename globbing for file stores: files of one folder with the same extension and the same
 * family of names (`orders_2024-01-01.csv`, `orders-2024-01-02.csv`) become one container whose
 * partitions are the files. Pure and synchronous: the caller lists folders, this only decides the
 * grouping.
 *
 * The rules (README "File stores"), after the source product's guide:
 * 1. A name's stem is split into tokens on `_` and `-`.
 * 2. Tokens are classed: *variable* (digits only, a hex hash, a UUID: dates, ids, versions
 *    numbers), *mixed* (letters and digits: `v2`, `q1`, `sales2023`), *literal* (no digit).
 *    A run of variable tokens is one part of the name, so `2024-01-01`, `20240101` and
 *    `2024_01_01_2` all take the place of one `*`: names of different lengths align on their
 *    literal tokens, from the left or from the right.
 * 3. Names with the same extension and the same parts (literal tokens equal, mixed tokens of the
 *    same letters) are one family. A variable part is always `*`, also when only one file has
 *    it yet, so a daily family keeps its container's name when its second file arrives; a mixed
 *    token that varies keeps its letters (`v*`).
 * 4. A pattern keeps a literal stem: a name of one token, or a family with no literal or mixed
 *    token left, is not globbed. So names that share no literal token are never one container.
 * 5. Pinned patterns (`patterns:` of the datastore) take their files first; the rest is inferred.
 */
import { compareText } from '../../text/order';
import { extensionDot, extensionOf } from './fileFormats';

/** One container of a folder: a globbed family of files, or a single file. */
export interface FileGroup {
  /** Container file name: the pattern for a globbed family, the file name for a single file. */
  pattern: string;
  /** True when the pattern holds a wildcard (also for a family of one file so far). */
  globbed: boolean;
  /** Lower-case, no dot; '' for a name without a dot. */
  extension: string;
  /** Sorted in code-unit order. */
  files: string[];
  /** 0-based parts of the pattern (between separators) that hold a `*`; [] when not globbed; [0] for folder-level grouping. */
  varyingTokens: number[];
  /** Set when the pattern is one of the datastore's pinned `patterns:`. */
  pinned?: true;
}

/** A file that also matches another container's pattern of the same folder. */
export interface GlobOverlap {
  pattern: string;
  file: string;
  ownContainer: string;
}

export interface GroupingOptions {
  /** false: every file is its own container (wins over `mode`). */
  globbing: boolean;
  /** 'names' (default): group by name families; 'folder': one container per extension. */
  mode?: 'names' | 'folder';
  /** Name patterns pinned for this folder, in the order they were written: a file goes to the first that matches. */
  pinned?: readonly string[];
}

/**
 * Groups the basenames of ONE folder into containers. Deterministic: the output does not depend
 * on the input order (groups sorted by pattern, files by name, both in code-unit order). Never throws.
 */
export function groupFolderFiles(
  fileNames: readonly string[],
  options: GroupingOptions,
): { groups: FileGroup[]; overlaps: GlobOverlap[] } {
  // Sorting once up front makes every later bucket come out sorted and the result order-free;
  // duplicates are dropped: a real folder cannot have them, and they would form a bogus group.
  let names = uniqueSortedNames(fileNames);
  const groups: FileGroup[] = [];
  const overlaps: GlobOverlap[] = [];
  if (options?.pinned && options.pinned.length > 0) names = takePinned(names, options.pinned, groups);

  if (options?.globbing === false) {
    for (const name of names) groups.push(singleFile(name, extensionOf(name)));
  } else if (options?.mode === 'folder') {
    groupByFolder(names, groups);
  } else {
    const parsed = names.map(parseName);
    const built = groupByFamily(parsed, groups);
    findOverlaps(parsed, built, overlaps);
  }

  groups.sort(compareGroups);
  overlaps.sort(compareOverlaps);
  return { groups, overlaps };
}

/**
 * True when `fileName` matches `pattern`: `*` matches any run of characters (also an empty one),
 * `_` and `-` are interchangeable, and a literal extension at the end of the pattern is compared
 * case-insensitively (a group's extension is the lower-cased one, so `x_*.csv` matches `x_1.CSV`).
 */
export function matchesPattern(pattern: string, fileName: string): boolean {
  if (typeof pattern !== 'string' || typeof fileName !== 'string') return false;
  const normPattern = normalizeSeparators(pattern);
  const name = normalizeSeparators(fileName);
  const dot = extensionDot(normPattern);
  if (dot < 0 || normPattern.indexOf('*', dot) >= 0) {
    // No literal extension to treat specially: a plain glob over the whole name.
    return matchGlob(compileGlob(normPattern), name, 0, name.length);
  }
  const ext = extensionOf(normPattern, dot);
  const stemEnd = name.length - ext.length - 1;
  if (stemEnd < 0 || name.charCodeAt(stemEnd) !== DOT) return false;
  if (name.slice(stemEnd + 1).toLowerCase() !== ext) return false;
  return matchGlob(compileGlob(normPattern.slice(0, dot)), name, 0, stemEnd);
}

/**
 * Whether a file container named `after` is what `before` became when its family grew: same
 * folder, and the new name's pattern takes the old name (`sales/report_v1.csv` →
 * `sales/report_v*.csv`). The sync and the review both show such a pair as one rename.
 */
export function isFamilyRename(before: string, after: string): boolean {
  const slash = Math.max(before.lastIndexOf('/'), -1);
  if (after.lastIndexOf('/') !== slash || before.slice(0, slash + 1) !== after.slice(0, slash + 1)) return false;
  const newName = after.slice(slash + 1);
  return newName.includes('*') && newName !== before.slice(slash + 1) && matchesPattern(newName, before.slice(slash + 1));
}

/**
 * The unambiguous renames among file containers that went away (`gone`) and ones that appeared
 * (`arrived`): each new name whose pattern takes exactly one old name that no other new name
 * takes. New name → old name. The sync and the review pair with this one rule.
 */
export function pairFamilyRenames(gone: readonly string[], arrived: readonly string[]): Map<string, string> {
  const renames = new Map<string, string>();
  if (gone.length === 0 || arrived.length === 0) return renames;
  const claims = new Map<string, number>();
  const candidates = new Map<string, string[]>();
  for (const name of arrived) {
    const matching = gone.filter((old) => isFamilyRename(old, name));
    candidates.set(name, matching);
    for (const old of matching) claims.set(old, (claims.get(old) ?? 0) + 1);
  }
  for (const [name, matching] of candidates) if (matching.length === 1 && claims.get(matching[0]!) === 1) renames.set(name, matching[0]!);
  return renames;
}

/**
 * Why a family is one container, per wildcard part: its place, its shape and the text it stands
 * for in the first and the last file (`part 2 (*): 2024-01-01 … 2024-01-31`).
 */
export function describeVaryingParts(group: FileGroup): string[] {
  const patternParts = group.pattern.slice(0, group.extension === '' ? undefined : -(group.extension.length + 1)).split(/[_-]/);
  const first = parseName(group.files[0]!);
  const last = parseName(group.files[group.files.length - 1]!);
  // Pinned patterns may span several parts of a name: then only the part's place and shape are told.
  const aligned = !group.pinned && first.parts.length === last.parts.length;
  const textOf = (file: ParsedName, t: number): string => file.name.slice(file.parts[t * PART_STRIDE], file.parts[t * PART_STRIDE + 1]);
  return group.varyingTokens.map((t) => {
    const place = `part ${t + 1} (${patternParts[t] ?? '*'})`;
    if (!aligned || (t + 1) * PART_STRIDE > first.parts.length) return place;
    const [a, b] = [textOf(first, t), textOf(last, t)];
    return a === b ? `${place}: ${a}` : `${place}: ${a} … ${b}`;
  });
}

// ---------------------------------------------------------------------------------------------

const [UNDERSCORE, HYPHEN, DOT, DIGIT_0, DIGIT_9, LOWER_A, LOWER_F] = [95, 45, 46, 48, 57, 97, 102] as const;
// Family keys are hashed (FNV-1a) instead of built as strings: string keys cost an allocation and
// a rehash per name, which dominated the 100k-name benchmark. Equal hashes are confirmed by `sameFamily`.
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const VARIABLE_MARK = 0x9e3779b9 | 0;
const MIXED_MARK = 0x27d4eb2f | 0;
const EXTENSION_MARK = 0xc2b2ae35 | 0;
/** Keeps Map keys small integers (Smis), which V8 hashes fastest. */
const HASH_MASK = 0x3fffffff;
/** Entries per part in `ParsedName.parts`: start, end (exclusive), class. */
const PART_STRIDE = 3;
const enum PartClass { Literal = 0, Mixed = 1, Variable = 2 }
/** A lower-case hex token this long with a digit in it is a hash or id, not a word. */
const HEX_ID_MIN_LENGTH = 6;
/** The token lengths of a UUID written with hyphens. */
const UUID_LENGTHS = [8, 4, 4, 4, 12] as const;

/** A file name split the way rules 1–2 describe, computed once per name. */
interface ParsedName {
  name: string;
  extension: string;
  /** Where the stem ends: the last dot, or the name's length. */
  stemEnd: number;
  /** PART_STRIDE numbers per part; a run of variable tokens is one part. */
  parts: number[];
  /** Hash of the family key; only meaningful when `groupable`. */
  hash: number;
  /** False when the name is never globbed: one token, or no variable or mixed token. */
  groupable: boolean;
  hasVariable: boolean;
  /** Set while grouping: the container this file ended up in. */
  container: string;
  /** Set while grouping: the globbed group this file belongs to, if any. */
  ownGlob: BuiltGlob | null;
}

/** A globbed group plus the compiled matcher of its pattern, for the overlap check. */
interface BuiltGlob {
  group: FileGroup;
  glob: CompiledGlob;
}

function uniqueSortedNames(fileNames: readonly string[]): string[] {
  if (!Array.isArray(fileNames)) return [];
  const sorted = fileNames.filter((name) => typeof name === 'string');
  // The default sort compares UTF-16 code units, which is the order the output promises.
  sorted.sort();
  let kept = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[kept - 1]) sorted[kept++] = sorted[i]!;
  }
  sorted.length = kept;
  return sorted;
}

function singleFile(name: string, extension: string): FileGroup {
  return { pattern: name, globbed: false, extension, files: [name], varyingTokens: [] };
}

function withExtension(stem: string, ext: string): string {
  // A name without a dot has extension ''; its pattern gets no trailing dot either.
  return ext === '' ? stem : `${stem}.${ext}`;
}

/** Rule 5: each file goes to the first pinned pattern it matches; returns the files left. */
function takePinned(names: string[], pinned: readonly string[], groups: FileGroup[]): string[] {
  const taken = new Map<string, string[]>();
  const rest: string[] = [];
  for (const name of names) {
    const pattern = pinned.find((p) => matchesPattern(p, name));
    if (pattern === undefined) rest.push(name);
    else taken.set(pattern, [...(taken.get(pattern) ?? []), name]);
  }
  for (const [pattern, files] of taken) {
    const varying: number[] = [];
    pattern.split(/[_-]/).forEach((part, i) => {
      if (part.includes('*')) varying.push(i);
    });
    groups.push({ pattern, globbed: pattern.includes('*'), extension: extensionOf(files[0]!), files, varyingTokens: varying, pinned: true });
  }
  return rest;
}

/** Folder-level grouping: one container per extension, the remedy for names that overlap. */
function groupByFolder(names: readonly string[], groups: FileGroup[]): void {
  const byExtension = new Map<string, string[]>();
  for (const name of names) {
    const ext = extensionOf(name);
    const bucket = byExtension.get(ext);
    if (bucket) bucket.push(name);
    else byExtension.set(ext, [name]);
  }
  for (const [ext, files] of byExtension) {
    if (files.length === 1) groups.push(singleFile(files[0]!, ext));
    else groups.push({ pattern: withExtension('*', ext), globbed: true, extension: ext, files, varyingTokens: [0] });
  }
}

/** Rules 1–2: extension, tokens, their classes, the parts and the family hash. */
function parseName(name: string): ParsedName {
  const dot = extensionDot(name);
  const stemEnd = dot < 0 ? name.length : dot;
  const extension = extensionOf(name, dot);
  const count = tokenize(name, stemEnd);
  const tokens = scratchTokens;
  const parts: number[] = [];
  let hash = FNV_OFFSET;
  for (let i = 0; i < extension.length; i++) hash = Math.imul(hash ^ extension.charCodeAt(i), FNV_PRIME);
  hash = Math.imul(hash ^ EXTENSION_MARK, FNV_PRIME);
  let hasVariable = false;
  let hasStem = false;
  let hasMixed = false;
  for (let t = 0; t < count * PART_STRIDE; t += PART_STRIDE) {
    const start = tokens[t]!;
    const end = tokens[t + 1]!;
    const kind = tokens[t + 2]!;
    const last = parts.length - PART_STRIDE;
    if (kind === PartClass.Variable && last >= 0 && parts[last + 2] === PartClass.Variable) {
      // A run of variable tokens (`2024-01-01`, a UUID, `2024_01_01_2`) is one part.
      parts[last + 1] = end;
      continue;
    }
    parts.push(start, end, kind);
    if (kind === PartClass.Variable) {
      hasVariable = true;
      hash = Math.imul(hash ^ VARIABLE_MARK, FNV_PRIME);
      continue;
    }
    if (kind === PartClass.Mixed) hasMixed = true;
    if (kind === PartClass.Mixed || end > start) hasStem = true;
    hash = Math.imul(hash ^ (kind === PartClass.Mixed ? MIXED_MARK : 0), FNV_PRIME);
    hash = Math.imul(hash ^ scratchHashes[t / PART_STRIDE]!, FNV_PRIME);
  }
  // An extension holding a `*` (no real one does) would make the pattern's extension a wildcard.
  const groupable = count > 1 && hasStem && (hasVariable || hasMixed) && !extension.includes('*');
  return { name, extension, stemEnd, parts, hash: hash & HASH_MASK, groupable, hasVariable, container: name, ownGlob: null };
}

/** Reused by every `tokenize` (one name at a time): an array per name cost a tenth of the grouping. */
let scratchTokens = new Int32Array(64 * PART_STRIDE);
/** Per token, the hash of its text; for a mixed token, with each digit run hashed as one mark (`v1` and `v12` are one family). */
let scratchHashes = new Int32Array(64);

/**
 * Splits the stem into `scratchTokens` (start, end, class per token) and `scratchHashes`, in one
 * pass over the characters; UUIDs are marked variable as a whole. Returns the number of tokens.
 */
function tokenize(name: string, stemEnd: number): number {
  let count = 0;
  let start = 0;
  let hyphens = 0;
  let digits = 0;
  let hex = true;
  let literalHash = FNV_OFFSET;
  let mixedHash = FNV_OFFSET;
  let previousDigit = false;
  for (let i = 0; i <= stemEnd; i++) {
    const code = i < stemEnd ? name.charCodeAt(i) : -1;
    if (code !== UNDERSCORE && code !== HYPHEN && code !== -1) {
      const isDigit = code >= DIGIT_0 && code <= DIGIT_9;
      if (isDigit) digits++;
      else if (code < LOWER_A || code > LOWER_F) hex = false;
      literalHash = Math.imul(literalHash ^ code, FNV_PRIME);
      if (!isDigit) mixedHash = Math.imul(mixedHash ^ code, FNV_PRIME);
      else if (!previousDigit) mixedHash = Math.imul(mixedHash ^ VARIABLE_MARK, FNV_PRIME);
      previousDigit = isDigit;
      continue;
    }
    if ((count + 1) * PART_STRIDE > scratchTokens.length) {
      const grown = new Int32Array(scratchTokens.length * 2);
      grown.set(scratchTokens);
      scratchTokens = grown;
      const hashes = new Int32Array(scratchHashes.length * 2);
      hashes.set(scratchHashes);
      scratchHashes = hashes;
    }
    const length = i - start;
    const kind = digits === 0 ? PartClass.Literal
      : digits === length || (hex && length >= HEX_ID_MIN_LENGTH) ? PartClass.Variable : PartClass.Mixed;
    const t = count * PART_STRIDE;
    scratchTokens[t] = start;
    scratchTokens[t + 1] = i;
    scratchTokens[t + 2] = kind;
    scratchHashes[count] = kind === PartClass.Mixed ? mixedHash : literalHash;
    count++;
    if (code === HYPHEN) hyphens++;
    start = i + 1;
    digits = 0;
    hex = true;
    literalHash = FNV_OFFSET;
    mixedHash = FNV_OFFSET;
    previousDigit = false;
  }
  if (hyphens >= UUID_LENGTHS.length - 1) markUuids(name, scratchTokens, count);
  return count;
}

/** Five hyphen-joined hex tokens of a UUID's lengths are one id, even where a segment has no digit. */
function markUuids(name: string, tokens: Int32Array, count: number): void {
  for (let first = 0; first + UUID_LENGTHS.length <= count; first++) {
    let uuid = true;
    for (let k = 0; k < UUID_LENGTHS.length && uuid; k++) {
      const t = (first + k) * PART_STRIDE;
      const start = tokens[t]!;
      const end = tokens[t + 1]!;
      uuid = end - start === UUID_LENGTHS[k] && isHex(name, start, end) && (k === 0 || name.charCodeAt(start - 1) === HYPHEN);
    }
    if (!uuid) continue;
    for (let k = 0; k < UUID_LENGTHS.length; k++) tokens[(first + k) * PART_STRIDE + 2] = PartClass.Variable;
    first += UUID_LENGTHS.length - 1;
  }
}

function isHex(name: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = name.charCodeAt(i);
    if (!((code >= DIGIT_0 && code <= DIGIT_9) || (code >= LOWER_A && code <= LOWER_F))) return false;
  }
  return true;
}

/** Same family: same extension, the same parts in the same classes, literal parts equal, mixed ones of the same letters. */
function sameFamily(a: ParsedName, b: ParsedName): boolean {
  if (a.extension !== b.extension || a.parts.length !== b.parts.length) return false;
  for (let p = 0; p < a.parts.length; p += PART_STRIDE) {
    const kind = a.parts[p + 2];
    if (kind !== b.parts[p + 2]) return false;
    if (kind === PartClass.Literal && !samePart(a, b, p)) return false;
    if (kind === PartClass.Mixed && skeletonOf(a, p) !== skeletonOf(b, p)) return false;
  }
  return true;
}

/** Whether part `p` (an offset into `parts`) is the same text in both names. */
function samePart(a: ParsedName, b: ParsedName, p: number): boolean {
  const aStart = a.parts[p]!;
  const bStart = b.parts[p]!;
  const length = a.parts[p + 1]! - aStart;
  if (b.parts[p + 1]! - bStart !== length) return false;
  for (let i = 0; i < length; i++) {
    if (a.name.charCodeAt(aStart + i) !== b.name.charCodeAt(bStart + i)) return false;
  }
  return true;
}

/** A mixed part with each digit run written as `*`: `v12` → `v*`. */
function skeletonOf(file: ParsedName, p: number): string {
  return file.name.slice(file.parts[p], file.parts[p + 1]).replace(/[0-9]+/g, '*');
}

/** Rules 3–4: bucket by family, turn families into globbed containers where a pattern says more than a name. */
function groupByFamily(parsed: ParsedName[], groups: FileGroup[]): BuiltGlob[] {
  const buckets = new Map<number, ParsedName[][]>();
  for (const file of parsed) {
    if (!file.groupable) {
      groups.push(singleFile(file.name, file.extension));
      continue;
    }
    const sameHash = buckets.get(file.hash);
    if (sameHash === undefined) {
      buckets.set(file.hash, [[file]]);
      continue;
    }
    // There is almost always one bucket per hash; more only after a hash collision.
    let bucket: ParsedName[] | undefined;
    for (const candidate of sameHash) {
      if (sameFamily(candidate[0]!, file)) {
        bucket = candidate;
        break;
      }
    }
    if (bucket) bucket.push(file);
    else sameHash.push([file]);
  }

  const built: BuiltGlob[] = [];
  for (const sameHash of buckets.values()) {
    for (const bucket of sameHash) {
      const glob = globBucket(bucket);
      if (glob === null) {
        // Only mixed tokens, and none differs (names that differ in separators or extension
        // case): a pattern would just be a file name, so each stays a single-file container.
        for (const file of bucket) groups.push(singleFile(file.name, file.extension));
        continue;
      }
      groups.push(glob.group);
      built.push(glob);
      for (const file of bucket) {
        file.container = glob.group.pattern;
        file.ownGlob = glob;
      }
    }
  }
  return built;
}

/** Builds the pattern of a family; null when it would hold no wildcard. */
function globBucket(bucket: ParsedName[]): BuiltGlob | null {
  const first = bucket[0]!;
  const { name, parts } = first;
  const varyingTokens: number[] = [];
  let stem = '';
  for (let p = 0; p < parts.length; p += PART_STRIDE) {
    if (p > 0) stem += separatorBefore(bucket, p);
    const kind = parts[p + 2];
    let text = name.slice(parts[p], parts[p + 1]);
    if (kind === PartClass.Variable) {
      text = '*';
    } else if (kind === PartClass.Mixed) {
      let varies = false;
      for (let f = 1; f < bucket.length && !varies; f++) varies = !samePart(first, bucket[f]!, p);
      if (varies) text = skeletonOf(first, p);
    }
    if (text.includes('*')) varyingTokens.push(p / PART_STRIDE);
    stem += text;
  }
  if (varyingTokens.length === 0) return null;
  return {
    group: { pattern: withExtension(stem, first.extension), globbed: true, extension: first.extension, files: bucket.map((file) => file.name), varyingTokens },
    glob: compileGlob(normalizeSeparators(stem)),
  };
}

/** The separator before part offset `p`; files that disagree (`orders_1`, `orders-2`) get `_`. */
function separatorBefore(bucket: ParsedName[], p: number): string {
  const code = bucket[0]!.name.charCodeAt(bucket[0]!.parts[p]! - 1);
  for (const file of bucket) {
    if (file.name.charCodeAt(file.parts[p]! - 1) !== code) return '_';
  }
  return code === HYPHEN ? '-' : '_';
}

/**
 * Rule 5: every file against every globbed pattern of its extension, other than its own.
 * Cost is files × patterns of that extension; the common case (one pattern) is linear.
 */
function findOverlaps(parsed: ParsedName[], built: BuiltGlob[], overlaps: GlobOverlap[]): void {
  if (built.length === 0) return;
  const byExtension = new Map<string, BuiltGlob[]>();
  for (const entry of built) {
    const list = byExtension.get(entry.group.extension);
    if (list) list.push(entry);
    else byExtension.set(entry.group.extension, [entry]);
  }
  for (const file of parsed) {
    const candidates = byExtension.get(file.extension);
    if (candidates === undefined) continue;
    for (const candidate of candidates) {
      if (candidate !== file.ownGlob && matchGlob(candidate.glob, file.name, 0, file.stemEnd)) {
        overlaps.push({ pattern: candidate.group.pattern, file: file.name, ownContainer: file.container });
      }
    }
  }
}

/** `_` and `-` match each other; patterns are stored with `-` folded into `_`. */
function normalizeSeparators(text: string): string {
  return text.includes('-') ? text.replaceAll('-', '_') : text;
}

/** A `*`-only glob split once into its literal parts (separators folded), so matching needs no regex. */
interface CompiledGlob { parts: string[]; minLength: number }

function compileGlob(normalizedPattern: string): CompiledGlob {
  const parts = normalizedPattern.split('*');
  let minLength = 0;
  for (const part of parts) minLength += part.length;
  return { parts, minLength };
}

/**
 * Matches text[start, end) against the glob, folding `-` into `_` on the fly (no copy per name).
 * Placing each middle part at its leftmost fit is exact for globs whose only wildcard is `*`.
 */
function matchGlob(glob: CompiledGlob, text: string, start: number, end: number): boolean {
  const { parts } = glob;
  if (end - start < glob.minLength) return false;
  const head = parts[0]!;
  if (parts.length === 1) return end - start === head.length && partAt(text, start, head);
  const tail = parts[parts.length - 1]!;
  const limit = end - tail.length;
  if (!partAt(text, start, head) || !partAt(text, limit, tail)) return false;
  let position = start + head.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    let found = -1;
    for (let at = position; at + part.length <= limit; at++) {
      if (partAt(text, at, part)) {
        found = at;
        break;
      }
    }
    if (found < 0) return false;
    position = found + part.length;
  }
  return true;
}

/** Whether `part` (already folded) occurs in `text` at `at`, with `-` in text read as `_`. */
function partAt(text: string, at: number, part: string): boolean {
  for (let i = 0; i < part.length; i++) {
    const code = text.charCodeAt(at + i);
    if ((code === HYPHEN ? UNDERSCORE : code) !== part.charCodeAt(i)) return false;
  }
  return true;
}

function compareGroups(a: FileGroup, b: FileGroup): number {
  // Patterns can only collide when file names contain a literal `*`; the first file breaks the tie.
  return compareText(a.pattern, b.pattern) || compareText(a.files[0] ?? '', b.files[0] ?? '');
}

function compareOverlaps(a: GlobOverlap, b: GlobOverlap): number {
  return compareText(a.pattern, b.pattern) || compareText(a.file, b.file)
    || compareText(a.ownContainer, b.ownContainer);
}
