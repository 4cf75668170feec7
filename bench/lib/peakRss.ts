import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BenchAssertion } from './engine';

/** The preload that makes a Node process report its peak RSS when it exits. */
export const PEAK_RSS_PRELOAD = path.join(__dirname, 'reportPeakRss.cjs');

/**
 * One measured Node process's peak RSS. The process is started with `nodeArgs(...)` and `env`;
 * after it exits, `readMb()` returns what it reported. The number is VmHWM of that process
 * alone (all its threads), never of the benchmark, which keeps its own heap of results.
 */
export class PeakRssReport {
  readonly file: string;

  constructor() {
    this.file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cac-bench-rss-')), 'maxrss');
  }

  /** Node's arguments for the measured process: the reporter preloaded, then `args`. */
  nodeArgs(args: readonly string[]): string[] {
    return ['-r', PEAK_RSS_PRELOAD, ...args];
  }

  get env(): Record<string, string> {
    return { CAC_BENCH_PEAK_RSS_FILE: this.file };
  }

  /** Forgets an earlier report, so a process that reports nothing is noticed. */
  reset(): void {
    fs.rmSync(this.file, { force: true });
  }

  /** Peak RSS in MiB (1 MB here = 2^20 bytes). */
  readMb(): number {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      throw new BenchAssertion('a measured process exited without reporting its peak RSS (killed, or started without the preload)');
    }
    return Number(text) / 1024;
  }

  dispose(): void {
    fs.rmSync(path.dirname(this.file), { recursive: true, force: true });
  }
}

export interface MeasuredProcess {
  /** Spawn → exit, wall time. */
  ms: number;
  peakRssMb: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <args>` to its end with the peak-RSS reporter preloaded: wall time from spawn to
 * exit, and the child's own peak RSS. Synchronous, so nothing else of the benchmark runs meanwhile.
 */
export function runMeasuredNode(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): MeasuredProcess {
  const report = new PeakRssReport();
  try {
    const start = performance.now();
    const child = spawnSync(process.execPath, report.nodeArgs(args), {
      cwd: options.cwd, encoding: 'utf8', maxBuffer: 256 * 2 ** 20,
      env: { ...process.env, NO_COLOR: '1', ...options.env, ...report.env },
    });
    const ms = performance.now() - start;
    if (child.error) throw child.error;
    return { ms, peakRssMb: report.readMb(), status: child.status, stdout: child.stdout, stderr: child.stderr };
  } finally {
    report.dispose();
  }
}
