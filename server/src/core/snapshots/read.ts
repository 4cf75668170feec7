import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { ContainerSnapshot } from '../model';
import { validateAgainstSchema, type SchemaName } from '../validation/schemaValidation';
import { parseCanonicalBlock, parseCanonicalIndex } from './canonical';
import { INDEX_HEADER, renderIndex, renderSnapshot } from './render';
import type { SnapshotIndex } from './snapshotIndex';

/**
 * The one reader of snapshot files, used by the sync, the review and the language server. The
 * files `cac sync` writes are read by their fixed shape (canonical.ts), ~20× faster than the
 * YAML parser, and accepted only when rendering the value gives back the text; anything else (a
 * hand-edited snapshot, CRLF, comments) goes through the parser and the snapshot schema. Never
 * throws: an invalid file is a value that says what is wrong and where, and each caller decides
 * what that means (a sync warns and leaves the file alone, a review refuses to go on).
 */
export function readSnapshot(text: string): SnapshotRead<ContainerSnapshot> {
  const canonical = parseCanonicalBlock(text);
  if (canonical !== undefined) {
    try {
      const snapshot = canonical as unknown as ContainerSnapshot;
      if (renderSnapshot(snapshot) === text && validateAgainstSchema('snapshot', canonical).length === 0) return { ok: true, value: snapshot };
    } catch {
      // Not the renderer's shape after all: the YAML parser decides.
    }
  }
  return parseChecked<ContainerSnapshot>(text, 'snapshot');
}

/**
 * The index of a datastore's snapshot folder (`_index.yaml`), read the same way. `rendered`: the
 * caller knows this exact text to be one the renderer produced (by its hash), so its fixed-shape
 * parse is taken without the proof.
 */
export function readSnapshotIndex(text: string, rendered = false): SnapshotRead<SnapshotIndex> {
  const canonical = parseCanonicalIndex(text, INDEX_HEADER);
  if (canonical && (rendered || (renderIndex(canonical) === text && validateAgainstSchema('snapshot-index', canonical).length === 0))) return { ok: true, value: canonical };
  return parseChecked<SnapshotIndex>(text, 'snapshot-index');
}

/** A snapshot file's value, or why it is not one. */
export type SnapshotRead<T> = { ok: true; value: T } | { ok: false; problem: SnapshotFileProblem };

export interface SnapshotFileProblem {
  /** `syntax`: not YAML (or not the YAML we accept: aliases, duplicate keys); `shape`: YAML, but not a snapshot. */
  kind: 'syntax' | 'shape';
  /** What is wrong, without the location (callers lead with it): `Map keys must be unique`. */
  message: string;
  /** 1-based line and column of a syntax error; undefined for a problem of the whole value. */
  position?: { line: number; col: number };
}

function parseChecked<T>(text: string, schema: SchemaName): SnapshotRead<T> {
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 0, uniqueKeys: true, merge: false, prettyErrors: true, logLevel: 'error' });
  } catch (error) {
    const position = error instanceof YAMLParseError && error.linePos ? error.linePos[0] : undefined;
    // The first line of the parser's message, without its own "at line L, column C:" (the location leads).
    const message = (error as Error).message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return { ok: false, problem: { kind: 'syntax', message, ...(position ? { position } : {}) } };
  }
  const issues = validateAgainstSchema(schema, value);
  if (issues.length === 0) return { ok: true, value: value as T };
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length === 2 ? '' : 's'})` : '';
  return { ok: false, problem: { kind: 'shape', message: `${first.message.replace(/\.$/, '')}${more}` } };
}
