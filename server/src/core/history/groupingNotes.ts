import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicallyIfChangedSync } from '../fs/atomicFiles';
import type { FileGrouping, OperationLogEntry } from '../model';
import { encodeSnapshotBase } from '../snapshots/fileNames';

/**
 * Why the files of each file container are one container, as the last written sync of a datastore
 * found it: `<state>/cache/<datastore>.grouping.json`, container name → grouping. Local state, not
 * the snapshot (which must not change when a day's file arrives); the editor's hover reads it.
 */
export function saveGroupingNotes(stateDir: string, datastore: string, logs: readonly OperationLogEntry[]): void {
  const notes: Record<string, FileGrouping> = {};
  for (const log of logs) if (log.code === 'globbed' && log.container !== undefined && log.grouping) notes[log.container] = log.grouping;
  const file = notesFile(stateDir, datastore);
  if (Object.keys(notes).length === 0) {
    fs.rmSync(file, { force: true });
    return;
  }
  // A no-change resync finds the same groupings: reading 400 KB is cheaper than a durable rewrite.
  writeFileAtomicallyIfChangedSync(file, JSON.stringify(notes) + '\n');
}

/** The grouping of one container as the last written sync found it; undefined when none is known. */
export function groupingNote(stateDir: string, datastore: string, container: string): FileGrouping | undefined {
  try {
    const notes = JSON.parse(fs.readFileSync(notesFile(stateDir, datastore), 'utf8')) as Record<string, FileGrouping>;
    const note = Object.prototype.hasOwnProperty.call(notes, container) ? notes[container] : undefined;
    return note && typeof note.pattern === 'string' && typeof note.files === 'number' && Array.isArray(note.sampled) && Array.isArray(note.varying) ? note : undefined;
  } catch {
    return undefined;
  }
}

function notesFile(stateDir: string, datastore: string): string {
  return path.join(stateDir, 'cache', `${encodeSnapshotBase(datastore)}.grouping.json`);
}
