import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ApplyPreviewRequest, PreviewPlanRequest, PreviewRequest, SyncRequest,
  type ApplyPreviewResult, type PlanPreviewResult, type PreviewResult, type SyncResult,
} from '../../server/src/protocol/catalogProtocol';
import { ensureBuilt } from '../helpers/builtCli';
import { startedClient } from '../helpers/catalogFixture';
import { postgresCase } from '../helpers/connectorCases/postgres';
import type { TestSource } from '../helpers/connectorCases/types';
import { adminClient, postgresTarget, type PostgresTarget } from '../helpers/postgresServer';
import { makeCatalog, removeCatalog, snapshotNames } from '../helpers/syncFixtures';
import type { LspTestClient } from '../helpers/lspClient';
import { skipWithoutServer } from '../helpers/skipWithoutServer';

/** Every file under `folder`, recursively, as text. */
function everyFile(folder: string): { file: string; text: string }[] {
  return (fs.readdirSync(folder, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .map((file) => ({ file, text: fs.readFileSync(file).toString('latin1') }));
}

describe('language server: request secrets (env for one request)', function () {
  this.timeout(90000);
  const variable = 'CAC_LSP_TEST_PG_PASSWORD';
  const secret = `s3cret-${randomBytes(12).toString('hex')}`;
  const role = `cac_secret_${process.pid}`;
  let target: PostgresTarget;
  let source: TestSource;
  let root: string;
  let client: LspTestClient;

  before(async function () {
    ensureBuilt();
    skipWithoutServer(this, await postgresCase.unavailable());
    assert.equal(process.env[variable], undefined, 'the server must not find the secret in its own environment');
    target = (await postgresTarget()) as PostgresTarget;
    source = await postgresCase.createSource();
    const database = source.datastore.settings.database as string;
    const admin = await adminClient(target);
    try {
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${secret}'`);
    } finally {
      await admin.end();
    }
    await source.run(`CREATE TABLE orders (id int PRIMARY KEY, updated_at timestamptz NOT NULL); GRANT SELECT ON orders TO ${role}; GRANT CONNECT ON DATABASE ${database} TO ${role}`);
    root = makeCatalog({
      'datastores/db.yaml': `kind: Datastore\nname: db\ntype: postgresql\nconnection:\n  host: ${target.host}\n  port: ${target.port}\n  database: ${database}\n  user: ${role}\n  password: \${env:${variable}}\n`,
    });
  });
  after(async () => {
    if (root) removeCatalog(root);
    await source?.dispose();
    if (target && !target.embedded) {
      const admin = await adminClient(target);
      await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end());
    }
  });
  beforeEach(async () => {
    client = await startedClient(root);
  });
  afterEach(async () => {
    await client.stop();
  });

  it('fails with "Set the variable" when the request brings no value, naming the variable', async () => {
    const result = await client.request<SyncResult>(SyncRequest.method, { datastore: 'db' });
    assert.equal(result.result, 'failure');
    assert.match(result.message!, new RegExp(`${variable}.*Set the variable in the environment`));
    const preview = await client.request<PreviewResult>(PreviewRequest.method, { datastore: 'db' });
    assert.match(preview.message!, /Set the variable/);
  });

  it('syncs, previews and applies with the value given for the request only, which appears in no file and no message', async () => {
    const env = { [variable]: secret };
    const synced = await client.request<SyncResult>(SyncRequest.method, { datastore: 'db', env });
    assert.equal(synced.result, 'success', synced.message ?? '');
    assert.deepEqual(snapshotNames(root, 'db'), ['public.orders']);
    const preview = await client.request<PlanPreviewResult>(PreviewPlanRequest.method, { datastore: 'db', env });
    assert.equal(preview.result, 'success', preview.message ?? '');
    const applied = await client.request<ApplyPreviewResult>(ApplyPreviewRequest.method, { planId: preview.planId, env });
    assert.equal(applied.status, 'applied');
    // The secret was for those requests only: the next one without it fails again.
    const without = await client.request<SyncResult>(SyncRequest.method, { datastore: 'db' });
    assert.match(without.message!, /Set the variable/);

    const files = everyFile(root);
    assert.ok(files.some((f) => f.file.includes(`${path.sep}.cac${path.sep}operations${path.sep}`)), 'the history was written');
    for (const { file, text } of files) assert.equal(text.includes(secret), false, `the secret is in ${file}`);
    // Every message the server sent, and its log (the client's requests carried it, so they are not looked at).
    assert.equal(JSON.stringify(client.messages).includes(secret), false, 'the secret is in a message from the server');
    assert.equal(client.log.includes(secret), false, 'the secret is in the server\'s log');
  });
});
