import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicallySync } from '../fs/atomicFiles';
import { encodeSnapshotBase, listSnapshotFolder } from '../snapshots/fileNames';

/**
 * What a resume must know to never undo later work: which operation last wrote a datastore's
 * snapshots, and what the folder looked like when an aborted operation stopped.
 *
 * `<state>/writes/<datastore>.json` names the last operation that began writing the datastore's
 * snapshot folder, written under the datastore's lock before its first write. It outlives the
 * history: a later sync whose record was deleted is still seen. The folder fingerprint (names,
 * sizes and modification times of its files) is kept with an aborted operation's checkpoint, so a
 * checkout or a hand edit after the abort is seen too.
 */
export function markWriter(stateDir: string, datastore: string, operationId: number): void {
  const file = writerFile(stateDir, datastore);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomicallySync(file, JSON.stringify({ operation_id: operationId }) + '\n');
}

/** The operation that last began writing the datastore; undefined when none is known (older state). */
export function lastWriter(stateDir: string, datastore: string): number | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(writerFile(stateDir, datastore), 'utf8')) as { operation_id?: unknown };
    return typeof value.operation_id === 'number' ? value.operation_id : undefined;
  } catch {
    return undefined;
  }
}

/** A digest of a snapshot folder's file names, sizes and modification times; '' for a missing folder. */
export function folderFingerprint(dir: string): string {
  const hash = crypto.createHash('sha1');
  for (const name of listSnapshotFolder(dir).files) {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(path.join(dir, ...name.split('/')));
    } catch {
      continue;
    }
    hash.update(`${name}\u0000${stat.size}\u0000${stat.mtimeMs}\u0000`);
  }
  return hash.digest('hex');
}

function writerFile(stateDir: string, datastore: string): string {
  return path.join(stateDir, 'writes', `${encodeSnapshotBase(datastore)}.json`);
}
