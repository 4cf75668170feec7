/**
 * Filename globbing for file stores: files of one folder with the same extension and the same
 * "shape" of name (`orders_2024.csv`, `orders-2025.csv`) become one container whose partitions
 * are the files. Pure and synchronous: the caller lists folders, this only decides the grouping.
 */
import { compareText } from '../../text/order';
import { extensionDot, extensionOf } from './fileFormats';

/** One container of a folder: a globbed group of files, or a single file. */
export interface FileGroup {
  /** Container file name: the pattern for a globbed group, the file name for a single file. */
  pattern: string;
  globbed: boolean;
  /** Lower-case, no dot; '' for a name without a dot. */
  extension: string;
  /** Sorted in code-unit order. */
  files: string[];
  /** 0-based token positions that became `*`; [] when not globbed; [0] for folder-level grouping. */
  varyingTokens: number[];
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
  /** 'names' (default): group by name shape; 'folder': one container per extension. */
  mode?: 'names' | 'folder';
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
  const names = uniqueSortedNames(fileNames);
  const groups: FileGroup[] = [];
  const overlaps: GlobOverlap[] = [];

  if (options?.globbing === false) {
    for (const name of names) groups.push(singleFile(name, extensionOf(name)));
  } else if (options?.mode === 'folder') {
    groupByFolder(names, groups);
  } else {
    const parsed = names.map(parseName);
    const built = groupByShape(parsed, groups);
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

// ---------------------------------------------------------------------------------------------

const [UNDERSCORE, HYPHEN, DOT, DIGIT_0, DIGIT_9] = [95, 45, 46, 48, 57] as const;
// Shape keys are hashed (FNV-1a) instead of built as strings: string keys cost an allocation and
// a rehash per name, which dominated the 100k-name benchmark. Equal hashes are confirmed by `sameShape`.
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const VARIABLE_MARK = 0x9e3779b9 | 0;
const SEPARATOR_MARK = 0x85ebca6b | 0;
const EXTENSION_MARK = 0xc2b2ae35 | 0;
/** Keeps Map keys small integers (Smis), which V8 hashes fastest. */
const HASH_MASK = 0x3fffffff;
/** Entries per token in `ParsedName.tokens`: start, end (exclusive), 1 when variable-looking. */
const TOKEN_STRIDE = 3;

/** A file name split the way rules 1–3 describe, computed once per name. */
interface ParsedName {
  name: string;
  extension: string;
  /** Where the stem ends: the last dot, or the name's length. */
  stemEnd: number;
  /** TOKEN_STRIDE numbers per token; the separator after a token is `name[end]`. */
  tokens: number[];
  /** Hash of the shape key; only meaningful when `shapeable`. */
  hash: number;
  /** False when the name is never globbed: a single token, or no variable-looking token. */
  shapeable: boolean;
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

/** Rules 1–3: extension, token offsets (digit runs joined by `-` merged), shape hash. */
function parseName(name: string): ParsedName {
  const dot = extensionDot(name);
  const stemEnd = dot < 0 ? name.length : dot;
  const extension = extensionOf(name, dot);
  let hash = FNV_OFFSET;
  for (let i = 0; i < extension.length; i++) hash = Math.imul(hash ^ extension.charCodeAt(i), FNV_PRIME);
  hash = Math.imul(hash ^ EXTENSION_MARK, FNV_PRIME);

  const tokens: number[] = [];
  let variables = 0;
  let start = 0;
  let tokenHash = FNV_OFFSET;
  let hasDigit = false;
  let allDigits = true;
  let lastIsDigitRun = false;
  for (let i = 0; i <= stemEnd; i++) {
    const code = i < stemEnd ? name.charCodeAt(i) : -1;
    if (code !== UNDERSCORE && code !== HYPHEN && code !== -1) {
      if (code >= DIGIT_0 && code <= DIGIT_9) hasDigit = true;
      else allDigits = false;
      tokenHash = Math.imul(tokenHash ^ code, FNV_PRIME);
      continue;
    }
    const digitRun = allDigits && i > start;
    if (digitRun && lastIsDigitRun && name.charCodeAt(start - 1) === HYPHEN) {
      // `2023-06-01` is one date, not three tokens: extend the previous (variable) token.
      tokens[tokens.length - 2] = i;
    } else {
      if (tokens.length > 0) hash = Math.imul(hash ^ SEPARATOR_MARK, FNV_PRIME);
      hash = Math.imul(hash ^ (hasDigit ? VARIABLE_MARK : tokenHash), FNV_PRIME);
      tokens.push(start, i, hasDigit ? 1 : 0);
      if (hasDigit) variables++;
    }
    lastIsDigitRun = digitRun;
    start = i + 1;
    tokenHash = FNV_OFFSET;
    hasDigit = false;
    allDigits = true;
  }
  const shapeable = tokens.length > TOKEN_STRIDE && variables > 0;
  return { name, extension, stemEnd, tokens, hash: hash & HASH_MASK, shapeable, container: name, ownGlob: null };
}

/** Same shape key: same extension, token count, variable positions and literal tokens. */
function sameShape(a: ParsedName, b: ParsedName): boolean {
  if (a.extension !== b.extension || a.tokens.length !== b.tokens.length) return false;
  for (let t = 0; t < a.tokens.length; t += TOKEN_STRIDE) {
    if (a.tokens[t + 2] !== b.tokens[t + 2]) return false;
    if (a.tokens[t + 2] === 0 && !sameToken(a, b, t)) return false;
  }
  return true;
}

/** Whether token `t` (an offset into `tokens`) is the same text in both names. */
function sameToken(a: ParsedName, b: ParsedName, t: number): boolean {
  const aStart = a.tokens[t]!;
  const bStart = b.tokens[t]!;
  const length = a.tokens[t + 1]! - aStart;
  if (b.tokens[t + 1]! - bStart !== length) return false;
  for (let i = 0; i < length; i++) {
    if (a.name.charCodeAt(aStart + i) !== b.name.charCodeAt(bStart + i)) return false;
  }
  return true;
}

/** Rules 3–4: bucket by shape, turn buckets of 2+ files into globbed containers. */
function groupByShape(parsed: ParsedName[], groups: FileGroup[]): BuiltGlob[] {
  const buckets = new Map<number, ParsedName[][]>();
  for (const file of parsed) {
    if (!file.shapeable) {
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
      if (sameShape(candidate[0]!, file)) {
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
      const glob = bucket.length > 1 ? globBucket(bucket) : null;
      if (glob === null) {
        // With one file, or files differing only in separators or extension case, nothing varies:
        // a pattern would just be a file name, so each stays a single-file container.
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

/** Builds the pattern of a bucket (one shape); null when no token varies. */
function globBucket(bucket: ParsedName[]): BuiltGlob | null {
  const first = bucket[0]!;
  const { name, tokens } = first;
  const varyingTokens: number[] = [];
  let stem = '';
  for (let t = 0; t < tokens.length; t += TOKEN_STRIDE) {
    if (t > 0) stem += separatorBefore(bucket, t);
    // Literal tokens are equal by shape; a variable-looking one stays literal when no file differs.
    let varies = false;
    for (let f = 1; f < bucket.length && tokens[t + 2] === 1 && !varies; f++) varies = !sameToken(first, bucket[f]!, t);
    if (varies) varyingTokens.push(t / TOKEN_STRIDE);
    stem += varies ? '*' : name.slice(tokens[t], tokens[t + 1]);
  }
  if (varyingTokens.length === 0) return null;
  return {
    group: { pattern: withExtension(stem, first.extension), globbed: true, extension: first.extension, files: bucket.map((file) => file.name), varyingTokens },
    glob: compileGlob(normalizeSeparators(stem)),
  };
}

/** The separator before token offset `t`; files that disagree (`orders_1`, `orders-2`) get `_`. */
function separatorBefore(bucket: ParsedName[], t: number): string {
  const first = bucket[0]!;
  const code = first.name.charCodeAt(first.tokens[t - TOKEN_STRIDE + 1]!);
  for (const file of bucket) {
    if (file.name.charCodeAt(file.tokens[t - TOKEN_STRIDE + 1]!) !== code) return '_';
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
