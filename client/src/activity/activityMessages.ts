/**
 * The messages between the Activity webview (client/webview/activity) and the extension that
 * hosts it (activityPanel.ts). Types only, no vscode: both sides import this file. Payloads are
 * the language server's protocol types; the host only forwards them, so another editor could
 * build the same view over the same requests.
 */
import type {
  ListOperationsParams, ListOperationsResult, OperationActivityResult, OperationChangedParams, OperationItem, OperationResult,
} from '../../../server/src/protocol/catalogProtocol';

/** What the runs list asks for: the seed's search, sort and filters, plus the heatmap's day. */
export interface RunsQuery {
  search: string;
  sort: 'created' | 'duration';
  order: 'asc' | 'desc';
  /** Empty: every status. */
  status: OperationResult[];
  /** `catalog` (= sync), or undefined for every type. */
  type?: 'catalog';
  /** A datastore's name; undefined for all of the project's. */
  datastore?: string;
  /** A container (table, view, file) that the operation changed or logged about. */
  container: string;
  /** A UTC day (YYYY-MM-DD) picked on the heatmap. */
  day?: string;
  page: number;
  size: number;
}

/** The seed's actions; which ones an operation offers depends on its status (`actionsFor`). */
export type OperationAction = 'abort' | 'resume' | 'rerun' | 'delete' | 'logs';

/** webview → host */
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'runs'; seq: number; query: RunsQuery }
  | { type: 'activity'; seq: number; datastore?: string }
  | { type: 'detail'; seq: number; operationId: number }
  | { type: 'action'; action: OperationAction; operationId: number }
  | { type: 'openSnapshot'; uri: string }
  | { type: 'openDiff'; uri: string };

/** host → webview */
export type HostMessage =
  /** Sent after `ready` and when the view is opened again: the datastores to filter by, and a datastore or operation to show. */
  | { type: 'init'; project: string; datastores: string[]; focusDatastore?: string; focusOperation?: number; trusted: boolean }
  | { type: 'runs'; seq: number; result: ListOperationsResult }
  | { type: 'activity'; seq: number; result: OperationActivityResult }
  /** `item` null: the operation is not in the history (deleted). */
  | { type: 'detail'; seq: number; item: OperationItem | null }
  | { type: 'operationChanged'; params: OperationChangedParams }
  /** The history changed in a way no notification tells (an operation was deleted elsewhere): load again. */
  | { type: 'historyChanged' }
  /** An action ended; `operationId` of a resume or rerun is the new operation. */
  | { type: 'actionDone'; action: OperationAction; operationId: number; ok: boolean; newOperationId?: number }
  | { type: 'error'; seq?: number; message: string };

/** The seed's actions per status: running → Abort; aborted → Resume, Rerun, Delete; warning and failure → Rerun, Delete, Logs; success → Rerun, Delete. */
export function actionsFor(result: OperationResult): OperationAction[] {
  switch (result) {
    case 'running': return ['abort'];
    case 'aborted': return ['resume', 'rerun', 'delete'];
    case 'warning':
    case 'failure': return ['rerun', 'delete', 'logs'];
    case 'success': return ['rerun', 'delete'];
  }
}

/**
 * The `catalog/listOperations` parameters of a runs query: a heatmap day is the range
 * [day, day + 1); rows need no changes or logs (the detail asks for its operation).
 */
export function runsQueryParams(query: RunsQuery): Omit<ListOperationsParams, 'projectUri'> {
  const params: Omit<ListOperationsParams, 'projectUri'> = {
    sort: query.sort, order: query.order, page: query.page, size: query.size, facets: true, summaryOnly: true,
  };
  const search = query.search.trim();
  if (search) params.search = search;
  if (query.status.length > 0) params.status = [...query.status];
  if (query.type) params.type = query.type;
  if (query.datastore) params.datastore = query.datastore;
  const container = query.container.trim();
  if (container) params.container = container;
  if (query.day) {
    params.from = query.day;
    params.to = nextUtcDay(query.day);
  }
  return params;
}

/** `2026-12-31` → `2027-01-01`. */
export function nextUtcDay(day: string): string {
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}
