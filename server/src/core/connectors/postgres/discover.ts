import type { ContainerKind, DiscoveredContainer, FieldInfo, OperationLogEntry } from '../../model';
import { qualifiedName } from '../../naming';
import { COMPARING_SIGNATURE, type DiscoveryContext, type DiscoveryRequest, type DiscoveryResult } from '../contract';
import type { ServerTarget } from '../serverSettings';
import type { Run, Session } from './session';

/**
 * The signature has two parts, `moment#content`.
 *
 * `content` changes whenever anything a discovery reads could have changed: any DDL, COMMENT,
 * GRANT or type rename writes a new row version (a new xmin) into one of these catalogs or
 * removes one (the count). In-place statistics updates by VACUUM and ANALYZE do not. It scans
 * the catalogs (pg_attribute alone is 65 MB for 11,000 tables here): ~35 ms on a warm backend,
 * ~170 ms on the new backend of each sync, which first faults in every shared buffer it reads.
 * Temp tables of other sessions also move it: that costs a full description, never a wrong answer.
 *
 * `moment` is the transaction snapshot (`xmin:xmax:in-progress xids`) and the server's start
 * time, ~1 ms. An equal snapshot means that no transaction has committed or aborted and none has
 * taken an xid since: every catalog row is as it was, so `content` cannot differ and is not read.
 * The start time guards against a server restored from a backup, whose snapshot could come
 * round to the recorded one with other catalog rows. On a server with writes (data, ANALYZE)
 * the moment moves and the content decides. (`pg_current_snapshot()`: PostgreSQL 13 and later.)
 */
const MOMENT = `concat_ws('|', pg_catalog.pg_postmaster_start_time(), pg_catalog.pg_current_snapshot())`;
const MOMENT_SQL = `SELECT ${MOMENT} AS moment`;

const SIGNATURE_SQL = `SELECT ${MOMENT} AS moment,
  concat_ws('|', current_user, current_setting('server_version_num'), current_setting('track_commit_timestamp', true),
  ${['pg_class', 'pg_attribute', 'pg_attrdef', 'pg_constraint', 'pg_description', 'pg_type', 'pg_namespace', 'pg_partitioned_table', 'pg_inherits']
    .map((table) => `(SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM pg_catalog.${table})`).join(',\n  ')}) AS content,
  current_setting('track_commit_timestamp', true) AS commit_timestamps`;

const RELATION_KINDS: Record<string, ContainerKind> = { r: 'table', p: 'table', v: 'view', m: 'materialized_view', f: 'foreign_table' };

/** System namespaces: never containers unless the user names them in `schemas`. */
const SYSTEM_SCHEMA_FILTER = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;

interface RelationRow {
  oid: number;
  schema: string;
  name: string;
  relkind: string;
  comment: string | null;
  partition_attnums: number[] | null;
  primary_key: number[] | null;
  can_select: boolean;
  schema_usage: boolean;
  /** relnatts: its user columns, dropped ones included (each has a columns-query row). */
  attribute_count: number;
  /** As in the signature (a server setting), so containers handed over before it is read are prepared alike. */
  commit_timestamps: string | null;
}

/** A columns-query row (rowMode 'array'): relid, attnum, name, type, not null, default, generated, identity, comment, dropped. */
type ColumnRow = [number, number, string, string, boolean, string | null, string, string, string | null, boolean];

/** The fields of one relation, in the order the rows came, with their attribute numbers. */
interface RelationColumns {
  attnums: number[];
  fields: FieldInfo[];
  /** Rows seen, dropped columns included: the relation is complete when they reach its relnatts. */
  rows: number;
}

