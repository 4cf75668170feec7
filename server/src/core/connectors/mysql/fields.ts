/** A COLUMNS row as a field: type, nullability, key position, default, generated, comment. */
import type { FieldInfo } from '../../model';
import type { ColumnRow } from './catalogRows';
import type { Session } from './session';

export function fieldOf(row: ColumnRow, session: Session, pk: Map<string, number> | undefined): FieldInfo {
  const [, , name, , type, nullable, rawDefault, , extra, comment] = row;
  const field: FieldInfo = { name, type, nullable: nullable === 'YES' };
  const position = pk?.get(name);
  if (position !== undefined) field.primary_key = position;
  const generated = /\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b/i.test(extra);
  if (generated) field.generated = true;
  else {
    const value = defaultOf(rawDefault, type, extra, session);
    if (value !== undefined) field.default = value;
  }
  if (/\bauto_increment\b/i.test(extra)) field.auto_increment = true;
  if (comment) field.comment = comment;
  return field;
}

/**
 * COLUMN_DEFAULT as SQL. MariaDB (10.2.7+) already spells it as SQL: `'none'` quoted, `3`,
 * `current_timestamp()`, and the word `NULL` for "no default". MySQL gives the bare value
 * (`none`), marking expression defaults with DEFAULT_GENERATED in EXTRA, so literals of
 * non-numeric types are quoted here to read the same.
 */
function defaultOf(value: string | null, type: string, extra: string, session: Session): string | undefined {
  if (value === null) return undefined;
  if (session.mariadb) return value === 'NULL' ? undefined : value;
  if (/\bDEFAULT_GENERATED\b/i.test(extra) || /^(CURRENT_TIMESTAMP|NOW)\b/i.test(value)) return value;
  if (/^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric|float|double|real|year)\b/i.test(type) || /^b'[01]*'$/.test(value)) return value;
  return `'${value.replace(/'/g, "''")}'`;
}
