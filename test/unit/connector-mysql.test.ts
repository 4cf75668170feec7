import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { Connection as CoreConnection } from 'mysql2';
import { parse as parseYaml } from 'yaml';
import type { DiscoveryResult, SqlConnector } from '../../server/src/core/connectors/contract';
import { parseGrant } from '../../server/src/core/connectors/mysql/grants';
import { partitionColumns } from '../../server/src/core/connectors/mysql/partitions';
import { refuseUnlessRead } from '../../server/src/core/connectors/mysql/statementGuard';
import { openConnector } from '../../server/src/core/connectors/registry';
import { mariadbCase, mysqlAdmin, mysqlTarget, quoteId, type MySqlTarget } from '../helpers/connectorCases/mariadb';
import type { TestSource } from '../helpers/connectorCases/types';
import { countingCalls } from '../helpers/statementCounter';
import { makeCatalog, removeCatalog, snapshotFiles, sync } from '../helpers/syncFixtures';
import { skipWithoutServer } from '../helpers/skipWithoutServer';

const signal = new AbortController().signal;

/** Pure parts: no server needed. */
describe('mysql connector: statement guard, grants and partition expressions', () => {
  it('lets reads through and refuses everything else before it reaches the server', () => {
    for (const sql of ['SELECT 1', '  select 1', '(SELECT 1)', 'SHOW TABLES', 'DESCRIBE t', 'DESC t', 'EXPLAIN SELECT 1', 'WITH a AS (SELECT 1) SELECT * FROM a',
      '/* why */ SELECT 1', '-- note\nSELECT 1', '# note\nSELECT 1']) {
      assert.doesNotThrow(() => refuseUnlessRead(sql), sql);
    }
    for (const sql of ['CREATE TABLE t (x int)', 'DROP TABLE t', 'INSERT INTO t VALUES (1)', 'UPDATE t SET x = 1', 'DELETE FROM t', 'REPLACE INTO t VALUES (1)',
      'SET SESSION TRANSACTION READ WRITE', 'SET GLOBAL max_connections = 1', 'FLUSH TABLES', 'ANALYZE TABLE t', 'CALL p()', 'DO SLEEP(1)', 'LOAD DATA INFILE "x" INTO TABLE t',
      'SELECT * FROM t INTO OUTFILE "/tmp/x"', 'select 1 into dumpfile "/tmp/x"', '/*!40000 DROP TABLE t */', '/* c */ DROP TABLE t', 'HANDLER t OPEN', 'KILL 1', 'GRANT ALL ON *.* TO x', '']) {
      assert.throws(() => refuseUnlessRead(sql), /only reads/, sql);
    }
  });

  it('parses grants: levels, wildcards, column privileges; ignores roles, proxies and routines', () => {
    const all = parseGrant('GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION')!;
    assert.equal(all.database, undefined);
    assert.equal(all.table, undefined);
    assert.deepEqual(all.privileges, [{ name: 'ALL PRIVILEGES', columns: false }]);
    const pattern = parseGrant('GRANT SELECT, SHOW VIEW ON `shop\\_%`.* TO `reader`@`%`')!;
    assert.ok(pattern.database!.test('shop_eu') && !pattern.database!.test('shopXeu') && !pattern.database!.test('shop'));
    const columns = parseGrant('GRANT SELECT (`x`, `y, z`), INSERT (`y`) ON `db`.`we"ird``n` TO `u`@`%`')!;
    assert.equal(columns.table, 'we"ird`n');
    assert.deepEqual(columns.privileges, [{ name: 'SELECT', columns: true }, { name: 'INSERT', columns: true }]);
    // A password hash in the line is not part of what is kept.
    assert.doesNotMatch(JSON.stringify(parseGrant("GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*D821809F681A40A6E379B50D0463EFAE20BDD122'")), /D821809F/);
    for (const line of ['GRANT `role` TO `u`@`%`', "GRANT PROXY ON ''@'%' TO 'root'@'localhost'", 'GRANT EXECUTE ON PROCEDURE `db`.`p` TO `u`@`%`', 'SET DEFAULT ROLE `r` FOR `u`@`%`']) {
      assert.equal(parseGrant(line), undefined, line);
    }
  });

  it('names partition key columns only when each key part is one column', () => {
    const fields = [{ name: 'a', type: 'int', nullable: false, primary_key: 2 }, { name: 'b', type: 'int', nullable: false, primary_key: 1 }, { name: 'd', type: 'date', nullable: true }];
    assert.deepEqual(partitionColumns('RANGE COLUMNS', '`a`,`b`', fields), ['a', 'b']);
    assert.deepEqual(partitionColumns('RANGE', 'year(`d`)', fields), ['d']);
    assert.deepEqual(partitionColumns('HASH', 'to_days(`d`) DIV 7', fields), ['d']);
    assert.deepEqual(partitionColumns('KEY', '', fields), ['b', 'a']);
    assert.equal(partitionColumns('RANGE', '`a` + `b`', fields), undefined);
    assert.equal(partitionColumns('RANGE', '`nope`', fields), undefined);
    assert.equal(partitionColumns('HASH', '', fields), undefined);
  });
});

