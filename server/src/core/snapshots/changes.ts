import type { SnapshotChange } from './diff';
import type { ChangeSummary, ContainerChange } from './plan';

/** What a plan changed, described for people: every change except `unchanged`, in plan order. */
export function describePlanChanges(plan: { changes: readonly ContainerChange[] }): DescribedChange[] {
  return plan.changes.filter((c) => c.action !== 'unchanged').map(describeChange);
}

/**
 * How many breaking changes a plan makes, as the review counts them: a container that goes away
 * (pruned, removed from the catalog, or gone from the source) once, and each breaking field-level
 * change of a changed one. `--fail-on breaking` gates CI on this.
 */
export function countBreaking(plan: { changes: readonly ContainerChange[] }): number {
  let breaking = 0;
  for (const change of plan.changes) {
    if (change.action === 'pruned' || change.action === 'removed' || (change.action === 'missing' && change.reason === 'gone')) breaking++;
    else if (change.action === 'changed') breaking += change.details.filter((d) => d.breaking).length;
  }
  return breaking;
}

/** A container's change for people: its action, its kind where known, and what happened, in short sentences. */
export interface DescribedChange {
  name: string;
  action: ContainerChange['action'];
  kind?: string;
  details?: string[];
}

/** A container change as short human sentences: the same wording in the CLI, history and API. */
export function describeChange(change: ContainerChange): DescribedChange {
  const head = { name: change.name, action: change.action, ...(change.kind !== undefined ? { kind: change.kind } : {}) };
  switch (change.action) {
    case 'new':
    case 'recreated':
      return { ...head, details: [`${change.kind}, ${change.fieldCount} field${change.fieldCount === 1 ? '' : 's'}`] };
    case 'changed':
      return { ...head, details: [...(change.movedFrom !== undefined ? [`snapshot file moved from ${change.movedFrom} to ${change.file}`] : []), ...change.details.map(describeSnapshotChange)] };
    case 'missing':
      return {
        ...head,
        details: [change.reason === 'gone'
          ? 'gone from the source; snapshot kept (sync with --prune to delete it)'
          : change.reason === 'incomplete_listing' ? 'not listed, but the listing was incomplete; snapshot kept' : 'gone from the source; prune refused (see warnings)'],
      };
    case 'pruned':
      return { ...head, details: ['gone from the source; snapshot deleted'] };
    case 'still_removed':
      return { ...head, details: ['removed from the catalog; sync with --recreate to bring it back'] };
    case 'removed':
      return { ...head, details: [`${change.kind ?? 'container'} removed from the catalog (its snapshot file was deleted)`] };
    case 'unchanged':
      return head;
  }
}

export function describeSnapshotChange(change: SnapshotChange): string {
  const mark = change.breaking ? ' (breaking)' : '';
  switch (change.change) {
    case 'field_added': return `field ${change.field} added (${change.to})`;
    case 'field_removed': return `field ${change.field} removed${mark}`;
    case 'type_changed': return `field ${change.field} type ${change.from} → ${change.to}${mark}`;
    case 'nullability_changed': return `field ${change.field} ${change.from} → ${change.to}`;
    case 'field_changed': return `field ${change.field}: ${change.from} → ${change.to}`;
    case 'identifier_changed': return `${change.identifier === 'incremental_identifier' ? 'incremental' : 'partition'} identifier ${change.from} → ${change.to}${mark}`;
    case 'kind_changed': return `kind ${change.from} → ${change.to}${mark}`;
    case 'fields_reordered': return 'fields reordered';
    case 'file_format_changed': return 'file format details changed';
    case 'partition_key_changed': return `partition key ${change.from || 'none'} → ${change.to || 'none'}`;
    case 'comment_changed': return 'comment changed';
    case 'container_renamed': return `renamed from ${change.from} (its files now form one family)${mark}`;
  }
}

/**
 * A summary in words (`2 new, 1 changed, 40 unchanged`), the same in every human-readable
 * output; actions that touched nothing are left out, and `unchanged` only when asked.
 */
export function describeSummary(summary: ChangeSummary, options: { unchanged: boolean }): string[] {
  const parts = SUMMARY_WORDS.filter(([action]) => summary[action] > 0).map(([action, words]) => `${summary[action]} ${words}`);
  if (options.unchanged) parts.push(`${summary.unchanged} unchanged`);
  return parts;
}

const SUMMARY_WORDS: readonly [Exclude<keyof ChangeSummary, 'unchanged'>, string][] = [
  ['new', 'new'], ['recreated', 'recreated'], ['changed', 'changed'], ['pruned', 'pruned'], ['missing', 'missing from source'],
  ['removed', 'removed'], ['still_removed', 'still removed'],
];
