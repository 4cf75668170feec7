// Builds the example's binary sources from the committed SQL and data: the SQLite and DuckDB
// databases and the Parquet files of the landing folder. Idempotent; `--force` rebuilds.
// Usage: node examples/shop/setup.mjs [--force] [catalog-folder]  (default: this folder)
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const force = process.argv.includes('--force');
const target = process.argv.slice(2).find((a) => !a.startsWith('--'));
const here = target ?? dirname(fileURLToPath(import.meta.url));

const sqlitePath = join(here, 'shop.sqlite');
if (force || !existsSync(sqlitePath)) {
  rmSync(sqlitePath, { force: true });
  const Database = require('better-sqlite3');
  const db = new Database(sqlitePath);
  db.exec(readFileSync(join(here, 'sql', 'shop.sqlite.sql'), 'utf8'));
  db.close();
}

const { DuckDBInstance } = require('@duckdb/node-api');
const duckPath = join(here, 'analytics.duckdb');
const landing = join(here, 'data', 'landing');
const parquetFiles = [
  join(landing, 'inventory.parquet'),
  join(landing, 'clickstream', 'year=2026', 'month=10', 'part-0.parquet'),
  join(landing, 'clickstream', 'year=2026', 'month=11', 'part-0.parquet'),
];
if (force || !existsSync(duckPath) || parquetFiles.some((f) => !existsSync(f))) {
  rmSync(duckPath, { force: true });
  rmSync(`${duckPath}.wal`, { force: true });
  const instance = await DuckDBInstance.create(duckPath);
  const connection = await instance.connect();
  await connection.run(readFileSync(join(here, 'sql', 'analytics.duckdb.sql'), 'utf8'));
  const quote = (p) => `'${p.replace(/'/g, "''")}'`;
  await connection.run(`COPY (SELECT 'TEA-01' AS sku, 120::INTEGER AS on_hand, 'Leeds' AS warehouse, TIMESTAMP '2026-11-23 06:00:00' AS counted_at
    UNION ALL SELECT 'MUG-02', 40, 'Leeds', TIMESTAMP '2026-11-23 06:00:00') TO ${quote(parquetFiles[0])} (FORMAT PARQUET)`);
  for (const [file, month] of [[parquetFiles[1], 10], [parquetFiles[2], 11]]) {
    mkdirSync(dirname(file), { recursive: true });
    await connection.run(`COPY (SELECT i::BIGINT AS click_id, 'session-' || (i % 7) AS session_id, '/products/' || (i % 3) AS path,
      TIMESTAMP '2026-${month}-01 00:00:00' + INTERVAL (i) MINUTE AS clicked_at FROM range(50) t(i)) TO ${quote(file)} (FORMAT PARQUET)`);
  }
  connection.closeSync();
  instance.closeSync();
}
console.log('example sources ready: shop.sqlite, analytics.duckdb, landing parquet files');
