import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';
import {
  containerFields, containerPage, datastoreSummaries, OperationStore, scheduleSummaries, type ContainerPage, type DatastoreSummary,
} from '../core';
import {
  ListContainersRequest, ListDatastoresRequest, ListFieldsRequest, ListSchedulesRequest,
  type ContainerItem, type DatastoreItem, type ListContainersResult,
} from '../protocol/catalogProtocol';
import { uriOf } from './convert';
import { registerEditorRequests, withProject } from './editorRequests';
import { onCatalogRequest } from './onCatalogRequest';
import type { FeatureContext } from './features/featureContext';

/**
 * The requests an editor's trees are built from (protocol/catalogProtocol.ts): datastores,
 * containers a page at a time, fields, schedules. Answers come from the engine
 * (core/language/catalogTree.ts) over the project's committed snapshots and history.
 */
export function registerTreeRequests(context: FeatureContext): void {
  const { connection } = context;
  onCatalogRequest(connection, ListDatastoresRequest.type, (params) => withProject(context, params, (project) => ({
    // The history index's summaries: the last operation of each datastore without reading every record.
    items: datastoreSummaries(project, new OperationStore(project.settings.stateDir).summaries()).map(toDatastoreItem),
  })));
  onCatalogRequest(connection, ListContainersRequest.type, (params) => withProject(context, params, (project) => {
    const offset = params.offset ?? 0;
    const limit = params.limit ?? DEFAULT_PAGE;
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      return new ResponseError(ErrorCodes.InvalidParams, `offset must be an integer from 0 and limit one from 1 to ${MAX_PAGE}.`);
    }
    if (!project.workspace.datastores.some((d) => d.name === params.datastore)) return new ResponseError(ErrorCodes.InvalidParams, `No datastore named '${String(params.datastore)}'.`);
    return toContainersResult(containerPage(project, params.datastore, offset, limit));
  }));
  onCatalogRequest(connection, ListFieldsRequest.type, (params) => withProject(context, params, (project) => {
    const items = containerFields(project, params.datastore, params.container);
    return items ? { items } : new ResponseError(ErrorCodes.InvalidParams, `'${String(params.datastore)}' has no container '${String(params.container)}' in its snapshots.`);
  }));
  onCatalogRequest(connection, ListSchedulesRequest.type, (params) => withProject(context, params, (project) => ({ items: scheduleSummaries(project, new Date()) })));
  registerEditorRequests(context);
}

const DEFAULT_PAGE = 200;
const MAX_PAGE = 1000;

function toDatastoreItem(summary: DatastoreSummary): DatastoreItem {
  const { definitionFile, snapshotsDir, ...rest } = summary;
  return { ...rest, definitionUri: uriOf(definitionFile), snapshotsUri: uriOf(snapshotsDir) };
}

function toContainersResult(page: ContainerPage): ListContainersResult {
  return { ...page, items: page.items.map(({ snapshotFile, ...rest }): ContainerItem => ({ ...rest, snapshotUri: snapshotFile === null ? null : uriOf(snapshotFile) })) };
}
