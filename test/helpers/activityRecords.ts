import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OperationRecord, OperationResult } from '../../server/src/core';

/**
 * An operation record as the engine writes it, for the activity tests. `created` given as a
 * `toISOString()` (`…sssZ`) becomes the seed's `…ssssssZ`; the operation lasts id × 10 ms (a
 * running one has no end). Even ids are datastore 1 `shop`, odd ones datastore 2 `lake`.
 */
export function activityRecord(id: number, created: string, result: OperationResult, extra: Partial<OperationRecord> = {}): OperationRecord {
  const start = Date.parse(created);
  const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  return {
    id, created: created.endsWith('Z') && created.length === 24 ? created.replace(/Z$/, '000Z') : created, type: 'catalog',
    start_time: iso(start), end_time: result === 'running' ? null : iso(start + id * 10), result,
    message: result === 'failure' || result === 'warning' ? `problem ${id}` : null, triggered_by: 'test',
    datastore: { id: id % 2 === 0 ? 1 : 2, name: id % 2 === 0 ? 'shop' : 'lake', store_type: 'jdbc', type: 'sqlite', enrich_only: false, enrich_container_prefix: null, favorite: false },
    schedule: null, include: ['table'], prune: false, recreate: false, progress: { done: 0, total: null }, summary: null, changes: [], logs: [],
    ...extra,
  };
}

/** Writes records where OperationStore reads them (`<stateDir>/operations/00000001.json`), without the store's fsyncs. */
export function writeRecords(stateDir: string, records: readonly OperationRecord[]): void {
  const folder = path.join(stateDir, 'operations');
  fs.mkdirSync(folder, { recursive: true });
  for (const record of records) fs.writeFileSync(path.join(folder, `${String(record.id).padStart(8, '0')}.json`), JSON.stringify(record, null, 2) + '\n');
}
