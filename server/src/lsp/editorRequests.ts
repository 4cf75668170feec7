import * as fs from 'node:fs';
import { ErrorCodes, ResponseError, type WorkspaceEdit } from 'vscode-languageserver/node';
import {
  committedText, datastoreTypeForms, draftDatastore, identifierChoices, locateFile, planNewDatastore, planNewProject, snapshotChanges, testConnection,
  type CatalogProject, type DatastoreDefinition, type NewFile,
} from '../core';
import {
  CommittedTextRequest, IdentifierChoicesRequest, ListDatastoreTypesRequest, LocateRequest, NewDatastoreRequest, NewProjectRequest, SnapshotChangesRequest,
  TestConnectionRequest, type LocateResult, type ProjectScoped,
} from '../protocol/catalogProtocol';
import { pathOf, toWorkspaceEdit, uriOf } from './convert';
import { refuseWhenRestricted, type FeatureContext } from './features/featureContext';
import { onCatalogRequest } from './onCatalogRequest';

/**
 * The requests behind an editor's flows besides syncing (protocol/catalogProtocol.ts, issue 16):
 * what a file is, identifier choices, the datastore types and new definitions, connection tests,
 * and snapshot changes against git. Each is one engine call (core/language/) mapped to the
 * protocol here; paths become URIs and planned files become WorkspaceEdits for the client to apply.
 */
export function registerEditorRequests(context: FeatureContext): void {
  const { connection } = context;

  onCatalogRequest(connection, LocateRequest.type, (params): LocateResult => {
    const file = typeof params?.uri === 'string' ? pathOf(params.uri) : undefined;
    const project = file ? context.session.projectAt(file) : undefined;
    const located = project && file ? locateFile(project, file) : undefined;
    return { datastore: located?.datastore ?? null, container: located?.container ?? null, projectUri: project ? uriOf(project.root) : null };
  });

  onCatalogRequest(connection, IdentifierChoicesRequest.type, (params) => withProject(context, params, (project) => {
    const unknown = unknownDatastore(project, params.datastore);
    if (unknown) return unknown;
    return identifierChoices(project, params.datastore, params.container)
      ?? new ResponseError(ErrorCodes.InvalidParams, `'${String(params.datastore)}' has no container '${String(params.container)}' in its snapshots; sync it first, or check the name.`);
  }));

  onCatalogRequest(connection, ListDatastoreTypesRequest.type, () => ({ items: datastoreTypeForms() }));

  onCatalogRequest(connection, NewDatastoreRequest.type, (params) => withProject(context, params, (project) => {
    // An open buffer not saved yet counts as the file: creating it would clobber what is typed there.
    const planned = planNewDatastore(project, params, (file) => fs.existsSync(file) || project.textOf(file) !== undefined);
    if ('problems' in planned) return planned;
    return { edit: creation([planned]), uri: uriOf(planned.file), text: planned.text };
  }));

  onCatalogRequest(connection, NewProjectRequest.type, (params) => {
    const folder = typeof params?.folderUri === 'string' ? pathOf(params.folderUri) : undefined;
    if (!folder) return new ResponseError(ErrorCodes.InvalidParams, 'folderUri must be a file: URI of a folder.');
    const planned = planNewProject(folder, (file) => fs.existsSync(file));
    if ('error' in planned) return new ResponseError(ErrorCodes.InvalidParams, planned.error);
    return { edit: creation(planned.files), datastoreUri: uriOf(planned.datastoreFile) };
  });

  onCatalogRequest(connection, TestConnectionRequest.type, (params, token) => {
    const refused = refuseWhenRestricted(context, 'test connections');
    if (refused) return refused;
    return withProject(context, params, async (project) => {
      let datastore: DatastoreDefinition | undefined;
      if (typeof params.datastore === 'string') {
        const unknown = unknownDatastore(project, params.datastore);
        if (unknown) return unknown;
        datastore = project.workspace.datastores.find((d) => d.name === params.datastore);
      } else if (params.definition) {
        const draft = draftDatastore(project.settings, params.definition, project.workspace.datastores);
        if ('problems' in draft) return { ok: false, message: draft.problems.join(' '), durationMs: 0 };
        datastore = draft;
      }
      if (!datastore) return new ResponseError(ErrorCodes.InvalidParams, 'Name a datastore, or pass a definition to test.');
      const controller = new AbortController();
      const cancelled = token.onCancellationRequested(() => controller.abort(new Error('cancelled')));
      try {
        // The request's values overlay the server's environment for this test only; they are not kept.
        return await testConnection(datastore, { ...process.env, ...(params.env ?? {}) }, { signal: controller.signal });
      } finally {
        cancelled.dispose();
      }
    });
  });

  // git runs with the repository's own configuration (filters, hooks of an untrusted clone): not in restricted mode.
  onCatalogRequest(connection, SnapshotChangesRequest.type, (params) => refuseWhenRestricted(context, 'compare snapshots with git') ?? withProject(context, params, async (project) => ({
    items: (await snapshotChanges(project)).map((change) => ({ uri: uriOf(change.file), datastore: change.datastore, container: change.container, change: change.change })),
  })));

  onCatalogRequest(connection, CommittedTextRequest.type, async (params) => {
    const refused = refuseWhenRestricted(context, 'read files from git');
    if (refused) return refused;
    const file = typeof params?.uri === 'string' ? pathOf(params.uri) : undefined;
    return { text: file ? await committedText(file) : null };
  });
}

/** Runs `answer` with the project a request names (`projectUri`), or the only one open. */
export function withProject<R>(context: FeatureContext, params: ProjectScoped | undefined, answer: (project: CatalogProject) => R | ResponseError<void>): R | ResponseError<void> {
  const project = context.session.projectAt(params?.projectUri ? pathOf(params.projectUri) : undefined);
  if (!project) return new ResponseError(ErrorCodes.InvalidParams, 'Several projects are open: pass projectUri (a file or folder of the project).');
  return answer(project);
}

function unknownDatastore(project: CatalogProject, name: unknown): ResponseError<void> | undefined {
  return project.workspace.datastores.some((d) => d.name === name) ? undefined : new ResponseError(ErrorCodes.InvalidParams, `No datastore named '${String(name)}'.`);
}

/** One edit creating every planned file with its text. */
function creation(files: readonly NewFile[]): WorkspaceEdit {
  return { documentChanges: files.flatMap((file) => toWorkspaceEdit({ file: file.file, before: null, after: file.text }).documentChanges ?? []) };
}
