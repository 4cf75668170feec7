/**
 * A year of operation history for the shop workspace, for the Activity browser tests and their
 * screenshots: the records a team's schedules would have left (nightly shop_db syncs, landing
 * syncs most weekdays, a weekly analytics sync; now and then a warning, a failure, an abort).
 * The records are the engine's format, for the workspace's real datastores (ids as loaded), with
 * changes naming the workspace's real containers. Deterministic for a given `now`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadWorkspace, type OperationRecord, type OperationResult } from '../../../server/src/core';

export interface ShopHistory {
  /** How many records were written (ids 1…count, oldest first). */
  count: number;
  /** UTC days (YYYY-MM-DD) with their number of operations. */
  perDay: Map<string, number>;
}

export function writeShopHistory(workspace: string, now = new Date()): ShopHistory {
  const loaded = loadWorkspace(workspace);
  const datastores = new Map(loaded.datastores.map((d) => [d.name, d]));
  const containers = (name: string): string[] => {
    const dir = path.join(workspace, 'snapshots', name);
    return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.yaml') && !path.basename(f).startsWith('_')).map((f) => f.replace(/\.yaml$/, '').replace(/\\/g, '/')).sort() : [];
  };
  let seed = 20261206;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const records: OperationRecord[] = [];
  const perDay = new Map<string, number>();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let daysAgo = 364; daysAgo >= 1; daysAgo--) {
    const day = today - daysAgo * 86_400_000;
    const weekday = new Date(day).getUTCDay();
    const runs: { datastore: string; hour: number; schedule: string | null }[] = [];
    // The team started syncing shop_db nightly in January; landing on weekdays since spring.
    if (daysAgo < 330 && random() > 0.06) runs.push({ datastore: 'shop_db', hour: 2, schedule: 'nightly-shop' });
    if (daysAgo < 250 && weekday >= 1 && weekday <= 5 && random() > 0.3) runs.push({ datastore: 'landing', hour: 7 + Math.floor(random() * 3), schedule: 'partner-drops' });
    if (weekday === 1) runs.push({ datastore: 'analytics', hour: 5, schedule: 'weekly-warehouse' });
    // Busy days: someone iterating on a definition syncs by hand.
    if (random() > 0.93) for (let n = 1 + Math.floor(random() * 4); n > 0; n--) runs.push({ datastore: random() > 0.5 ? 'shop_db' : 'landing', hour: 10 + Math.floor(random() * 7), schedule: null });
    for (const run of runs) {
      const definition = datastores.get(run.datastore);
      if (!definition) continue;
      const start = day + run.hour * 3_600_000 + Math.floor(random() * 3_000_000);
      const roll = random();
      const result: OperationResult = roll > 0.97 ? 'failure' : roll > 0.9 ? 'warning' : roll > 0.885 ? 'aborted' : 'success';
      const names = containers(run.datastore);
      const changed = result === 'success' || result === 'warning' ? names.filter(() => random() > 0.93) : [];
      const duration = 400 + Math.floor(random() * (run.datastore === 'analytics' ? 9000 : 2500));
      const id = records.length + 1;
      const iso = (ms: number): string => new Date(ms).toISOString().replace(/Z$/, '000Z');
      const dfs = definition.type === 'dfs';
      records.push({
        id, created: iso(start), type: 'catalog', start_time: iso(start), end_time: iso(start + duration), result,
        message: result === 'failure' ? `Could not open the ${definition.type === 'duckdb' ? 'DuckDB' : 'SQLite'} database of '${run.datastore}': database is locked (SQLITE_BUSY).` : result === 'aborted' ? 'Aborted: the runner was stopped for a deploy; resume it to write the rest.' : null,
        triggered_by: run.schedule ? 'ci@shop.example' : (random() > 0.5 ? 'dana@shop.example' : 'lee@shop.example'),
        datastore: { id: definition.id, name: definition.name, store_type: dfs ? 'dfs' : 'jdbc', type: definition.type, enrich_only: false, enrich_container_prefix: null, favorite: false },
        schedule: run.schedule, include: dfs ? null : ['table', 'view'], prune: false, recreate: false, force_prune: false,
        progress: result === 'aborted' ? { done: Math.floor(names.length / 2), total: names.length, phase: 'writing' } : { done: changed.length, total: changed.length, phase: 'finished' },
        checkpoint: result === 'aborted' ? { written: Math.floor(names.length / 2), total: names.length } : null,
        summary: result === 'success' || result === 'warning' ? { new: 0, changed: changed.length, unchanged: names.length - changed.length, missing: 0, pruned: 0, recreated: 0, still_removed: 0, removed: 0 } : null,
        changes: changed.map((name) => ({ name, action: 'changed', kind: dfs ? 'file' : 'table', details: [`field ${random() > 0.5 ? 'updated_at' : 'notes'} added (${dfs ? 'VARCHAR' : 'TEXT'})`] })),
        logs: result !== 'warning' ? [] : dfs
          ? [{ level: 'warning', code: 'file-unreadable', message: `${names[0] ?? 'a file'} could not be read: unexpected end of file (a partner upload still in progress?).`, ...(names[0] ? { container: names[0] } : {}) }]
          : [{ level: 'warning', code: 'container-unreadable', message: `The columns of ${names.at(-1) ?? 'a table'} could not be read: permission denied; its snapshot is kept.`, ...(names.at(-1) ? { container: names.at(-1) } : {}) }],
      } as OperationRecord);
      const date = new Date(day).toISOString().slice(0, 10);
      perDay.set(date, (perDay.get(date) ?? 0) + 1);
    }
  }
  const folder = path.join(loaded.project.stateDir, 'operations');
  fs.mkdirSync(folder, { recursive: true });
  for (const record of records) fs.writeFileSync(path.join(folder, `${String(record.id).padStart(8, '0')}.json`), JSON.stringify(record, null, 2) + '\n');
  return { count: records.length, perDay };
}
