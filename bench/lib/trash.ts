import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * "Deletes" folders between runs by renaming them into a trash folder, and empties the trash only
 * when the benchmark is done. Deleting 1,000 snapshot files right before a timed first sync made
 * creating the next 1,000 files cost ~0.6 ms each on this machine's journal-less ext4: without a
 * journal, ext4 skips inodes deleted in the last 60 s (300 s while their inode table block is
 * dirty) when it allocates new ones (fs/ext4/ialloc.c, recently_deleted/find_inode_bit), and that
 * scan repeats for every create. A rename frees no inode, so the timed runs stay clean.
 */
export class Trash {
  private moved = 0;

  constructor(readonly dir: string) {}

  /** This process's part of the trash: benchmarks running side by side share `dir`. */
  private get own(): string {
    return path.join(this.dir, String(process.pid));
  }

  /** Moves `target` (if it exists) into the trash. */
  discard(target: string): void {
    if (!fs.existsSync(target)) return;
    fs.mkdirSync(this.own, { recursive: true });
    fs.renameSync(target, path.join(this.own, `${++this.moved}-${path.basename(target)}`));
  }

  /**
   * Deletes this process's trash and what exited processes left (an interrupted run), never what
   * a benchmark still running beside this one moved there; returns files removed and ms.
   */
  empty(): { files: number; ms: number } {
    // Benchmarks run one after another keep their trash until the last one is done (each empty
    // would slow the next one's file creation for ~5 minutes); then `rm -rf bench/.work/trash`.
    if (!fs.existsSync(this.dir) || process.env.CAC_BENCH_KEEP_TRASH === '1') return { files: 0, ms: 0 };
    const start = performance.now();
    let files = 0;
    for (const name of fs.readdirSync(this.dir)) {
      // `<pid>` folders, and `<pid>-<n>-<name>` entries of the earlier flat layout.
      const owner = Number(/^(\d+)/.exec(name)?.[1]);
      if (owner !== process.pid && isRunning(owner)) continue;
      const entry = path.join(this.dir, name);
      try {
        files += fs.statSync(entry).isDirectory()
          ? fs.readdirSync(entry, { withFileTypes: true, recursive: true }).filter((e) => !e.isDirectory()).length
          : 1;
        fs.rmSync(entry, { recursive: true, force: true });
      } catch (error) {
        // Another benchmark's `empty()` took it first.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return { files, ms: performance.now() - start };
  }
}

/** Whether a process with this id exists (a name without one counts as left behind). */
function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
