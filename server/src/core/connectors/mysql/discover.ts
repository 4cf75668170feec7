/** Discovery: the bulk catalog reads joined into containers, with what could not be seen logged. */
import type { ContainerKind, DiscoveredContainer, OperationLogEntry } from '../../model';
import { qualifiedName } from '../../naming';
import type { DiscoveryContext, DiscoveryRequest, DiscoveryResult } from '../contract';
import type { ServerTarget } from '../serverSettings';
import { arrays, DIGESTED, tableKey, type ColumnRow, type TableRow } from './catalogRows';
import { fieldOf } from './fields';
import { readGrants } from './grants';
import { readInnoDbTables } from './innoDbTables';
import { partitionCandidates, partitionColumns, readPartitionExpressions } from './partitions';
import { readPrimaryKeys } from './primaryKeys';
import type { Link, Run, Session } from './session';
import { clientDigests, serverDigests, SIGNATURE_VERSION, signatureOf } from './signature';
import { compareText } from '../../text/order';

const KINDS: Record<string, ContainerKind | undefined> = { 'BASE TABLE': 'table', 'SYSTEM VERSIONED': 'table', VIEW: 'view' };

export async function discover(datastore: ServerTarget, session: Session, request: DiscoveryRequest, context: DiscoveryContext, run: Run, openHelper: () => Promise<Link>): Promise<DiscoveryResult> {
  context.signal.throwIfAborted();
  const columnsRead = new HelperRead(openHelper, run, context.signal);
  try {
    // A first sync needs every column: connect the helper now, while the main connection starts.
    if (request.unchangedSince === undefined) columnsRead.connect();
    return await describe(datastore, session, request, context, run, columnsRead);
  } finally {
    await columnsRead.close();
  }
}

/** Databases that are the server's own, never listed unless named in `schemas`. */
const SYSTEM_SCHEMAS = new Set(['information_schema', 'mysql', 'performance_schema', 'sys']);

/**
 * The COLUMNS read (most of a discovery: ~0.6 s of 1.2 s for 11,000 tables here), sent on a
 * second connection so the main one reads InnoDB's table list and TABLES meanwhile.
 * information_schema reads are not transactional on either connection, so this adds no
 * inconsistency; the signature stays safe because the column digests come from these very rows,
 * and STATISTICS and PARTITIONS are still read after InnoDB's table ids. When the helper cannot
 * connect (a connection limit), the read queues on the main connection instead.
 */
class HelperRead {
  private helper: Promise<Link | undefined> | undefined;
  private rows: Promise<unknown[][]> | undefined;

  constructor(
    private readonly openHelper: () => Promise<Link>,
    private readonly mainRun: Run,
    private readonly signal: AbortSignal,
  ) {}

  connect(): void {
    this.helper ??= this.openHelper().catch(() => undefined);
  }

  /** Sends the read (once); `result` waits for it. */
  start(sql: string, values: unknown[]): void {
    if (this.rows) return;
    this.connect();
    this.rows = this.helper!.then((helper) => arrays(helper?.run ?? this.mainRun, sql, this.signal, values));
    // Awaited by `result`; until then a failure (an abort) must not count as unhandled.
    this.rows.catch(() => undefined);
  }

  result(): Promise<unknown[][]> {
    return this.rows!;
  }

  async close(): Promise<void> {
    await this.rows?.catch(() => undefined);
    await (await this.helper)?.close();
  }
}

