import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import type { TestConnectionResult } from '../../server/src/protocol/catalogProtocol';
import { RESTRICTED_MODE_ERROR } from '../../server/src/protocol/catalogProtocol';
import { startedClient, syncedCatalog } from '../helpers/catalogFixture';
import { DEFAULT_CAPABILITIES, type LspTestClient } from '../helpers/lspClient';
import { postgresTarget, type PostgresTarget } from '../helpers/postgresServer';
import { removeCatalog } from '../helpers/syncFixtures';

/** A password no message may ever show. */
const PASSWORD = 'pw-Zq7-never-shown';

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('language server: catalog/testConnection', function () {
  this.timeout(60000);
  let root: string;
  let client: LspTestClient;
  before(async () => {
    root = await syncedCatalog();
    client = await startedClient(root);
  });
  after(async () => {
    await client.stop();
    removeCatalog(root);
  });

  const test = (params: object): Promise<TestConnectionResult> => client.request<TestConnectionResult>('catalog/testConnection', params);

  it('opens a SQLite datastore read-only and says what it found', async () => {
    const result = await test({ datastore: 'shop' });
    assert.equal(result.ok, true, result.message);
    assert.match(result.message, /^Opened .*shop\.sqlite read-only \(SQLite 3\.\d+\.\d+; tables and views: 3\)\.$/);
    assert.ok(result.durationMs >= 0 && result.durationMs < 10_000);
  });

  it('fails for a missing database file, naming the file and the setting to check', async () => {
    const result = await test({ definition: { name: 'ghost', type: 'sqlite', settings: { 'connection.path': '../missing.sqlite' } } });
    assert.equal(result.ok, false);
    // A definition not written yet resolves against the folder it would be written to (datastores/).
    assert.ok(result.message.includes(path.join(root, 'missing.sqlite')), result.message);
    assert.match(result.message, /does not exist\. Check connection\.path\./);
  });

  it('says which variable is missing when a referenced secret is not set', async () => {
    const result = await test({ datastore: 'warehouse' });
    assert.equal(result.ok, false);
    assert.match(result.message, /WAREHOUSE_PASSWORD is not set.*test again\./);
  });

  describe('PostgreSQL', () => {
    let target: PostgresTarget;
    before(async function () {
      const found = await postgresTarget();
      if ('unavailable' in found) {
        if (process.env.CI === 'true') throw new Error(found.unavailable);
        this.skip();
      }
      target = found as PostgresTarget;
    });

    const definition = (port: number): object => ({
      name: 'pg', type: 'postgresql',
      settings: { 'connection.host': target.host, 'connection.port': port, 'connection.database': 'postgres', 'connection.user': target.user, 'connection.password': '${env:PG_TEST_PASSWORD}' },
    });

    it('connects to the local server and says its version, user and database; the request\'s secret appears nowhere', async () => {
      const result = await test({ definition: definition(target.port), env: { PG_TEST_PASSWORD: PASSWORD } });
      assert.equal(result.ok, true, result.message);
      assert.match(result.message, new RegExp(`^Connected to PostgreSQL \\d+[.\\d]*.* at ${target.host}:${target.port} as ${target.user}, database postgres \\(read-only session\\)\\.$`));
      assert.ok(!JSON.stringify(result).includes(PASSWORD));
    });

    it('fails fast with a clear message on a port where nothing listens, without the password', async () => {
      const port = await closedPort();
      const result = await test({ definition: definition(port), env: { PG_TEST_PASSWORD: PASSWORD } });
      assert.equal(result.ok, false);
      assert.match(result.message, new RegExp(`Nothing answers at ${target.host}:${port} .*connection refused\\. Check connection\\.host and connection\\.port`));
      assert.ok(result.durationMs < 5000, `${result.durationMs} ms`);
      assert.ok(!JSON.stringify(result).includes(PASSWORD));
    });
  });
});

describe('language server: catalog/testConnection in restricted mode', function () {
  this.timeout(60000);
  it('is refused while the workspace is untrusted', async () => {
    const root = await syncedCatalog();
    const client = await startedClient(root, DEFAULT_CAPABILITIES, 'source', { trusted: false });
    try {
      await assert.rejects(client.request('catalog/testConnection', { datastore: 'shop' }), (error: { code?: number; message?: string }) => {
        assert.equal(error.code, RESTRICTED_MODE_ERROR);
        assert.match(error.message ?? '', /restricted mode: trust the workspace to test connections/);
        return true;
      });
    } finally {
      await client.stop();
      removeCatalog(root);
    }
  });
});
