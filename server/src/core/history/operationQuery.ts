import { compareText } from '../text/order';
import { OPERATION_RESULTS, type OperationRecord, type OperationResult } from './operationRecord';
import { dayRangeProblem, utcDayOf } from './utcDays';

/**
 * The seed's Activity list: search by operation id, sort by created date or duration, filter by
 * operation type, status, table (container) and created UTC days, one page at a time, with the
 * facet counts a filter panel shows. The same function answers `cac history list`,
 * `GET /api/operations` and `catalog/listOperations`, so they always agree.
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

/**
 * `queryOperations` over any operation shape; `touches` answers the container filter. One pass
 * over the records filters them and, when the query asks for facets, counts them: a record that
 * misses one of the faceted filters (type, status, datastore) still counts in that filter's facet.
 * Throws an {@link OperationQueryError} for a query `operationQueryProblem` refuses.
 */
export function selectOperations<T extends QueryableOperation>(records: readonly T[], query: OperationQuery, now: Date, touches: (record: T, container: string) => boolean): Page<T> {
  const problem = operationQueryProblem(query);
  if (problem) throw new OperationQueryError(problem);
  const search = query.search?.trim().toLowerCase();
  const statuses = query.status && query.status.length > 0 ? new Set(query.status) : undefined;
  const typeMisses = query.type !== undefined && !OPERATION_TYPES_OF_RECORD.includes(query.type);
  const { from, to } = query;
  const counting = query.facets === true;
  const status = counting ? emptyStatusCounts() : undefined;
  const datastores = new Map<string, number>();
  let catalog = 0;
  const matching: T[] = [];
  for (const record of records) {
    const statusMisses = statuses !== undefined && !statuses.has(record.result);
    const datastoreMisses = query.datastore !== undefined && record.datastore.name !== query.datastore && String(record.datastore.id) !== query.datastore;
    const misses = Number(typeMisses) + Number(statusMisses) + Number(datastoreMisses);
    // Missing two faceted filters, a record counts nowhere: the costlier filters below are not asked.
    if (misses > (counting ? 1 : 0)) continue;
    if (from !== undefined || to !== undefined) {
      const day = utcDayOf(record.created);
      if (day === '' || (from !== undefined && day < from) || (to !== undefined && day >= to)) continue;
    }
    if (search && !matchesSearch(record, search)) continue;
    if (query.container !== undefined && !touches(record, query.container)) continue;
    if (misses === 0) matching.push(record);
    if (!status) continue;
    if (!statusMisses && !datastoreMisses) catalog++;
    if (!typeMisses && !datastoreMisses && Object.hasOwn(status, record.result)) status[record.result]++;
    if (!typeMisses && !statusMisses && typeof record.datastore.name === 'string') datastores.set(record.datastore.name, (datastores.get(record.datastore.name) ?? 0) + 1);
  }
  const descending = (query.order ?? 'desc') === 'desc';
  const key = query.sort === 'duration' ? (r: T): number => durationMs(r, now) : (r: T): number => Date.parse(r.created);
  // Each key computed once, not twice per comparison: a duration parses two timestamps.
  const keyed = matching.map((record) => ({ record, key: key(record) }));
  keyed.sort((a, b) => {
    const difference = a.key - b.key;
    // Ties (same millisecond, same duration) fall back to the id, which is the creation order.
    return (difference !== 0 ? difference : a.record.id - b.record.id) * (descending ? -1 : 1);
  });
  const sorted = keyed.map((entry) => entry.record);
  const size = query.size ?? DEFAULT_PAGE_SIZE;
  const page = query.page ?? 1;
  const result: Page<T> = { items: sorted.slice((page - 1) * size, page * size), total: sorted.length, page, size, pages: Math.ceil(sorted.length / size) };
  if (status) {
    const byName = [...datastores].map(([name, count]) => ({ name, count })).sort((a, b) => compareText(a.name, b.name));
    result.facets = { status, type: { catalog }, datastores: byName };
  }
  return result;
}

/**
 * Why a query cannot be answered (a message for the user), or undefined when it can: its created
 * range is checked as the Activity's is (utcDays.ts), either end optional.
 */
export function operationQueryProblem(query: Pick<OperationQuery, 'from' | 'to'>): string | undefined {
  return dayRangeProblem(query);
}

export class OperationQueryError extends Error {}

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
  /** First UTC day of `created`, `YYYY-MM-DD`, included (as the Activity's range). */
  from?: string;
  /** The UTC day after the last one of `created`, `YYYY-MM-DD`, excluded: one day D is from D to D+1. */
  to?: string;
  /** Also count the operations per status, type and datastore (`Page.facets`). */
  facets?: boolean;
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
  /** Present when the query asked for facets. */
  facets?: OperationFacets;
}

/**
 * A filter panel's counts, as faceted search counts: each dimension counts the operations that
 * match every other filter of the query (search, container and created range included) and
 * ignores its own, so a panel shows what choosing another value would find.
 */
export interface OperationFacets {
  /** Every result, 0 included. */
  status: Record<OperationResult, number>;
  /** Every operation is a sync (`catalog`, also called `sync`). */
  type: { catalog: number };
  /** The datastores with at least one operation, by name. */
  datastores: { name: string; count: number }[];
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

function emptyStatusCounts(): Record<OperationResult, number> {
  return Object.fromEntries(OPERATION_RESULTS.map((result) => [result, 0])) as Record<OperationResult, number>;
}

function matchesSearch(record: QueryableOperation, search: string): boolean {
  if (/^#?[0-9]+$/.test(search)) return record.id === Number(search.replace('#', ''));
  return [record.datastore.name, record.schedule ?? '', record.triggered_by].some((text) => text.toLowerCase().includes(search));
}

export function touchesContainer(record: Pick<OperationRecord, 'changes' | 'logs'>, container: string): boolean {
  return record.changes.some((change) => change.name === container) || record.logs.some((log) => log.container === container);
}
