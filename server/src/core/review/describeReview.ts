import { describeSnapshotChange } from '../snapshots/changes';
import { isSourcePresenceChange, type ContainerReview, type ReviewChange, type ReviewSummary } from './reviewModel';

/**
 * The words of a review, shared by the text, Markdown and JSON renderings. Values (names, types)
 * appear raw here; each renderer makes them safe for its medium.
 */

/** One change as a sentence, in the wording `cac sync` already prints. */
export function describeReviewChange(change: ReviewChange): string {
  if (isSourcePresenceChange(change)) {
    return change.change === 'missing_from_source' ? 'gone from the source; snapshot kept (sync with --prune to delete it) (breaking)' : 'back in the source';
  }
  return describeSnapshotChange(change);
}

/** A short label for a change, for table cells. */
export function changeLabel(change: ReviewChange): string {
  switch (change.change) {
    case 'field_added': return 'field added';
    case 'field_removed': return 'field removed';
    case 'type_changed': return 'type changed';
    case 'nullability_changed': return 'nullability changed';
    case 'field_changed': return 'field attributes changed';
    case 'identifier_changed': return `${change.identifier === 'partition_identifier' ? 'partition' : 'incremental'} identifier changed`;
    case 'kind_changed': return 'kind changed';
    case 'fields_reordered': return 'fields reordered';
    case 'file_format_changed': return 'file format details changed';
    case 'partition_key_changed': return 'partition key changed';
    case 'comment_changed': return 'comment changed';
    case 'container_renamed': return 'renamed';
    case 'missing_from_source': return 'gone from the source (snapshot kept)';
    case 'back_in_source': return 'back in the source';
  }
}

/** What happened to a container in a few words: `added (table, 3 fields)`, `removed from the catalog`, `1 field added, 1 type changed`. */
export function containerHeadline(container: ContainerReview): string {
  const fieldCount = container.fields?.length ?? 0;
  const fields = `${fieldCount} field${fieldCount === 1 ? '' : 's'}`;
  if (container.change === 'added') return `${container.reason === 'recreated' ? 'recreated' : 'added'} (${container.kind ?? 'container'}, ${fields})`;
  if (container.change === 'removed') {
    return container.reason === 'removed_from_catalog' ? `removed from the catalog (had ${fields})` : `snapshot deleted (had ${fields})`;
  }
  const counts = new Map<string, number>();
  for (const change of container.changes) counts.set(changeLabel(change), (counts.get(changeLabel(change)) ?? 0) + 1);
  return [...counts].map(([label, count]) => (count === 1 ? label : `${count}× ${label}`)).join(', ');
}

/** The counts of a review as phrases: `1 container added`, `2 fields removed`, … (only non-zero ones). */
export function summaryPhrases(summary: ReviewSummary): { containers: string[]; fields: string[] } {
  const phrase = (count: number, one: string, many: string): string | undefined => (count === 0 ? undefined : `${count} ${count === 1 ? one : many}`);
  const containers = [
    phrase(summary.containers_added, 'container added', 'containers added'),
    phrase(summary.containers_removed, 'container removed', 'containers removed'),
    phrase(summary.containers_changed, 'container changed', 'containers changed'),
    phrase(summary.containers_gone_from_source, 'gone from the source', 'gone from the source'),
  ].filter((p): p is string => p !== undefined);
  const fields = [
    phrase(summary.fields_added, 'field added', 'fields added'),
    phrase(summary.fields_removed, 'field removed', 'fields removed'),
    phrase(summary.types_changed, 'type changed', 'types changed'),
    phrase(summary.nullability_changed, 'nullability changed', 'nullability changes'),
    phrase(summary.identifiers_changed, 'identifier changed', 'identifiers changed'),
    phrase(summary.other_changes, 'other change', 'other changes'),
  ].filter((p): p is string => p !== undefined);
  return { containers, fields };
}

/** `3 breaking changes` / `1 breaking change`. */
export function breakingPhrase(summary: ReviewSummary): string {
  return `${summary.breaking} breaking change${summary.breaking === 1 ? '' : 's'}`;
}

/** The datastores a review covers, as words. */
export function scopePhrase(scope: readonly string[] | undefined): string {
  if (scope === undefined) return 'all datastores';
  return scope.length === 1 ? `datastore ${scope[0]}` : `datastores ${scope.join(', ')}`;
}
