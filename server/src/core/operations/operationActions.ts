import type { DatastoreDefinition, Workspace } from '../definitions/types';
import type { OperationRecord } from '../history/operationRecord';
import type { OperationStore } from '../history/operationStore';
import { optionsOfRecord } from '../history/recordLifecycle';
import { hasErrors } from '../problems';
import type { SyncOptions } from '../model';
import { writeAbortRequest } from './abortRequest';
import { whyNotResumable } from './resumeCheckpoint';

/**
 * The checks behind the seed's Abort, Resume, Rerun and Delete buttons, shared by the CLI and
 * the HTTP API. Each returns the value to act on or a refusal the host maps to its own status
 * (exit 1, HTTP 404 or 409), with a message that says what to do instead.
 */
export type ActionCheck<T> = { ok: true; value: T } | { ok: false; reason: ActionRefusal; message: string };

/** Why an action was refused: no such operation, its state forbids it, or the definitions have errors. */
export type ActionRefusal = 'not-found' | 'conflict' | 'invalid';

/** The checked value, or an {@link ActionRefused} error that each host maps to its own answer. */
export function settle<T>(check: ActionCheck<T>): T {
  if (check.ok) return check.value;
  throw new ActionRefused(check.reason, check.message);
}

/** An action the engine refused; `message` says what to do instead. */
export class ActionRefused extends Error {
  constructor(readonly reason: ActionRefusal, message: string) {
    super(message);
  }
}

/**
 * Asks the process running an operation to stop (operations/abortRequest.ts). The operation ends
 * `aborted` within moments, when that process next checks; hosts that wait for it poll the record.
 */
export function requestOperationAbort(store: OperationStore, id: number, requestedBy: string, now: Date): ActionCheck<OperationRecord> {
  const record = store.get(id);
  if (!record) return notFound(id);
  if (record.result !== 'running') {
    return { ok: false, reason: 'conflict', message: `Operation ${id} is not running (it ended ${record.result}); only a running operation can be aborted.` };
  }
  writeAbortRequest(store.sidecarPath(id, 'abort'), requestedBy, now);
  return { ok: true, value: record };
}

/** An aborted operation that may continue: its datastore is still defined and nothing synced it since. */
export function checkResume(store: OperationStore, workspace: Workspace, id: number): ActionCheck<{ record: OperationRecord; datastore: DatastoreDefinition }> {
  const record = store.get(id);
  if (!record) return notFound(id);
  const refusal = whyNotResumable(record, id, { checkpoint: store.sidecarPath(id, 'checkpoint'), stateDir: workspace.project.stateDir, snapshotsDir: workspace.project.snapshotsDir });
  if (refusal) return { ok: false, reason: 'conflict', message: refusal };
  const definitions = definitionProblem(workspace);
  if (definitions) return { ok: false, reason: 'invalid', message: definitions };
  const datastore = workspace.datastores.find((d) => d.name === record.datastore.name);
  if (!datastore) return { ok: false, reason: 'conflict', message: `Operation ${id} synced datastore '${record.datastore.name}', which is no longer defined; it cannot be resumed.` };
  // A later sync of the same datastore changed the catalog the checkpoint describes: finishing the old plan would undo it.
  const later = store.list().find((other) => other.id > id && other.datastore.name === record.datastore.name);
  if (later) {
    return { ok: false, reason: 'conflict', message: `Operation ${later.id} synced '${record.datastore.name}' after operation ${id}; resuming ${id} would undo it. Rerun ${id} to start it again from the beginning.` };
  }
  return { ok: true, value: { record, datastore } };
}

/** A finished operation to start again from the beginning, as a new operation with the same options. */
export function checkRerun(store: OperationStore, workspace: Workspace, id: number): ActionCheck<{ record: OperationRecord; datastore: DatastoreDefinition; options: SyncOptions }> {
  const record = store.get(id);
  if (!record) return notFound(id);
  if (record.result === 'running') return { ok: false, reason: 'conflict', message: `Operation ${id} is still running; wait for it to finish or abort it first.` };
  const definitions = definitionProblem(workspace);
  if (definitions) return { ok: false, reason: 'invalid', message: definitions };
  const datastore = workspace.datastores.find((d) => d.name === record.datastore.name);
  if (!datastore) return { ok: false, reason: 'conflict', message: `Operation ${id} synced datastore '${record.datastore.name}', which is no longer defined; it cannot be rerun.` };
  return { ok: true, value: { record, datastore, options: optionsOfRecord(record) } };
}

/** Removes a finished operation's record (and its checkpoint); a running one is refused. */
export function deleteOperation(store: OperationStore, id: number): ActionCheck<OperationRecord> {
  const record = store.get(id);
  if (!record) return notFound(id);
  if (record.result === 'running') return { ok: false, reason: 'conflict', message: `Operation ${id} is running; abort it first (\`cac history abort ${id}\`), then delete it.` };
  store.delete(id);
  return { ok: true, value: record };
}

/**
 * The datastore a request names: by its numeric id (as in the seed's `datastore_id`) or by its
 * name. Names are looked up among the definitions, never used as paths.
 */
export function findDatastore(workspace: Workspace, idOrName: string | number): DatastoreDefinition | undefined {
  if (typeof idOrName === 'number') return workspace.datastores.find((d) => d.id === idOrName);
  const byName = workspace.datastores.find((d) => d.name === idOrName);
  if (byName || !/^[0-9]{1,15}$/.test(idOrName)) return byName;
  return workspace.datastores.find((d) => d.id === Number(idOrName));
}

/** Why nothing may run on these definitions (they have errors), naming the first one; undefined when they are fine. */
export function definitionProblem(workspace: Workspace): string | undefined {
  if (!hasErrors(workspace.problems)) return undefined;
  const errors = workspace.problems.filter((p) => p.severity === 'error');
  const first = errors[0]!;
  return `Nothing was started: the definitions have ${errors.length} error${errors.length === 1 ? '' : 's'} (first: ${first.file}:${first.range.start.line + 1}:${first.range.start.character + 1}: ${first.message}). Fix them (see \`cac validate\`) and try again.`;
}

function notFound(id: number): ActionCheck<never> {
  return { ok: false, reason: 'not-found', message: `No operation with id ${id}. List them with \`cac history\` or GET /api/operations.` };
}
