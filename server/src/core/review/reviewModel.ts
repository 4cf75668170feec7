import type { FieldInfo, IdentifierInfo } from '../model';
import { compareText } from '../text/order';
import type { SnapshotChange } from '../snapshots/diff';

/**
 * What changed in the snapshot files between two states of a catalog (two git revisions, a
 * revision and the working tree, or the working tree and a sync that has not been written yet),
 * classified for review. Every renderer (text, Markdown, JSON) reads only this.
 */
export interface CatalogReview {
  base: ReviewSide;
  head: ReviewSide;
  /** The datastores the review was asked for, sorted; undefined when it covers every datastore. */
  scope: readonly string[] | undefined;
  /** Changed containers only: breaking ones first, then by datastore and name. */
  containers: ContainerReview[];
  /**
   * Datastores whose snapshot files differ although no container changed: the index records a
   * removal already visible on both sides, a snapshot moved to another file name, a file was
   * reformatted by hand. They still count as changes (exit status 2), so they are named.
   */
  bookkeeping: string[];
  /** Warnings and failures of the sync a review previews; empty for `cac diff`. */
  notes: ReviewNote[];
  summary: ReviewSummary;
}

/** One side of a review, for people: `origin/main (1a2b3c4)`, `the working tree`, `a dry-run sync`. */
export interface ReviewSide {
  label: string;
  /** The git ref as given, when this side is a revision named by a branch, tag or expression (not by its id). */
  ref?: string;
  /** The full commit id, when this side is a revision. */
  commit?: string;
}

export interface ContainerReview {
  datastore: string;
  name: string;
  /** The kind on the head side (the base side for a removed container); undefined when the index does not say. */
  kind: string | undefined;
  change: 'added' | 'removed' | 'changed';
  /**
   * Why a container appeared or went away, as the snapshot index tells it: `recreated` (it had been
   * removed from the catalog), `removed_from_catalog` (the index now lists it as removed, so later
   * syncs skip it), `deleted` (its snapshot is gone without that: a prune, or a hand edit).
   */
  reason: 'new' | 'recreated' | 'removed_from_catalog' | 'deleted' | undefined;
  breaking: boolean;
  /** Field-level changes of a changed container, in the order diffSnapshots reports them. */
  changes: ReviewChange[];
  /** The fields an added container has, or a removed container had (what its readers lose). */
  fields: FieldInfo[] | undefined;
  incremental_identifier: IdentifierInfo | undefined;
  partition_identifier: IdentifierInfo | undefined;
}

/**
 * A field-level change: the classes diffSnapshots knows, plus the index's `missing_from_source`
 * mark, which says the source no longer lists the container although its snapshot is kept.
 */
export type ReviewChange = SnapshotChange | SourcePresenceChange;

export interface SourcePresenceChange {
  change: 'missing_from_source' | 'back_in_source';
  breaking: boolean;
  field?: undefined;
  identifier?: undefined;
  from?: undefined;
  to?: undefined;
}

export function isSourcePresenceChange(change: ReviewChange): change is SourcePresenceChange {
  return change.change === 'missing_from_source' || change.change === 'back_in_source';
}

export interface ReviewNote {
  level: 'warning' | 'error';
  datastore: string;
  code: string;
  message: string;
  container?: string;
}

export interface ReviewSummary {
  containers_added: number;
  containers_removed: number;
  containers_changed: number;
  /** Changed containers the source no longer lists (their snapshots are kept, marked `missing_from_source`). */
  containers_gone_from_source: number;
  fields_added: number;
  fields_removed: number;
  types_changed: number;
  nullability_changed: number;
  identifiers_changed: number;
  /** Every other change: kind, field attributes, field order, file format, partition key, comments, back in the source. */
  other_changes: number;
  /** Breaking changes: each removed container counts once, and each breaking field-level change once. */
  breaking: number;
  /** Containers with at least one breaking change. */
  breaking_containers: number;
  /** True when any snapshot file in scope differs between the two sides (what `--detailed-exitcode` reports). */
  changed: boolean;
}

/** The summary of a list of container reviews; `filesDiffer` covers bookkeeping-only differences. */
export function summarizeReview(containers: readonly ContainerReview[], filesDiffer: boolean): ReviewSummary {
  const summary: ReviewSummary = {
    containers_added: 0, containers_removed: 0, containers_changed: 0, containers_gone_from_source: 0,
    fields_added: 0, fields_removed: 0, types_changed: 0, nullability_changed: 0, identifiers_changed: 0, other_changes: 0,
    breaking: 0, breaking_containers: 0, changed: filesDiffer || containers.length > 0,
  };
  for (const container of containers) {
    if (container.breaking) summary.breaking_containers += 1;
    if (container.change === 'added') summary.containers_added += 1;
    else if (container.change === 'removed') {
      summary.containers_removed += 1;
      summary.breaking += 1;
    } else summary.containers_changed += 1;
    for (const change of container.changes) {
      if (change.breaking) summary.breaking += 1;
      switch (change.change) {
        case 'field_added': summary.fields_added += 1; break;
        case 'field_removed': summary.fields_removed += 1; break;
        case 'type_changed': summary.types_changed += 1; break;
        case 'nullability_changed': summary.nullability_changed += 1; break;
        case 'identifier_changed': summary.identifiers_changed += 1; break;
        case 'missing_from_source': summary.containers_gone_from_source += 1; break;
        default: summary.other_changes += 1;
      }
    }
  }
  return summary;
}

/** Breaking containers first (what a reviewer must see even in a truncated comment), then datastore, then name. */
export function compareContainerReviews(a: ContainerReview, b: ContainerReview): number {
  if (a.breaking !== b.breaking) return a.breaking ? -1 : 1;
  return compareText(a.datastore, b.datastore) || compareText(a.name, b.name);
}

/** Code-unit order: the same on every machine and locale. */
