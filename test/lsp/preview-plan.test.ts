import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes } from 'vscode-languageserver-protocol';
import {
  ApplyPreviewRequest, ListOperationsRequest, PlanFileTextRequest, PreviewPlanRequest, PreviewRequest,
  type ApplyPreviewResult, type ListOperationsResult, type PlanFileText, type PlanPreviewResult, type PreviewResult,
} from '../../server/src/protocol/catalogProtocol';
import { ensureBuilt } from '../helpers/builtCli';
import { FIXTURE_FILES, SHOP_SQL, startedClient, syncedCatalog } from '../helpers/catalogFixture';
import { removeCatalog, snapshotFiles, sqlite, sqliteCatalog } from '../helpers/syncFixtures';
import type { LspTestClient } from '../helpers/lspClient';

function relative(root: string, uri: string): string {
  return path.relative(root, fileURLToPath(uri)).split(path.sep).join('/');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function operationCount(client: LspTestClient): Promise<number> {
  return (await client.request<ListOperationsResult>(ListOperationsRequest.method, {})).total;
}

describe('language server: previews a person applies (catalog/previewPlan, planFileText, applyPreview)', function () {
  this.timeout(60000);
  let root: string;
  let client: LspTestClient;
  before(() => ensureBuilt());
  afterEach(async () => {
    await client.stop();
    removeCatalog(root);
  });

  describe('on a catalog never synced', () => {
    beforeEach(async () => {
      root = sqliteCatalog(SHOP_SQL, FIXTURE_FILES);
      client = await startedClient(root);
    });

    it('lists the planned files without their texts, writes and records nothing, and answers each file\'s two texts on request', async () => {
      const preview = await client.request<PlanPreviewResult>(PreviewPlanRequest.method, { datastore: 'shop' });
      assert.equal(preview.result, 'success');
      assert.equal(preview.operationId, null);
      assert.match(preview.planId!, /^[0-9a-f-]{36}$/);
      assert.deepEqual(preview.files.map((f) => [relative(root, f.uri), f.action, f.container ?? null, f.committedHash]).sort(), [
        ['snapshots/shop/_index.yaml', 'write', null, null],
        ['snapshots/shop/big_orders.yaml', 'write', 'big_orders', null],
        ['snapshots/shop/customers.yaml', 'write', 'customers', null],
        ['snapshots/shop/orders.yaml', 'write', 'orders', null],
      ]);
      assert.ok(preview.files.every((f) => !('text' in f)), 'no texts travel with the list');
      assert.equal(fs.existsSync(path.join(root, 'snapshots')), false);
      assert.equal(await operationCount(client), 0);

      const orders = preview.files.find((f) => f.container === 'orders')!;
      const texts = await client.request<PlanFileText>(PlanFileTextRequest.method, { planId: preview.planId, uri: orders.uri });
      assert.equal(texts.committed, null);
      assert.match(texts.planned!, /^name: orders$/m);

      // The old request still answers with every text.
      const old = await client.request<PreviewResult>(PreviewRequest.method, { datastore: 'shop' });
      assert.ok(old.files.every((f) => typeof f.text === 'string'));
    });

    it('answers an unknown plan or file with a clear error', async () => {
      const preview = await client.request<PlanPreviewResult>(PreviewPlanRequest.method, { datastore: 'shop' });
      await assert.rejects(client.request(PlanFileTextRequest.method, { planId: 'nope', uri: preview.files[0]!.uri }), (error: { code: number; message: string }) => {
        assert.equal(error.code, ErrorCodes.InvalidParams);
        assert.match(error.message, /No preview 'nope' is held/);
        return true;
      });
      await assert.rejects(client.request(PlanFileTextRequest.method, { planId: preview.planId, uri: 'file:///elsewhere.yaml' }), /does not change file:\/\/\/elsewhere\.yaml/);
      const expired = await client.request<ApplyPreviewResult>(ApplyPreviewRequest.method, { planId: 'nope' });
      assert.equal(expired.status, 'expired');
    });

    it('applies exactly the previewed plan as a recorded operation, once', async () => {
      const preview = await client.request<PlanPreviewResult>(PreviewPlanRequest.method, { datastore: 'shop' });
      const planned = new Map<string, string>();
      for (const file of preview.files) {
        planned.set(relative(root, file.uri), (await client.request<PlanFileText>(PlanFileTextRequest.method, { planId: preview.planId, uri: file.uri })).planned!);
      }
      const from = client.messages.length;
      const applied = await client.request<ApplyPreviewResult>(ApplyPreviewRequest.method, { planId: preview.planId, workDoneToken: 'apply' });
      assert.equal(applied.status, 'applied');
      if (applied.status !== 'applied') return;
      assert.deepEqual([applied.result.result, applied.result.changed, applied.result.summary?.new], ['success', true, 3]);
      assert.equal(typeof applied.result.operationId, 'number');
      const written = snapshotFiles(root, 'shop');
      assert.deepEqual(new Map([...written].map(([name, text]) => [`snapshots/shop/${name}`, text])), planned);
      const listed = await client.request<ListOperationsResult>(ListOperationsRequest.method, {});
      assert.deepEqual(listed.items.map((o) => [o.id, o.result]), [[applied.result.operationId, 'success']]);
      const changed = client.messages.slice(from).filter((m) => m.method === 'catalog/operationChanged').map((m) => (m.params as { result: string }).result);
      assert.deepEqual([changed[0], changed[changed.length - 1]], ['running', 'success']);
      assert.ok(client.messages.slice(from).some((m) => m.method === '$/progress' && (m.params as { token: string }).token === 'apply'));

      const again = await client.request<ApplyPreviewResult>(ApplyPreviewRequest.method, { planId: preview.planId });
      assert.equal(again.status, 'expired', 'an applied plan is not held any more');
    });

    it('answers stale with a new preview when the source changed, writing and recording nothing; the new plan applies', async () => {
      const preview = await client.request<PlanPreviewResult>(PreviewPlanRequest.method, { datastore: 'shop' });
      sqlite(path.join(root, 'shop.sqlite'), 'CREATE TABLE refunds (id INTEGER PRIMARY KEY, amount NUMERIC NOT NULL);');
      const stale = await client.request<ApplyPreviewResult>(ApplyPreviewRequest.method, { planId: preview.planId });
      assert.equal(stale.status, 'stale');
      if (stale.status !== 'stale') return;
      assert.match(stale.message, /changed since the preview/);
      assert.notEqual(stale.preview.planId, preview.planId);
      assert.equal(stale.preview.result, 'success');
      assert.ok(stale.preview.files.some((f) => f.container === 'refunds'));
      assert.equal(fs.existsSync(path.join(root, 'snapshots')), false, 'a stale apply writes nothing');
      assert.equal(await operationCount(client), 0, 'a stale apply records nothing');
      assert.equal((await client.request<ApplyPreviewResult>(ApplyPreviewRequest.method, { planId: preview.planId })).status, 'expired');

      const applied = await client.request<ApplyPreviewResult>(ApplyPreviewRequest.method, { planId: stale.preview.planId });
      assert.equal(applied.status, 'applied');
      assert.ok(snapshotFiles(root, 'shop').has('refunds.yaml'));
    });

    it('keeps only the newest preview of a datastore', async () => {
      const first = await client.request<PlanPreviewResult>(PreviewPlanRequest.method, { datastore: 'shop' });
      const second = await client.request<PlanPreviewResult>(PreviewPlanRequest.method, { datastore: 'shop' });
      assert.equal((await client.request<ApplyPreviewResult>(ApplyPreviewRequest.method, { planId: first.planId })).status, 'expired');
      assert.equal((await client.request<ApplyPreviewResult>(ApplyPreviewRequest.method, { planId: second.planId })).status, 'applied');
    });
  });

  describe('on a synced catalog', () => {
    beforeEach(async () => {
      root = await syncedCatalog();
      client = await startedClient(root);
    });

    it('hashes the committed text, answers it, and goes stale when a planned file is edited on disk', async () => {
      sqlite(path.join(root, 'shop.sqlite'), 'ALTER TABLE customers ADD COLUMN phone TEXT;');
      const preview = await client.request<PlanPreviewResult>(PreviewPlanRequest.method, { datastore: 'shop' });
      const customers = preview.files.find((f) => f.container === 'customers')!;
      const file = path.join(root, 'snapshots', 'shop', 'customers.yaml');
      const committed = fs.readFileSync(file, 'utf8');
      assert.equal(customers.committedHash, sha256(committed));
      const texts = await client.request<PlanFileText>(PlanFileTextRequest.method, { planId: preview.planId, uri: customers.uri });
      assert.equal(texts.committed, committed);
      assert.match(texts.planned!, /phone/);
      const operations = await operationCount(client);

      fs.writeFileSync(file, committed.replace(/^name: customers$/m, 'name: customers\ndescription: edited by hand'));
      await assert.rejects(client.request(PlanFileTextRequest.method, { planId: preview.planId, uri: customers.uri }), /changed on disk since the preview/);
      const stale = await client.request<ApplyPreviewResult>(ApplyPreviewRequest.method, { planId: preview.planId });
      assert.equal(stale.status, 'stale');
      assert.match(fs.readFileSync(file, 'utf8'), /edited by hand/, 'a stale apply leaves the edited file alone');
      assert.equal(await operationCount(client), operations);
    });

    it('previews "nothing to do" as an empty plan that applies as a recorded no-change sync', async () => {
      const preview = await client.request<PlanPreviewResult>(PreviewPlanRequest.method, { datastore: 'shop' });
      assert.deepEqual([preview.changed, preview.files], [false, []]);
      const applied = await client.request<ApplyPreviewResult>(ApplyPreviewRequest.method, { planId: preview.planId });
      assert.equal(applied.status, 'applied');
      if (applied.status === 'applied') assert.deepEqual([applied.result.result, applied.result.changed], ['success', false]);
    });
  });
});
