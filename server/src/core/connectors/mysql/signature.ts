/** Signature (no-change resync). */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { arrays, DIGESTED, type ColumnRow, type TableRow } from './catalogRows';
import type { Run } from './session';

export const SIGNATURE_VERSION = 3;

/**
 * The signature: a fingerprint of everything a discovery describes. Its catalog part is a CRC32
 * digest (XOR and sum of each row's CRC: 64 bits, order-free) of the TABLES and COLUMNS rows a
 * discovery reads, plus InnoDB's table ids: every change of a primary key or of partitioning
 * rebuilds the table under a new id (so STATISTICS and PARTITIONS need not be read), and the
 * rest is grants and schemata. A resync has the server compute the digests in one statement (the
 * catalog reads without sending 200,000 rows to Node); a first sync computes the same digests here
 * from the rows it reads anyway. There is none (every sync describes in full) on MySQL (not
 * verified there), without the PROCESS privilege (InnoDB's table list is hidden), or when a base
 * table is not InnoDB (its rebuilds are not visible).
 */
export function signatureOf(basis: unknown[], digests: Digests): string | undefined {
  if (digests.otherEngines !== 0) return undefined;
  const hash = createHash('sha1').update(JSON.stringify([...basis, digests.tables, digests.columns]));
  return `mariadb:${hash.digest('hex')}`;
}

export interface Digests {
  tables: string;
  columns: string;
  /** Base tables of an engine other than InnoDB. */
  otherEngines: number;
}

export async function serverDigests(run: Run, signal: AbortSignal, wanted: string[]): Promise<Digests> {
  const list = wanted.map(() => '?').join(', ');
  const digest = (fields: string[]): string => {
    const values = fields.map((f) => `IFNULL(${f}, 0x1d)`);
    return `CONCAT(COUNT(*), ':', IFNULL(BIT_XOR(CRC32(CONCAT_WS(0x1f, ${values.join(', ')}))), 0), ':', IFNULL(SUM(CRC32(CONCAT_WS(0x1e, ${[...values].reverse().join(', ')}))), 0))`;
  };
  const [row] = (await arrays(run, `SELECT
      (SELECT CONCAT(${digest(DIGESTED.tables)}, '/', IFNULL(SUM(TABLE_TYPE <> 'VIEW' AND ENGINE <> 'InnoDB'), 0)) FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${list})),
      (SELECT ${digest(DIGESTED.columns)} FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN (${list}))`,
  signal, [...wanted, ...wanted])) as [string, string][];
  const [tables, otherEngines] = row![0].split('/');
  return { tables: tables!, otherEngines: Number(otherEngines), columns: row![1] };
}

/** The digests of `serverDigests`, from rows already read: CONCAT_WS over UTF-8, NULL as 0x1d. */
export function clientDigests(tables: TableRow[], columns: ColumnRow[]): Digests {
  const digest = (rows: readonly (readonly unknown[])[], width: number): string => {
    let xor = 0;
    let sum = 0;
    for (const row of rows) {
      const values: string[] = [];
      for (let i = 0; i < width; i++) values.push(row[i] === null ? '\u001d' : String(row[i]));
      xor ^= crc32(values.join('\u001f'));
      sum += crc32(values.reverse().join('\u001e'));
    }
    return `${rows.length}:${xor >>> 0}:${sum}`;
  };
  return {
    tables: digest(tables, DIGESTED.tables.length),
    otherEngines: tables.filter((t) => t[2] !== 'VIEW' && t[3] !== null && t[3].toLowerCase() !== 'innodb').length,
    columns: digest(columns, DIGESTED.columns.length),
  };
}
