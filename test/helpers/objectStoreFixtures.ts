import * as path from 'node:path';
import { duckdb, writeDeltaSales, writeIcebergEvents } from './lakeFixtures';
import { writeWorkspaceFile } from './workspace';

const csv = (rows: string[]): string => `id,amount,created_at\n${rows.join('\n')}\n`;

/**
 * A store of every kind a file store must handle, written below `folder`: a globbed daily
 * family, a file of its own, hive partitions of Parquet, JSON and JSON Lines, a hidden file, an
 * engine's `_temporary` folder, a malformed Parquet file, a large CSV whose head is enough, and a
 * Delta and an Iceberg table (one container each, whatever their files).
 * The same tree goes into a local folder and into a bucket, and the two syncs must agree.
 */
export async function writeStoreFixture(folder: string): Promise<void> {
  for (const day of ['01', '02', '03']) writeWorkspaceFile(folder, `sales/orders_2024-01-${day}.csv`, csv([`1,2.5,2024-01-${day} 10:00:00`]));
  writeWorkspaceFile(folder, 'sales/customers.csv', 'id,name\n1,Ada\n');
  writeWorkspaceFile(folder, 'logs/app.jsonl', '{"ts":"2024-01-01T00:00:00Z","level":"info","msg":"up"}\n{"ts":"2024-01-01T00:00:01Z","level":"warn","msg":"slow"}\n');
  writeWorkspaceFile(folder, 'logs/config.json', '[{"key":"a","value":1},{"key":"b","value":2}]');
  writeWorkspaceFile(folder, '.hidden/secret.csv', 'a\n1\n');
  writeWorkspaceFile(folder, 'sales/_temporary/part-0.csv', 'a\n1\n');
  writeWorkspaceFile(folder, 'broken/bad.parquet', 'not parquet at all');
  // ~2 MB: schema inference must read its head only.
  writeWorkspaceFile(folder, 'big/wide.csv', `id,payload\n${Array.from({ length: 40_000 }, (_, i) => `${i},${'x'.repeat(40)}`).join('\n')}\n`);
  for (const month of ['01', '02']) {
    const file = writeWorkspaceFile(folder, `events/year=2024/month=${month}/part-0.parquet`, '');
    await duckdb([`COPY (SELECT range::BIGINT AS id, 'e' || range AS name, TIMESTAMP '2024-${month}-01 00:00:00' + INTERVAL (range) SECOND AS at FROM range(100)) TO '${file.split(path.sep).join('/')}' (FORMAT PARQUET)`]);
  }
  const inventory = writeWorkspaceFile(folder, 'inventory.parquet', '');
  await duckdb([`COPY (SELECT 1::INTEGER AS sku, 'bolt' AS name, 2.5::DECIMAL(10,2) AS price) TO '${inventory.split(path.sep).join('/')}' (FORMAT PARQUET)`]);
  await writeDeltaSales(path.join(folder, 'tables', 'sales_delta'));
  await writeIcebergEvents(path.join(folder, 'tables', 'events_iceberg'));
}