async function describe(datastore: ServerTarget, session: Session, request: DiscoveryRequest, context: DiscoveryContext, run: Run, columnsRead: HelperRead): Promise<DiscoveryResult> {
  const { signal } = context;
  const logs: OperationLogEntry[] = [];
  context.onProgress?.({ phase: 'listing', done: 0 });

  // The signature is read before the description, so it is never newer than what it vouches for.
  const grants = await readGrants(run, signal);
  const schemaRows = (await arrays(run, 'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA', signal, [])) as [string][];
  const visibleSchemas = new Set(schemaRows.map((r) => r[0]));
  // A MySQL "database" is the namespace: by default every one the user can see but the server's own.
  const wanted = datastore.settings.schemas ?? [...visibleSchemas].filter((schema) => !SYSTEM_SCHEMAS.has(schema.toLowerCase())).sort(compareText);
  // Without a global privilege, a database the user may not see is missing from SCHEMATA, not gone.
  const listedSchemas = datastore.settings.schemas || grants?.seesEveryDatabase ? undefined : wanted;
  if (wanted.length === 0) {
    logs.push({ level: 'warning', code: 'empty-schema', message: `User '${session.user}' sees no database on the server besides the system ones; nothing is listed or pruned. Grant SELECT, SHOW VIEW on the databases to catalog.` });
    return { containers: [], complete: false, logs };
  }
  const list = wanted.map(() => '?').join(', ');
  const columnsSql = `SELECT ${DIGESTED.columns.join(', ')} FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN (${list})`;
  if (request.unchangedSince === undefined) columnsRead.start(columnsSql, wanted);
  const innoDbTables = session.mariadb ? await readInnoDbTables(run, signal, wanted) : undefined;
  const basis = session.mariadb && grants && innoDbTables ? [SIGNATURE_VERSION, session.version, session.user, wanted, grants.digest, [...visibleSchemas].sort(), innoDbTables] : undefined;
  let signature: string | undefined;
  if (basis && request.unchangedSince !== undefined) {
    // Only a resync pays for the server-side digest; a first sync computes the same from the rows it reads anyway.
    signature = signatureOf(basis, await serverDigests(run, signal, wanted));
    if (signature === request.unchangedSince) return { containers: [], complete: true, logs, signature, unchanged: true };
  }
  columnsRead.start(columnsSql, wanted);

  const tables = (await arrays(run, `SELECT ${DIGESTED.tables.join(', ')}, ${session.mariadb ? 'NULL' : 'CREATE_OPTIONS'}
    FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${list})`, signal, wanted)) as TableRow[];
  tables.sort((a, b) => compareText(a[0], b[0]) || compareText(a[1], b[1]));
  const listed = tables.filter((t) => {
    const kind = KINDS[t[2]];
    return kind !== undefined && request.include.includes(kind === 'table' ? 'table' : 'view');
  });
  // Every column of the databases, not only of the kinds included: the signature covers them all.
  const columns = (await columnsRead.result()) as ColumnRow[];
  context.onProgress?.({ phase: 'describing', done: 0, total: listed.length });
  const byTable = new Map<string, ColumnRow[]>();
  for (const column of columns) {
    const key = tableKey(column[0], column[1]);
    let entry = byTable.get(key);
    if (!entry) byTable.set(key, (entry = []));
    entry.push(column);
  }
  const primaryKeys = await readPrimaryKeys(run, signal, wanted, byTable);
  if (basis && signature === undefined) signature = signatureOf(basis, clientDigests(tables, columns));
  const partitions = await readPartitionExpressions(run, signal, wanted, partitionCandidates(session, listed, innoDbTables));
  signal.throwIfAborted();

  const containers: DiscoveredContainer[] = [];
  const unreadable: string[] = [];
  for (const table of listed) {
    const [schema, name, type] = table;
    const kind = KINDS[type]!;
    const key = tableKey(schema, name);
    const rows = (byTable.get(key) ?? []).sort((a, b) => a[3] - b[3]);
    const container: DiscoveredContainer = {
      name: qualifiedName(schema, name),
      kind,
      schema,
      fields: rows.map((row) => fieldOf(row, session, primaryKeys.get(key))),
    };
    // A view's TABLE_COMMENT is the word 'VIEW', not a comment.
    if (kind === 'table' && table[4]) container.comment = table[4];
    if (rows.length === 0) {
      // A view over a dropped table (or one whose definer lost its rights) has no columns to list.
      unreadable.push(container.name);
      logs.push({ level: 'warning', code: 'container-unreadable', container: container.name, message: `${kind === 'view' ? 'View' : 'Table'} '${container.name}' has no columns visible to user '${session.user}' (a view over a missing table or column, or missing privileges); its snapshot is kept as it is.` });
      continue;
    }
    const partition = partitions.get(key);
    if (partition) {
      const keyColumns = partitionColumns(partition[0], partition[1], container.fields);
      if (keyColumns) container.partition_key = keyColumns;
      else logs.push({ level: 'info', code: 'partition-key-expression', container: container.name, message: `The partition expression of '${container.name}' (${partition[0]} ${partition[1] || '()'}) does not name exactly one column per key part; the partition identifier falls back to detection.` });
    }
    const access = grants?.access(schema, name);
    if (access === 'columns') {
      // COLUMNS lists only the granted columns: a snapshot from it would look like dropped fields.
      unreadable.push(container.name);
      logs.push({ level: 'warning', code: 'permission-denied', container: container.name, message: `The sync user '${session.user}' has SELECT on some columns of '${container.name}' only, so its description would be partial; its snapshot is kept as it is. Grant SELECT on the whole table.` });
      continue;
    }
    if (access === 'none') {
      logs.push({ level: 'warning', code: 'permission-denied', container: container.name, message: `The sync user '${session.user}' may not read '${container.name}' (no SELECT privilege); its description comes from the catalog, but reading it will fail. Grant SELECT to the sync user.` });
    }
    containers.push(container);
  }

  let complete = true;
  // A database is empty when it holds no table or view at all, not when it holds none of the kinds included.
  const populated = new Set(tables.filter((t) => KINDS[t[2]] !== undefined).map((t) => t[0]));
  for (const schema of wanted) {
    if (!visibleSchemas.has(schema)) {
      complete = false;
      logs.push({ level: 'warning', code: 'schema-not-found', message: `Database '${schema}' named in 'schemas' of datastore '${datastore.name}' does not exist or is not visible to user '${session.user}'; nothing there is listed or pruned. Check 'schemas' and the user's grants.` });
      continue;
    }
    if (grants && !grants.seesWholeSchema(schema)) {
      // information_schema shows only objects a user holds a privilege on: others are invisible, not gone.
      complete = false;
      logs.push({ level: 'warning', code: 'permission-partial', message: `User '${session.user}' holds no privilege on all of database '${schema}' (only on single tables), so tables it was not granted are invisible and not listed; nothing there is pruned. Grant SELECT, SHOW VIEW ON \`${schema.replace(/`/g, '``')}\`.* to list it completely.` });
    }
    if (!populated.has(schema)) {
      logs.push({ level: 'warning', code: 'empty-schema', message: `Database '${schema}' holds no table or view visible to user '${session.user}'.` });
    }
  }
  if (!grants) {
    complete = false;
    logs.push({ level: 'warning', code: 'permission-unknown', message: `The grants of user '${session.user}' could not be read, so objects it may not see cannot be ruled out; nothing is pruned.` });
  }
  context.onProgress?.({ phase: 'described', done: containers.length, total: listed.length });
  return { containers, complete, logs, unreadable, scope: datastore.settings.schemas, signature, ...(listedSchemas ? { listedSchemas } : {}) };
}
