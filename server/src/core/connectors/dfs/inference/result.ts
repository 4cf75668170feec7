/**
 * What inferring one file's schema yields, and the failures every format shares (an empty file,
 * one the store cannot read, one that cannot be analysed), each with a stable code and a message
 * that says what to do. Nothing here throws.
 */
import type { FieldInfo } from '../../../model';
import { NOT_A_REGULAR_FILE } from '../fileStore';

export interface InferredFileSchema {
  fields: FieldInfo[];
  delimiter?: string;
  header?: boolean;
  /** Data problems the schema survived, to report as warnings naming the line: ragged CSV rows, unparsable JSON lines. */
  notes?: InferenceNote[];
}
export interface InferenceNote { code: 'ragged-rows' | 'invalid-line'; line: number; message: string }
export interface InferenceFailure { code: 'file-empty' | 'file-unreadable' | 'file-malformed'; message: string }
export type InferenceResult = { ok: true; schema: InferredFileSchema } | { ok: false; failure: InferenceFailure };

export function fail(code: InferenceFailure['code'], message: string): InferenceResult {
  return { ok: false, failure: { code, message } };
}

export function emptyFile(): InferenceResult {
  return fail('file-empty', 'This file is empty, so it has no columns to catalog. Add data to it or remove it.');
}

/**
 * The failure for anything a read threw. Store errors and system errors carry an errno code;
 * anything else is a bug or hostile content, reported without details.
 */
export function failureOf(error: unknown): InferenceResult {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  // The store refused to read a pipe, socket or device (it could block or never end).
  if (code === NOT_A_REGULAR_FILE) return fail('file-unreadable', 'This path is not a regular file (it is a pipe, socket or device), so it cannot be read as data. Remove it from the datastore folder or exclude it.');
  if (typeof code === 'string' && /^E[A-Z0-9]{2,15}$/.test(code)) return unreadable(code);
  const kind = error instanceof Error ? error.name : 'unknown error';
  return fail('file-malformed', `This file could not be analysed (${kind}). Check that it is a valid file of its format; if it is, report this as a bug.`);
}

const ERRNO_HINTS: Record<string, string> = {
  ENOENT: 'it does not exist (it may have been moved or deleted during the sync)',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of its path is not a directory',
  ELOOP: 'its path has too many symbolic links',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
  EAGAIN: 'it is not ready for reading',
  EIO: 'the disk reported an input/output error',
};

function unreadable(code: string): InferenceResult {
  const hint = Object.prototype.hasOwnProperty.call(ERRNO_HINTS, code) ? ERRNO_HINTS[code] : 'the system refused to read it';
  return fail('file-unreadable', `This file cannot be read (${code}: ${hint}). Check that it exists and that the user running the sync may read it.`);
}
