import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadWorkspace } from '../../server/src/core';
import { cleanupWorkspace, writeWorkspace } from '../helpers/workspace';
import { LspTestClient, uri } from '../helpers/lspClient';

const REPO = path.resolve(__dirname, '..', '..');

interface YamlValidation { fileMatch: string[]; url: string }

/**
 * The schemas are contributed to other YAML tooling (`contributes.yamlValidation`), so the Red
 * Hat YAML extension validates catalog files too. These tests feed the same mapping to
 * yaml-language-server (the extension's server) and check it accepts valid files, including
 * `${env:…}` references, and flags the mistakes our own server flags.
 */
describe('JSON Schemas contributed to the Red Hat YAML extension', function () {
  this.timeout(60000);
  const contributed = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { contributes: { yamlValidation: YamlValidation[] } }).contributes.yamlValidation;

  it('maps a draft-07 schema to each kind\'s conventional folder and to catalog.yaml', () => {
    assert.deepEqual(contributed.map((v) => [v.fileMatch[0], v.url]), [
      ['**/datastores/*.yaml', './schemas/datastore.schema.json'],
      ['**/schedules/*.yaml', './schemas/schedule.schema.json'],
      ['**/overrides/*.yaml', './schemas/overrides.schema.json'],
      ['catalog.yaml', './schemas/project.schema.json'],
    ]);
    for (const { url } of contributed) {
      assert.equal((JSON.parse(fs.readFileSync(path.join(REPO, url), 'utf8')) as { $schema: string }).$schema, 'http://json-schema.org/draft-07/schema#', url);
    }
  });

  it('lets yaml-language-server accept valid definitions and flag the same lines as cac does', async () => {
    const root = writeWorkspace({
      'datastores/warehouse.yaml': 'kind: Datastore\nname: warehouse\ntype: postgresql\nconnection:\n  host: db\n  database: shop\n  password: ${env:WAREHOUSE_PASSWORD}\n',
      'datastores/typo.yaml': 'kind: Datastore\nname: typo\ntype: sqlitx\nconnection:\n  path: ./x.sqlite\n  pasword: x\n',
      'schedules/nightly.yaml': 'kind: Schedule\nname: nightly\ndatastore: warehouse\ndaily: { every: 1, at: "25:00" }\n',
    });
    const client = new LspTestClient({ args: [path.join(REPO, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server'), '--stdio'] }, {
      HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9',
    });
    try {
      const schemas = Object.fromEntries(contributed.map((v) => [uri(path.join(REPO, v.url)), v.fileMatch]));
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
