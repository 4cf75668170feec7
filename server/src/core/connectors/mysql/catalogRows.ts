/** The information_schema rows a discovery reads, and helpers shared by the modules that read them. */
import type { Run } from './session';

/**
 * TABLES row, as an array: schema, name, type, engine, comment, create options, then on MariaDB
 * the row's two CRCs (see `rowCrcs`). Only columns that MariaDB reads from the .frm file:
 * CREATE_OPTIONS or CREATE_TIME make it open every table (2.5 s instead of 0.2 s for 11,000
 * tables here), so CREATE_OPTIONS is read on MySQL only (8.0 reads it from its data dictionary).
 */
export type TableRow = [string, string, string, string | null, string | null, string | null, number?, number?];
/**
 * COLUMNS row as a discovery reads it (see `ColumnsRead.sql`): schema, table, name, position, type,
 * nullable (1/0), default (NULL for none), primary (1/0), extra and comment (NULL when empty),
 * then on MariaDB the row's two CRCs. Flags and NULLs cost Node no string each.
 */
export type ColumnRow = [string, string, string, number, string, number, string | null, number, string | null, string | null, number?, number?];
/** Catalog columns a discovery describes, in this order; the signature digests exactly these. */
export const DIGESTED = {
  tables: ['TABLE_SCHEMA', 'TABLE_NAME', 'TABLE_TYPE', 'ENGINE', 'TABLE_COMMENT'],
  columns: ['TABLE_SCHEMA', 'TABLE_NAME', 'COLUMN_NAME', 'ORDINAL_POSITION', 'COLUMN_TYPE', 'IS_NULLABLE', 'COLUMN_DEFAULT', 'COLUMN_KEY', 'EXTRA', 'COLUMN_COMMENT'],
};

/** Rows as arrays: 200,000 column rows as objects cost a third more to build. */
export async function arrays(run: Run, sql: string, signal: AbortSignal, values: unknown[]): Promise<unknown[][]> {
  return (await run(sql, signal, values, true)) as unknown[][];
}

export function tableKey(schema: string, table: string): string {
  return `${schema}\u0000${table}`;
}

export function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}
