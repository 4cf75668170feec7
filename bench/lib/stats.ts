import { performance } from 'node:perf_hooks';

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Wall time of `work` in milliseconds, with its result. */
export async function timed<T>(work: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

export function timedSync<T>(work: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = work();
  return { ms: performance.now() - start, value };
}

/** A series of runs: every sample, plus the median. */
export interface Series {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function seriesOf(samples: readonly number[]): Series {
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), samples: samples.map(round1) };
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A stopwatch whose every call returns the milliseconds since the previous call (or since its creation). */
export function lapTimer(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const elapsed = now - last;
    last = now;
    return elapsed;
  };
}

/**
 * The growth exponent k of a cost x ∝ n^k measured at two sizes: ln(x2/x1) / ln(n2/n1).
 * 1 is linear, 2 quadratic, 0 a constant; a fixed part in x (Node's start, its baseline memory)
 * pulls k below the exponent of the rest.
 */
export function growthExponent(n1: number, x1: number, n2: number, x2: number): number {
  return Math.log(x2 / x1) / Math.log(n2 / n1);
}
