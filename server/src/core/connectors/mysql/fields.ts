/** A COLUMNS row as a field: type, nullability, key position, default, generated, comment. */
import type { FieldInfo } from '../../model';
import type { ColumnRow } from './catalogRows';
import type { Session } from './session';

/** The field of a COLUMNS row; `primaryKey` is its position in the primary key, if it is part of it. */
export function fieldOf(row: ColumnRow, session: Session, primaryKey: number | undefined): FieldInfo {
  const type = row[4];
  const extra = row[8];
  const field: FieldInfo = { name: row[2], type, nullable: row[5] === 1 };
  if (primaryKey !== undefined) field.primary_key = primaryKey;
  if (extra !== null && /\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b/i.test(extra)) field.generated = true;
  else {
    const value = defaultOf(row[6], type, extra ?? '', session);
    if (value !== undefined) field.default = value;
  }
  if (extra !== null && /\bauto_increment\b/i.test(extra)) field.auto_increment = true;
  if (row[9] !== null) field.comment = row[9];
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
