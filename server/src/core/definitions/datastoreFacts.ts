import { storeTypeOf } from '../connectors/registry';
import type { IncludeKind } from '../model';
import { referenceableStrings } from './crossChecks';
import { findEnvReferences } from './envReferences';
import type { DatastoreDefinition } from './types';

/**
 * What a host shows of a datastore besides its settings: the variables its settings need, and
 * the options a sync without any takes. Read from the definition only; nothing is resolved.
 */

/** The `${env:VAR}` variables the datastore's settings reference, sorted, each once. */
export function envReferencesOf(datastore: DatastoreDefinition): string[] {
  const names = new Set<string>();
  for (const { value } of referenceableStrings(datastore.settings)) {
    for (const reference of findEnvReferences(value).references) names.add(reference.name);
  }
  return [...names].sort();
}

/**
 * The options of a sync given none (`cac sync <name>`, a lens, an automatic sync): the
 * datastore's own defaults, as `startSync` falls back to them. `include` is null for a file
 * store, whose files are always covered (as its operation records say).
 */
export function syncDefaultsOf(datastore: DatastoreDefinition): SyncDefaults {
  return {
    prune: datastore.prune,
    recreate: datastore.recreate,
    include: storeTypeOf(datastore.type) === 'dfs' ? null : [...datastore.include],
  };
}

export interface SyncDefaults {
  prune: boolean;
  recreate: boolean;
  include: IncludeKind[] | null;
}
