import pg from 'pg';
import type { ContainerKind, DiscoveredContainer, FieldInfo, OperationLogEntry } from '../model';
import { qualifiedName } from '../naming';
import { ConnectorError, type DiscoveryContext, type DiscoveryRequest, type DiscoveryResult, type ResolvedDatastore, type SqlConnector } from './contract';
import { prefersTls, requireServerSettings, serverTimeouts, throwIfAborted, tlsFailure, tlsSettings } from './serverSettings';

/**
 * PostgreSQL. The session is read-only at the database level (`default_transaction_read_only`,
 * and every catalog read runs in a `READ ONLY` transaction). Introspection is a constant number
 * of pg_catalog queries for the whole datastore, whatever its size: signature, relations,
 * columns, schemas, settings. Comments come from a `LEFT JOIN pg_description`, never
 * `col_description()` per row.
 */
export async function openPostgresConnector(datastore: ResolvedDatastore): Promise<SqlConnector> {
  const config = clientConfig(datastore);
  const session = await openSession(datastore, config);
  return {
    discover: (request, context) => discover(datastore, request, context, session, () => openSession(datastore, config)),
    query: async (sql, signal) => (await session.run(sql, signal)).rows as unknown[],
    close: () => session.close(),
  };
}

/** One read-only connection; its statements are cancelled on the server when the signal aborts. */
interface Session {
  run: Run;
  /** Runs a query whose rows (as arrays) go to `onRow` as they arrive, none kept by the driver. */
  stream(sql: string, signal: AbortSignal, values: unknown[], onRow: (row: unknown[]) => void): Promise<void>;
  close(): Promise<void>;
}

async function openSession(datastore: ResolvedDatastore, config: pg.ClientConfig): Promise<Session> {
  const client = new pg.Client(config);
  // A broken connection after connect (server restart) must reject the running query, not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    // Again as a statement: poolers and some servers drop startup options.
    await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
  } catch (error) {
    await client.end().catch(() => undefined);
    // `prefer`: encryption when the server offers it, a plain connection otherwise (as libpq does).
    if (config.ssl && prefersTls(datastore) && NO_TLS_ON_SERVER.test((error as Error).message)) return openSession(datastore, { ...config, ssl: false });
    throw connectionError(datastore, error);
  }
  const cancellable = async <T>(pending: Promise<T>, signal: AbortSignal | undefined): Promise<T> => {
    if (!signal) return pending;
    const onAbort = (): void => void cancelBackend(config, client);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await pending;
    } catch (error) {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('The sync was aborted.');
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  };
  const run = async (sql: string, signal: AbortSignal | undefined, values?: unknown[]): Promise<pg.QueryResult> => {
    if (signal) throwIfAborted(signal);
    return cancellable(client.query(sql, values), signal);
  };
  const stream = async (sql: string, signal: AbortSignal, values: unknown[], onRow: (row: unknown[]) => void): Promise<void> => {
    throwIfAborted(signal);
    // A Query with a 'row' listener and no callback does not accumulate rows: each dies young.
    const query = new pg.Query({ text: sql, values, rowMode: 'array' } as pg.QueryConfig<unknown[]>);
    const done = new Promise<void>((resolve, reject) => {
      query.on('row', (row: unknown[]) => onRow(row));
      query.on('end', () => resolve());
      query.on('error', reject);
    });
    client.query(query);
    return cancellable(done, signal);
  };
  return {
    run,
    stream,
    close: async () => {
      await client.end().catch(() => undefined);
    },
  };
}

type Run = (sql: string, signal: AbortSignal | undefined, values?: unknown[]) => Promise<pg.QueryResult>;

function clientConfig(datastore: ResolvedDatastore): pg.ClientConfig {
  const { host, port, database, user } = requireServerSettings(datastore, 5432);
  const timeouts = serverTimeouts(datastore.connection);
  return {
    host, port, database, user,
    password: datastore.connection.password,
    ssl: sslOptions(datastore),
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    application_name: 'catalog-as-code',
    // Read-only for the whole session, before any statement of ours runs.
    options: '-c default_transaction_read_only=on',
  };
}

