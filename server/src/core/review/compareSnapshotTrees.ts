import { pairFamilyRenames } from '../connectors/dfs/globbing';
import { diffSnapshots } from '../snapshots/diff';
import { readDatastoreCatalog, snapshotOf, type CatalogContainer, type DatastoreCatalog } from './datastoreCatalog';
import { compareContainerReviews, summarizeReview, type CatalogReview, type ContainerReview, type ReviewChange, type ReviewNote } from './reviewModel';
import { compareText } from '../text/order';
import { locateInTree, type SnapshotTree } from './snapshotTree';

/**
 * Compares the snapshot files of two trees and classifies every change (the README's change
 * classes). Containers are matched by name, not by file, so a snapshot that moved to another file
 * name is no change. Field-level changes come from diffSnapshots, the same classification a
 * sync reports, so `cac diff` and `cac sync` never disagree about what is breaking.
 *
 */
export function compareSnapshotTrees(base: SnapshotTree, head: SnapshotTree, options: CompareOptions = {}): CatalogReview {
  const folders = options.folders ?? [...new Set([...base.folders.keys(), ...head.folders.keys()])];
  const containers: ContainerReview[] = [];
  const bookkeeping: string[] = [];
  let filesDiffer = false;
  for (const folder of [...new Set(folders)].sort(compareText)) {
    const before = base.folders.get(folder) ?? new Map<string, string>();
    const after = head.folders.get(folder) ?? new Map<string, string>();
    if (sameFiles(before, after)) continue;
    filesDiffer = true;
    const found = compareDatastore(
      folder,
      readDatastoreCatalog(before, locateInTree(base, folder)),
      readDatastoreCatalog(after, locateInTree(head, folder)),
    );
    if (found.length === 0) bookkeeping.push(folder);
    containers.push(...found);
  }
  containers.sort(compareContainerReviews);
  return {
    base: base.side,
    head: head.side,
    scope: options.scope ? [...new Set(options.scope)].sort(compareText) : undefined,
    containers,
    bookkeeping,
    notes: options.notes ?? [],
    summary: summarizeReview(containers, filesDiffer),
  };
}

export interface CompareOptions {
  /** Only these datastore folders (default: every folder on either side). */
  folders?: readonly string[];
  /** The datastores the review was asked for, for its title and marker; undefined for all. */
  scope?: readonly string[];
  /** A previewed sync's warnings and failures. */
  notes?: ReviewNote[];
}

function compareDatastore(datastore: string, before: DatastoreCatalog, after: DatastoreCatalog): ContainerReview[] {
  const reviews: ContainerReview[] = [];
  const names = [...new Set([...before.containers.keys(), ...after.containers.keys()])].sort(compareText);
  for (const name of names) {
    const old = before.containers.get(name);
    const current = after.containers.get(name);
    if (!old && current) {
      reviews.push(wholeContainer(datastore, current, 'added', before.removed.has(name) ? 'recreated' : 'new'));
    } else if (old && !current) {
      reviews.push(wholeContainer(datastore, old, 'removed', after.removed.has(name) ? 'removed_from_catalog' : 'deleted'));
    } else if (old && current) {
      const changes = containerChanges(old, current);
      if (changes.length === 0) continue;
      reviews.push({
        datastore, name, kind: snapshotOf(current).kind, change: 'changed', reason: undefined,
        breaking: changes.some((c) => c.breaking), changes,
        fields: undefined, incremental_identifier: undefined, partition_identifier: undefined,
      });
    }
  }
  return pairRenamedContainers(datastore, reviews, before, after);
}

/**
 * A removed and an added file container that are one container renamed (globbing.ts
 * `isFamilyRename`, the rule the sync uses) become one change: `container_renamed`, then what
 * else differs. Only unambiguous pairs: one old name for one new one.
 */
function pairRenamedContainers(datastore: string, reviews: ContainerReview[], before: DatastoreCatalog, after: DatastoreCatalog): ContainerReview[] {
  const removed = reviews.filter((r) => r.change === 'removed' && r.reason === 'deleted' && r.kind === 'file');
  const added = reviews.filter((r) => r.change === 'added' && r.reason === 'new' && r.kind === 'file');
  const byName = (list: ContainerReview[]): Map<string, ContainerReview> => new Map(list.map((r) => [r.name, r]));
  const [gone, arrived] = [byName(removed), byName(added)];
  const pairs = new Map<ContainerReview, ContainerReview>();
  for (const [name, old] of pairFamilyRenames([...gone.keys()], [...arrived.keys()])) pairs.set(arrived.get(name)!, gone.get(old)!);
  if (pairs.size === 0) return reviews;
  const paired = new Set([...pairs.values()]);
  const out: ContainerReview[] = [];
  for (const review of reviews) {
    if (paired.has(review)) continue;
    const gone = pairs.get(review);
    if (!gone) {
      out.push(review);
      continue;
    }
    const old = before.containers.get(gone.name)!;
    const current = after.containers.get(review.name)!;
    const changes: ReviewChange[] = [
      { change: 'container_renamed', from: gone.name, to: review.name, breaking: true },
      ...diffSnapshots({ ...snapshotOf(old), name: review.name }, snapshotOf(current)),
    ];
    out.push({ datastore, name: review.name, kind: review.kind, change: 'changed', reason: undefined, breaking: true, changes, fields: undefined, incremental_identifier: undefined, partition_identifier: undefined });
  }
  return out;
}

function containerChanges(old: CatalogContainer, current: CatalogContainer): ReviewChange[] {
  const changes: ReviewChange[] = [];
  if (old.missing !== current.missing) {
    // The source no longer lists a container its readers use: as breaking for them as a removal,
    // although the catalog keeps the snapshot (it may only be invisible to the sync user).
    changes.push(current.missing ? { change: 'missing_from_source', breaking: true } : { change: 'back_in_source', breaking: false });
  }
  if (old.text !== current.text) changes.push(...diffSnapshots(snapshotOf(old), snapshotOf(current)));
  return changes;
}

function wholeContainer(datastore: string, container: CatalogContainer, change: 'added' | 'removed', reason: ContainerReview['reason']): ContainerReview {
  const snapshot = snapshotOf(container);
  return {
    datastore, name: container.name, kind: snapshot.kind, change, reason,
    // Removing a container breaks its readers; adding one cannot.
    breaking: change === 'removed',
    changes: [],
    fields: snapshot.fields,
    incremental_identifier: snapshot.incremental_identifier,
    partition_identifier: snapshot.partition_identifier,
  };
}

function sameFiles(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [file, text] of a) if (b.get(file) !== text) return false;
  return true;
}
