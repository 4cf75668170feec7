import type { OperationRecord, OperationResult } from './operationRecord';

/**
 * The seed's Activity list: search by operation id, sort by created date or duration, filter by
 * operation type, status and table (container), one page at a time. The same function answers
 * `cac history list` and `GET /api/operations`, so both always agree.
 */
export function queryOperations(records: readonly OperationRecord[], query: OperationQuery, now: Date): OperationPage {
  return selectOperations(records, query, now, touchesContainer);
}

/**
 * What the search, filters and sort of `queryOperations` read of an operation: a whole record, or
 * the summary row an index keeps of it (history/operationIndex.ts), so both answer alike.
 */
export interface QueryableOperation {
  id: number;
  created: string;
  start_time: string;
  end_time: string | null;
  result: OperationResult;
  resumed_at?: string | null;
  worked_ms?: number;
  datastore: { id: number; name: string };
  schedule: string | null;
  triggered_by: string;
}

/** `queryOperations` over any operation shape; `touches` answers the container filter. */
export function selectOperations<T extends QueryableOperation>(records: readonly T[], query: OperationQuery, now: Date, touches: (record: T, container: string) => boolean): Page<T> {
  const search = query.search?.trim().toLowerCase();
  const statuses = query.status && query.status.length > 0 ? new Set(query.status) : undefined;
  const matching = records.filter((record) => {
    if (query.type !== undefined && !OPERATION_TYPES_OF_RECORD.includes(query.type)) return false;
    if (statuses && !statuses.has(record.result)) return false;
    if (query.datastore !== undefined && record.datastore.name !== query.datastore && String(record.datastore.id) !== query.datastore) return false;
    if (search && !matchesSearch(record, search)) return false;
    if (query.container !== undefined && !touches(record, query.container)) return false;
    return true;
  });
  const descending = (query.order ?? 'desc') === 'desc';
  const key = query.sort === 'duration' ? (r: T): number => durationMs(r, now) : (r: T): number => Date.parse(r.created);
  const sorted = [...matching].sort((a, b) => {
    const difference = key(a) - key(b);
    // Ties (same millisecond, same duration) fall back to the id, which is the creation order.
    return (difference !== 0 ? difference : a.id - b.id) * (descending ? -1 : 1);
  });
  const size = query.size ?? DEFAULT_PAGE_SIZE;
  const page = query.page ?? 1;
  return { items: sorted.slice((page - 1) * size, page * size), total: sorted.length, page, size, pages: Math.ceil(sorted.length / size) };
}

export interface OperationQuery {
  /** Matches an operation id exactly, or a part of the datastore, schedule or triggered-by text. */
  search?: string;
  sort?: 'created' | 'duration';
  order?: 'asc' | 'desc';
  /** `catalog` and `sync` are the same operation type (renamed in the seed's release 2026.3.20). */
  type?: 'catalog' | 'sync';
  status?: OperationResult[];
  /** A datastore name or numeric id. */
  datastore?: string;
  /** Operations that changed this container or logged about it. */
  container?: string;
  /** 1-based. */
  page?: number;
  size?: number;
}

/** The seed's paged shape (`GET /api/operations/{id}` answers it too, with one item). */
export type OperationPage = Page<OperationRecord>;

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
  pages: number;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/**
 * Working time from start to end; a running operation counts until now. A resumed operation counts
 * the time it worked before its abort (`worked_ms`) and since its resume, not the gap between.
 */
export function durationMs(record: Pick<QueryableOperation, 'start_time' | 'end_time' | 'resumed_at' | 'worked_ms'>, now: Date): number {
  const end = record.end_time ? Date.parse(record.end_time) : now.getTime();
  if (record.resumed_at && record.worked_ms !== undefined) return record.worked_ms + Math.max(0, end - Date.parse(record.resumed_at));
  return Math.max(0, end - Date.parse(record.start_time));
}

const OPERATION_TYPES_OF_RECORD: readonly string[] = ['catalog', 'sync'];

function matchesSearch(record: QueryableOperation, search: string): boolean {
  if (/^#?[0-9]+$/.test(search)) return record.id === Number(search.replace('#', ''));
  return [record.datastore.name, record.schedule ?? '', record.triggered_by].some((text) => text.toLowerCase().includes(search));
}

export function touchesContainer(record: Pick<OperationRecord, 'changes' | 'logs'>, container: string): boolean {
  return record.changes.some((change) => change.name === container) || record.logs.some((log) => log.container === container);
}