export async function discover(datastore: ServerTarget, request: DiscoveryRequest, context: DiscoveryContext, session: Session, openHelper: () => Promise<Session>): Promise<DiscoveryResult> {
  const { signal } = context;
  const kinds = Object.entries(RELATION_KINDS)
    .filter(([, kind]) => request.include.includes(kind === 'table' || kind === 'foreign_table' ? 'table' : 'view'))
    .map(([relkind]) => relkind);
  const logs: OperationLogEntry[] = [];
  if (kinds.length === 0) return { containers: [], complete: true, logs };
  const schemaFilter = datastore.settings.schemas ? 'n.nspname = ANY($1::text[])' : SYSTEM_SCHEMA_FILTER;
  const relationFilter = `${schemaFilter} AND c.relkind = ANY($${datastore.settings.schemas ? 2 : 1}::"char"[]) AND NOT c.relispartition`;
  const values: unknown[] = datastore.settings.schemas ? [datastore.settings.schemas, kinds] : [kinds];
  // A first sync needs everything: connect the helper session while this one starts.
  let helper = request.unchangedSince === undefined ? openHelper().catch(() => undefined) : undefined;
  // Relations handed over as their last column arrived: only their logs are left to report, in listing order.
  const streamed = new Map<number, DescribedRelation>();
  const { handOver } = context;
  const onComplete = handOver && ((relation: RelationRow, columns: RelationColumns | undefined, commitTimestamps: boolean): void => {
    const described = describeRelation(relation, columns);
    streamed.set(relation.oid, { logs: described.logs });
    handOver([described.container!], { commitTimestamps });
  });
  let described: CatalogReads;
  try {
    // One snapshot of the catalog for all reads, so a concurrent DDL cannot tear the listing.
    await session.run('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', signal);
    let signature: SignatureRow | undefined;
    if (request.unchangedSince !== undefined) {
      const comparing = compareSignature(session.run, request.unchangedSince, signal);
      // The query is on its way: a caller checking its own side of the record may go ahead now.
      context.onProgress?.({ phase: COMPARING_SIGNATURE, done: 0 });
      const compared = await comparing;
      if (compared.unchanged) return { containers: [], complete: true, logs, signature: compared.signature, unchanged: true };
      signature = compared.read;
      helper = openHelper().catch(() => undefined);
    }
    context.onProgress?.({ phase: 'listing', done: 0 });
    described = await readCatalog(session, helper!, signal, {
      signature,
      relations: `SELECT c.oid::int8::float8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind, d.description AS comment,
          pt.partattrs::int2[] AS partition_attnums,
          (SELECT k.conkey FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p') AS primary_key,
          has_table_privilege(c.oid, 'SELECT') AS can_select, has_schema_privilege(n.oid, 'USAGE') AS schema_usage, c.relnatts::int AS attribute_count,
          current_setting('track_commit_timestamp', true) AS commit_timestamps
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_partitioned_table pt ON pt.partrelid = c.oid
        LEFT JOIN pg_catalog.pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
        WHERE ${relationFilter}`,
      columns: `SELECT a.attrelid::int8::float8 AS relid, a.attnum, a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
          a.attnotnull AS not_null, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expr, a.attgenerated::text AS generated,
          a.attidentity::text AS identity, d.description AS comment, a.attisdropped AS dropped
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        LEFT JOIN pg_catalog.pg_description d ON d.objoid = a.attrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = a.attnum
        WHERE a.attnum > 0 AND ${relationFilter}`,
      values,
      // A schema is empty when it holds no relation of any kind, not when it holds none of the kinds included.
      schemas: `SELECT n.nspname AS name, has_schema_privilege(n.oid, 'USAGE') AS usage,
          EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid AND c.relkind = ANY('{${Object.keys(RELATION_KINDS).join(',')}}'::"char"[]) AND NOT c.relispartition) AS has_relations
        FROM pg_catalog.pg_namespace n WHERE ${schemaFilter}`,
      schemaValues: datastore.settings.schemas ? [datastore.settings.schemas] : [],
      onComplete,
    });
  } finally {
    await session.run('ROLLBACK', undefined).catch(() => undefined);
    // Closed whenever it connects, used or not.
    void helper?.then((connected) => connected?.close());
  }
  const { signature, relations, columns, schemas, commitTimestamps } = described;
  signal.throwIfAborted();

  const containers: DiscoveredContainer[] = [];
  const unreadable: string[] = [];
  for (const relation of relations) {
    const { container, logs: relationLogs } = streamed.get(relation.oid) ?? describeRelation(relation, columns.get(relation.oid));
    if (container) containers.push(container);
    logs.push(...relationLogs);
  }
  let complete = true;
  const listedSchemas = new Set(schemas.map((s) => s.name));
  for (const wanted of datastore.settings.schemas ?? []) {
    if (listedSchemas.has(wanted)) continue;
    complete = false;
    logs.push({ level: 'warning', code: 'schema-not-found', message: `Schema '${wanted}' named in 'schemas' of datastore '${datastore.name}' does not exist (or is not visible to the sync user); nothing there is pruned. Check the name and the user's privileges.` });
  }
  for (const schema of schemas) {
    if (schema.has_relations) continue;
    // `public` exists in every database; an empty one is not worth a warning unless the user named it.
    if (schema.name === 'public' && !datastore.settings.schemas) continue;
    logs.push({
      level: 'warning', code: 'empty-schema',
      message: schema.usage
        ? `Schema '${schema.name}' holds no table or view to sync.`
        : `Schema '${schema.name}' is not accessible to the sync user (no USAGE privilege). Grant USAGE to include it.`,
    });
  }
  context.onProgress?.({ phase: 'described', done: containers.length, total: containers.length });
  return { containers, complete, logs, unreadable, scope: datastore.settings.schemas, detection: { commitTimestamps }, signature };
}