function sslOptions(datastore: ResolvedDatastore): pg.ClientConfig['ssl'] {
  const tls = tlsSettings(datastore);
  if (!tls) return false;
  if (tls.verify === 'none') return { rejectUnauthorized: false };
  // verify-ca checks the chain only; verify-full (and `ssl: true`) also the host name.
  return tls.verify === 'chain' ? { rejectUnauthorized: true, ca: tls.ca, checkServerIdentity: () => undefined } : { rejectUnauthorized: true, ca: tls.ca };
}

/** Cancels the running statement from a second session (`pg_cancel_backend` of our backend). */
async function cancelBackend(config: pg.ClientConfig, client: pg.Client): Promise<void> {
  const pid = (client as unknown as { processID: number | null }).processID;
  if (pid === null) return;
  const canceller = new pg.Client({ ...config, statement_timeout: 10_000 });
  canceller.on('error', () => undefined);
  try {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // Best effort: the statement timeout still bounds the query, and closing the session ends it.
  } finally {
    await canceller.end().catch(() => undefined);
  }
}

/** What `pg` says when it asked for TLS and the server has none. */
const NO_TLS_ON_SERVER = /does not support SSL/i;

function connectionError(datastore: ResolvedDatastore, error: unknown): ConnectorError {
  const err = error as Error & { code?: string };
  const { host, port, database, user } = datastore.connection;
  const where = `${host ?? ''}:${port ?? 5432}`;
  const what = `datastore '${datastore.name}'`;
  const tls = tlsFailure(error, datastore, where);
  if (tls) return new ConnectorError(tls, 'ssl-failed');
  if (NO_TLS_ON_SERVER.test(err.message)) {
    return new ConnectorError(`The PostgreSQL server at ${where} does not offer TLS, but connection.ssl asks for it (${what}). Enable ssl on the server, or set ssl: { mode: prefer } or false.`, 'ssl-unsupported');
  }
  switch (err.code) {
    case '3D000':
      return new ConnectorError(`Database '${database}' does not exist on the PostgreSQL server at ${where} (${what}). Check connection.database.`, 'source-not-found');
    case '28P01':
    case '28000':
      return new ConnectorError(`PostgreSQL at ${where} refused user '${user}' (${what}): ${err.message}. Check connection.user and the variable behind connection.password.`, 'auth-failed');
    case 'ECONNREFUSED':
      return new ConnectorError(`Nothing answers at ${where} (${what}): connection refused. Check connection.host and connection.port, and that PostgreSQL is running.`, 'connection-refused');
    case 'ENOTFOUND':
      return new ConnectorError(`Host '${host}' of ${what} is unknown. Check connection.host.`, 'connection-refused');
    default:
      if (/timeout/i.test(err.message)) {
        return new ConnectorError(`PostgreSQL at ${where} did not answer within ${serverTimeouts(datastore.connection).connectMs / 1000} s (${what}). Check the address, firewalls, or raise connection.connect_timeout_seconds.`, 'connection-timeout');
      }
      return new ConnectorError(`Could not connect to PostgreSQL at ${where} (${what}): ${err.message}`, 'connection-failed');
  }
}

/**
 * Changes whenever anything a discovery reads could have changed: any DDL, COMMENT, GRANT or
 * type rename writes a new row version (a new xmin) into one of these catalogs or removes one
 * (the count). In-place statistics updates by VACUUM and ANALYZE do not. ~65 ms for 11,000
 * tables here, against ~400 ms for the full description. Temp tables of other sessions also
 * move it: that costs a full description, never a wrong answer.
 */
