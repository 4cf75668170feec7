import { decideIdentifiers } from '../identifiers/identifiers';
import { ProblemCode, type Problem } from '../problems';
import { SNAPSHOTS_ON_DISK, type SnapshotSource } from '../snapshots/snapshotCatalog';
import { didYouMean, nearestNames } from '../text/nearestNames';
import { problemAt } from '../yaml/safeYaml';
import { locate } from './locate';
import type { Workspace } from './types';

/**
 * Checks every override against the committed snapshots, with the same rules the sync applies
 * (so `cac validate`, the editor and the sync agree): the container must be in the catalog, the
 * field must exist, and its type must fit the identifier. Datastores never synced are skipped.
 */
export function checkOverridesAgainstSnapshots(workspace: Workspace, snapshots: SnapshotSource = SNAPSHOTS_ON_DISK): Problem[] {
  const problems: Problem[] = [];
  const datastoreNames = new Set(workspace.datastores.map((d) => d.name));
  for (const overrides of workspace.overrides) {
    if (!datastoreNames.has(overrides.datastore)) continue;
    let state;
    try {
      state = snapshots.catalogState(workspace.project.snapshotsDir, overrides.datastore);
    } catch {
      continue;
    }
    if (!state) continue;
    if (state.index.containers.length === 0) continue;
    const entries = new Map(state.index.containers.map((entry) => [entry.name, entry]));
    for (const [name, override] of overrides.containers) {
      const entry = entries.get(name);
      if (!entry) {
        const suggestions = nearestNames(name, entries.keys());
        problems.push(problemAt(overrides.source.file, ProblemCode.UnknownContainer, 'warning', locate(overrides.source, ['containers', name], 'key'),
          `Datastore '${overrides.datastore}' has no container '${name}' in its snapshots.${didYouMean(suggestions)}`, suggestions));
        continue;
      }
      const snapshot = snapshots.snapshot(state, entry);
      if (!snapshot) continue;
      for (const problem of decideIdentifiers(snapshot, override).problems) {
        // A field that is gone is a warning, like a container that is gone (the source changed, not the
        // file); a field whose type cannot serve is an error: the override itself is wrong.
        const unknown = problem.code === 'unknown-field';
        problems.push(problemAt(overrides.source.file, unknown ? ProblemCode.UnknownField : ProblemCode.IdentifierTypeMismatch, unknown ? 'warning' : 'error',
          locate(overrides.source, ['containers', name, problem.identifier]), problem.message, problem.suggestions));
      }
    }
  }
  return problems;
}
