import { arrays, placeholders, tableKey } from './catalogRows';
import type { TableColumns } from './columns';
import type { Run } from './session';
import { compareText } from '../../text/order';

/**
 * Orders primary keys of several columns. COLUMNS marks key columns PRI (and, as InnoDB does, a
 * NOT NULL unique key of a table without a primary key, which then is its clustered key); one
 * such column is the key, numbered 1 as it arrived. The order of a key of several columns comes
 * from STATISTICS, read once for just those tables (25 ms for 154 of 11,000 tables here; all of
 * STATISTICS takes 0.25 s).
 */
export async function readPrimaryKeys(run: Run, signal: AbortSignal, wanted: string[], tables: Map<string, TableColumns>): Promise<void> {
  const composite = new Map<string, TableColumns>();
  for (const [key, entry] of tables) if (entry.primary.length > 1) composite.set(key, entry);
  if (composite.size === 0) return;
  // Table names only: the key decides, a name shared by two databases costs a few rows more.
  const names = [...new Set([...composite.keys()].map((key) => key.slice(key.indexOf('\u0000') + 1)))];
  const rows = (await arrays(run, `SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, COLUMN_NAME, SEQ_IN_INDEX FROM information_schema.STATISTICS
    WHERE TABLE_SCHEMA IN (${placeholders(wanted)}) AND TABLE_NAME IN (${placeholders(names)}) AND NON_UNIQUE = 0`, signal, [...wanted, ...names])) as [string, string, string, string, number][];
  const indexes = new Map<string, Map<string, Map<string, number>>>();
  for (const [schema, table, index, column, position] of rows) {
    const key = tableKey(schema, table);
    if (!composite.has(key)) continue;
    let byIndex = indexes.get(key);
    if (!byIndex) indexes.set(key, (byIndex = new Map()));
    let columns = byIndex.get(index);
    if (!columns) byIndex.set(index, (columns = new Map()));
    columns.set(column, Number(position));
  }
  for (const [key, entry] of composite) {
    const candidates = indexes.get(key) ?? new Map<string, Map<string, number>>();
    const wantedColumns = entry.primary.map((f) => f.name).sort();
    const matches = (columns: Map<string, number>): boolean => compareText(JSON.stringify([...columns.keys()].sort()), JSON.stringify(wantedColumns)) === 0;
    const chosen = candidates.get('PRIMARY') ?? [...candidates.entries()].sort((a, b) => compareText(a[0], b[0])).find(([, columns]) => matches(columns))?.[1];
    // Without a matching index (not expected), the order the columns arrived in is the best guess.
    if (chosen && matches(chosen)) for (const field of entry.primary) field.primary_key = chosen.get(field.name)!;
  }
}
