import assert from 'node:assert/strict';
import * as path from 'node:path';
import { CatalogProject, datastoreTypeForms, identifierChoices, loadWorkspace, planOverrideEdit, testConnection } from '../../server/src/core';
import { ConnectorError } from '../../server/src/core/connectors/contract';
import { registerDatastoreType } from '../../server/src/core/connectors/registry';
import { SERVER_SCHEMA } from '../../server/src/core/connectors/serverSettings';
import { identifierCandidates } from '../../server/src/core/identifiers/identifiers';
import type { ContainerSnapshot } from '../../server/src/core/model';
import { toyType } from '../fixtures/toyDatastore/datastoreType';
import { makeCatalog, removeCatalog, sqliteCatalog, sync } from '../helpers/syncFixtures';

const SECRET = 'pw-Kx9-secret';

describe('editor flows in the engine (core/language)', () => {
  it('identifier candidates are exactly the fields an override edit accepts, for every field and both identifiers', () => {
    const snapshot: ContainerSnapshot = {
      name: 'events', kind: 'table', fields: [
        { name: 'id', type: 'BIGINT', nullable: false, primary_key: 1 },
        { name: 'flag', type: 'BOOLEAN', nullable: true },
        { name: 'payload', type: 'JSONB', nullable: true },
        { name: 'label', type: 'character varying(20)', nullable: true },
        { name: 'day', type: 'DATE', nullable: false },
        { name: 'changed_at', type: 'timestamp with time zone', nullable: true },
        { name: 'amount', type: 'numeric(10,2)', nullable: true },
      ],
      incremental_identifier: { field: 'changed_at', strategy: 'last_modified', source: 'detected' },
      partition_identifier: { field: 'day', strategy: 'datetime', source: 'detected' },
    };
    const root = makeCatalog({ 'datastores/db.yaml': 'kind: Datastore\nname: db\ntype: sqlite\nconnection:\n  path: db.sqlite\n' });
    try {
      const workspace = loadWorkspace(root);
      for (const identifier of ['incremental_identifier', 'partition_identifier'] as const) {
        const candidates = new Set(identifierCandidates(snapshot, identifier).map((c) => c.field));
        for (const field of snapshot.fields) {
          const edit = planOverrideEdit(workspace, { datastore: 'db', container: 'events', set: { [identifier]: field.name }, snapshot }, () => undefined);
          assert.equal(!('error' in edit), candidates.has(field.name), `${identifier} ${field.name}`);
        }
      }
    } finally {
      removeCatalog(root);
    }
  });

  it('the current identifier follows the definitions\' override, even before a sync applies it', async () => {
    const root = sqliteCatalog('CREATE TABLE t (id INTEGER PRIMARY KEY, created_at DATETIME NOT NULL, note TEXT);');
    try {
      assert.equal((await sync(root, 'shop')).result, 'success');
      const overrides = 'kind: Overrides\ndatastore: shop\ncontainers:\n  t:\n    incremental_identifier: id\n    partition_identifier: note\n';
      const project = new CatalogProject(root, true);
      assert.deepEqual(identifierChoices(project, 'shop', 't')!.incremental.current, { field: 'created_at', strategy: 'last_modified', source: 'detected' });
      project.setBuffer(path.join(root, 'overrides', 'shop.yaml'), overrides);
      const choices = identifierChoices(project, 'shop', 't')!;
      assert.deepEqual([choices.incremental.current, choices.partition.current], [
        { field: 'id', strategy: 'batch_value', source: 'override' },
        { field: 'note', strategy: 'order_by', source: 'override' },
      ]);
      assert.equal(identifierChoices(project, 'shop', 'missing'), undefined);
    } finally {
      removeCatalog(root);
    }
  });

  it('a type added to the registry gets a form: required keys first, path keys from its own settings reader', () => {
    const unregister = registerDatastoreType({ ...toyType, type: 'toyform', title: 'Toy form' });
    try {
      const form = datastoreTypeForms().find((f) => f.type === 'toyform')!;
      assert.deepEqual(form.settings, [
        { path: ['connection', 'path'], title: 'Path', required: true, secret: false, kind: 'path' },
        { path: ['table_prefix'], title: 'Table prefix', required: false, secret: false, kind: 'string' },
      ]);
    } finally {
      unregister();
    }
  });

  describe('testConnection', () => {
    const definitionOf = (type: string): ReturnType<typeof loadWorkspace>['datastores'][number] => {
      const root = makeCatalog({ 'datastores/x.yaml': `kind: Datastore\nname: x\ntype: ${type}\nconnection:\n  path: x.db\n  password: \${env:X_PASSWORD}\n` });
      try {
        return loadWorkspace(root).datastores[0]!;
      } finally {
        removeCatalog(root);
      }
    };

    it('cuts a resolved secret out of whatever a driver says', async () => {
      const unregister = registerDatastoreType({
        ...toyType, type: 'leaky', schema: { connection: { path: toyType.schema.connection!.path!, password: SERVER_SCHEMA.connection!.password! } },
        settings: (read) => ({ password: read.string(['connection', 'password']) }),
        open: async (target) => {
          throw new ConnectorError(`login failed for password '${(target.settings as { password: string }).password}' (postgresql://u:${(target.settings as { password: string }).password}@h/db)`, 'auth-failed');
        },
      });
      try {
        const result = await testConnection(definitionOf('leaky'), { X_PASSWORD: SECRET });
        assert.equal(result.ok, false);
        assert.ok(!result.message.includes(SECRET), result.message);
        assert.match(result.message, /login failed for password '\*\*\*'/);
      } finally {
        unregister();
      }
    });

    it('gives up after its timeout, saying what to check, and closes the connector that opens late', async () => {
      let closed = false;
      let release!: () => void;
      const unregister = registerDatastoreType({
        ...toyType, type: 'slow', settings: () => ({}),
        open: async () => {
          await new Promise<void>((resolve) => (release = resolve));
          return { discover: async () => ({ containers: [], complete: true, logs: [] }), check: async () => 'late', close: async () => { closed = true; } };
        },
      });
      try {
        const started = Date.now();
        const result = await testConnection(definitionOf('slow'), {}, { timeoutMs: 200 });
        assert.ok(Date.now() - started < 2000);
        assert.deepEqual([result.ok, result.message], [false, "Datastore 'x' did not answer within 0.2 s. Check the host, port and firewalls, and that the source is running."]);
        release();
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(closed, true);
      } finally {
        unregister();
      }
    });
  });
});
