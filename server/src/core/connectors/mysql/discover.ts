/** Discovery: the bulk catalog reads joined into containers, with what could not be seen logged. */
import type { ContainerKind, DiscoveredContainer, OperationLogEntry } from '../../model';
import { qualifiedName } from '../../naming';
import { COMPARING_SIGNATURE, type DiscoveryContext, type DiscoveryRequest, type DiscoveryResult } from '../contract';
import type { ServerTarget } from '../serverSettings';
import { arrays, DIGESTED, placeholders, tableKey, type TableRow } from './catalogRows';
import { ColumnsRead, tableShare } from './columns';
import { readGrants } from './grants';
import { readInnoDbTables } from './innoDbTables';
import { partitionCandidates, partitionColumns, readPartitionExpressions } from './partitions';
import { readPrimaryKeys } from './primaryKeys';
import type { Link } from './session';
import { Digest, digestSql, rowCrcs, SIGNATURE_VERSION, signatureOf, tablesDigestSql } from './signature';
import { compareText } from '../../text/order';

const KINDS: Record<string, ContainerKind | undefined> = { 'BASE TABLE': 'table', 'SYSTEM VERSIONED': 'table', VIEW: 'view' };

export async function discover(datastore: ServerTarget, main: Link, request: DiscoveryRequest, context: DiscoveryContext, openHelper: () => Promise<Link>): Promise<DiscoveryResult> {
  context.signal.throwIfAborted();
  const helper = new Helper(openHelper, main);
  try {
    // Both a first sync and a resync read part of the catalog on the helper: connect it now.
    helper.connect();
    return await describe(datastore, main, request, context, helper);
  } finally {
    await helper.close();
  }
}

/** Databases that are the server's own, never listed unless named in `schemas`. */
const SYSTEM_SCHEMAS = new Set(['information_schema', 'mysql', 'performance_schema', 'sys']);

/**
 * A second connection, for part of COLUMNS (most of a discovery: ~0.6 s of 1.2 s for 11,000 tables
 * here). MariaDB sends no row of an information_schema read before it has filled all of it: with
 * the rows read in two halves, Node decodes one while the server fills the other, and the server
 * fills two reads at once faster than one after the other when a core is free (TABLES and a
 * quarter of COLUMNS beside the other three quarters: 425 against 624 ms here at load 2; no gain
 * on a saturated machine). information_schema reads are not transactional on either connection,
 * so this adds no inconsistency; the signature stays safe because the column digests come from
 * these very rows, and STATISTICS and PARTITIONS are still read after InnoDB's table ids. When the
 * helper cannot connect (a connection limit), its reads queue on the main connection instead.
 */
class Helper {
  private link: Promise<Link | undefined> | undefined;
  private readonly started: Promise<unknown>[] = [];

  constructor(
    private readonly openHelper: () => Promise<Link>,
    private readonly main: Link,
  ) {}

  connect(): void {
    this.link ??= this.openHelper().catch(() => undefined);
  }

  /** Sends `work` to the helper (or the main connection); the caller awaits the result. */
  start<T>(work: (link: Link) => Promise<T>): Promise<T> {
    this.connect();
    const result = this.link!.then((link) => work(link ?? this.main));
    // Awaited by the caller; until then a failure (an abort) must not count as unhandled.
    result.catch(() => undefined);
    this.started.push(result);
    return result;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.started);
    await (await this.link)?.close();
  }
}

