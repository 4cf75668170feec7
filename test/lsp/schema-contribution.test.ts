import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadWorkspace } from '../../server/src/core';
import { cleanupWorkspace, writeWorkspace } from '../helpers/workspace';
import { LspTestClient, uri } from '../helpers/lspClient';

const REPO = path.resolve(__dirname, '..', '..');

/** The `yaml.schemas` mapping the README gives users without this extension (schema path → globs). */
function readmeSchemaMapping(): Record<string, string[]> {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const block = /<!-- yaml\.schemas[^>]*-->\s*```json\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has the yaml.schemas block');
  return (JSON.parse(block[1]) as { 'yaml.schemas': Record<string, string[]> })['yaml.schemas'];
}

function startYamlLanguageServer(): LspTestClient {
  return new LspTestClient({ args: [path.join(REPO, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server'), '--stdio'] }, {
    HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9',
  });
}

/**
 * Red Hat's YAML extension and ours side by side: the extension contributes no schemas to it, so
 * a catalog file's mistakes are reported once (by cac-language-server). Users without the
 * extension map the schemas themselves (the README's `yaml.schemas`); these tests feed that
 * mapping to yaml-language-server (the Red Hat extension's server) and check it accepts valid
 * files, including `${env:…}` references, and flags the mistakes our own server flags.
 */
describe('JSON Schemas and the Red Hat YAML extension', function () {
  this.timeout(60000);
  const contributed = readmeSchemaMapping();
  const TYPO = 'kind: Datastore\nname: typo\ntype: sqlitx\nconnection:\n  path: ./x.sqlite\n  pasword: x\n';

  it('maps a draft-07 schema to each kind\'s conventional folder and to catalog.yaml, in the README', () => {
    assert.deepEqual(Object.entries(contributed).map(([url, globs]) => [globs[0], url]), [
      ['**/datastores/*.yaml', './schemas/datastore.schema.json'],
      ['**/schedules/*.yaml', './schemas/schedule.schema.json'],
      ['**/overrides/*.yaml', './schemas/overrides.schema.json'],
      ['catalog.yaml', './schemas/project.schema.json'],
    ]);
    for (const url of Object.keys(contributed)) {
      assert.equal((JSON.parse(fs.readFileSync(path.join(REPO, url), 'utf8')) as { $schema: string }).$schema, 'http://json-schema.org/draft-07/schema#', url);
    }
  });

  it('reports each mistake once with both extensions installed: the manifest gives the Red Hat server no schema', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { contributes: Record<string, unknown> };
    assert.equal(manifest.contributes.yamlValidation, undefined);
    const root = writeWorkspace({ 'catalog.yaml': 'kind: Project\n', 'datastores/typo.yaml': TYPO });
    const file = path.join(root, 'datastores/typo.yaml');
    const redHat = startYamlLanguageServer();
    const ours = new LspTestClient('bin');
    try {
      // What the Red Hat extension sends with nothing configured (the schema store is off here: no network).
      redHat.settings = { yaml: { validate: true, schemas: {}, schemaStore: { enable: false }, kubernetesCRDStore: { enable: false } } };
      await redHat.initialize(root, {});
      await redHat.connection.sendNotification('workspace/didChangeConfiguration', { settings: redHat.settings });
      await redHat.open(file, TYPO);
      await ours.initialize(root, {});
      await ours.open(file, TYPO);
      const fromOurs = await ours.waitForDiagnostics(file, (d) => d.length > 0);
      const fromRedHat = await redHat.waitForDiagnostics(file, () => true);
      assert.deepEqual(fromOurs.map((d) => d.range.start.line).sort(), [2, 5]);
      assert.deepEqual(fromRedHat, [], 'yaml-language-server reports nothing of its own on a catalog file');
    } finally {
      await redHat.stop();
      await ours.stop();
      cleanupWorkspace(root);
    }
  });

  it('lets yaml-language-server accept valid definitions and flag the same lines as cac does', async () => {
    const root = writeWorkspace({
      'datastores/warehouse.yaml': 'kind: Datastore\nname: warehouse\ntype: postgresql\nconnection:\n  host: db\n  database: shop\n  password: ${env:WAREHOUSE_PASSWORD}\n',
      'datastores/typo.yaml': TYPO,
      'schedules/nightly.yaml': 'kind: Schedule\nname: nightly\ndatastore: warehouse\ndaily: { every: 1, at: "25:00" }\n',
    });
    const client = startYamlLanguageServer();
    try {
      const schemas = Object.fromEntries(Object.entries(contributed).map(([url, globs]) => [uri(path.join(REPO, url)), globs]));
      client.settings = { yaml: { validate: true, schemas, schemaStore: { enable: false }, kubernetesCRDStore: { enable: false } } };
      await client.initialize(root, {});
      await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: client.settings });
      const lines = async (relative: string): Promise<number[]> => {
        const file = path.join(root, relative);
        await client.open(file, fs.readFileSync(file, 'utf8'));
        const diagnostics = await client.waitForDiagnostics(file, () => true);
        return diagnostics.map((d) => d.range.start.line).sort();
      };
      const ours = loadWorkspace(root).problems;
      const flagged: Record<string, number[]> = {};
      for (const relative of ['datastores/warehouse.yaml', 'datastores/typo.yaml', 'schedules/nightly.yaml']) {
        flagged[relative] = await lines(relative);
        assert.deepEqual(flagged[relative], ours.filter((p) => p.file === path.join(root, relative)).map((p) => p.range.start.line).sort(), relative);
      }
      assert.deepEqual(flagged, { 'datastores/warehouse.yaml': [], 'datastores/typo.yaml': [2, 5], 'schedules/nightly.yaml': [3] }, 'the fixture has mistakes to find');
    } finally {
      await client.stop();
      cleanupWorkspace(root);
    }
  });
});
