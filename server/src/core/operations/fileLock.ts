import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { writeFileAtomicallySync } from '../fs/atomicFiles';
import { isAlive } from '../history/operationStore';

/**
 * An inter-process lock that a crashed holder cannot leave stuck. The lock is a small JSON file
 * naming its holder; it is taken by hard-linking a fully written temp file to the lock's name,
 * which fails when the name exists, so exactly one process wins and nobody ever reads a
 * half-written lock. A lock whose holder is gone is stale and is taken over:
 *
 * - same host: the holder's process no longer exists (pid liveness);
 * - any host: the holder stopped renewing its lease (the file's mtime) for `leaseMs`, which also
 *   covers a pid reused by an unrelated process and holders on other machines sharing the folder.
 *
 * Taking over a stale lock happens under a short "breaker" lock, so two processes that both see
 * the same stale holder cannot both take it (one would otherwise delete the other's fresh lock).
 */
export function acquireLock(file: string, holder: Omit<LockHolder, 'pid' | 'host'>, options: LockOptions = {}): LockAttempt {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const owner: LockHolder = { pid: process.pid, host: hostname(), ...holder };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 10; attempt++) {
    if (linkNew(file, JSON.stringify(owner))) return { acquired: true, lock: new HeldLock(file, owner, leaseMs) };
    const current = readLock(file);
    if (!current) continue; // Released between our link and our read: try again.
    if (!isStale(current, leaseMs)) return { acquired: false, holder: current.holder ?? unknownHolder() };
    breakStaleLock(file, current, leaseMs);
  }
  const current = readLock(file);
  return { acquired: false, holder: current?.holder ?? unknownHolder() };
}

export interface LockHolder {
  pid: number;
  host: string;
  /** What holds it, for messages: `sync`, `schedule`. */
  purpose: string;
  /** The operation the holder runs, once it has an id. */
  operation_id: number | null;
  acquired_at: string;
}

export interface LockOptions {
  /** How long a holder may go without renewing before others may take the lock over. */
  leaseMs?: number;
}

export type LockAttempt = { acquired: true; lock: HeldLock } | { acquired: false; holder: LockHolder };

/** Ten minutes: far longer than any renewal gap of a live holder (renewals run every 15 s). */
export const DEFAULT_LEASE_MS = 10 * 60_000;
const RENEW_EVERY_MS = 15_000;

export class HeldLock {
  private lastRenewal = Date.now();
  private released = false;
  private readonly timer: NodeJS.Timeout;

  constructor(readonly file: string, private holder: LockHolder, leaseMs: number) {
    // A timer renews the lease while the event loop is free; `renewIfDue` covers long synchronous work.
    this.timer = setInterval(() => this.renewIfDue(), Math.min(RENEW_EVERY_MS, Math.max(1000, leaseMs / 4)));
    this.timer.unref();
  }

  get current(): LockHolder {
    return this.holder;
  }

  /** Rewrites the holder (e.g. with the operation id once it is known). Only the holder writes its lock. */
  update(patch: Partial<Pick<LockHolder, 'operation_id' | 'purpose'>>): void {
    this.holder = { ...this.holder, ...patch };
    writeFileAtomicallySync(this.file, JSON.stringify(this.holder));
    this.lastRenewal = Date.now();
  }

  /** Renews the lease (the file's mtime), at most every few seconds. */
  renewIfDue(): void {
    if (this.released || Date.now() - this.lastRenewal < 5000) return;
    this.lastRenewal = Date.now();
    try {
      const now = new Date();
      fs.utimesSync(this.file, now, now);
    } catch {
      // Taken over after all (the lease had expired): nothing to renew; release() will leave it alone.
    }
  }

  /** Removes the lock, unless another process has taken it over meanwhile. */
  release(): void {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    const current = readLock(this.file);
    if (current?.holder && current.holder.pid === this.holder.pid && current.holder.host === this.holder.host && current.holder.acquired_at === this.holder.acquired_at) {
      fs.rmSync(this.file, { force: true });
    }
  }
}

interface LockOnDisk {
  holder: LockHolder | undefined;
  mtimeMs: number;
  ino: number;
}

function readLock(file: string): LockOnDisk | undefined {
  try {
    const stat = fs.statSync(file);
    let holder: LockHolder | undefined;
    try {
      const value = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
      if (typeof value.pid === 'number' && typeof value.host === 'string') holder = value;
    } catch {
      // Not a lock we wrote (ours are linked complete): judged by its age alone.
    }
    return { holder, mtimeMs: stat.mtimeMs, ino: stat.ino };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isStale(lock: LockOnDisk, leaseMs: number): boolean {
  if (Date.now() - lock.mtimeMs > leaseMs) return true;
  if (!lock.holder) return Date.now() - lock.mtimeMs > 5000;
  return lock.holder.host === hostname() && !isAlive(lock.holder.pid);
}

function breakStaleLock(file: string, seen: LockOnDisk, leaseMs: number): void {
  const breaker = `${file}.break`;
  if (!linkNew(breaker, String(process.pid))) {
    // Someone else is breaking it; a breaker left by a crash is cleared after a few seconds.
    const age = ageOf(breaker);
    if (age !== undefined && age > 5000) fs.rmSync(breaker, { force: true });
    return;
  }
  try {
    const current = readLock(file);
    // Still the very file judged stale (same inode, still stale): only then is it removed.
    if (current && current.ino === seen.ino && isStale(current, leaseMs)) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

/** Creates `file` with `content` only if it does not exist, never visible half-written. */
function linkNew(file: string, content: string): boolean {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  fs.writeFileSync(temp, content, { flag: 'wx', mode: 0o644 });
  try {
    fs.linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

function ageOf(file: string): number | undefined {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function unknownHolder(): LockHolder {
  return { pid: 0, host: 'unknown', purpose: 'unknown', operation_id: null, acquired_at: '' };
}
