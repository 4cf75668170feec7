import type { FileGrouping, ContainerSnapshot, FieldInfo, IdentifierInfo } from '../model';
import { isDateTimeFamily, isNumericFamily, typeFamily } from '../identifiers/fieldTypes';

/** Markdown facts about a container from its committed snapshot: kind, fields, identifiers. */
export function containerFacts(snapshot: ContainerSnapshot, snapshotFile: string, grouping?: FileGrouping): string {
  const lines = [`**${snapshot.name}** · ${snapshot.kind.replace('_', ' ')} · ${snapshot.fields.length} field${snapshot.fields.length === 1 ? '' : 's'}`];
  if (snapshot.comment) lines.push('', snapshot.comment);
  if (snapshot.file?.table) {
    const { format, version } = snapshot.file.table;
    lines.push('', `${format === 'delta' ? 'Delta' : 'Iceberg'} table \`${snapshot.file.folder}\`, read at version ${version}`);
  } else if (snapshot.file) {
    lines.push('', `Files: \`${snapshot.file.folder === '.' ? '' : `${snapshot.file.folder}/`}${snapshot.file.pattern}\` (${snapshot.file.format}${snapshot.file.globbed ? ', globbed' : ''})`);
  }
  if (grouping) lines.push('', ...groupingLines(grouping));
  lines.push('', `- incremental identifier: ${identifierText(snapshot.incremental_identifier)}`, `- partition identifier: ${identifierText(snapshot.partition_identifier)}`);
  const keys = snapshot.fields.filter((f) => f.primary_key !== undefined).sort((a, b) => a.primary_key! - b.primary_key!);
  if (keys.length > 0) lines.push(`- primary key: ${keys.map((f) => `\`${f.name}\``).join(', ')}`);
  lines.push('', `Snapshot: \`${snapshotFile}\``);
  return lines.join('\n');
}

/** Markdown facts about one field, and whether it can serve as the identifier being edited. */
export function fieldFacts(snapshot: ContainerSnapshot, field: FieldInfo, identifier?: 'incremental_identifier' | 'partition_identifier'): string {
  const flags = [
    field.nullable ? 'nullable' : 'NOT NULL',
    field.primary_key !== undefined ? `primary key #${field.primary_key}` : undefined,
    field.auto_increment ? 'auto-increment' : undefined,
    field.generated ? 'generated' : undefined,
  ].filter(Boolean);
  const lines = [`**${field.name}** \`${field.type}\` · ${flags.join(' · ')}`];
  if (field.default !== undefined) lines.push('', `Default: \`${field.default}\``);
  if (field.comment) lines.push('', field.comment);
  if (identifier) lines.push('', fitText(field, identifier));
  const current = identifier ? snapshot[identifier] : undefined;
  if (identifier && current && current.field === field.name) lines.push('', `Currently the ${identifier.replace('_', ' ')} (${current.strategy}, ${current.source}).`);
  lines.push('', `Container \`${snapshot.name}\` (${snapshot.kind.replace('_', ' ')}).`);
  return lines.join('\n');
}

function fitText(field: FieldInfo, identifier: 'incremental_identifier' | 'partition_identifier'): string {
  const family = typeFamily(field.type);
  if (identifier === 'partition_identifier') {
    return isDateTimeFamily(family) ? 'Serves as a partition identifier by date (`datetime`).' : 'Serves as a partition identifier by ordering (`order_by`).';
  }
  if (isDateTimeFamily(family)) return 'Serves as an incremental identifier (`last_modified`).';
  if (isNumericFamily(family)) return 'Serves as an incremental identifier if it only grows (`batch_value`).';
  return `Cannot serve as an incremental identifier: type ${field.type} is neither a date/timestamp nor a number.`;
}

function identifierText(identifier: IdentifierInfo): string {
  if (identifier.field === null) return `none (${identifier.source})`;
  const fields = identifier.fields && identifier.fields.length > 1 ? identifier.fields.map((f) => `\`${f}\``).join(', ') : `\`${identifier.field}\``;
  return `${fields} (${identifier.strategy}, ${identifier.source})`;
}

/** Why files are one container, as the last sync found it (history/groupingNotes.ts). */
function groupingLines(grouping: FileGrouping): string[] {
  const how = grouping.pinned ? 'by the pinned pattern' : 'as';
  const lines = [`Grouped at the last sync: ${grouping.files} file${grouping.files === 1 ? '' : 's'} ${how} \`${grouping.pattern}\``];
  for (const part of grouping.varying) lines.push(`- ${part}`);
  const shown = grouping.sampled.slice(0, 5).map((file) => `\`${file}\``).join(', ');
  lines.push(`- schema read from ${grouping.sampled.length} of ${grouping.files}: ${shown}${grouping.sampled.length > 5 ? ', …' : ''}`);
  return lines;
}
