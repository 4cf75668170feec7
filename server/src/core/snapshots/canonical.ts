import type { SnapshotIndex } from './snapshotIndex';

/**
 * Readers for the exact text the renderer (render.ts) writes, ~20× faster than the YAML parser.
 * Each accepts only the renderer's fixed block shape and returns undefined for anything else
 * (a hand-edited file, CRLF, comments, other scalar styles); read.ts then re-renders what was
 * read and keeps it only when that gives back the text, so whatever survives is a text the
 * renderer wrote, whose YAML meaning is the value read. Everything else goes through the parser.
 */

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/**
 * The block-style subset `renderSnapshot` emits: `key: scalar`, `key: []`, `key:` followed by
 * a mapping or a `- ` list two spaces deeper, list items that are scalars or mappings. Scalars
 * are plain (typed as YAML's core schema types them; the renderer quotes every string that
 * could read as anything else) or double-quoted (JSON escapes). Undefined for anything else.
 */
export function parseCanonicalBlock(text: string): Record<string, Value> | undefined {
  if (!text.endsWith('\n') || text.includes('\r')) return undefined;
  const lines = text.slice(0, -1).split('\n').filter((line) => !line.startsWith('#'));
  const state = { at: 0 };
  const value = readMapping(lines, state, 0);
  return value !== undefined && state.at === lines.length ? value : undefined;
}

function readMapping(lines: readonly string[], state: { at: number }, indent: number, first?: string): Record<string, Value> | undefined {
  const map: Record<string, Value> = {};
  let line: string | undefined = first;
  const pad = ' '.repeat(indent);
  while (true) {
    if (line === undefined) {
      const next = lines[state.at];
      if (next === undefined || !next.startsWith(pad) || next[indent] === ' ' || next.startsWith(`${pad}- `)) break;
      line = next.slice(indent);
      state.at++;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const key = line.slice(0, colon);
    if (!/^[a-z_]+$/.test(key) || key in map) return undefined;
    const rest = line.slice(colon + 1);
    line = undefined;
    if (rest === '') {
      const next = lines[state.at] ?? '';
      const child = next.startsWith(`${pad}  - `) ? readSequence(lines, state, indent + 2) : readMapping(lines, state, indent + 2);
      if (child === undefined) return undefined;
      map[key] = child;
    } else if (rest === ' []') {
      map[key] = [];
    } else if (rest.startsWith(' ')) {
      const scalar = readScalar(rest.slice(1));
      if (scalar === undefined) return undefined;
      map[key] = scalar;
    } else {
      return undefined;
    }
  }
  return map;
}

function readSequence(lines: readonly string[], state: { at: number }, indent: number): Value[] | undefined {
  const items: Value[] = [];
  const marker = `${' '.repeat(indent)}- `;
  while (lines[state.at]?.startsWith(marker)) {
    const item = lines[state.at]!.slice(marker.length);
    state.at++;
    if (/^[a-z_]+:( |$)/.test(item)) {
      const map = readMapping(lines, state, indent + 2, item);
      if (map === undefined) return undefined;
      items.push(map);
    } else {
      const scalar = readScalar(item);
      if (scalar === undefined) return undefined;
      items.push(scalar);
    }
  }
  return items;
}

function readScalar(raw: string): Value | undefined {
  if (raw.startsWith('"')) {
    try {
      const value = JSON.parse(raw) as unknown;
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  if (/^(0|[1-9][0-9]*)$/.test(raw)) return Number(raw);
  // Other plain scalars are strings, unless they start like YAML syntax (flow collections,
  // anchors, tags, block scalars); the re-render check rejects any the renderer would have quoted.
  return raw === '' || /^['{[&*!|>%@`#]/.test(raw) ? undefined : raw;
}

/**
 * Reads an index exactly as `renderIndex` writes it, ~20× faster than a YAML parse (1,000
 * containers: ~1 ms instead of ~25 ms, which a no-change resync paid every time). Returns
 * undefined for anything else (a hand-edited index, CRLF, comments, other scalar styles); the
 * caller then parses it as YAML. Each line is matched against the shape the renderer emits, and
 * the caller checks that rendering the result gives back the text, so whatever this accepts is
 * a text the renderer wrote, whose YAML meaning is the value rendered.
 */
export function parseCanonicalIndex(text: string, header: string): SnapshotIndex | undefined {
  const lines = text.split('\n');
  if (lines[0] !== header || lines[lines.length - 1] !== '' || !lines[1]?.startsWith('datastore: ')) return undefined;
  const datastore = canonicalScalar(lines[1].slice('datastore: '.length));
  if (datastore === undefined) return undefined;
  const index: SnapshotIndex = { datastore, containers: [], removed: [] };
  let at = 2;
  // One entry: `  - name: …` then `    key: …` lines; values are scalars except missing_from_source.
  const readEntries = (target: Record<string, unknown>[], keys: ReadonlySet<string>): boolean => {
    while (at < lines.length - 1 && lines[at]!.startsWith('  - name: ')) {
      const name = canonicalScalar(lines[at]!.slice('  - name: '.length));
      if (name === undefined) return false;
      const entry: Record<string, unknown> = { name };
      at++;
      for (; at < lines.length - 1 && lines[at]!.startsWith('    '); at++) {
        const line = lines[at]!;
        const colon = line.indexOf(': ', 4);
        const key = colon < 0 ? '' : line.slice(4, colon);
        if (!keys.has(key) || key in entry) return false;
        const raw = line.slice(colon + 2);
        if (key === 'missing_from_source') {
          if (raw !== 'true') return false;
          entry[key] = true;
        } else {
          const value = canonicalScalar(raw);
          if (value === undefined) return false;
          entry[key] = value;
        }
      }
      target.push(entry);
    }
    return true;
  };
  if (lines[at] === 'containers: []') at++;
  else if (lines[at] === 'containers:') {
    at++;
    if (!readEntries(index.containers as unknown as Record<string, unknown>[], CONTAINER_KEYS)) return undefined;
  } else return undefined;
  if (lines[at] === 'removed: []') at++;
  else if (lines[at] === 'removed:') {
    at++;
    if (!readEntries(index.removed as unknown as Record<string, unknown>[], REMOVED_KEYS)) return undefined;
  } else return undefined;
  return at === lines.length - 1 ? index : undefined;
}

const CONTAINER_KEYS: ReadonlySet<string> = new Set(['file', 'kind', 'schema', 'missing_from_source']);
const REMOVED_KEYS: ReadonlySet<string> = new Set(['kind']);

/** A plain scalar as is, a double-quoted one through JSON (the renderer writes JSON escapes only). */
function canonicalScalar(raw: string): string | undefined {
  if (raw.length === 0) return undefined;
  if (raw.charCodeAt(0) !== 0x22 /* " */) return raw;
  try {
    const value = JSON.parse(raw) as unknown;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
