import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SyncPlan } from '../snapshots/plan';

/**
 * The files a plan writes or deletes, each with a hash of its text on disk now, and the plan's
 * fingerprint over them. A preview a person looked at is applied only when a fresh plan has the
 * same fingerprint: same files, same planned texts, and the same committed texts under them.
 */
export interface PlannedFileChange {
  path: string;
  action: 'write' | 'delete';
  /** The container the file describes; undefined for the datastore's index. */
  container?: string;
  /** The text the plan writes; null for a delete. */
  text: string | null;
  /** sha256 (hex) of the file's bytes on disk now; null when it does not exist. */
  committedHash: string | null;
}

/** Every file the plan changes, in the plan's order (writes, the index, deletes). */
export function plannedFileChanges(plan: SyncPlan | undefined): PlannedFileChange[] {
  if (!plan) return [];
  const containerOf = new Map<string, string>();
  for (const change of plan.changes) if ('file' in change) containerOf.set(path.join(path.dirname(plan.indexPath), change.file), change.name);
  const files: PlannedFileChange[] = plan.writes.map((write) => ({
    path: write.path, action: 'write', container: containerOf.get(write.path),
    text: typeof write.content === 'string' ? write.content : Buffer.from(write.content).toString('utf8'),
    committedHash: hashOfFile(write.path),
  }));
  if (plan.indexChanged) files.push({ path: plan.indexPath, action: 'write', text: plan.indexText, committedHash: hashOfFile(plan.indexPath) });
  for (const file of plan.deletes) files.push({ path: file, action: 'delete', container: containerOf.get(file), text: null, committedHash: hashOfFile(file) });
  return files;
}

/** One hash naming a plan: its files, what it writes to each, and what each holds on disk now. */
export function planFingerprint(files: readonly PlannedFileChange[]): string {
  const entries = files
    .map((f) => [f.path, f.action, f.text === null ? null : hashOfText(f.text), f.committedHash])
    .sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
  return hashOfText(JSON.stringify(entries));
}

export function hashOfText(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 of a file's bytes; null when it cannot be read (absent). */
export function hashOfFile(file: string): string | null {
  try {
    return hashOfText(fs.readFileSync(file));
  } catch {
    return null;
  }
}
