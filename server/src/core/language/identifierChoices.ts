import { decideIdentifiers, identifierCandidates, type IdentifierCandidate } from '../identifiers/identifiers';
import type { ContainerOverride, IdentifierInfo } from '../model';
import type { CatalogView } from './catalogView';
import type { IdentifierSummary } from './catalogTree';

/**
 * The fields that can serve as each identifier of a container, by the rules the sync applies to
 * an override (identifiers/identifiers.ts, as `planOverrideEdit` and the override checks use
 * them), and the identifier the next sync would take: the override the definitions hold now
 * when the sync would accept it, else detection. Undefined when the container has no snapshot.
 */
export function identifierChoices(view: CatalogView, datastore: string, container: string): IdentifierChoices | undefined {
  const snapshot = view.snapshots.container(datastore, container)?.snapshot;
  if (!snapshot) return undefined;
  const override = currentOverride(view, datastore, container);
  // Detection from the snapshot's fields; commit timestamps are a server setting only the snapshot remembers.
  const decided = decideIdentifiers(snapshot, override, { commitTimestamps: snapshot.incremental_identifier.strategy === 'postgres_commit_timestamp' });
  return {
    incremental: { current: summary(decided.incremental), candidates: identifierCandidates(snapshot, 'incremental_identifier') },
    partition: { current: summary(decided.partition), candidates: identifierCandidates(snapshot, 'partition_identifier') },
  };
}

export interface IdentifierChoices {
  incremental: { current: IdentifierSummary; candidates: IdentifierCandidate[] };
  partition: { current: IdentifierSummary; candidates: IdentifierCandidate[] };
}

/** The container's override as the sync reads it: from the first Overrides document that names it. */
function currentOverride(view: CatalogView, datastore: string, container: string): ContainerOverride | undefined {
  return view.workspace.overrides.find((o) => o.datastore === datastore && o.containers.has(container))?.containers.get(container);
}

function summary(identifier: IdentifierInfo): IdentifierSummary {
  return { field: identifier.field, strategy: identifier.strategy, source: identifier.source };
}