/** Facts beyond the shared contract, on the real server. */
describe('mysql connector (MariaDB server)', function () {
  this.timeout(60_000);
  let t: MySqlTarget;
  let source: TestSource;
  let database: string;
  const cleanups: string[] = [];

  before(async function () {
    skipWithoutServer(this, await mariadbCase.unavailable());
    t = (await mysqlTarget()) as MySqlTarget;
  });
  beforeEach(async () => {
    source = await mariadbCase.createSource();
    database = source.datastore.settings.database!;
  });
  afterEach(async () => {
    await source.dispose();
    for (const sql of cleanups.splice(0)) await admin(sql);
  });

  const admin = async (sql: string): Promise<void> => {
    const c = await mysqlAdmin(t);
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const withConnector = async <T>(datastore: TestSource['datastore'], work: (c: SqlConnector) => Promise<T>): Promise<T> => {
    const connector = (await openConnector(datastore)) as SqlConnector;
    try {
      return await work(connector);
    } finally {
      await connector.close();
    }
  };
  const discover = (datastore: TestSource['datastore'] = source.datastore, unchangedSince?: string): Promise<DiscoveryResult> =>
    withConnector(datastore, (c) => c.discover({ include: ['table', 'view'], unchangedSince }, { signal }));
  /** A login of its own, dropped after the test. */
  const createUser = async (grants: string): Promise<{ user: string; password: string }> => {
    const user = `cac_u${process.pid}_${randomBytes(3).toString('hex')}`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    cleanups.push(`DROP USER IF EXISTS '${user}'@'%'`);
    await admin(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'; ${grants.replace(/\$USER/g, `'${user}'@'%'`)}`);
    return { user, password };
  };

  it('says what to check when the database is unknown, the port refuses, or the password is wrong, and never shows the password', async () => {
    const connection = source.datastore.settings;
    await assert.rejects(openConnector({ ...source.datastore, settings: { ...connection, database: 'cac_no_such_database' } }),
      (error: Error) => /Database 'cac_no_such_database' does not exist/.test(error.message) && /Check connection\.database/.test(error.message));
    await assert.rejects(openConnector({ ...source.datastore, settings: { ...connection, host: '127.0.0.1', port: 1 } }),
      /Nothing answers at 127\.0\.0\.1:1 .*connection refused\. Check connection\.host and connection\.port/);
    const { user, password } = await createUser(`GRANT SELECT ON ${quoteId(database)}.* TO $USER`);
    const wrong = `${password}-wrong`;
    await assert.rejects(openConnector({ ...source.datastore, settings: { ...connection, user, password: wrong } }), (error: Error) => {
      assert.match(error.message, new RegExp(`refused user '${user}'.*Access denied.*Check connection\\.user, the variable behind connection\\.password`));
      assert.ok(!error.message.includes(wrong) && !error.message.includes(password), error.message);
      return true;
    });
    await assert.rejects(openConnector({ ...source.datastore, settings: { port: 3306 } }), /needs connection\.host, connection\.database, connection\.user/);
  });

  it('refuses writes in the database too: the session is read-only for statements that pass as reads', async () => {
    await source.run(`CREATE TABLE t (x int); INSERT INTO t VALUES (1); CREATE SEQUENCE seq;
      CREATE FUNCTION writer() RETURNS int MODIFIES SQL DATA BEGIN INSERT INTO t VALUES (2); RETURN 1; END`);
    const before = await source.fingerprint();
    await withConnector(source.datastore, async (connector) => {
      assert.deepEqual(await connector.query('SELECT @@SESSION.tx_read_only AS ro'), [{ ro: 1 }]);
      // Each of these gets past the statement guard (it starts with SELECT); the server refuses it.
      for (const sql of ['SELECT NEXTVAL(seq)', 'SELECT writer()', 'SELECT * FROM t FOR UPDATE']) {
        await assert.rejects(connector.query(sql), /read-only; the server refused a write/, sql);
      }
      // And the guard stops what would switch the session back.
      await assert.rejects(connector.query('SET SESSION TRANSACTION READ WRITE'), /only reads/);
      assert.deepEqual(await connector.query('SELECT COUNT(*) AS n FROM t'), [{ n: 1 }]);
    });
    assert.equal(await source.fingerprint(), before);
  });

  it('relies on a server fact: DDL fails in a read-only session (MariaDB 10.11), not only DML', async () => {
    // Not the connector's code: the premise of its design, checked on this server with a raw session set up the same way.
    const c = await mysqlAdmin(t, database);
    try {
      await c.query('SET SESSION TRANSACTION READ ONLY');
      for (const sql of ['CREATE TABLE intruder (x int)', 'CREATE DATABASE cac_intruder', 'RENAME TABLE a TO b']) {
        await assert.rejects(c.query(sql), /READ ONLY transaction/, sql);
      }
    } finally {
      await c.end();
    }
  });

  it('sends the same number of statements for 3 tables as for 30, full and unchanged', async () => {
    const counts: { full: number; unchanged: number }[] = [];
    for (const tables of [3, 30]) {
      await source.run(Array.from({ length: tables }, (_, i) => `CREATE TABLE IF NOT EXISTS t${i} (id int, v text, at datetime NOT NULL, PRIMARY KEY (id, at))
        ${i % 7 === 1 ? 'PARTITION BY RANGE (YEAR(at)) (PARTITION p VALUES LESS THAN MAXVALUE)' : ''};`).join('\n'));
      counts.push(await withConnector(source.datastore, async (connector) => {
        // Every statement this process sends, on the connector's connection and on its helper.
        return countingCalls(CoreConnection.prototype, 'query', async (sent) => {
          const full = await connector.discover({ include: ['table', 'view'] }, { signal });
          const fullCount = sent();
          const unchanged = await connector.discover({ include: ['table', 'view'], unchangedSince: full.signature }, { signal });
          assert.equal(full.containers.length, tables);
          assert.equal(unchanged.unchanged, true);
          return { full: fullCount, unchanged: sent() - fullCount };
        });
      }));
    }
    // Full: grants, schemata, InnoDB's table list, TABLES, STATISTICS and PARTITIONS of just the
    // tables needing them and half of COLUMNS, plus the helper connection's session (2) and the
    // other half of COLUMNS. Unchanged: the first three and one digest (TABLES and a quarter of
    // COLUMNS), plus the helper's session and its digest of the other three quarters.
    assert.deepEqual(counts, [{ full: 10, unchanged: 7 }, { full: 10, unchanged: 7 }]);
  });

  it('lists the databases named in `schemas`, warns about a missing one and then lists incompletely', async () => {
    const other = `${database}_b`;
    cleanups.push(`DROP DATABASE IF EXISTS ${other}`);
    await admin(`CREATE DATABASE ${other}; CREATE TABLE ${other}.\`x.y\` (id int); CREATE TABLE ${database}.own (id int)`);
    const only = await discover({ ...source.datastore, settings: { ...source.datastore.settings, schemas: [other] } });
    assert.deepEqual(only.containers.map((c) => c.name), [`${other}."x.y"`]);
    const both = await discover({ ...source.datastore, settings: { ...source.datastore.settings, schemas: [database, other] } });
    assert.deepEqual(both.containers.map((c) => c.name), [`${database}.own`, `${other}."x.y"`]);
    assert.equal(both.complete, true);
    const missing = await discover({ ...source.datastore, settings: { ...source.datastore.settings, schemas: [database, 'cac_missing_db'] } });
    assert.equal(missing.complete, false);
    assert.ok(missing.logs.some((l) => l.code === 'schema-not-found' && l.level === 'warning' && /'cac_missing_db'/.test(l.message)), JSON.stringify(missing.logs));
    // A database that holds tables is not empty when only views are included.
    const views = await withConnector({ ...source.datastore, settings: { ...source.datastore.settings, schemas: [database, other] } }, (c) => c.discover({ include: ['view'] }, { signal }));
    assert.deepEqual(views.containers, []);
    assert.deepEqual(views.logs.filter((l) => l.code === 'empty-schema'), [], JSON.stringify(views.logs));
    // An empty named database is a warning.
    await admin(`DROP TABLE ${database}.own`);
    const empty = await discover();
    assert.deepEqual(empty.containers, []);
    assert.ok(empty.logs.some((l) => l.code === 'empty-schema' && l.message.includes(`'${database}'`)), JSON.stringify(empty.logs));
  });

  it('lists every database the user can see by default, and never prunes one it can no longer see', async () => {
    const other = `${database}_c`;
    cleanups.push(`DROP DATABASE IF EXISTS ${other}`);
    await admin(`CREATE DATABASE ${other}; CREATE TABLE ${other}.items (id int PRIMARY KEY); CREATE TABLE ${database}.own (id int PRIMARY KEY)`);
    const { user, password } = await createUser(`GRANT SELECT, SHOW VIEW ON ${quoteId(database)}.* TO $USER; GRANT SELECT, SHOW VIEW ON ${quoteId(other)}.* TO $USER`);
    const { schemas: _named, ...unnamed } = source.datastore.settings;
    const reader = { ...source.datastore, settings: { ...unnamed, user, password } };
    const result = await discover(reader);
    assert.deepEqual(result.containers.map((c) => c.name), [`${database}.own`, `${other}.items`]);
    assert.equal(result.complete, true);
    // Without a global privilege, the listing speaks for the databases it saw only.
    assert.deepEqual(result.listedSchemas, [database, other]);

    const root = makeCatalog({
      'datastores/reader.yaml': [
        'kind: Datastore', 'name: reader', 'type: mariadb', 'prune: true', 'connection:',
        ...Object.entries(reader.settings).filter(([key]) => key !== 'password').map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`),
        '  password: ${env:READER_PASSWORD}', '',
      ].join('\n'),
    });
    try {
      const env = { READER_PASSWORD: password };
      assert.equal((await sync(root, 'reader', {}, { env })).result, 'success');
      await admin(`REVOKE ALL PRIVILEGES ON ${quoteId(other)}.* FROM '${user}'@'%'`);
      const after = await sync(root, 'reader', {}, { env });
      assert.equal(after.result, 'warning');
      assert.deepEqual(after.plan!.changes.map((c) => `${c.name} ${c.action}${c.action === 'missing' ? ` ${c.reason}` : ''}`), [`${database}.own unchanged`, `${other}.items missing incomplete_listing`]);
      assert.match(after.logs.find((l) => l.code === 'schema-not-listed')!.message, new RegExp(`Schema '${other}' .*not listed .*kept and marked missing, never pruned`));
      assert.ok(snapshotFiles(root, 'reader').has('_index.yaml') && [...snapshotFiles(root, 'reader').keys()].some((f) => f.includes('items')), 'the snapshot is kept');
    } finally {
      removeCatalog(root);
    }
  });

  it('logs what a user with single-table grants cannot see, lists incompletely, and keeps partial tables as they are', async () => {
    await source.run('CREATE TABLE granted (id int PRIMARY KEY); CREATE TABLE hidden (id int); CREATE TABLE partial (a int, secret int); CREATE TABLE insert_only (id int)');
    const { user, password } = await createUser(`GRANT SELECT ON ${quoteId(database)}.granted TO $USER; GRANT SELECT (a) ON ${quoteId(database)}.partial TO $USER; GRANT INSERT ON ${quoteId(database)}.insert_only TO $USER`);
    const limited = { ...source.datastore, settings: { ...source.datastore.settings, user, password } };
    const result = await discover(limited);
    assert.equal(result.complete, false);
    assert.deepEqual(result.containers.map((c) => c.name).sort(), [`${database}.granted`, `${database}.insert_only`]);
    assert.deepEqual(result.unreadable, [`${database}.partial`]);
    const codes = result.logs.map((l) => `${l.level} ${l.code} ${l.container ?? ''}`).sort();
    assert.deepEqual(codes, [`warning permission-denied ${database}.insert_only`, `warning permission-denied ${database}.partial`, 'warning permission-partial ']);
    assert.match(result.logs.find((l) => l.code === 'permission-partial')!.message, new RegExp(`database '${database}' .*invisible .*nothing there is pruned\\. Grant SELECT, SHOW VIEW ON \`${database}\`\\.\\*`));
    // Schema-wide grants make the listing complete again.
    const wide = await createUser(`GRANT SELECT, SHOW VIEW ON ${quoteId(database)}.* TO $USER`);
    const full = await discover({ ...source.datastore, settings: { ...source.datastore.settings, user: wide.user, password: wide.password } });
    assert.equal(full.complete, true);
    assert.equal(full.containers.length, 4);
    assert.deepEqual(full.logs, []);
  });

  it('stops a catalog query at statement_timeout_seconds', async () => {
    await withConnector({ ...source.datastore, settings: { ...source.datastore.settings, statement_timeout_seconds: 1 } }, async (connector) => {
      // The server stopped it: a SLEEP(5) that ran out would not have failed at all.
      await assert.rejects(connector.query('SELECT SLEEP(5)'), /longer than the statement timeout \(1 s\)/);
      // The session is usable afterwards.
      assert.deepEqual(await connector.query('SELECT 1 AS one'), [{ one: 1 }]);
    });
  });

  it('aborts a discovery before it sends anything when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await withConnector(source.datastore, async (connector) => {
      const questions = async (): Promise<number> => Number(((await connector.query(`SHOW SESSION STATUS LIKE 'Questions'`)) as { Value: string }[])[0]!.Value);
      const before = await questions();
      await assert.rejects(connector.discover({ include: ['table'] }, { signal: controller.signal }), /stop/);
      assert.equal(await questions(), before + 1, 'only the second counter read itself was sent');
    });
  });

  it('describes MariaDB columns as it spells them: defaults, generated, auto-increment, comments, versioned tables', async () => {
    await source.run(`CREATE TABLE things (
        id bigint unsigned NOT NULL AUTO_INCREMENT COMMENT 'row id',
        a varchar(10) DEFAULT NULL, b varchar(10) DEFAULT 'NULL', c varchar(10) DEFAULT 'it''s', d int NOT NULL DEFAULT 3,
        e datetime DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, f int AS (d + 1) VIRTUAL, g text, h bit(1) DEFAULT b'1',
        PRIMARY KEY (id)) COMMENT 'things we keep';
      CREATE TABLE implicit (code int NOT NULL, UNIQUE KEY (code), note text);
      CREATE TABLE implicit2 (a int NOT NULL, b int NOT NULL, UNIQUE KEY ab (b, a), KEY (a));
      CREATE TABLE history (x int) WITH SYSTEM VERSIONING; CREATE SEQUENCE counter; CREATE TABLE gone (x int);
      CREATE VIEW broken AS SELECT x FROM gone; DROP TABLE gone;`);
    const result = await discover();
    const byName = new Map(result.containers.map((c) => [c.name, c]));
    const things = byName.get(`${database}.things`)!;
    assert.equal(things.comment, 'things we keep');
    const fields = Object.fromEntries(things.fields.map((f) => [f.name, f]));
    assert.deepEqual(fields.id, { name: 'id', type: 'bigint(20) unsigned', nullable: false, primary_key: 1, auto_increment: true, comment: 'row id' });
    assert.equal(fields.a!.default, undefined);
    assert.equal(fields.b!.default, "'NULL'");
    assert.equal(fields.c!.default, "'it''s'");
    assert.equal(fields.d!.default, '3');
    assert.equal(fields.e!.default, 'current_timestamp()');
    assert.deepEqual(fields.f, { name: 'f', type: 'int(11)', nullable: true, generated: true });
    assert.equal(fields.g!.default, undefined);
    assert.equal(fields.h!.default, "b'1'");
    // Without a primary key, InnoDB clusters on the first NOT NULL unique key, and MariaDB reports it as PRI.
    assert.deepEqual(byName.get(`${database}.implicit`)!.fields.map((f) => f.primary_key), [1, undefined]);
    assert.deepEqual(byName.get(`${database}.implicit2`)!.fields.map((f) => [f.name, f.primary_key]), [['a', 2], ['b', 1]]);
    assert.equal(byName.get(`${database}.history`)?.kind, 'table');
    assert.ok(!byName.has(`${database}.counter`), 'a sequence is not a container');
    assert.ok(!byName.has(`${database}.broken`));
    assert.deepEqual(result.unreadable, [`${database}.broken`]);
    assert.ok(result.logs.some((l) => l.code === 'container-unreadable' && l.container === `${database}.broken`));
  });

  it('logs a partition expression that names no single column, and keeps the table', async () => {
    await source.run(`CREATE TABLE sums (a int NOT NULL, b int NOT NULL) PARTITION BY RANGE (a + b) (PARTITION p0 VALUES LESS THAN (10), PARTITION p1 VALUES LESS THAN MAXVALUE);
      CREATE TABLE keyed (k int PRIMARY KEY, v int) PARTITION BY KEY () PARTITIONS 3;
      CREATE TABLE \`Yıl ı\` (id int NOT NULL, d date NOT NULL, PRIMARY KEY (id, d)) PARTITION BY RANGE (YEAR(d)) (PARTITION p VALUES LESS THAN MAXVALUE);`);
    const result = await discover();
    const byName = new Map(result.containers.map((c) => [c.name, c]));
    assert.equal(byName.get(`${database}.sums`)!.partition_key, undefined);
    assert.deepEqual(result.logs.filter((l) => l.code === 'partition-key-expression').map((l) => [l.level, l.container]), [['info', `${database}.sums`]]);
    assert.deepEqual(byName.get(`${database}.keyed`)!.partition_key, ['k']);
    assert.deepEqual(byName.get(`${database}.Yıl ı`)?.partition_key, ['d'], 'a name in the file-name encoding is still found partitioned');
  });

  it('changes its signature with every change a description would show, and only then', async () => {
    await source.run(`CREATE TABLE t (a int NOT NULL, b int NOT NULL, c int, PRIMARY KEY (a, b)) COMMENT 'x';
      CREATE TABLE p (id int NOT NULL, d date NOT NULL) PARTITION BY RANGE (YEAR(d)) (PARTITION p0 VALUES LESS THAN MAXVALUE);
      CREATE VIEW v AS SELECT a, c FROM t;`);
    let previous = (await discover()).signature!;
    assert.match(previous, /^mariadb:/);
    assert.equal((await discover(source.datastore, previous)).unchanged, true, 'nothing changed: the server digest equals the one computed from the rows');
    const changes = [
      'ALTER TABLE t ADD COLUMN d int', "ALTER TABLE t MODIFY c int COMMENT 'note'", "ALTER TABLE t COMMENT 'y'", 'ALTER TABLE t ALTER COLUMN c SET DEFAULT 5',
      'ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (b, a)', 'ALTER TABLE p PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN MAXVALUE)',
      'CREATE OR REPLACE VIEW v AS SELECT a, b, c FROM t', 'ALTER TABLE t MODIFY c bigint', 'RENAME TABLE p TO q', 'DROP VIEW v',
      'ALTER TABLE t RENAME COLUMN d TO e', "ALTER TABLE t ADD COLUMN f enum('x','y')", "ALTER TABLE t MODIFY f enum('x','y','z')",
      'ALTER TABLE t MODIFY e int NOT NULL DEFAULT 0', 'CREATE VIEW w AS SELECT a FROM t', 'DROP TABLE q',
    ];
    for (const change of changes) {
      await source.run(change);
      const result = await discover(source.datastore, previous);
      assert.notEqual(result.unchanged, true, `unchanged after: ${change}`);
      assert.ok(result.containers.length > 0);
      assert.notEqual(result.signature, previous, change);
      previous = result.signature!;
      assert.equal((await discover(source.datastore, previous)).unchanged, true, `not stable after: ${change}`);
    }
    // Data is not schema.
    await source.run('INSERT INTO t (a, b) VALUES (1, 2)');
    assert.equal((await discover(source.datastore, previous)).unchanged, true);
    // Another engine's table gives no signature: every sync then describes in full.
    await source.run('CREATE TABLE legacy (x int) ENGINE=Aria');
    assert.equal((await discover()).signature, undefined);
  });

  it('keeps its signature when a database it does not read appears, unless it lists every database', async () => {
    await source.run('CREATE TABLE t (id int PRIMARY KEY)');
    const other = `${database}_new`;
    const missing = `${database}_later`;
    cleanups.push(`DROP DATABASE IF EXISTS ${other}`, `DROP DATABASE IF EXISTS ${missing}`);
    const named = { ...source.datastore, settings: { ...source.datastore.settings, schemas: [database, missing] } };
    // Listing every database it sees: a user who may see this one and the new one only (root would read every test's).
    const { user, password } = await createUser(`GRANT SELECT, SHOW VIEW ON ${quoteId(database)}.* TO $USER; GRANT SELECT, SHOW VIEW ON ${quoteId(other)}.* TO $USER; GRANT PROCESS ON *.* TO $USER`);
    const { schemas: _named, ...unnamedSettings } = source.datastore.settings;
    const unnamed = { ...source.datastore, settings: { ...unnamedSettings, user, password } };
    const namedBefore = (await discover(named)).signature!;
    const unnamedBefore = (await discover(unnamed)).signature!;
    assert.equal((await discover(unnamed, unnamedBefore)).unchanged, true, 'stable while nothing changes');
    await admin(`CREATE DATABASE ${other}`);
    assert.equal((await discover(named, namedBefore)).unchanged, true, 'a database not named changes nothing');
    assert.notEqual((await discover(unnamed, unnamedBefore)).unchanged, true, 'listing every database, a new one is a change');
    await admin(`CREATE DATABASE ${missing}`);
    assert.notEqual((await discover(named, namedBefore)).unchanged, true, 'a named database that appears is a change');
  });

  it('reads COLUMNS in parts that together hold every table once: a change in any part is seen', async () => {
    // Halves: CRC32(TABLE_NAME) % 4 below 2 or not (the server's CRC of the UTF-8 name, as zlib's here);
    // the resync's digests split at 3 quarters, so a change in each quarter is made.
    const names = Array.from({ length: 16 }, (_, i) => `part_${i}_ı`);
    const quarters = new Set(names.map((name) => crc32(Buffer.from(name, 'utf8')) % 4));
    assert.deepEqual([...quarters].sort(), [0, 1, 2, 3], 'the fixture covers every quarter');
    await source.run(names.map((name, i) => `CREATE TABLE ${quoteId(name)} (id int PRIMARY KEY, ${Array.from({ length: i + 1 }, (_, c) => `c${c} int`).join(', ')});`).join('\n'));
    const first = await discover();
    assert.deepEqual(first.containers.map((c) => [c.name, c.fields.length]), names.map((name, i) => [`${database}.${name}`, i + 2]).sort((a, b) => String(a[0]) < String(b[0]) ? -1 : 1));
    let previous = first.signature!;
    assert.equal((await discover(source.datastore, previous)).unchanged, true);
    for (const quarter of [0, 1, 2, 3]) {
      const name = names.find((n) => crc32(Buffer.from(n, 'utf8')) % 4 === quarter)!;
      await source.run(`ALTER TABLE ${quoteId(name)} MODIFY c0 int COMMENT 'quarter ${quarter}'`);
      const result = await discover(source.datastore, previous);
      assert.notEqual(result.unchanged, true, `a change in quarter ${quarter} (${name}) was missed`);
      assert.equal(result.containers.find((c) => c.name === `${database}.${name}`)!.fields[1]!.comment, `quarter ${quarter}`);
      previous = result.signature!;
      assert.equal((await discover(source.datastore, previous)).unchanged, true);
    }
  });

  it('relies on server facts: a comment or default change shows in COLUMNS only, and CREATE_TIME counts whole seconds', async () => {
    // Why the signature reads COLUMNS: an instant ALTER rewrites the .frm only, InnoDB's dictionary stays as it was.
    await source.run('CREATE TABLE x (a int PRIMARY KEY, c int)');
    const read = async (sql: string): Promise<string> => JSON.stringify(await withConnector(source.datastore, (c) => c.query(sql)));
    const innoDb = `SELECT t.TABLE_ID, t.N_COLS, c.NAME, c.POS, c.MTYPE, c.PRTYPE, c.LEN FROM information_schema.INNODB_SYS_TABLES t
      JOIN information_schema.INNODB_SYS_COLUMNS c ON c.TABLE_ID = t.TABLE_ID WHERE t.NAME = '${database}/x' ORDER BY c.POS`;
    const columns = `SELECT COLUMN_NAME, COLUMN_DEFAULT, COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${database}' AND TABLE_NAME = 'x' ORDER BY ORDINAL_POSITION`;
    for (const change of ["ALTER TABLE x MODIFY c int COMMENT 'note'", 'ALTER TABLE x ALTER COLUMN c SET DEFAULT 7', "ALTER TABLE x COMMENT 'table note'"]) {
      const [dictionary, catalog] = [await read(innoDb), await read(columns)];
      await source.run(change);
      assert.equal(await read(innoDb), dictionary, `InnoDB's dictionary after: ${change}`);
      if (!/^ALTER TABLE x COMMENT/.test(change)) assert.notEqual(await read(columns), catalog, change);
    }
    // Why not TABLES.CREATE_TIME (the .frm's time; reading it also opens every table): two DDLs in one second look like one.
    const admin = await mysqlAdmin(t, database);
    try {
      const value = async (sql: string): Promise<string> => String(Object.values(((await admin.query(sql))[0] as Record<string, unknown>[])[0]!)[0]);
      const createTime = (): Promise<string> => value(`SELECT CREATE_TIME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'x'`);
      for (let attempt = 1; ; attempt++) {
        const before = await value('SELECT UNIX_TIMESTAMP()');
        await admin.query(`ALTER TABLE x ADD COLUMN d${attempt} int`);
        const first = await createTime();
        await admin.query(`ALTER TABLE x MODIFY d${attempt} bigint`);
        const second = await createTime();
        if (await value('SELECT UNIX_TIMESTAMP()') !== before) {
          assert.ok(attempt < 10, 'ten attempts straddled a second');
          continue;
        }
        assert.equal(second, first, 'a type change within the same second left CREATE_TIME as it was');
        break;
      }
    } finally {
      await admin.end();
    }
  });

  it('stops a discovery promptly when it is aborted while COLUMNS rows stream in, and the connection stays usable', async () => {
    await source.run(Array.from({ length: 60 }, (_, i) => `CREATE TABLE s${i} (${Array.from({ length: 30 }, (_, c) => `c${c} int`).join(', ')});`).join('\n'));
    await withConnector(source.datastore, async (connector) => {
      const controller = new AbortController();
      let abortedAt = 0;
      // Abort on the first COLUMNS row the driver hands over, wherever that stream runs.
      const prototype = CoreConnection.prototype as unknown as { query: (...args: unknown[]) => { once: (event: string, listener: () => void) => void } };
      const original = prototype.query;
      prototype.query = function (this: unknown, ...args: unknown[]) {
        const query = original.apply(this, args);
        const sql = typeof args[0] === 'string' ? args[0] : (args[0] as { sql?: string }).sql ?? '';
        if (/information_schema\.COLUMNS/.test(sql) && !/COUNT\(\*\)/.test(sql)) {
          query.once('result', () => {
            abortedAt ||= Date.now();
            controller.abort(new Error('stop while streaming'));
          });
        }
        return query;
      };
      try {
        await assert.rejects(connector.discover({ include: ['table', 'view'] }, { signal: controller.signal }), /stop while streaming/);
      } finally {
        prototype.query = original;
      }
      assert.ok(abortedAt > 0, 'the abort came while rows streamed');
      assert.ok(Date.now() - abortedAt < 1000, `answered ${Date.now() - abortedAt} ms after the abort`);
      assert.deepEqual(await connector.query('SELECT 1 AS one'), [{ one: 1 }]);
      const again = await connector.discover({ include: ['table'] }, { signal });
      assert.equal(again.containers.length, 60);
    });
  });

  it('syncs through a catalog with ${env:…} password: identifiers detected, keys in order, password written nowhere', async () => {
    await source.run(`CREATE TABLE orders (id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP, note varchar(20));
      CREATE TABLE line_items (id bigint NOT NULL AUTO_INCREMENT, KEY (id), label text);
      CREATE TABLE regions (code char(2) NOT NULL, country char(2) NOT NULL, name text, PRIMARY KEY (country, code));
      CREATE TABLE events (id bigint NOT NULL, occurred date NOT NULL, PRIMARY KEY (id, occurred)) PARTITION BY RANGE (YEAR(occurred)) (PARTITION p0 VALUES LESS THAN (2025), PARTITION p1 VALUES LESS THAN MAXVALUE);`);
    const { user, password } = await createUser(`GRANT SELECT, SHOW VIEW ON ${quoteId(database)}.* TO $USER`);
    const yaml = `kind: Datastore\nname: db\ntype: mysql\nconnection:\n  host: ${t.host}\n  port: ${t.port}\n  database: ${database}\n  user: ${user}\n  password: \${env:CAC_TEST_MYSQL_SYNC_PASSWORD}\n`;
    const root = makeCatalog({ 'datastores/db.yaml': yaml });
    try {
      const outcome = await sync(root, 'db', {}, { env: { CAC_TEST_MYSQL_SYNC_PASSWORD: password } });
      assert.equal(outcome.result, 'success', `${outcome.message} ${JSON.stringify(outcome.logs)}`);
      const snapshots = new Map([...snapshotFiles(root, 'db')].filter(([file]) => file !== '_index.yaml').map(([, text]) => {
        const doc = parseYaml(text) as { name: string; incremental_identifier: { field: string | null; strategy: string }; partition_identifier: { field: string | null; fields?: string[]; strategy: string }; fields: { name: string; primary_key?: number }[] };
        return [doc.name, doc];
      }));
      const ids = (name: string) => {
        const doc = snapshots.get(`${database}.${name}`)!;
        return [doc.incremental_identifier.field, doc.incremental_identifier.strategy, doc.partition_identifier.fields ?? doc.partition_identifier.field, doc.partition_identifier.strategy];
      };
      assert.deepEqual(ids('orders'), ['updated_at', 'last_modified', 'updated_at', 'datetime']);
      assert.deepEqual(ids('line_items'), ['id', 'batch_value', null, 'none']);
      assert.deepEqual(ids('regions'), [null, 'none', ['country', 'code'], 'order_by']);
      assert.deepEqual(ids('events'), [null, 'none', ['occurred'], 'partition_key']);
      assert.deepEqual(snapshots.get(`${database}.regions`)!.fields.map((f) => [f.name, f.primary_key]), [['code', 2], ['country', 1], ['name', undefined]]);
      const again = await sync(root, 'db', {}, { env: { CAC_TEST_MYSQL_SYNC_PASSWORD: password } });
      assert.equal(again.result, 'success');
      assert.equal(again.changed, false);
      const missing = await sync(root, 'db', {}, { env: {} });
      assert.equal(missing.result, 'failure');
      assert.match(missing.message ?? '', /CAC_TEST_MYSQL_SYNC_PASSWORD/);
      const leaks = (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((entry) => entry.isFile() && fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8').includes(password));
      assert.deepEqual(leaks, []);
    } finally {
      removeCatalog(root);
    }
  });
});
