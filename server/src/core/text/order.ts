/**
 * The one order of names everywhere output is reviewed: UTF-16 code units, the order of
 * JavaScript's default sort, independent of locale. Equal strings compare 0, so sorts stay stable.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** {@link compareText} on the `name` of two records. */
export function compareByName(a: { readonly name: string }, b: { readonly name: string }): number {
  return compareText(a.name, b.name);
}
