import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HostMessage, RunsQuery, WebviewMessage } from '../../../client/src/activity/activityMessages';
import type { CatalogExtensionApi } from '../../../client/src/extension';
import type { OperationItem } from '../../../server/src/protocol/catalogProtocol';
import { bulkDatastore, catalogApi, datastoreNode, removeBulkDatastore, writeWorkspaceFile } from './catalogApi';
import { waitFor } from './helpers';

type Reply<T extends HostMessage['type']> = Extract<HostMessage, { type: T }>;

const QUERY: RunsQuery = { search: '', sort: 'created', order: 'desc', status: [], container: '', page: 1, size: 50 };
let seq = 10_000;

/**
 * The Activity panel through its message protocol (client/src/activity/activityMessages.ts):
 * each test sends what the webview sends and reads what the host posts back, over the real
 * language server and real syncs of the shop example.
 */
describe('Activity view', function () {
  this.timeout(180_000);
  let api: CatalogExtensionApi;
  const posted: HostMessage[] = [];
  let listener: vscode.Disposable | undefined;

  before(async () => {
    api = await catalogApi();
    listener = api.activity.onDidPost((message) => posted.push(message));
  });
  after(() => listener?.dispose());

  /** Sends one webview message and returns the host's answer of `type` (matching its seq). */
  async function ask<T extends HostMessage['type']>(message: WebviewMessage, type: T): Promise<Reply<T>> {
    const from = posted.length;
    await api.activity.receive(message);
    const reply = posted.slice(from).find((m): m is Reply<T> => m.type === type && (!('seq' in message) || !('seq' in m) || m.seq === message.seq));
    const error = posted.slice(from).find((m) => m.type === 'error');
    assert.ok(reply, `no ${type} answer to ${JSON.stringify(message)}${error?.type === 'error' ? `: ${error.message}` : ''}`);
    return reply;
  }
  const runs = (query: Partial<RunsQuery>): Promise<Reply<'runs'>> => ask({ type: 'runs', seq: ++seq, query: { ...QUERY, ...query } }, 'runs');
  const detail = async (id: number): Promise<OperationItem | null> => (await ask({ type: 'detail', seq: ++seq, operationId: id }, 'detail')).item;
  const act = (action: 'abort' | 'resume' | 'rerun' | 'delete' | 'logs', operationId: number): Promise<Reply<'actionDone'>> => ask({ type: 'action', action, operationId }, 'actionDone');

  it('opens a panel with a strict CSP whose webview loads and asks for its data', async () => {
    const from = posted.length;
    await vscode.commands.executeCommand('catalogAsCode.showActivity');
    const page = api.activity.webview;
    assert.ok(page, 'the panel is open');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page.html)?.[1] ?? '';
    assert.match(csp, /^default-src 'none'; /);
    const nonce = /script-src 'nonce-([A-Za-z0-9_-]+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 16, `a script nonce in ${csp}`);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:\/\/(?!.*vscode)/);
    assert.match(page.html, new RegExp(`<script nonce="${nonce}" src="[^"]+/dist/webview/activity\\.js"`));
    assert.equal((page.html.match(/<script/g) ?? []).length, 1, 'one script, the bundle');
    assert.deepEqual(page.options.localResourceRoots?.map((u) => u.path.replace(/.*\/(dist\/webview)$/, '$1')), ['dist/webview']);
    // The real webview runs its script: it says ready, gets init, and asks for runs and the heatmap.
    await waitFor(() => posted.slice(from).some((m) => m.type === 'init') && posted.slice(from).some((m) => m.type === 'runs') && posted.slice(from).some((m) => m.type === 'activity'), 'the webview to load its runs and heatmap', 30_000);
    const init = posted.slice(from).find((m): m is Reply<'init'> => m.type === 'init')!;
    assert.deepEqual([...init.datastores].sort(), ['analytics', 'landing', 'shop_db']);
    assert.equal(init.trusted, true);
  });

  it('searches, filters by status, type, datastore and table, sorts and counts like the seed\'s runs list', async () => {
    const first = await api.sync.syncNow({ datastore: 'shop_db' });
    writeWorkspaceFile('data/landing/activity_partners.csv', 'partner_id,name\n1,Acme\n');
    const second = await api.sync.syncNow({ datastore: 'landing' });
    assert.equal(first?.result, 'success');
    assert.ok(second?.operationId && first?.operationId);
    const all = await runs({});
    assert.ok(all.result.total >= 2);
    const facets = all.result.facets!;
    assert.ok(facets.status.success >= 1 && facets.type.catalog === all.result.total);
    assert.equal(facets.datastores.reduce((n, d) => n + d.count, 0), all.result.total);

    const byId = await runs({ search: String(first.operationId) });
    assert.deepEqual(byId.result.items.map((i) => i.id), [first.operationId]);
    const shop = await runs({ datastore: 'shop_db' });
    assert.ok(shop.result.items.length > 0 && shop.result.items.every((i) => i.datastore.name === 'shop_db'));
    // Facets count every other filter: the datastore counts stay those of all datastores.
    assert.deepEqual(shop.result.facets?.datastores, facets.datastores);
    const failures = await runs({ status: ['failure'] });
    assert.ok(failures.result.items.every((i) => i.result === 'failure'));
    assert.equal(failures.result.facets?.status.success, facets.status.success, 'status counts ignore the status filter');
    const typed = await runs({ type: 'catalog' });
    assert.equal(typed.result.total, all.result.total);

    const container = second.changes.find((c) => c.name.includes('activity_partners'))?.name;
    assert.ok(container, `the landing sync found the new file: ${JSON.stringify(second.changes)}`);
    const touching = await runs({ container });
    assert.deepEqual(touching.result.items.map((i) => i.id), [second.operationId], `only operation #${second.operationId} touched ${container}`);
    // Rows carry no changes (summaryOnly); the detail has them.
    assert.deepEqual(touching.result.items.map((i) => i.changes.length), [0]);
    assert.ok((await detail(second.operationId))?.changes.some((c) => c.name === container));

    const shortest = await runs({ sort: 'duration', order: 'asc' });
    const durations = shortest.result.items.map((i) => Date.parse(i.endTime ?? new Date().toISOString()) - Date.parse(i.startTime));
    assert.deepEqual(durations, [...durations].sort((a, b) => a - b), 'shortest first');
    const oldest = await runs({ order: 'asc' });
    assert.deepEqual(oldest.result.items.map((i) => i.id), [...oldest.result.items.map((i) => i.id)].sort((a, b) => a - b));
    const paged = await runs({ size: 1, page: 2 });
    assert.equal(paged.result.items[0]?.id, all.result.items[1]?.id);
  });

  it('counts today\'s operations on the heatmap and filters the runs to a clicked day', async () => {
    const heat = await ask({ type: 'activity', seq: ++seq }, 'activity');
    const today = new Date().toISOString().slice(0, 10);
    const day = heat.result.days.find((d) => d.date === today);
    assert.ok(day && day.total >= 2, `today (${today}) counts the syncs`);
    assert.equal(heat.result.days.length, 365);
    const onDay = await runs({ day: today });
    assert.equal(onDay.result.total, day.total);
    assert.ok(onDay.result.items.every((i) => i.created.startsWith(today)));
    const yesterday = heat.result.days.at(-2)!;
    assert.equal((await runs({ day: yesterday.date })).result.total, yesterday.total);
    const shopOnly = await ask({ type: 'activity', seq: ++seq, datastore: 'shop_db' }, 'activity');
    assert.ok(shopOnly.result.totals.total < heat.result.totals.total, 'the heatmap follows the datastore filter');
  });

  it('shows an operation\'s detail with the changes linking to snapshot files', async () => {
    writeWorkspaceFile('data/landing/activity_carriers.csv', 'carrier_id,name\n1,Royal Mail\n');
    const synced = await api.sync.syncNow({ datastore: 'landing' });
    assert.ok(synced?.operationId);
    const item = await detail(synced.operationId);
    assert.ok(item);
    assert.equal(item.id, synced.operationId);
    const change = item.changes.find((c) => c.name.includes('activity_carriers'));
    assert.ok(change?.snapshotUri, `a snapshot link for ${JSON.stringify(item.changes)}`);
    await api.activity.receive({ type: 'openSnapshot', uri: change.snapshotUri });
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.toString() === change.snapshotUri, 'the snapshot to open', 10_000);
    await api.activity.receive({ type: 'openDiff', uri: change.snapshotUri });
    await waitFor(() => vscode.window.tabGroups.activeTabGroup.activeTab?.input instanceof vscode.TabInputTextDiff, 'the diff with HEAD to open', 10_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(await detail(999_999), null, 'an operation not in the history');
  });

  it('reruns and deletes a successful operation; the Operations view agrees', async () => {
    const synced = await api.sync.syncNow({ datastore: 'shop_db' });
    assert.equal(synced?.result, 'success');
    const rerun = await act('rerun', synced.operationId!);
    assert.ok(rerun.ok && rerun.newOperationId && rerun.newOperationId > synced.operationId!, JSON.stringify(rerun));
    assert.equal((await detail(rerun.newOperationId))?.result, 'success');

    const deleted = await act('delete', synced.operationId!);
    assert.ok(deleted.ok);
    assert.equal(await detail(synced.operationId!), null);
    const listed = await waitFor(async () => {
      const ids = (await api.operations.operations()).map((o) => o.id);
      return ids.includes(synced.operationId!) ? undefined : ids;
    }, 'the Operations view to drop the deleted operation', 10_000);
    assert.ok(listed.includes(rerun.newOperationId));
  });

  it('offers Logs for a failure and shows them as a document', async () => {
    writeWorkspaceFile('datastores/activity_broken.yaml', 'kind: Datastore\nname: activity_broken\ntype: sqlite\nconnection:\n  path: ../no-such-database.sqlite\n');
    await datastoreNode(api, 'activity_broken');
    const failed = await api.sync.syncNow({ datastore: 'activity_broken' });
    assert.equal(failed?.result, 'failure', failed?.message ?? '');
    const failures = await runs({ status: ['failure'] });
    assert.ok(failures.result.items.some((i) => i.id === failed.operationId));
    const logs = await act('logs', failed.operationId!);
    assert.ok(logs.ok);
    await waitFor(() => vscode.window.activeTextEditor?.document.uri.scheme === 'catalog-operation', 'the logs document', 10_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows live progress of a running sync, aborts it and resumes it', async () => {
    const bulk = await bulkDatastore(api, 'activity_bulk');
    const from = posted.length;
    const running = api.sync.syncNow(bulk, { prune: false, recreate: false });
    const started = await waitFor(() => posted.slice(from).find((m): m is Reply<'operationChanged'> => m.type === 'operationChanged' && m.params.datastore === 'activity_bulk' && m.params.result === 'running'), 'the running sync to reach the panel', 30_000);
    const id = started.params.operationId;
    // A row's bar moves with the server's progress notifications, before any abort.
    await waitFor(() => posted.slice(from).some((m) => m.type === 'operationChanged' && m.params.operationId === id && (m.params.progress?.done ?? 0) > 0), 'progress of the running sync to reach the panel', 30_000);
    const live = await runs({ status: ['running'] });
    assert.ok(live.result.items.some((i) => i.id === id), 'listed as running');
    const aborted = await act('abort', id);
    assert.ok(aborted.ok, JSON.stringify(aborted));
    const result = await running;
    assert.equal(result?.result, 'aborted');
    assert.equal((await detail(id))?.result, 'aborted');
    try {
      const resumed = await act('resume', id);
      assert.ok(resumed.ok, JSON.stringify(resumed));
      assert.ok(['success', 'warning'].includes((await detail(resumed.newOperationId ?? id))?.result ?? ''));
    } finally {
      await removeBulkDatastore('activity_bulk');
    }
  });
});


