import assert from 'node:assert/strict';
import * as dns from 'node:dns/promises';
import * as os from 'node:os';
import { ConnectorError, type SqlConnector } from '../../server/src/core/connectors/contract';
import type { ServerSettings, ServerTarget } from '../../server/src/core/connectors/serverSettings';
import { openConnector } from '../../server/src/core/connectors/registry';
import { makeCatalog, removeCatalog, snapshotNames, sync } from '../helpers/syncFixtures';
import { startTlsMariadb, startTlsPostgres, type TlsServer, type Unavailable } from '../helpers/tlsServers';

/**
 * connection.ssl against real servers with TLS on (private instances, see helpers/tlsServers.ts),
 * and `prefer` against the shared servers, which have TLS off. The server's certificate names
 * `localhost` only, so connecting to 127.0.0.1 is the host-name mismatch case.
 */
interface Flavour {
  type: string;
  start(): Promise<TlsServer | Unavailable>;
  /** The machine's shared server, without TLS. */
  plain: ServerSettings;
  /** True when the session the connector opened is encrypted. */
  encrypted(rows: unknown[]): boolean;
  sessionSql: string;
  /** What verify-full says for an IP address the certificate does not list. */
  wrongIp: RegExp;
}

const FLAVOURS: Flavour[] = [
  {
    type: 'postgresql',
    start: startTlsPostgres,
    plain: { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' },
    sessionSql: 'SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()',
    encrypted: (rows) => (rows as { ssl: boolean }[])[0]?.ssl === true,
    wrongIp: /not issued for host '127\.0\.0\.1'.*Set connection\.host to a name the certificate lists, or use ssl: \{ mode: verify-ca \}/,
  },
  {
    type: 'mysql',
    start: startTlsMariadb,
    plain: { host: '127.0.0.1', port: 3306, user: 'root', database: 'mysql' },
    sessionSql: `SHOW SESSION STATUS LIKE 'Ssl_cipher'`,
    encrypted: (rows) => ((rows as { Value: string }[])[0]?.Value ?? '') !== '',
    // mysql2 cannot check an IP address against the certificate: refused before connecting.
    wrongIp: /cannot do for an IP address \(connection\.host is '127\.0\.0\.1'\).*use ssl: \{ mode: verify-ca \}/,
  },
];

for (const flavour of FLAVOURS) {
  describe(`TLS: ${flavour.type} (connection.ssl)`, function () {
    this.timeout(60_000);
    let server: TlsServer | undefined;

    before(async function () {
      const started = await flavour.start();
      if ('unavailable' in started) {
        if (process.env.CI === 'true') throw new Error(`required under CI=true: ${started.unavailable}`);
        this.skip();
      }
      server = started as TlsServer;
    });
    after(async () => server?.stop());

    const datastore = (connection: Partial<ServerSettings>): ServerTarget => ({
      name: 'secure', type: flavour.type,
      settings: { host: 'localhost', port: server!.port, user: server!.user, password: server!.password, database: server!.database, connect_timeout_seconds: 10, ...connection },
    });

    async function session(connection: Partial<ServerSettings>): Promise<boolean> {
      const connector = await openConnector(datastore(connection)) as SqlConnector;
      try {
        return flavour.encrypted(await connector.query(flavour.sessionSql));
      } finally {
        await connector.close();
      }
    }

    async function refusal(connection: Partial<ServerSettings>): Promise<ConnectorError> {
      try {
        const connector = await openConnector(datastore(connection));
        await connector.close();
      } catch (error) {
        assert.ok(error instanceof ConnectorError, `not a ConnectorError: ${String(error)}`);
        return error;
      }
      return assert.fail('the connection was not refused');
    }

    it('require encrypts without checking the certificate', async () => {
      assert.equal(await session({ host: '127.0.0.1', ssl: { mode: 'require' } }), true);
    });

    it('verify-full checks the chain against the given CA and the host name', async () => {
      assert.equal(await session({ ssl: { mode: 'verify-full', ca: server!.caFile } }), true);
      const wrongIp = await refusal({ host: '127.0.0.1', ssl: { mode: 'verify-full', ca: server!.caFile } });
      assert.match(wrongIp.message, flavour.wrongIp);
    });

    it('verify-full refuses a host name the certificate does not list', async function () {
      // This machine's own name, when it resolves to the loopback address the server listens on.
      const name = os.hostname();
      const address = await dns.lookup(name, { family: 4 }).then((r) => r.address, () => undefined);
      if (name === 'localhost' || address !== '127.0.0.1') this.skip();
      const wrongName = await refusal({ host: name, ssl: { mode: 'verify-full', ca: server!.caFile } });
      assert.equal(wrongName.code, 'ssl-failed');
      assert.match(wrongName.message, new RegExp(`not issued for host '${name}'`));
      assert.equal(await session({ host: name, ssl: { mode: 'verify-ca', ca: server!.caFile } }), true);
    });

    it('verify-ca checks the chain only, so any host name of the server passes', async () => {
      assert.equal(await session({ host: '127.0.0.1', ssl: { mode: 'verify-ca', ca: server!.caFile } }), true);
    });

    it('ssl: true checks against the system CAs and refuses a private CA, saying to set ca', async () => {
      const untrusted = await refusal({ ssl: true });
      assert.equal(untrusted.code, 'ssl-failed');
      assert.match(untrusted.message, /not signed by a CA this sync trusts.*Set connection\.ssl\.ca/);
    });

    it('a user the server admits over TLS only is refused without it, with a message naming the user', async () => {
      const refused = await refusal({ user: server!.tlsOnlyUser, ssl: false });
      assert.equal(refused.code, 'auth-failed');
      assert.match(refused.message, new RegExp(`refused user '${server!.tlsOnlyUser}'`));
      assert.equal(await session({ user: server!.tlsOnlyUser, ssl: { mode: 'verify-full', ca: server!.caFile } }), true);
    });

    it('prefer uses TLS when the server offers it and a plain connection when it does not', async () => {
      assert.equal(await session({ ssl: { mode: 'prefer' } }), true);
      const connector = await openConnector({ ...datastore({}), settings: { ...flavour.plain, ssl: { mode: 'prefer' }, connect_timeout_seconds: 10 } }) as SqlConnector;
      try {
        assert.equal(flavour.encrypted(await connector.query(flavour.sessionSql)), false);
      } finally {
        await connector.close();
      }
      const required = await refusal({ ...flavour.plain, ssl: { mode: 'require' } });
      assert.equal(required.code, 'ssl-unsupported');
      assert.match(required.message, /does not offer TLS, but connection\.ssl asks for it/);
    });

    it('syncs over verify-full as a user the server admits over TLS only, and writes its snapshots', async () => {
      const root = makeCatalog({
        'datastores/secure.yaml': [
          'kind: Datastore', 'name: secure', `type: ${flavour.type}`, 'connection:', '  host: localhost', `  port: ${server!.port}`,
          `  user: ${server!.tlsOnlyUser}`, ...(server!.password ? ['  password: ${env:SECURE_PASSWORD}'] : []), `  database: ${server!.database}`,
          '  ssl:', '    mode: verify-full', `    ca: ${JSON.stringify(server!.caFile)}`, '',
        ].join('\n'),
      });
      try {
        const outcome = await sync(root, 'secure', {}, { env: { SECURE_PASSWORD: server!.password ?? '' } });
        assert.ok(outcome.result === 'success' || outcome.result === 'warning', outcome.message ?? '');
        assert.ok(snapshotNames(root, 'secure').some((name) => name.includes('orders')), JSON.stringify(snapshotNames(root, 'secure')));
      } finally {
        removeCatalog(root);
      }
    });
  });
}
