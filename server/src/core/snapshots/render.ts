import type { ContainerSnapshot, FieldInfo, IdentifierInfo } from '../model';
import type { SnapshotIndex } from './snapshotIndex';

/**
 * Deterministic YAML for snapshot files: fixed key order, block style, LF, trailing newline,
 * no timestamps. A fixed-shape emitter instead of `yaml.stringify`: it is many times faster on
 * large catalogs, and its output must never change between library versions.
 */
export function renderSnapshot(snapshot: ContainerSnapshot): string {
  const out: string[] = [SNAPSHOT_HEADER];
  out.push(`name: ${scalar(snapshot.name)}`);
  out.push(`kind: ${scalar(snapshot.kind)}`);
  if (snapshot.schema !== undefined) out.push(`schema: ${scalar(snapshot.schema)}`);
  if (snapshot.comment !== undefined) out.push(`comment: ${scalar(snapshot.comment)}`);
  const file = snapshot.file;
  if (file) {
    out.push('file:');
    out.push(`  folder: ${scalar(file.folder)}`);
    out.push(`  pattern: ${scalar(file.pattern)}`);
    out.push(`  globbed: ${file.globbed}`);
    out.push(`  extension: ${scalar(file.extension)}`);
    out.push(`  format: ${scalar(file.format)}`);
    if (file.delimiter !== undefined) out.push(`  delimiter: ${scalar(file.delimiter)}`);
    if (file.header !== undefined) out.push(`  header: ${file.header}`);
    if (file.hive_keys && file.hive_keys.length > 0) pushList(out, '  ', 'hive_keys', file.hive_keys.map(scalar));
    if (file.varying_tokens && file.varying_tokens.length > 0) pushList(out, '  ', 'varying_tokens', file.varying_tokens.map(String));
    if (file.table) {
      // A mapping, not flat keys: read back, it is the same value as the model's (diff.ts compares them as JSON).
      out.push('  table:');
      out.push(`    format: ${scalar(file.table.format)}`);
      out.push(`    version: ${file.table.version}`);
    }
  }
  if (snapshot.partition_key && snapshot.partition_key.length > 0) pushList(out, '', 'partition_key', snapshot.partition_key.map(scalar));
  if (snapshot.fields.length === 0) out.push('fields: []');
  else {
    out.push('fields:');
    for (const field of snapshot.fields) pushField(out, field);
  }
  pushIdentifier(out, 'incremental_identifier', snapshot.incremental_identifier);
  pushIdentifier(out, 'partition_identifier', snapshot.partition_identifier);
  // The trailing newline inside the join: `join() + '\n'` would be a rope, flattened into a copy
  // when written, the first copy then garbage (14 MB for 11,000 snapshots).
  out.push('');
  return out.join('\n');
}

export const SNAPSHOT_HEADER = '# Written by `cac sync`. Review changes in pull requests; set identifiers in overrides, not here.';
export const INDEX_HEADER = '# Written by `cac sync`: the containers this datastore\'s catalog knows, and those removed from it.';

export function renderIndex(index: SnapshotIndex): string {
  const out: string[] = [INDEX_HEADER, `datastore: ${scalar(index.datastore)}`];
  if (index.containers.length === 0) out.push('containers: []');
  else {
    out.push('containers:');
    for (const entry of index.containers) {
      out.push(`  - name: ${scalar(entry.name)}`);
      out.push(`    file: ${scalar(entry.file)}`);
      if (entry.kind !== undefined) out.push(`    kind: ${scalar(entry.kind)}`);
      if (entry.schema !== undefined) out.push(`    schema: ${scalar(entry.schema)}`);
      if (entry.missing_from_source) out.push('    missing_from_source: true');
    }
  }
  if (index.removed.length === 0) out.push('removed: []');
  else {
    out.push('removed:');
    for (const entry of index.removed) {
      out.push(`  - name: ${scalar(entry.name)}`);
      if (entry.kind !== undefined) out.push(`    kind: ${scalar(entry.kind)}`);
    }
  }
  out.push('');
  return out.join('\n');
}

function pushField(out: string[], field: FieldInfo): void {
  out.push(`  - name: ${scalar(field.name)}`);
  out.push(`    type: ${typeScalar(field.type)}`);
  out.push(`    nullable: ${field.nullable}`);
  if (field.primary_key !== undefined) out.push(`    primary_key: ${field.primary_key}`);
  if (field.auto_increment) out.push('    auto_increment: true');
  if (field.generated) out.push('    generated: true');
  if (field.default !== undefined) out.push(`    default: ${scalar(field.default)}`);
  if (field.comment !== undefined) out.push(`    comment: ${scalar(field.comment)}`);
}

function pushIdentifier(out: string[], key: string, identifier: IdentifierInfo): void {
  out.push(`${key}:`);
  out.push(`  field: ${identifier.field === null ? 'null' : scalar(identifier.field)}`);
  if (identifier.fields && identifier.fields.length > 0) pushList(out, '  ', 'fields', identifier.fields.map(scalar));
  out.push(`  strategy: ${identifier.strategy}`);
  out.push(`  source: ${identifier.source}`);
}

function pushList(out: string[], indent: string, key: string, items: string[]): void {
  out.push(`${indent}${key}:`);
  for (const item of items) out.push(`${indent}  - ${item}`);
}

/** Words every YAML reader (1.1 or 1.2) would turn into something other than a string. */
const RESERVED_WORDS = new Set(['true', 'false', 'null', 'yes', 'no', 'on', 'off', 'y', 'n', '~']);
/** Plain scalars we allow: start with a letter or `_`, and no character YAML gives meaning to in block context. */
const PLAIN_SAFE = /^[A-Za-z_][A-Za-z0-9_ .,()/+\-[\]]*$/;

/** `scalar` for type spellings, which repeat across a catalog's fields: each is quoted once. */
function typeScalar(type: string): string {
  let rendered = TYPE_SCALARS.get(type);
  if (rendered === undefined) {
    rendered = scalar(type);
    if (TYPE_SCALARS.size > 10_000) TYPE_SCALARS.clear();
    TYPE_SCALARS.set(type, rendered);
  }
  return rendered;
}

const TYPE_SCALARS = new Map<string, string>();

/** A string as a YAML scalar: plain when unambiguous, otherwise double-quoted with escapes. */
export function scalar(value: string): string {
  // The reserved words are at most 5 characters: longer values skip the lower-casing (a string per field name).
  if (PLAIN_SAFE.test(value) && !value.endsWith(' ') && !value.includes('  ') && (value.length > 5 || !RESERVED_WORDS.has(value.toLowerCase()))) {
    return value;
  }
  return doubleQuoted(value);
}

/**
 * JSON's escapes are valid YAML double-quoted escapes; YAML additionally forbids raw DEL, C1
 * controls, U+FFFE/U+FFFF and lone surrogates, so those are escaped too.
 */
function doubleQuoted(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