async function describe(datastore: ServerTarget, main: Link, request: DiscoveryRequest, context: DiscoveryContext, helper: Helper): Promise<DiscoveryResult> {
  const { signal } = context;
  const { session, run } = main;
  const logs: OperationLogEntry[] = [];
  context.onProgress?.({ phase: 'listing', done: 0 });

  const columns = new ColumnsRead(session);
  const inListOf = (databases: string[]): string => `TABLE_SCHEMA IN (${placeholders(databases)})`;
  // The helper's share: half of the COLUMNS rows (the other half is read here after TABLES), or on a
  // resync the digest of three quarters of COLUMNS (this connection digests TABLES and the last quarter).
  let helperRows: Promise<void> | undefined;
  let helperDigest: Promise<unknown[][]> | undefined;
  const readHelperRows = (databases: string[]): Promise<void> => helper.start((link) => link.each(columns.sql(inListOf(databases), tableShare(2, true)), signal, databases, columns.receiver()));
  const startHelper = (databases: string[]): void => {
    if (request.unchangedSince === undefined || !session.mariadb) helperRows = readHelperRows(databases);
    else helperDigest = helper.start((link) => arrays(link.run, digestSql(DIGESTED.columns, `information_schema.COLUMNS WHERE ${inListOf(databases)} AND ${tableShare(3, true)}`), signal, databases));
  };
  // Databases named in `schemas` are all the helper needs: it starts before anything is read here.
  const named = datastore.settings.schemas;
  if (named && named.length > 0) startHelper(named);

  // The signature is read before the description, so it is never newer than what it vouches for.
  const grants = await readGrants(run, signal);
  const schemaRows = (await arrays(run, 'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA', signal, [])) as [string][];
  const visibleSchemas = new Set(schemaRows.map((r) => r[0]));
  // A MySQL "database" is the namespace: by default every one the user can see but the server's own.
  const wanted = named ?? [...visibleSchemas].filter((schema) => !SYSTEM_SCHEMAS.has(schema.toLowerCase())).sort(compareText);
  // Without a global privilege, a database the user may not see is missing from SCHEMATA, not gone.
  const listedSchemas = named || grants?.seesEveryDatabase ? undefined : wanted;
  if (wanted.length === 0) {
    logs.push({ level: 'warning', code: 'empty-schema', message: `User '${session.user}' sees no database on the server besides the system ones; nothing is listed or pruned. Grant SELECT, SHOW VIEW on the databases to catalog.` });
    return { containers: [], complete: false, logs };
  }
  if (!helperRows && !helperDigest) startHelper(wanted);
  const inList = inListOf(wanted);
  const innoDbTables = session.mariadb ? await readInnoDbTables(run, signal, wanted) : undefined;
  // Which databases exist matters as far as the description depends on it: all of them by default,
  // only whether each named one is visible otherwise (a database created elsewhere changes nothing here).
  const schemata = named ? named.map((schema) => visibleSchemas.has(schema)) : [...visibleSchemas].sort();
  const basis = session.mariadb && grants && innoDbTables ? [SIGNATURE_VERSION, session.version, session.user, wanted, grants.digest, schemata, innoDbTables] : undefined;
  let signature: string | undefined;
  if (basis && helperDigest) {
    // Only a resync pays for the server-side digest; a first sync adds up the CRCs the server sends beside each row.
    const mainDigest = arrays(run, `SELECT (${tablesDigestSql(`information_schema.TABLES WHERE ${inList}`)}),
      (${digestSql(DIGESTED.columns, `information_schema.COLUMNS WHERE ${inList} AND ${tableShare(3, false)}`)})`, signal, [...wanted, ...wanted]);
    // Both digests are on their way: the engine may read its own side of the record meanwhile.
    context.onProgress?.({ phase: COMPARING_SIGNATURE, done: 0 });
    const [[tablesText, mainColumns]] = (await mainDigest) as [string, string][];
    const [[helperColumns]] = (await helperDigest) as [string][];
    const [tablesDigestText, otherEngines] = tablesText!.split('/');
    if (Number(otherEngines) === 0) {
      const tablesDigest = new Digest();
      tablesDigest.addText(tablesDigestText!);
      const columnsDigest = new Digest();
      columnsDigest.addText(mainColumns!);
      columnsDigest.addText(helperColumns!);
      signature = signatureOf(basis, tablesDigest, columnsDigest);
      if (signature === request.unchangedSince) return { containers: [], complete: true, logs, signature, unchanged: true };
    }
  }
  helperRows ??= readHelperRows(wanted);

  const tables = (await arrays(run, `SELECT ${DIGESTED.tables.join(', ')}, ${session.mariadb ? `NULL, ${rowCrcs(DIGESTED.tables)}` : 'CREATE_OPTIONS'}
    FROM information_schema.TABLES WHERE ${inList}`, signal, wanted)) as TableRow[];
  tables.sort((a, b) => compareText(a[0], b[0]) || compareText(a[1], b[1]));
  const listed = tables.filter((t) => {
    const kind = KINDS[t[2]];
    return kind !== undefined && request.include.includes(kind === 'table' ? 'table' : 'view');
  });
  const partitions = await readPartitionExpressions(run, signal, wanted, partitionCandidates(session, listed, innoDbTables));
  // Every column of the databases, not only of the kinds included: the signature covers them all.
  await main.each(columns.sql(inList, tableShare(2, false)), signal, wanted, columns.receiver());
  await helperRows;
  context.onProgress?.({ phase: 'describing', done: 0, total: listed.length });
  await readPrimaryKeys(run, signal, wanted, columns.tables);
  if (basis && signature === undefined) signature = firstSyncSignature(basis, tables, columns);
  signal.throwIfAborted();

  const containers: DiscoveredContainer[] = [];
  const unreadable: string[] = [];
  for (const table of listed) {
    const [schema, name, type] = table;
    const kind = KINDS[type]!;
    const key = tableKey(schema, name);
    const fields = columns.fieldsOf(key) ?? [];
    const container: DiscoveredContainer = { name: qualifiedName(schema, name), kind, schema, fields };
    // A view's TABLE_COMMENT is the word 'VIEW', not a comment.
    if (kind === 'table' && table[4]) container.comment = table[4];
    if (fields.length === 0) {
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

/** The signature of a full discovery, from the CRCs the server sent beside each row; none when a base table is not InnoDB. */
function firstSyncSignature(basis: unknown[], tables: TableRow[], columns: ColumnsRead): string | undefined {
  if (tables.some((t) => t[2] !== 'VIEW' && t[3] !== null && t[3].toLowerCase() !== 'innodb')) return undefined;
  const tablesDigest = new Digest();
  for (const t of tables) tablesDigest.add(t[6]!, t[7]!);
  return signatureOf(basis, tablesDigest, columns.digest);
}
