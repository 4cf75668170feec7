import * as fs from 'node:fs';
import { fileStamp, type FileStamp } from './atomicFiles';

/** A regular file's text, or undefined when it is missing or not a regular file (see readStampedText). */
export function readTextIfExists(file: string): string | undefined {
  return readStampedText(file)?.text;
}

/**
 * A regular file's text and stamp (size, mtime, inode) from one open: a symlink planted in the
 * snapshot folder must not make a sync read (or later replace) another file, so the open does not
 * follow links (O_NOFOLLOW), and O_NONBLOCK keeps a planted FIFO from blocking it. Undefined
 * when the file is missing or not a regular file.
 */
export function readStampedText(file: string): { text: string; stamp: FileStamp } | undefined {
  if (NO_FOLLOW === undefined) return readStampedTextByPath(file);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | NO_FOLLOW | (fs.constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'EMLINK' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return undefined;
    return { text: readToEnd(fd, stat.size), stamp: fileStamp(stat) };
  } finally {
    fs.closeSync(fd);
  }
}

/** The file's bytes as UTF-8 from a size already known (readFileSync(fd) would fstat again: each syscall counts here). */
function readToEnd(fd: number, size: number): string {
  const buffer = Buffer.allocUnsafe(size);
  let offset = 0;
  while (offset < size) {
    const read = fs.readSync(fd, buffer, offset, size - offset, null);
    if (read === 0) break;
    offset += read;
  }
  // A file someone writes to meanwhile may read short: it then differs from its rendering and is rewritten.
  return buffer.toString('utf8', 0, offset);
}

/** Where the platform has no O_NOFOLLOW (Windows): check, then read. */
function readStampedTextByPath(file: string): { text: string; stamp: FileStamp } | undefined {
  try {
    const stat = fs.lstatSync(file);
    if (!stat.isFile()) return undefined;
    return { text: fs.readFileSync(file, 'utf8'), stamp: fileStamp(stat) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const NO_FOLLOW: number | undefined = fs.constants.O_NOFOLLOW;

/** Whether a path is a folder (following links); false when it does not exist or cannot be read. */
export function isFolder(folder: string): boolean {
  try {
    return fs.statSync(folder).isDirectory();
  } catch {
    return false;
  }
}

/** Whether a path is itself a symbolic link; false when it does not exist. */
export function isSymbolicLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