const SIGNATURE_SQL = `SELECT concat_ws('|', current_user, current_setting('server_version_num'), current_setting('track_commit_timestamp', true),
  ${['pg_class', 'pg_attribute', 'pg_attrdef', 'pg_constraint', 'pg_description', 'pg_type', 'pg_namespace', 'pg_partitioned_table', 'pg_inherits']
    .map((table) => `(SELECT count(*) || ':' || coalesce(sum(xmin::text::bigint), 0) FROM pg_catalog.${table})`).join(',\n  ')}) AS signature,
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
}

/** A columns-query row (rowMode 'array'): relid, attnum, name, type, not null, default, generated, identity, comment. */
type ColumnRow = [number, number, string, string, boolean, string | null, string, string, string | null];

/** The fields of one relation, in the order the rows came, with their attribute numbers. */
interface RelationColumns {
  attnums: number[];
  fields: FieldInfo[];
}

async function discover(datastore: ResolvedDatastore, request: DiscoveryRequest, context: DiscoveryContext, session: Session, openHelper: () => Promise<Session>): Promise<DiscoveryResult> {
  const { signal } = context;
  const kinds = Object.entries(RELATION_KINDS)
    .filter(([, kind]) => request.include.includes(kind === 'table' || kind === 'foreign_table' ? 'table' : 'view'))
    .map(([relkind]) => relkind);
  const logs: OperationLogEntry[] = [];
  if (kinds.length === 0) return { containers: [], complete: true, logs };
  const schemaFilter = datastore.schemas ? 'n.nspname = ANY($1::text[])' : SYSTEM_SCHEMA_FILTER;
  const relationFilter = `${schemaFilter} AND c.relkind = ANY($${datastore.schemas ? 2 : 1}::"char"[]) AND NOT c.relispartition`;
  const values: unknown[] = datastore.schemas ? [datastore.schemas, kinds] : [kinds];
  // A first sync needs everything: connect the helper session while this one starts.
  let helper = request.unchangedSince === undefined ? openHelper().catch(() => undefined) : undefined;
  let described: CatalogReads;
  try {
    // One snapshot of the catalog for all reads, so a concurrent DDL cannot tear the listing.
    await session.run('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', signal);
    let signature: SignatureRow | undefined;
    if (request.unchangedSince !== undefined) {
      signature = await readSignature(session.run, signal);
      if (request.unchangedSince === signature.signature) return { containers: [], complete: true, logs, signature: signature.signature, unchanged: true };
      helper = openHelper().catch(() => undefined);
    }
    context.onProgress?.({ phase: 'listing', done: 0 });
    described = await readCatalog(session, helper!, signal, {
      signature,
      relations: `SELECT c.oid::int8::float8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind, d.description AS comment,
          pt.partattrs::int2[] AS partition_attnums,
          (SELECT k.conkey FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p') AS primary_key,
          has_table_privilege(c.oid, 'SELECT') AS can_select, has_schema_privilege(n.oid, 'USAGE') AS schema_usage
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_partitioned_table pt ON pt.partrelid = c.oid
        LEFT JOIN pg_catalog.pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
        WHERE ${relationFilter}`,
      columns: `SELECT a.attrelid::int8::float8 AS relid, a.attnum, a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
          a.attnotnull AS not_null, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expr, a.attgenerated::text AS generated,
          a.attidentity::text AS identity, d.description AS comment
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        LEFT JOIN pg_catalog.pg_description d ON d.objoid = a.attrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped AND ${relationFilter}`,
      values,
      schemas: `SELECT n.nspname AS name, has_schema_privilege(n.oid, 'USAGE') AS usage FROM pg_catalog.pg_namespace n WHERE ${schemaFilter}`,
      schemaValues: datastore.schemas ? [datastore.schemas] : [],
    });
  } finally {
    await session.run('ROLLBACK', undefined).catch(() => undefined);
    // Closed whenever it connects, used or not.
    void helper?.then((connected) => connected?.close());
  }
  const { signature, relations, columns, schemas, commitTimestamps } = described;
  throwIfAborted(signal);

  const containers: DiscoveredContainer[] = [];
  const unreadable: string[] = [];
  for (const relation of relations) {
    const kind = RELATION_KINDS[relation.relkind]!;
    const { attnums, fields } = inAttributeOrder(columns.get(relation.oid) ?? { attnums: [], fields: [] });
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
    containers.push(container);
  }
  let complete = true;
  const listedSchemas = new Set(schemas.map((s) => s.name));
  for (const wanted of datastore.schemas ?? []) {
    if (listedSchemas.has(wanted)) continue;
    complete = false;
    logs.push({ level: 'warning', code: 'schema-not-found', message: `Schema '${wanted}' named in 'schemas' of datastore '${datastore.name}' does not exist (or is not visible to the sync user); nothing there is pruned. Check the name and the user's privileges.` });
  }
  const populated = new Set(relations.map((r) => r.schema));
  for (const schema of schemas) {
    if (populated.has(schema.name)) continue;
    // `public` exists in every database; an empty one is not worth a warning unless the user named it.
    if (schema.name === 'public' && !datastore.schemas) continue;
    logs.push({
      level: 'warning', code: 'empty-schema',
      message: schema.usage
        ? `Schema '${schema.name}' holds no ${request.include.join(' or ')} to sync.`
        : `Schema '${schema.name}' is not accessible to the sync user (no USAGE privilege). Grant USAGE to include it.`,
    });
  }
  context.onProgress?.({ phase: 'described', done: containers.length, total: containers.length });
  return { containers, complete, logs, unreadable, detection: { commitTimestamps }, signature };
}

