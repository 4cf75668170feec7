/** The COLUMNS read: rows streamed straight into each table's fields, in two halves over two connections. */
import type { FieldInfo } from '../../model';
import { DIGESTED, tableKey, type ColumnRow } from './catalogRows';
import { fieldOf } from './fields';
import type { Session } from './session';
import { Digest, rowCrcs } from './signature';

/** The columns of one table or view, in the order they arrived. */
export interface TableColumns {
  fields: FieldInfo[];
  /** ORDINAL_POSITION of each field: MariaDB sends a table's columns in this order, checked all the same. */
  positions: number[];
  inOrder: boolean;
  /** The fields COLUMNS marks PRI, numbered in arrival order until `readPrimaryKeys` orders a key of several. */
  primary: FieldInfo[];
}

/**
 * Which tables a part reads: the quarters of CRC32(TABLE_NAME) below `quarters`, or from it on.
 * MariaDB tests a condition on the table name before it opens a table's .frm, so each part costs
 * the server its share; together the two parts read every table exactly once.
 */
export function tableShare(quarters: number, below: boolean): string {
  return `CRC32(TABLE_NAME) % 4 ${below ? '<' : '>='} ${quarters}`;
}

/**
 * Collects the COLUMNS rows of every part into fields as they arrive: no row array outlives its
 * row, and repeated names and types (`id`, `bigint(20)`) are kept once. With the server's CRCs of
 * each row (MariaDB) it also adds up the signature's column digest.
 */
export class ColumnsRead {
  readonly tables = new Map<string, TableColumns>();
  readonly digest = new Digest();
  private readonly words = new Map<string, string>();

  constructor(private readonly session: Session) {}

  sql(inList: string, share: string): string {
    // Flags instead of 'YES'/'PRI', NULL instead of '' or MariaDB's 'NULL' (no default): the
    // digest is of the catalog's own values, computed by the server, whatever is sent.
    const noDefault = this.session.mariadb ? `IF(BINARY COLUMN_DEFAULT = 'NULL', NULL, COLUMN_DEFAULT)` : 'COLUMN_DEFAULT';
    const sent = ['TABLE_SCHEMA', 'TABLE_NAME', 'COLUMN_NAME', 'ORDINAL_POSITION', 'COLUMN_TYPE', `IS_NULLABLE = 'YES'`, noDefault, `COLUMN_KEY = 'PRI'`,
      'IF(LENGTH(EXTRA) = 0, NULL, EXTRA)', 'IF(LENGTH(COLUMN_COMMENT) = 0, NULL, COLUMN_COMMENT)'];
    if (this.session.mariadb) sent.push(rowCrcs(DIGESTED.columns));
    return `SELECT ${sent.join(', ')} FROM information_schema.COLUMNS WHERE ${inList} AND ${share}`;
  }

  /** A row handler for one stream: rows of a table come together, so the table is looked up when it changes. */
  receiver(): (row: unknown[]) => void {
    let schema: string | undefined;
    let table: string | undefined;
    let current: TableColumns | undefined;
    return (raw) => {
      const row = raw as ColumnRow;
      if (row[1] !== table || row[0] !== schema) {
        schema = row[0];
        table = row[1];
        current = this.entry(tableKey(schema, table));
      }
      this.add(current!, row);
    };
  }

  /** The fields of a table or view in ordinal order; undefined when COLUMNS listed none. */
  fieldsOf(key: string): FieldInfo[] | undefined {
    const entry = this.tables.get(key);
    if (!entry) return undefined;
    if (entry.inOrder) return entry.fields;
    const order = entry.fields.map((field, i) => [entry.positions[i]!, field] as const).sort((a, b) => a[0] - b[0]);
    return order.map(([, field]) => field);
  }

  private entry(key: string): TableColumns {
    let entry = this.tables.get(key);
    if (!entry) this.tables.set(key, (entry = { fields: [], positions: [], inOrder: true, primary: [] }));
    return entry;
  }

  private add(entry: TableColumns, row: ColumnRow): void {
    row[2] = this.word(row[2]);
    row[4] = this.word(row[4]);
    const primary = row[7] === 1;
    const field = fieldOf(row, this.session, primary ? entry.primary.length + 1 : undefined);
    if (primary) entry.primary.push(field);
    const position = Number(row[3]);
    const last = entry.positions.length - 1;
    if (last >= 0 && position < entry.positions[last]!) entry.inOrder = false;
    entry.fields.push(field);
    entry.positions.push(position);
    if (row[10] !== undefined) this.digest.add(row[10], row[11]!);
  }

  private word(text: string): string {
    const known = this.words.get(text);
    if (known !== undefined) return known;
    this.words.set(text, text);
    return text;
  }
}
