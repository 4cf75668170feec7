import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { serverTimeouts, tlsSettings, type ServerSettings, type ServerTarget } from '../../server/src/core/connectors/serverSettings';

const datastore = (settings: ServerSettings): ServerTarget => ({ name: 'warehouse', type: 'postgresql', settings });

describe('server connection settings', () => {
  it('maps connection.ssl to libpq-style verification for every server connector', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-tls-'));
    try {
      const ca = path.join(dir, 'ca.pem');
      fs.writeFileSync(ca, 'PEM');
      assert.equal(tlsSettings(datastore({})), undefined);
      assert.equal(tlsSettings(datastore({ ssl: false })), undefined);
      assert.equal(tlsSettings(datastore({ ssl: { mode: 'disable' } })), undefined);
      assert.deepEqual(tlsSettings(datastore({ ssl: true })), { verify: 'full' });
      assert.deepEqual(tlsSettings(datastore({ ssl: { mode: 'prefer' } })), { verify: 'none' });
      assert.deepEqual(tlsSettings(datastore({ ssl: { mode: 'require' } })), { verify: 'none' });
      assert.deepEqual(tlsSettings(datastore({ ssl: { mode: 'verify-ca', ca } })), { verify: 'chain', ca: 'PEM' });
      assert.deepEqual(tlsSettings(datastore({ ssl: { mode: 'verify-full', ca } })), { verify: 'full', ca: 'PEM' });
      assert.throws(() => tlsSettings(datastore({ ssl: { mode: 'verify-full', ca: path.join(dir, 'missing.pem') } })), /CA file '.*missing\.pem' of datastore 'warehouse' cannot be read \(ENOENT\)\. Check connection\.ssl\.ca\./);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('always has connect and statement timeouts, the pg driver having none', () => {
    assert.deepEqual(serverTimeouts({}), { connectMs: 10_000, statementMs: 300_000 });
    assert.deepEqual(serverTimeouts({ connect_timeout_seconds: 2.5, statement_timeout_seconds: 30 }), { connectMs: 2_500, statementMs: 30_000 });
  });
});
