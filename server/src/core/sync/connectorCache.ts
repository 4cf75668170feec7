import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicallySync } from '../fs/atomicFiles';
import { encodeSnapshotBase } from './snapshotFileNames';

/**
 * Local (uncommitted) per-datastore state a connector keeps between syncs, such as the file
 * store's folder fingerprints. Losing it only costs time: the next sync reads everything again.
 */
export function readConnectorCache(stateDir: string, datastore: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(cacheFile(stateDir, datastore), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function writeConnectorCache(stateDir: string, datastore: string, value: unknown): void {
  const file = cacheFile(stateDir, datastore);
  const text = JSON.stringify(value);
  // A no-change resync produces the same cache; skipping the durable rewrite saves a flush.
  try {
    if (fs.readFileSync(file, 'utf8') === text) return;
  } catch {
    // No cache yet.
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomicallySync(file, text);
}

function cacheFile(stateDir: string, datastore: string): string {
  return path.join(stateDir, 'cache', `${encodeSnapshotBase(datastore)}.json`);
}
