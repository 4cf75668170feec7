import { growthExponent } from './stats';

/** Plain-text tables: left-aligned first column, right-aligned numbers. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function ms(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

export function ratio(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '–' : `${value.toFixed(2)}×`;
}

export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** 11,000 → `11k`, 2,500 → `2.5k`, 500 → `500`: sizes in a row label. */
export function compactCount(value: number): string {
  if (value < 1000) return String(value);
  const thousands = value / 1000;
  return `${Number.isInteger(thousands) || thousands >= 10 ? Math.round(thousands) : thousands.toFixed(1)}k`;
}

/** Issue 19: between two sizes, time and peak memory grow no faster than n^1.1 (near-linear). */
export const GROWTH_TARGET = 1.1;

/** A cost at the two sizes of a growth measurement; `target` undefined makes it a context row. */
export interface GrowthFigure {
  label: string;
  small: number;
  large: number;
  unit: 'ms' | 'MB';
  target?: number;
}

/**
 * Growth rows: `growth 10k → 50k tables: first sync time`, the cost at both sizes, the exponent
 * (`growthExponent` of the sizes), the target and the verdict. `small`/`large` are the sizes the
 * exponent uses (what the work scales with), `noun` and the labels say what they count.
 */
export function formatGrowthTable(
  sizes: { small: number; large: number; smallLabel?: string; largeLabel?: string; noun: string },
  figures: readonly GrowthFigure[],
): string {
  const smallLabel = sizes.smallLabel ?? compactCount(sizes.small);
  const largeLabel = sizes.largeLabel ?? compactCount(sizes.large);
  const value = (x: number, unit: GrowthFigure['unit']): string => (unit === 'ms' ? `${ms(x)} ms` : `${x.toFixed(1)} MB`);
  const rows = figures.map((figure) => {
    const k = growthExponent(sizes.small, figure.small, sizes.large, figure.large);
    const verdict = figure.target === undefined ? '' : Number.isFinite(k) && k <= figure.target ? 'PASS' : 'MISS';
    return [`growth ${smallLabel} → ${largeLabel} ${sizes.noun}: ${figure.label}`, value(figure.small, figure.unit), value(figure.large, figure.unit),
      `exponent ${Number.isFinite(k) ? k.toFixed(2) : '–'}`, figure.target === undefined ? '' : `≤ ${figure.target}`, verdict];
  });
  return formatTable(['figure', `at ${smallLabel}`, `at ${largeLabel}`, '', 'target', 'verdict'], rows);
}
