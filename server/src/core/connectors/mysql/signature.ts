/** Signature (no-change resync). */
import { createHash } from 'node:crypto';
import { DIGESTED } from './catalogRows';

export const SIGNATURE_VERSION = 4;

/**
 * The signature: a fingerprint of everything a discovery describes. Its catalog part is a digest
 * of the TABLES and COLUMNS rows a discovery reads (count, XOR of one CRC32 of each row and sum of
 * another: 64 bits, order-free, so parts read apart add up), plus InnoDB's table ids: every change
 * of a primary key or of partitioning rebuilds the table under a new id (so STATISTICS and
 * PARTITIONS need not be read), and the rest is grants and schemata. The server computes every
 * CRC, with the same SQL expression whether a resync asks for the aggregates only (the catalog
 * read without sending 200,000 rows to Node) or a full discovery reads them beside each row, so
 * both digests agree by construction. There is none (every sync describes in full) on MySQL (not
 * verified there), without the PROCESS privilege (InnoDB's table list is hidden), or when a base
 * table is not InnoDB (its rebuilds are not visible).
 */
export function signatureOf(basis: unknown[], tables: Digest, columns: Digest): string {
  const hash = createHash('sha1').update(JSON.stringify([...basis, tables.text(), columns.text()]));
  return `mariadb:${hash.digest('hex')}`;
}

/** The two CRC32s of a row, as SQL: fields joined by 0x1f in order, and by 0x1e in reverse; NULL as 0x1d. */
export function rowCrcs(fields: readonly string[]): string {
  return crcExpressions(fields).join(', ');
}

/** SQL of one digest as text `count:xor:sum` over the rows of `fromWhere` (see `Digest.addText`). */
export function digestSql(fields: readonly string[], fromWhere: string): string {
  return `SELECT ${digestText(fields)} FROM ${fromWhere}`;
}

/** The TABLES digest, then after a slash the number of base tables of another engine than InnoDB. */
export function tablesDigestSql(fromWhere: string): string {
  return `SELECT CONCAT(${digestText(DIGESTED.tables)}, '/', IFNULL(SUM(TABLE_TYPE <> 'VIEW' AND ENGINE <> 'InnoDB'), 0)) FROM ${fromWhere}`;
}

/** Columns information_schema declares nullable; CONCAT_WS would skip their NULLs, so they read as 0x1d. */
const NULLABLE = new Set(['COLUMN_DEFAULT', 'ENGINE']);

function crcExpressions(fields: readonly string[]): [string, string] {
  // IFNULL on a NOT NULL column changes no byte and costs the server ~10% of a digest.
  const values = fields.map((f) => (NULLABLE.has(f) ? `IFNULL(${f}, 0x1d)` : f));
  return [`CRC32(CONCAT_WS(0x1f, ${values.join(', ')}))`, `CRC32(CONCAT_WS(0x1e, ${[...values].reverse().join(', ')}))`];
}

function digestText(fields: readonly string[]): string {
  const [forward, reverse] = crcExpressions(fields);
  return `CONCAT(COUNT(*), ':', IFNULL(BIT_XOR(${forward}), 0), ':', IFNULL(SUM(${reverse}), 0))`;
}

/** Count, XOR and sum of per-row CRCs; parts add up in any order. */
export class Digest {
  count = 0;
  xor = 0;
  /** Exact below 2^53, flushed into `carried` long before. */
  private sum = 0;
  private carried = 0n;

  add(forward: number, reverse: number): void {
    this.count++;
    this.xor ^= forward;
    this.sum += reverse;
    if (this.sum >= 2 ** 52) this.flush();
  }

  /** Adds a digest the server computed: `count:xor:sum`. */
  addText(text: string): void {
    const [count, xor, sum] = text.split(':');
    this.count += Number(count);
    this.xor ^= Number(xor);
    this.carried += BigInt(sum!);
  }

  text(): string {
    this.flush();
    return `${this.count}:${this.xor >>> 0}:${this.carried}`;
  }

  private flush(): void {
    this.carried += BigInt(this.sum);
    this.sum = 0;
  }
}
