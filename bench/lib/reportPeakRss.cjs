'use strict';
// Preloaded into a measured Node process (`node -r bench/lib/reportPeakRss.cjs …`, see
// peakRss.ts): when that process exits, it writes its peak resident set size in KiB, every
// thread included, to the file CAC_BENCH_PEAK_RSS_FILE names. The benchmark thus learns the
// memory high-water mark of exactly the process doing the measured work.
/* global require, process */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload, loaded by `node -r`.
const fs = require('node:fs');

const file = process.env.CAC_BENCH_PEAK_RSS_FILE;
if (file) {
  // Worker threads and child processes get no file to overwrite: the value is this process's.
  delete process.env.CAC_BENCH_PEAK_RSS_FILE;
  process.on('exit', () => {
    fs.writeFileSync(file, `${peakRssKiB()}\n`);
  });
}

/**
 * VmHWM, the high-water mark of this process's own address space. Not getrusage's ru_maxrss
 * (`process.resourceUsage().maxRSS`): Linux carries across exec the high-water mark of the
 * address space forked from the parent (fs/exec.c, setmax_mm_hiwater_rss into signal->maxrss),
 * so a child of a 600 MB benchmark process reported 420 MB for `cac --version`, 40 MB alone.
 */
function peakRssKiB() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // No procfs: fall back to getrusage below.
  }
  return process.resourceUsage().maxRSS;
}
