import type { ContainerSnapshot, FieldInfo, IdentifierInfo } from '../model';

/**
 * The differences between two snapshots of one container, each classified as breaking or not
 * (the README's change classes): removing a field, changing its type or changing an
 * identifier breaks consumers; adding a field or relaxing nullability does not.
 */
export function diffSnapshots(before: ContainerSnapshot, after: ContainerSnapshot): SnapshotChange[] {
  const changes: SnapshotChange[] = [];
  if (before.kind !== after.kind) changes.push({ change: 'kind_changed', from: before.kind, to: after.kind, breaking: true });
  const beforeFields = new Map(before.fields.map((f) => [f.name, f]));
  const afterFields = new Map(after.fields.map((f) => [f.name, f]));
  for (const field of before.fields) {
    if (!afterFields.has(field.name)) changes.push({ change: 'field_removed', field: field.name, from: field.type, breaking: true });
  }
  for (const field of after.fields) {
    const old = beforeFields.get(field.name);
    if (!old) {
      changes.push({ change: 'field_added', field: field.name, to: field.type, breaking: false });
      continue;
    }
    if (old.type !== field.type) changes.push({ change: 'type_changed', field: field.name, from: old.type, to: field.type, breaking: true });
    if (old.nullable !== field.nullable) {
      // NULL → NOT NULL cannot break a reader; NOT NULL → NULL can surprise one, but it is no schema break.
      changes.push({ change: 'nullability_changed', field: field.name, from: nullability(old), to: nullability(field), breaking: false });
    }
    const details = otherAttributes(old, field);
    if (details) changes.push({ change: 'field_changed', field: field.name, from: details.from, to: details.to, breaking: false });
  }
  if (sameFieldSet(before.fields, after.fields) && before.fields.some((f, i) => f.name !== after.fields[i]?.name)) {
    changes.push({ change: 'fields_reordered', breaking: false });
  }
  identifierChange('incremental_identifier', before.incremental_identifier, after.incremental_identifier, changes);
  identifierChange('partition_identifier', before.partition_identifier, after.partition_identifier, changes);
  if (JSON.stringify(before.file ?? null) !== JSON.stringify(after.file ?? null)) changes.push({ change: 'file_format_changed', breaking: false });
  if (JSON.stringify(before.partition_key ?? null) !== JSON.stringify(after.partition_key ?? null)) {
    changes.push({ change: 'partition_key_changed', from: (before.partition_key ?? []).join(', '), to: (after.partition_key ?? []).join(', '), breaking: false });
  }
  if ((before.comment ?? '') !== (after.comment ?? '')) changes.push({ change: 'comment_changed', breaking: false });
  return changes;
}

export interface SnapshotChange {
  change:
    | 'kind_changed' | 'field_added' | 'field_removed' | 'type_changed' | 'nullability_changed' | 'field_changed'
    | 'fields_reordered' | 'identifier_changed' | 'file_format_changed' | 'partition_key_changed' | 'comment_changed'
    // A file container whose family grew past its old name (`report_v1.csv` → `report_v*.csv`): `from` the old name, `to` the new.
    | 'container_renamed';
  field?: string;
  /** For identifier changes: which identifier. */
  identifier?: 'incremental_identifier' | 'partition_identifier';
  from?: string;
  to?: string;
  breaking: boolean;
}

function identifierChange(identifier: SnapshotChange['identifier'] & string, before: IdentifierInfo, after: IdentifierInfo, changes: SnapshotChange[]): void {
  const a = describeIdentifier(before);
  const b = describeIdentifier(after);
  if (a === b) return;
  // Newly detected where there was none is additive; losing or switching one breaks incremental scans.
  const breaking = before.strategy !== 'none';
  changes.push({ change: 'identifier_changed', identifier, from: a, to: b, breaking });
}

export function describeIdentifier(identifier: IdentifierInfo): string {
  if (identifier.strategy === 'none') return 'none';
  const fields = identifier.fields && identifier.fields.length > 1 ? identifier.fields.join(', ') : identifier.field ?? '';
  return `${fields}${fields ? ' ' : ''}(${identifier.strategy}, ${identifier.source})`;
}

function nullability(field: FieldInfo): string {
  return field.nullable ? 'NULL' : 'NOT NULL';
}

function otherAttributes(a: FieldInfo, b: FieldInfo): { from: string; to: string } | undefined {
  const pick = (f: FieldInfo): string => JSON.stringify([f.primary_key ?? null, f.default ?? null, f.comment ?? null, f.generated ?? false, f.auto_increment ?? false]);
  const from = pick(a);
  const to = pick(b);
  return from === to ? undefined : { from: describeAttributes(a), to: describeAttributes(b) };
}

function describeAttributes(f: FieldInfo): string {
  const parts: string[] = [];
  if (f.primary_key !== undefined) parts.push(`primary key #${f.primary_key}`);
  if (f.auto_increment) parts.push('auto-increment');
  if (f.generated) parts.push('generated');
  if (f.default !== undefined) parts.push(`default ${f.default}`);
  if (f.comment !== undefined) parts.push(`comment "${f.comment}"`);
  return parts.join(', ') || 'no attributes';
}

function sameFieldSet(a: readonly FieldInfo[], b: readonly FieldInfo[]): boolean {
  if (a.length !== b.length) return false;
  const names = new Set(a.map((f) => f.name));
  return b.every((f) => names.has(f.name));
}