describe('restricted mode: the Activity view', function () {
  this.timeout(60_000);
  before(function () {
    if (process.env.CAC_VSCODE_TEST_TRUST !== 'restricted') this.skip();
  });

  it('lists the history and refuses a rerun, which would connect to the source', async () => {
    // Nothing can sync in Restricted Mode: the history holds what a trusted run left (one record).
    const created = '2026-12-01T08:00:00.000000Z';
    writeWorkspaceFile('.cac/operations/00000001.json', JSON.stringify({
      id: 1, created, type: 'catalog', start_time: created, end_time: '2026-12-01T08:00:01.000000Z', result: 'success', message: null,
      triggered_by: 'dana@shop.example', datastore: { id: 1, name: 'shop_db', store_type: 'jdbc', type: 'sqlite', enrich_only: false, enrich_container_prefix: null, favorite: false },
      schedule: null, include: ['table', 'view'], prune: false, recreate: false, force_prune: false, progress: { done: 0, total: 0, phase: 'finished' },
      checkpoint: null, summary: null, changes: [], logs: [],
    }));
    const api = await catalogApi();
    const posted: HostMessage[] = [];
    const listener = api.activity.onDidPost((m) => posted.push(m));
    try {
      await api.activity.receive({ type: 'ready' });
      const init = posted.find((m): m is Reply<'init'> => m.type === 'init');
      assert.equal(init?.trusted, false, 'the webview is told, so it disables Abort, Resume, Rerun and Delete');
      await api.activity.receive({ type: 'runs', seq: 1, query: QUERY });
      const page = posted.find((m): m is Reply<'runs'> => m.type === 'runs');
      assert.ok(page, `runs are listed in Restricted Mode: ${JSON.stringify(posted.filter((m) => m.type === 'error'))}`);
      assert.deepEqual(page.result.items.map((i) => i.id), [1]);
      await api.activity.receive({ type: 'action', action: 'rerun', operationId: 1 });
      const done = posted.filter((m): m is Reply<'actionDone'> => m.type === 'actionDone').at(-1);
      assert.equal(done?.ok, false, 'a rerun is refused');
      await api.activity.receive({ type: 'runs', seq: 2, query: QUERY });
      assert.equal(posted.filter((m): m is Reply<'runs'> => m.type === 'runs').at(-1)?.result.total, 1, 'nothing ran');
    } finally {
      listener.dispose();
    }
  });
});
