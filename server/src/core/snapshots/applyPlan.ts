import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeFolders, removeFilesDurably, writeFileAtomicallySync, writeFilesInBatches, writeNewFolder, type FileStamp, type FileWrite } from '../fs/atomicFiles';
import { removeEmptyFolders } from './fileNames';
import { planHasChanges, type SyncPlan } from './plan';

/**
 * Writes a plan: new and changed snapshots first (each atomically, in batches), then the index,
 * then the deletions. A crash or an abort between batches leaves every file old or new; an abort
 * is honoured only before the index is written, so an aborted sync never leaves an index that
 * lists files it did not write. The next sync's reconciliation (folder.ts) adopts whatever
 * the index did not yet record, and a resume finishes the plan. A first sync into a folder that
 * does not exist yet writes it whole instead (writeFirstFolder). Returns the stamp of every file
 * written.
 */
export async function applySyncPlan(plan: SyncPlan, dir: string, options: ApplyOptions = {}): Promise<Map<string, FileStamp>> {
  const stamps = new Map<string, FileStamp>();
  if (!planHasChanges(plan)) return stamps;
  if (await writeFirstFolder(plan, dir, options, stamps)) return stamps;
  fs.mkdirSync(dir, { recursive: true });
  // A file store's snapshots live in subfolders mirroring its folders (fileNames.ts).
  const parents = new Set<string>();
  for (const folder of new Set(plan.writes.map((write) => path.dirname(write.path)))) if (folder !== dir) for (const parent of makeFolders(folder)) parents.add(parent);
  const writes = options.skipIdentical ? plan.writes.filter((write) => !holdsContent(write)) : plan.writes;
  options.onWritten?.(0, writes.length);
  await writeFilesInBatches(writes, {
    batchSize: options.batchSize ?? DEFAULT_WRITE_BATCH,
    signal: options.signal,
    onStaged: options.onStaged,
    onCommitted: options.onWritten,
    stamps,
    alsoSync: [...parents],
    stagingDir: options.stagingDir,
  });
  options.signal?.throwIfAborted();
  if (plan.indexChanged) writeFileAtomicallySync(plan.indexPath, plan.indexText);
  removeFilesDurably(plan.deletes);
  removeEmptyFolders(dir, plan.deletes);
  return stamps;
}

/**
 * A datastore's first sync into a folder that does not exist yet: its snapshots and its index
 * appear together, as one folder renamed into place (atomicFiles.ts writeNewFolder), so the index
 * never lists a file that is not there. False when the plan is not such a write.
 */
async function writeFirstFolder(plan: SyncPlan, dir: string, options: ApplyOptions, stamps: Map<string, FileStamp>): Promise<boolean> {
  if (options.stagingDir === undefined || plan.deletes.length > 0 || plan.writes.length < NEW_FOLDER_MIN_FILES || process.platform !== 'linux' || fs.existsSync(dir)) return false;
  const files = plan.indexChanged ? [...plan.writes, { path: plan.indexPath, content: plan.indexText }] : plan.writes;
  options.onWritten?.(0, plan.writes.length);
  const written = await writeNewFolder(dir, files, {
    batchSize: options.batchSize ?? DEFAULT_WRITE_BATCH,
    signal: options.signal,
    onStaged: (staged) => options.onStaged?.(Math.min(staged, plan.writes.length), plan.writes.length),
    stamps,
    stagingDir: options.stagingDir,
  });
  if (written) options.onWritten?.(plan.writes.length, plan.writes.length);
  return written;
}

/**
 * From this many files on, a first sync writes its folder whole (one syncfs, one rename). Below,
 * the file-by-file path flushes each file and commits batch by batch, as before.
 */
const NEW_FOLDER_MIN_FILES = 256;

export interface ApplyOptions {
  signal?: AbortSignal;
  /** Temp files are staged here (in the state folder, out of git's sight), then renamed into place. */
  stagingDir?: string;
  batchSize?: number;
  /** Called before the first batch (0) and after each one, with the files written so far. */
  onWritten?: (written: number, total: number) => void;
  /** Temp files prepared so far, when a large plan is flushed to disk once before any is renamed. */
  onStaged?: (staged: number, total: number) => void;
  /** Skip files whose content on disk is already the planned one (a resume's finished containers). */
  skipIdentical?: boolean;
}

const DEFAULT_WRITE_BATCH = 256;

/** True when the file already holds exactly this content (a resumed write that is already done). */
function holdsContent(write: FileWrite): boolean {
  const expected = typeof write.content === 'string' ? Buffer.from(write.content, 'utf8') : write.content;
  try {
    const stat = fs.lstatSync(write.path);
    return stat.isFile() && stat.size === expected.length && fs.readFileSync(write.path).equals(expected);
  } catch {
    return false;
  }
}
