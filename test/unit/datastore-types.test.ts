import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CatalogProject, completionsAt, hoverAt, loadWorkspace } from '../../server/src/core';
import { datastoreTypes, registerDatastoreType } from '../../server/src/core/connectors/registry';
import { datastoreSchema, datastoreSchemaText } from '../../server/src/core/definitions/datastoreSchema';
import { precompiledValidatorsSource } from '../../server/src/core/validation/precompileSchemas';
import { precompiledSchemaNames } from '../../server/src/core/validation/schemaValidation';
import { toyType } from '../fixtures/toyDatastore/datastoreType';
import { sqliteCase } from '../helpers/connectorCases/embedded';
import type { ConnectorCase } from '../helpers/connectorCases/types';
import { describeConnectorContract } from '../helpers/connectorContract';
import { makeCatalog, removeCatalog, snapshotNames, sqlite, sync } from '../helpers/syncFixtures';
import { positionOf } from '../helpers/workspace';

const REPO = path.resolve(__dirname, '..', '..');

describe('datastore types (connectors/registry.ts)', () => {
  it('schemas/datastore.schema.json is the schema the registered types compose (npm run schemas writes it)', () => {
    assert.equal(fs.readFileSync(path.join(REPO, 'schemas', 'datastore.schema.json'), 'utf8'), datastoreSchemaText());
  });

  it('validates with the ahead-of-time validators generated from exactly these schemas (npm run schemas writes them)', () => {
    const file = path.join(REPO, 'server', 'src', 'core', 'validation', 'compiledValidators.generated.ts');
    // Compared as a whole but reported briefly: the file is 160 KB of generated code.
    assert.ok(fs.readFileSync(file, 'utf8') === precompiledValidatorsSource(datastoreSchema()), `${path.relative(REPO, file)} is stale: run \`npm run schemas\` and commit it`);
    assert.deepEqual(precompiledSchemaNames(datastoreSchema()), ['schedule', 'overrides', 'project', 'snapshot', 'snapshot-index', 'datastore']);
    // A schema they were not generated from (another set of types) is compiled instead, never validated by a stale one.
    assert.deepEqual(precompiledSchemaNames({ ...datastoreSchema(), title: 'changed' }), ['schedule', 'overrides', 'project', 'snapshot', 'snapshot-index']);
  });

  it('offers exactly the registered types as `type`, each with the keys it declares', () => {
    const schema = datastoreSchema() as { properties: Record<string, { enum?: string[] }>; definitions: { connection: { properties: object } } };
    assert.deepEqual(schema.properties.type!.enum, datastoreTypes().map((entry) => entry.type));
    assert.deepEqual(schema.properties.type!.enum, ['postgresql', 'mysql', 'mariadb', 'sqlite', 'duckdb', 'dfs', 's3', 'azure_blob', 'gcs']);
    for (const entry of datastoreTypes()) {
      for (const key of Object.keys(entry.schema.properties ?? {})) assert.ok(key in schema.properties, `${entry.type}: ${key}`);
      for (const key of Object.keys(entry.schema.connection ?? {})) assert.ok(key in schema.definitions.connection.properties, `${entry.type}: connection.${key}`);
    }
  });

  it('refuses a type that declares a shared key differently from the others', () => {
    const unregister = registerDatastoreType({ ...toyType, type: 'clash', schema: { connection: { host: { type: 'integer' } } } });
    try {
      assert.throws(() => datastoreSchema(), /Datastore type 'clash' declares connection key 'host' unlike another type does/);
    } finally {
      unregister();
    }
    assert.doesNotThrow(() => datastoreSchema());
  });
});

/**
 * What a newcomer does to add a database, shown with a type that is not shipped: a folder with
 * its entry and connector (test/fixtures/toyDatastore), one registration (the line registry.ts
 * would hold) and one case in the contract test list. Nothing else is touched, and every surface
 * knows the new type: validation, completion, hover, the sync, the history record.
 */
describe('adding a datastore type: the toy in test/fixtures/toyDatastore', () => {
  let unregister: () => void;
  before(() => {
    unregister = registerDatastoreType(toyType);
  });
  after(() => unregister());

  // The contract test list, with the toy's case: the SQLite fixtures, run by the toy's connector.
  const toyCase: ConnectorCase = {
    ...sqliteCase,
    type: 'toysql',
    label: () => 'toysql',
    sql: { ...sqliteCase.sql, generated: undefined },
    createSource: async () => {
      const source = await sqliteCase.createSource();
      return { ...source, datastore: { ...source.datastore, type: 'toysql' } };
    },
  };
  describeConnectorContract(toyCase);

  const TOY = 'kind: Datastore\nname: toy\ntype: toysql\ntable_prefix: shop_\nconnection:\n  path: ../toy.db\n';

  it('validates its definitions by its own keys, and says what is wrong with a misspelt one', () => {
    const root = makeCatalog({ 'datastores/toy.yaml': TOY, 'datastores/bad.yaml': TOY.replace('name: toy', 'name: bad').replace('  path:', '  pth:') });
    try {
      const workspace = loadWorkspace(root);
      assert.deepEqual(workspace.problems.map((p) => [path.basename(p.file), p.code, p.message]), [
        ['bad.yaml', 'missing-property', "'connection' is missing the required property 'path'; add it."],
        ['bad.yaml', 'unknown-property', "Unknown property 'pth'. Did you mean 'path'?"],
      ]);
      assert.deepEqual(workspace.datastores.find((d) => d.name === 'toy')?.settings, { table_prefix: 'shop_', connection: { path: '../toy.db' } });
    } finally {
      removeCatalog(root);
    }
  });

  it('is offered by completion and explained by hover, with its own keys', () => {
    const root = makeCatalog({ 'datastores/toy.yaml': TOY });
    try {
      const project = new CatalogProject(root, true);
      const file = path.join(root, 'datastores', 'toy.yaml');
      const typeValue = 'kind: Datastore\nname: toy\ntype: \n';
      const types = completionsAt(project, file, typeValue, { line: 2, character: 6 }).map((c) => c.label);
      assert.ok(types.includes('toysql'), types.join(', '));
      const keyText = 'kind: Datastore\nname: toy\ntype: toysql\ntab\n';
      const keys = completionsAt(project, file, keyText, { line: 3, character: 3 }).map((c) => c.label);
      assert.ok(keys.includes('table_prefix'), keys.join(', '));
      const hover = hoverAt(project, file, positionOf(TOY, 'table_prefix'));
      assert.match(JSON.stringify(hover), /Toy SQL: only tables and views whose names start with this/);
    } finally {
      removeCatalog(root);
    }
  });

  it('syncs through the same pipeline: its settings, snapshots and an operation record with its store type', async () => {
    const root = makeCatalog({ 'datastores/toy.yaml': TOY });
    try {
      sqlite(path.join(root, 'toy.db'), 'CREATE TABLE shop_orders (id INTEGER PRIMARY KEY, placed_at DATETIME NOT NULL); CREATE TABLE other (x INTEGER);');
      const outcome = await sync(root, 'toy');
      assert.equal(outcome.result, 'success', `${outcome.message} ${JSON.stringify(outcome.logs)}`);
      assert.deepEqual(snapshotNames(root, 'toy'), ['shop_orders']);
      assert.deepEqual(outcome.operation?.datastore, { ...outcome.operation!.datastore, type: 'toysql', store_type: 'jdbc' });
      assert.equal((await sync(root, 'toy')).changed, false);
    } finally {
      removeCatalog(root);
    }
  });
});