interface DescribedRelation {
  /** Undefined once handed over. */
  container?: DiscoveredContainer;
  logs: OperationLogEntry[];
}

/** One relation's container from its catalog row and its columns, and what the sync should be told about it. */
function describeRelation(relation: RelationRow, columns: RelationColumns | undefined): DescribedRelation {
  const logs: OperationLogEntry[] = [];
  const kind = RELATION_KINDS[relation.relkind]!;
  const { attnums, fields } = inAttributeOrder(columns ?? { attnums: [], fields: [], rows: 0 });
  relation.primary_key?.forEach((attnum, position) => {
    const field = fields[attnums.indexOf(attnum)];
    if (field) field.primary_key = position + 1;
  });
  const container: DiscoveredContainer = { name: qualifiedName(relation.schema, relation.name), kind, schema: relation.schema, fields };
  if (relation.partition_attnums) {
    const key = relation.partition_attnums.map((attnum) => fields[attnums.indexOf(attnum)]?.name);
    // attnum 0 is an expression (PARTITION BY RANGE (date_trunc(...))): no column to name.
    if (key.length > 0 && key.every((name) => name !== undefined)) container.partition_key = key as string[];
    else logs.push({ level: 'info', code: 'partition-key-expression', container: container.name, message: `The partition key of '${container.name}' is an expression; the partition identifier falls back to detection.` });
  }
  if (relation.comment) container.comment = relation.comment;
  if (!relation.can_select || !relation.schema_usage) {
    logs.push({
      level: 'warning', code: 'permission-denied', container: container.name,
      message: `The sync user may not read '${container.name}' (${relation.schema_usage ? 'no SELECT privilege' : `no USAGE on schema '${relation.schema}'`}); its description comes from the catalog, but reading it will fail. Grant SELECT to the sync user.`,
    });
  }
  return { container, logs };
}

interface CatalogReads {
  signature: string;
  relations: RelationRow[];
  columns: Map<number, RelationColumns>;
  schemas: { name: string; usage: boolean; has_relations: boolean }[];
  commitTimestamps: boolean;
}

interface CatalogQueries {
  /** Already read (a resync compared it first), or undefined to read it with the rest. */
  signature: SignatureRow | undefined;
  relations: string;
  columns: string;
  values: unknown[];
  schemas: string;
  schemaValues: unknown[];
  /** Called with each relation as soon as all its columns are in (and taken out of the reads' `columns`). */
  onComplete?: (relation: RelationRow, columns: RelationColumns | undefined, commitTimestamps: boolean) => void;
}