interface CatalogReads {
  signature: string;
  relations: RelationRow[];
  columns: Map<number, RelationColumns>;
  schemas: { name: string; usage: boolean }[];
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
}

/**
 * Reads the catalog inside `session`'s open REPEATABLE READ transaction. The columns query is
 * most of the work (~300 ms of server time for 205,000 columns); the others (signature,
 * relations, schemas, settings: ~130 ms) run meanwhile on a helper session that imports the same
 * snapshot (`pg_export_snapshot`), so every read still sees one catalog state. When the helper
 * cannot connect or import the snapshot (a pooler, a connection limit), or is not ready when the
 * columns arrive, the same queries run on `session` after the columns: slower, equally correct.
 */
async function readCatalog(session: Session, helperConnecting: Promise<Session | undefined>, signal: AbortSignal, queries: CatalogQueries): Promise<CatalogReads> {
  const snapshotId = await session.run('SELECT pg_catalog.pg_export_snapshot() AS id', signal)
    .then((result) => (result.rows[0] as { id: string }).id, () => undefined);
  const columns = new Map<number, RelationColumns>();
  const columnsRead = session.stream(queries.columns, signal, queries.values, (row) => addColumn(columns, row as ColumnRow));
  const columnsSettled = columnsRead.then(() => undefined, () => undefined);
  const others = (async () => {
    let reader = session;
    const helper = snapshotId !== undefined && /^[0-9A-F-]+$/i.test(snapshotId) ? await Promise.race([helperConnecting, columnsSettled]) : undefined;
    if (helper) {
      try {
        await helper.run(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '${snapshotId!}'`, signal);
        reader = helper;
      } catch (error) {
        if (signal.aborted) throw error;
      }
    }
    const signature = queries.signature ?? await readSignature(reader.run, signal);
    const relations = (await reader.run(queries.relations, signal, queries.values)).rows as RelationRow[];
    const schemas = (await reader.run(queries.schemas, signal, queries.schemaValues)).rows as { name: string; usage: boolean }[];
    return { signature: signature.signature, relations, schemas, commitTimestamps: signature.commit_timestamps === 'on' };
  })();
  // Both settle before the caller ends the transaction the helper's snapshot belongs to.
  const [columnsDone, rest] = await Promise.allSettled([columnsRead, others]);
  if (columnsDone.status === 'rejected') throw columnsDone.reason;
  if (rest.status === 'rejected') throw rest.reason;
  throwIfAborted(signal);
  return { ...rest.value, columns };
}

interface SignatureRow {
  signature: string;
  /** track_commit_timestamp: 'on' lets tables without a cursor column use postgres_commit_timestamp. */
  commit_timestamps: string | null;
}

async function readSignature(run: Run, signal: AbortSignal): Promise<SignatureRow> {
  return (await run(SIGNATURE_SQL, signal)).rows[0] as SignatureRow;
}

/**
 * One streamed column row into its relation's fields. The row dies here; what it keeps are the
 * field and its strings, with type spellings shared (a catalog repeats a few dozen of them).
 */
function addColumn(columns: Map<number, RelationColumns>, row: ColumnRow): void {
  const [relid, attnum, name, type, notNull, defaultExpr, generated, identity, comment] = row;
  let relation = columns.get(relid);
  if (!relation) columns.set(relid, (relation = { attnums: [], fields: [] }));
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
  return { attnums: order.map((i) => attnums[i]!), fields: order.map((i) => fields[i]!) };
}
