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

  /** Moves `target` (if it exists) into the trash. */
  discard(target: string): void {
    if (!fs.existsSync(target)) return;
    fs.mkdirSync(this.dir, { recursive: true });
    fs.renameSync(target, path.join(this.dir, `${process.pid}-${++this.moved}-${path.basename(target)}`));
  }

  /** Deletes everything in the trash (also what an interrupted run left); returns files removed and ms. */
  empty(): { files: number; ms: number } {
    if (!fs.existsSync(this.dir)) return { files: 0, ms: 0 };
    const start = performance.now();
    let files = 0;
    for (const entry of fs.readdirSync(this.dir, { withFileTypes: true, recursive: true })) if (!entry.isDirectory()) files++;
    fs.rmSync(this.dir, { recursive: true, force: true });
    return { files, ms: performance.now() - start };
  }
}