/**
 * Reads the catalog inside `session`'s open REPEATABLE READ transaction: the relations (~50 ms of
 * server time for 11,000), then the columns, most of the work (~300 ms for 205,000), streamed.
 * Knowing every relation's column count (relnatts) before the first column arrives, each one is
 * handed over (`onComplete`) as soon as its last column is in, so the caller describes while the
 * server still sends. The signature and the schemas (~80 ms) are read meanwhile on a helper
 * session that imports the same snapshot (`pg_export_snapshot`), so every read still sees one
 * catalog state. When the helper cannot connect or import the snapshot (a pooler, a connection
 * limit), or is not ready when the columns are in, they run on `session` after the columns:
 * slower, equally correct.
 */
async function readCatalog(session: Session, helperConnecting: Promise<Session | undefined>, signal: AbortSignal, queries: CatalogQueries): Promise<CatalogReads> {
  const snapshotId = await session.run('SELECT pg_catalog.pg_export_snapshot() AS id', signal)
    .then((result) => (result.rows[0] as { id: string }).id, () => undefined);
  let columnsSettled!: () => void;
  const columnsIn = new Promise<void>((resolve) => (columnsSettled = resolve));
  const others = (async () => {
    let reader = session;
    const helper = snapshotId !== undefined && /^[0-9A-F-]+$/i.test(snapshotId) ? await Promise.race([helperConnecting, columnsIn]) : undefined;
    if (helper) {
      try {
        await helper.run(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '${snapshotId!}'`, signal);
        reader = helper;
      } catch {
        // Aborted: the abort is the answer. Otherwise the session reads alone.
        signal.throwIfAborted();
      }
    }
    // Alone, the session runs these after the columns (a client runs its statements in turn).
    const signature = queries.signature ?? await readSignature(reader.run, signal);
    const schemas = (await reader.run(queries.schemas, signal, queries.schemaValues)).rows as { name: string; usage: boolean; has_relations: boolean }[];
    return { signature: signature.signature, schemas, commitTimestamps: signature.commit_timestamps === 'on' };
  })();
  const listing = (async () => {
    try {
      const relations = (await session.run(queries.relations, signal, queries.values)).rows as RelationRow[];
      return { relations, columns: await readColumns(session, signal, queries, relations) };
    } finally {
      columnsSettled();
    }
  })();
  // Both settle before the caller ends the transaction the helper's snapshot belongs to.
  const [listed, rest] = await Promise.allSettled([listing, others]);
  if (listed.status === 'rejected') throw listed.reason;
  if (rest.status === 'rejected') throw rest.reason;
  signal.throwIfAborted();
  return { ...rest.value, ...listed.value };
}

/**
 * Streams the columns of `relations`. With `onComplete`, a relation whose rows (dropped columns
 * included) reach its relnatts is handed over and dropped from the map; the map returned holds
 * what is left (everything, without `onComplete`).
 */
async function readColumns(session: Session, signal: AbortSignal, queries: CatalogQueries, relations: readonly RelationRow[]): Promise<Map<number, RelationColumns>> {
  const columns = new Map<number, RelationColumns>();
  const { onComplete } = queries;
  // The server's setting, the same on every row; the signature reports it too.
  const commitTimestamps = relations[0]?.commit_timestamps === 'on';
  let incomplete: Map<number, RelationRow> | undefined;
  let handOverFailure: { error: unknown } | undefined;
  const complete = (relation: RelationRow, relationColumns: RelationColumns | undefined): void => {
    columns.delete(relation.oid);
    try {
      onComplete!(relation, relationColumns, commitTimestamps);
    } catch (error) {
      // Thrown inside the driver's row event it would break the connection: reported once the rows are in.
      handOverFailure = { error };
      incomplete = undefined;
    }
  };
  if (onComplete) {
    incomplete = new Map();
    for (const relation of relations) {
      if (relation.attribute_count === 0) complete(relation, undefined);
      else incomplete.set(relation.oid, relation);
    }
  }
  await session.stream(queries.columns, signal, queries.values, (raw) => {
    const row = raw as ColumnRow;
    const relationColumns = addColumn(columns, row);
    const relation = incomplete?.get(row[0]);
    if (relation && relationColumns.rows === relation.attribute_count) {
      incomplete!.delete(relation.oid);
      complete(relation, relationColumns);
    }
  });
  if (handOverFailure) throw handOverFailure.error;
  return columns;
}

interface SignatureRow {
  /** `moment#content` (see SIGNATURE_SQL). */
  signature: string;
  /** track_commit_timestamp: 'on' lets tables without a cursor column use postgres_commit_timestamp. */
  commit_timestamps: string | null;
}

async function readSignature(run: Run, signal: AbortSignal): Promise<SignatureRow> {
  const row = (await run(SIGNATURE_SQL, signal)).rows[0] as { moment: string; content: string; commit_timestamps: string | null };
  return { signature: `${row.moment}#${row.content}`, commit_timestamps: row.commit_timestamps };
}

/**
 * Compares the source with a recorded signature: the moment first, the content only when the
 * moment moved. `signature` is the current one (the recorded one when the moment held), `read`
 * what was read, for a description to reuse.
 */
async function compareSignature(run: Run, recorded: string, signal: AbortSignal): Promise<{ unchanged: boolean; signature: string; read?: SignatureRow }> {
  const before = signatureParts(recorded);
  const { moment } = (await run(MOMENT_SQL, signal)).rows[0] as { moment: string };
  if (before?.moment === moment) return { unchanged: true, signature: recorded };
  const read = await readSignature(run, signal);
  return { unchanged: before !== undefined && before.content === signatureParts(read.signature)!.content, signature: read.signature, read };
}

/** The two parts of a `moment#content` signature (the moment holds no `#`); undefined for any other string. */
function signatureParts(signature: string): { moment: string; content: string } | undefined {
  const separator = signature.indexOf('#');
  return separator > 0 ? { moment: signature.slice(0, separator), content: signature.slice(separator + 1) } : undefined;
}

/**
 * One streamed column row into its relation's fields. The row dies here; what it keeps are the
 * field and its strings, with type spellings shared (a catalog repeats a few dozen of them).
 */
function addColumn(columns: Map<number, RelationColumns>, row: ColumnRow): RelationColumns {
  const [relid, attnum, name, type, notNull, defaultExpr, generated, identity, comment, dropped] = row;
  let relation = columns.get(relid);
  if (!relation) columns.set(relid, (relation = { attnums: [], fields: [], rows: 0 }));
  relation.rows += 1;
  if (dropped) return relation;
  const field: FieldInfo = { name, type: sharedTypeName(type), nullable: !notNull };
  if (generated !== '') {
    // pg_attrdef holds the generation expression of a generated column: it is not a default.
    field.generated = true;
  } else if (defaultExpr !== null) {
    field.default = defaultExpr;
    if (/^nextval\(/i.test(defaultExpr)) field.auto_increment = true;
  }
  if (identity !== '') field.auto_increment = true;
  if (comment) field.comment = comment;
  relation.attnums.push(attnum);
  relation.fields.push(field);
  return relation;
}

function sharedTypeName(type: string): string {
  const shared = TYPE_NAMES.get(type);
  if (shared !== undefined) return shared;
  if (TYPE_NAMES.size > 10_000) TYPE_NAMES.clear();
  TYPE_NAMES.set(type, type);
  return type;
}

const TYPE_NAMES = new Map<string, string>();

/** Rows usually arrive in attribute order; sort when they did not. */
function inAttributeOrder(relation: RelationColumns): RelationColumns {
  const { attnums, fields } = relation;
  if (attnums.every((attnum, i) => i === 0 || attnums[i - 1]! < attnum)) return relation;
  const order = attnums.map((_, i) => i).sort((a, b) => attnums[a]! - attnums[b]!);
  return { ...relation, attnums: order.map((i) => attnums[i]!), fields: order.map((i) => fields[i]!) };
}
