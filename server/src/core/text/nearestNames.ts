import { compareText } from './order';
/**
 * Suggests the closest known names for a misspelt one ("did you mean"). Distances are small
 * strings compared once per problem, so a plain dynamic-programming edit distance is enough.
 */
export function nearestNames(wanted: string, candidates: Iterable<string>, limit = 3): string[] {
  const target = wanted.toLowerCase();
  const maxDistance = Math.max(2, Math.floor(target.length / 3));
  const scored: { name: string; distance: number }[] = [];
  for (const name of candidates) {
    const distance = editDistance(target, name.toLowerCase());
    if (distance <= maxDistance || name.toLowerCase().includes(target) || target.includes(name.toLowerCase())) {
      scored.push({ name, distance });
    }
  }
  scored.sort((a, b) => a.distance - b.distance || compareText(a.name, b.name));
  return [...new Set(scored.map((s) => s.name))].slice(0, limit);
}

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** "Did you mean x or y?" or an empty string. */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return '';
  const quoted = suggestions.map((s) => `'${s}'`);
  return ` Did you mean ${quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`}?`;
}
