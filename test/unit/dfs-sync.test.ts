import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { fileStoreConnector, type DfsSettings } from '../../server/src/core/connectors/dfs/dfsConnector';
import type { ByteRange, FileBytes, FileStat, FileStore, FileStoreListing, OpenedFile } from '../../server/src/core/connectors/dfs/fileStore';
import { LocalFileStore } from '../../server/src/core/connectors/dfs/localFileStore';
import { readCatalogState } from '../../server/src/core/snapshots/catalogState';
import { INDEX_HEADER, renderIndex } from '../../server/src/core/snapshots/render';
import { parseCanonicalIndex } from '../../server/src/core/snapshots/canonical';
import { type SnapshotIndex } from '../../server/src/core/snapshots/snapshotIndex';
import { CatalogProject, hoverAt } from '../../server/src/core';
import { compareSnapshotTrees } from '../../server/src/core/review/compareSnapshotTrees';
import type { SnapshotTree } from '../../server/src/core/review/snapshotTree';
import { changeOf, makeCatalog, removeCatalog, snapshotFiles, snapshotNames, sync, writeFile } from '../helpers/syncFixtures';

const DATASTORE = 'kind: Datastore\nname: landing\ntype: dfs\nroot: ../data\n';
const csv = (rows: string[]): string => `id,amount,created_at\n${rows.join('\n')}\n`;

describe('file store (dfs) sync', () => {
  let root: string;
  beforeEach(() => {
    root = makeCatalog({ 'datastores/landing.yaml': DATASTORE });
  });
  afterEach(() => removeCatalog(root));

  it('globs a daily file family into one container and keeps unrelated names apart', async () => {
    for (const day of ['01', '02', '03']) writeFile(root, `data/sales/orders_2024-01-${day}.csv`, csv([`1,2.5,2024-01-${day} 10:00:00`]));
    writeFile(root, 'data/sales/customers.csv', 'id,name\n1,Ada\n');
    writeFile(root, 'data/sales/returns_2024.csv', csv(['1,1.0,2024-01-01 00:00:00']));
    writeFile(root, 'data/sales/refunds_2024.csv', csv(['1,1.0,2024-01-01 00:00:00']));
    const outcome = await sync(root, 'landing');
    assert.equal(outcome.result, 'success');
    assert.deepEqual(snapshotNames(root, 'landing'), ['sales/customers.csv', 'sales/orders_*.csv', 'sales/refunds_*.csv', 'sales/returns_*.csv']);
    const orders = snapshotFiles(root, 'landing').get('sales/orders_(any).csv.yaml')!;
    assert.match(orders, /pattern: "orders_\*\.csv"\n {2}globbed: true/);
    assert.match(orders, /incremental_identifier:\n {2}field: "\$last_modified"\n {2}strategy: last_modified/);
    // Include does not apply to files: the record says so rather than claiming [table, view].
    assert.equal(outcome.operation?.include, null);
    // Why the files are one container is in the operation's log, not in the snapshot.
    assert.doesNotMatch(orders, /varying_tokens/);
    const globbed = outcome.logs.find((l) => l.code === 'globbed' && l.container === 'sales/orders_*.csv');
    assert.deepEqual(globbed?.grouping, {
      pattern: 'orders_*.csv', files: 3, varying: ['part 2 (*): 2024-01-01 … 2024-01-03'],
      sampled: ['sales/orders_2024-01-01.csv', 'sales/orders_2024-01-02.csv', 'sales/orders_2024-01-03.csv'],
    });
  });

  it('never makes names that share no literal token one container', async () => {
    writeFile(root, 'data/q/sales2023_q1.csv', csv(['1,2.5,2024-01-01 10:00:00']));
    writeFile(root, 'data/q/returns2024_q2.csv', 'return_id,reason\n1,broken\n');
    const outcome = await sync(root, 'landing');
    assert.equal(outcome.result, 'success', JSON.stringify(outcome.logs));
    assert.deepEqual(snapshotNames(root, 'landing'), ['q/returns2024_q2.csv', 'q/sales2023_q1.csv']);
  });

  it('keeps a daily family\'s container, and the overrides on it, when its second file arrives', async () => {
    writeFile(root, 'data/sales/sales_2024-01-01.csv', csv(['1,2.5,2024-01-01 10:00:00']));
    writeFile(root, 'overrides/landing.yaml', 'kind: Overrides\ndatastore: landing\ncontainers:\n  sales/sales_*.csv:\n    incremental_identifier: created_at\n');
    const first = await sync(root, 'landing');
    assert.equal(first.result, 'success', JSON.stringify(first.logs));
    assert.deepEqual(snapshotNames(root, 'landing'), ['sales/sales_*.csv']);
    const before = snapshotFiles(root, 'landing').get('sales/sales_(any).csv.yaml')!;
    assert.match(before, /incremental_identifier:\n {2}field: created_at\n {2}strategy: last_modified\n {2}source: override/);
    writeFile(root, 'data/sales/sales_2024-01-02.csv', csv(['2,3.5,2024-01-02 10:00:00']));
    const second = await sync(root, 'landing');
    assert.equal(second.result, 'success', JSON.stringify(second.logs));
    assert.deepEqual(snapshotNames(root, 'landing'), ['sales/sales_*.csv']);
    assert.deepEqual(second.plan?.changes.filter((c) => c.action !== 'unchanged'), []);
    assert.equal(snapshotFiles(root, 'landing').get('sales/sales_(any).csv.yaml'), before);
  });

  it('shows a family that outgrew its first name as one rename, in the sync and in the review, and its overrides follow', async () => {
    writeFile(root, 'data/m/report_v1.csv', csv(['1,2.5,2024-01-01 10:00:00']));
    writeFile(root, 'overrides/landing.yaml', 'kind: Overrides\ndatastore: landing\ncontainers:\n  m/report_v1.csv:\n    incremental_identifier: created_at\n');
    await sync(root, 'landing');
    assert.deepEqual(snapshotNames(root, 'landing'), ['m/report_v1.csv']);
    const before = snapshotFiles(root, 'landing');
    writeFile(root, 'data/m/report_v2.csv', csv(['2,3.5,2024-01-02 10:00:00']));
    const outcome = await sync(root, 'landing');
    assert.deepEqual(snapshotNames(root, 'landing'), ['m/report_v*.csv']);
    const changes = outcome.plan!.changes.filter((c) => c.action !== 'unchanged');
    assert.deepEqual(changes.map((c) => [c.action, c.name]), [['changed', 'm/report_v*.csv']], 'one rename, not a removal and an addition');
    const renamed = changes[0]!.action === 'changed' ? changes[0]!.details[0] : undefined;
    assert.deepEqual(renamed, { change: 'container_renamed', from: 'm/report_v1.csv', to: 'm/report_v*.csv', breaking: true });
    assert.match(snapshotFiles(root, 'landing').get('m/report_v(any).csv.yaml')!, /incremental_identifier:\n {2}field: created_at\n {2}strategy: last_modified\n {2}source: override/);
    assert.ok(outcome.logs.some((l) => l.code === 'override-renamed' && /Rename the key in the overrides file to 'm\/report_v\*\.csv'/.test(l.message)), JSON.stringify(outcome.logs));
    const tree = (files: Map<string, string>): SnapshotTree => ({ side: { label: 'x' }, location: 'snapshots', folders: new Map([['landing', files]]) });
    const review = compareSnapshotTrees(tree(before), tree(snapshotFiles(root, 'landing')));
    assert.deepEqual(review.containers.map((c) => [c.change, c.name, c.changes[0]?.change, c.changes[0]?.from]), [['changed', 'm/report_v*.csv', 'container_renamed', 'm/report_v1.csv']]);
  });

  it('splits off a file whose columns share nothing or conflict, and keeps one that only adds columns (union)', async () => {
    writeFile(root, 'data/s/sales_2024-01-01.csv', 'id,amount\n1,2.5\n');
    writeFile(root, 'data/s/sales_2024-01-02.csv', 'id,amount,channel\n2,3.5,web\n');
    writeFile(root, 'data/s/sales_2024-01-03.csv', 'sku,warehouse\nA1,north\n');
    writeFile(root, 'data/s/sales_2024-01-04.csv', 'id,amount\n2024-01-04,9.5\n');
    const outcome = await sync(root, 'landing');
    assert.deepEqual(snapshotNames(root, 'landing'), ['s/sales_*.csv', 's/sales_2024-01-03.csv', 's/sales_2024-01-04.csv']);
    const family = snapshotFiles(root, 'landing').get('s/sales_(any).csv.yaml')!;
    assert.deepEqual([...family.matchAll(/- name: (\w+)/g)].map((m) => m[1]), ['id', 'amount', 'channel']);
    const logs = outcome.logs.map((l) => `${l.level} ${l.code} ${l.file ?? ''}`);
    assert.ok(logs.includes('info schema-extended s/sales_2024-01-02.csv'), logs.join('\n'));
    const split = outcome.logs.filter((l) => l.code === 'schema-split').map((l) => l.message);
    assert.match(split[0]!, /'s\/sales_2024-01-03\.csv' matches 's\/sales_\*\.csv' but it shares no column with s\/sales_2024-01-01\.csv, so it is a container of its own/);
    assert.match(split[1]!, /its column "id" is DATE where s\/sales_2024-01-01\.csv has BIGINT/);
  });

  it('tells in the editor\'s hover on a container why its files are one container', async () => {
    for (const day of ['01', '02', '03']) writeFile(root, `data/sales/orders_2024-01-${day}.csv`, csv([`1,2.5,2024-01-${day} 10:00:00`]));
    await sync(root, 'landing');
    const text = 'kind: Overrides\ndatastore: landing\ncontainers:\n  sales/orders_*.csv: {}\n';
    writeFile(root, 'overrides/landing.yaml', text);
    const project = new CatalogProject(root, true);
    const hover = hoverAt(project, path.join(root, 'overrides', 'landing.yaml'), { line: 3, character: 4 });
    assert.match(hover!.markdown, /Grouped at the last sync: 3 files as `orders_\*\.csv`\n- part 2 \(\*\): 2024-01-01 … 2024-01-03\n- schema read from 3 of 3: `sales\/orders_2024-01-01\.csv`/);
    // Not in the snapshot: a new day's file must not change it.
    assert.doesNotMatch(snapshotFiles(root, 'landing').get('sales/orders_(any).csv.yaml')!, /2024-01-0/);
  });

  it('groups files by the pinned patterns first, and says so', async () => {
    writeFile(root, 'datastores/landing.yaml', `${DATASTORE}patterns:\n  - "m/report_*.csv"\n`);
    for (const name of ['report_v1', 'report_v2', 'report_final']) writeFile(root, `data/m/${name}.csv`, csv(['1,2.5,2024-01-01 10:00:00']));
    writeFile(root, 'data/n/report_v1.csv', csv(['1,2.5,2024-01-01 10:00:00']));
    const outcome = await sync(root, 'landing');
    assert.equal(outcome.result, 'success', JSON.stringify(outcome.logs));
    // The pattern names one folder; elsewhere inference decides.
    assert.deepEqual(snapshotNames(root, 'landing'), ['m/report_*.csv', 'n/report_v1.csv']);
    const globbed = outcome.logs.find((l) => l.code === 'globbed');
    assert.equal(globbed?.grouping?.pinned, true);
    assert.equal(globbed?.grouping?.files, 3);
    assert.match(globbed!.message, /3 files grouped by the pinned pattern 'report_\*\.csv'/);
  });

  it('makes a hive-partitioned folder one container with its keys as fields', async () => {
    for (const [y, m] of [['2023', '12'], ['2024', '01'], ['2024', '02']]) writeFile(root, `data/events/year=${y}/month=${m}/part-0.csv`, csv(['1,2.0,2024-01-01 00:00:00']));
    await sync(root, 'landing');
    assert.deepEqual(snapshotNames(root, 'landing'), ['events/year=*/month=*/*.csv']);
    const text = [...snapshotFiles(root, 'landing').values()].find((t) => t.includes('hive_keys'))!;
    assert.match(text, /hive_keys:\n {4}- year\n {4}- month/);
    assert.match(text, /- name: year\n {4}type: BIGINT/);
  });

  it('gives files that differ only by case their own snapshot files', async () => {
    writeFile(root, 'data/Users.csv', 'id\n1\n');
    writeFile(root, 'data/users.csv', 'id\n2\n');
    await sync(root, 'landing');
    const files = [...snapshotFiles(root, 'landing').keys()].filter((f) => f !== '_index.yaml');
    assert.equal(files.length, 2);
    assert.equal(new Set(files.map((f) => f.toLowerCase())).size, 2);
  });

  it('reports empty, unreadable and disagreeing files as warnings naming the file', async () => {
    writeFile(root, 'data/a/empty.csv', '');
    for (const day of ['01', '02']) writeFile(root, `data/b/log_2024-01-${day}.csv`, csv(['1,2.0,2024-01-01 00:00:00']));
    writeFile(root, 'data/b/log_2024-01-03.csv', 'other,columns\nx,y\n');
    writeFile(root, 'data/c/broken.parquet', 'not parquet at all');
    const outcome = await sync(root, 'landing');
    assert.equal(outcome.result, 'warning');
    const warned = outcome.logs.filter((l) => l.level === 'warning').map((l) => `${l.code} ${l.file ?? ''}`);
    assert.ok(warned.includes('file-empty a/empty.csv'), warned.join('\n'));
    assert.ok(warned.includes('schema-split b/log_2024-01-03.csv'), warned.join('\n'));
    assert.ok(warned.includes('file-malformed c/broken.parquet'), warned.join('\n'));
  });

  it('stays inside its root: links that lead out are skipped with a warning unless follow_links is set', async () => {
    writeFile(root, 'data/inside/people.csv', 'id,name\n1,Ada\n');
    const outside = makeCatalog({ 'secret/passwd.csv': 'user,hash\nroot,x\n', 'secret/more/keys.csv': 'k\n1\n' });
    try {
      fs.symlinkSync(path.join(outside, 'secret', 'passwd.csv'), path.join(root, 'data', 'link.csv'));
      fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'data', 'linkdir'));
      fs.symlinkSync(path.join(root, 'data', 'inside', 'people.csv'), path.join(root, 'data', 'alias.csv'));
      const outcome = await sync(root, 'landing');
      assert.deepEqual(snapshotNames(root, 'landing'), ['alias.csv', 'inside/people.csv'], 'a link inside the root is fine');
      assert.deepEqual(outcome.logs.filter((l) => l.code === 'symlink-outside-root').map((l) => l.file).sort(), ['link.csv', 'linkdir']);
      writeFile(root, 'datastores/landing.yaml', `${DATASTORE}follow_links: true\n`);
      await sync(root, 'landing');
      assert.deepEqual(snapshotNames(root, 'landing'), ['alias.csv', 'inside/people.csv', 'link.csv', 'linkdir/more/keys.csv', 'linkdir/passwd.csv']);
    } finally {
      removeCatalog(outside);
    }
  });

  it('warns about ragged CSV rows and unparsable JSON lines, naming the file and the line', async () => {
    writeFile(root, 'data/r/ragged.csv', 'id,name\n1,Ada\n\n2,Bob,extra,more\n3,Cy\n4,Di,x\n');
    writeFile(root, 'data/r/events.jsonl', '{"id": 1}\n{"id": 2, oops}\n{"id": 3}\nnot json\n');
    const outcome = await sync(root, 'landing');
    assert.equal(outcome.result, 'warning');
    const warned = outcome.logs.filter((l) => l.level === 'warning').map((l) => `${l.code} ${l.file} ${l.message}`);
    assert.ok(warned.some((w) => /^ragged-rows r\/ragged\.csv r\/ragged\.csv, line 4 has 4 values where the first row has 2 \(and 1 more such row\); the extra values became columns column2, column3/.test(w)), warned.join('\n'));
    assert.ok(warned.some((w) => /^invalid-line r\/events\.jsonl r\/events\.jsonl, line 2 is not a valid JSON object \(and 1 more line\)/.test(w)), warned.join('\n'));
  });

  it('terminates on symlink loops and says so', async function () {
    writeFile(root, 'data/x/file_1.csv', 'id\n1\n');
    fs.symlinkSync('..', path.join(root, 'data', 'x', 'loop'));
    const outcome = await sync(root, 'landing');
    assert.ok(outcome.logs.some((l) => l.code === 'symlink-cycle'));
    assert.deepEqual(snapshotNames(root, 'landing'), ['x/file_*.csv']);
  });

  it('opens no unchanged file on a resync, and re-reads a file whose size or time changed', async () => {
    const file = path.join(root, 'data', 'people.csv');
    writeFile(root, 'data/people.csv', 'id,name\n1,Ada\n');
    const time = new Date('2026-01-01T00:00:00Z');
    fs.utimesSync(file, time, time);
    await sync(root, 'landing');
    const stat = fs.statSync(file);
    // Same size and modification time, different content: only a sync that opens the file can see it.
    fs.writeFileSync(file, 'id,nome\n1,Ada\n');
    fs.utimesSync(file, stat.atime, stat.mtime);
    const resync = await sync(root, 'landing');
    assert.equal(resync.changed, false);
    assert.equal(changeOf(resync, 'people.csv'), 'unchanged');
    fs.utimesSync(file, stat.atime, new Date(stat.mtimeMs + 5000));
    const changed = await sync(root, 'landing');
    assert.equal(changeOf(changed, 'people.csv'), 'changed');
    assert.match(snapshotFiles(root, 'landing').get('people.csv.yaml')!, /name: nome/);
  });

  it('replays a resync whose listing is unchanged (no snapshot rendered or read), and describes again when a file, a folder or the walk changed', async () => {
    for (const day of ['01', '02']) writeFile(root, `data/sales/orders_2024-01-${day}.csv`, csv([`1,2.5,2024-01-${day} 10:00:00`]));
    writeFile(root, 'data/people.csv', 'id,name\n1,Ada\n');
    const first = await sync(root, 'landing');
    assert.equal(first.replayed, false);
    const snapshots = snapshotFiles(root, 'landing');
    const resync = await sync(root, 'landing');
    assert.deepEqual([resync.replayed, resync.changed], [true, false]);
    // The replay reports what the described sync reported: the same containers, unchanged, and the same logs.
    assert.deepEqual(resync.plan?.changes.map((c) => [c.name, c.action]), first.plan?.changes.map((c) => [c.name, 'unchanged']));
    assert.deepEqual(resync.logs.map((l) => l.code), first.logs.map((l) => l.code));
    // A changed time: described again, and a real change is found where the content changed.
    writeFile(root, 'data/people.csv', 'id,nome\n1,Ada\n');
    const changed = await sync(root, 'landing');
    assert.equal(changed.replayed, false);
    assert.equal(changeOf(changed, 'people.csv'), 'changed');
    assert.equal((await sync(root, 'landing')).replayed, true, 'the described sync recorded the listing again');
    // What the walk reports is part of the listing: a symlink loop (no new file) is described again, and logged.
    fs.symlinkSync('..', path.join(root, 'data', 'sales', 'loop'));
    const looped = await sync(root, 'landing');
    assert.equal(looped.replayed, false);
    assert.ok(looped.logs.some((l) => l.code === 'symlink-cycle'));
    assert.equal(snapshotFiles(root, 'landing').get('sales/orders_*.csv.yaml'), snapshots.get('sales/orders_*.csv.yaml'));
  });

  it('rewrites the connector cache and the grouping notes only when a folder changed', async () => {
    for (const day of ['01', '02']) writeFile(root, `data/sales/orders_2024-01-${day}.csv`, csv([`1,2.5,2024-01-${day} 10:00:00`]));
    await sync(root, 'landing');
    const files = [path.join(root, '.cac', 'cache', 'landing.json'), path.join(root, '.cac', 'cache', 'landing.grouping.json')];
    const identity = (file: string) => { const stat = fs.statSync(file); return [stat.ino, stat.mtimeMs]; };
    const before = files.map(identity);
    const texts = files.map((file) => fs.readFileSync(file, 'utf8'));
    const resync = await sync(root, 'landing');
    assert.equal(resync.changed, false);
    assert.deepEqual(files.map(identity), before);
    writeFile(root, 'data/sales/orders_2024-01-03.csv', csv(['1,2.5,2024-01-03 10:00:00']));
    await sync(root, 'landing');
    for (const [i, file] of files.entries()) {
      assert.notEqual(fs.readFileSync(file, 'utf8'), texts[i]);
      assert.match(fs.readFileSync(file, 'utf8'), i === 0 ? /orders_2024-01-03/ : /"files":3/);
    }
  });

  it('describes the same containers and logs, in order, when a store\'s reads finish out of order', async () => {
    for (let f = 0; f < 12; f++) {
      for (let day = 1; day <= 14; day++) writeFile(root, `data/f${f}/orders_2024-01-${String(day).padStart(2, '0')}.csv`, csv([`${day},2.5,2024-01-01 10:00:00`]));
      writeFile(root, `data/f${f}/single_${f}.json`, `[{"id": ${f}}]`);
      writeFile(root, `data/f${f}/people.tsv`, 'id\tname\n1\tAda\n');
    }
    writeFile(root, 'data/f3/orders_2024-01-05.csv', 'other,columns\nx,y\n');
    writeFile(root, 'data/f4/empty.csv', '');
    writeFile(root, 'data/f5/broken.parquet', 'not parquet at all');
    for (const [y, m] of [['2023', '12'], ['2024', '01']]) writeFile(root, `data/events/year=${y}/month=${m}/part-0.csv`, csv(['1,2.0,2024-01-01 00:00:00']));
    const settings: DfsSettings = { extensions: ['csv', 'tsv', 'json', 'jsonl', 'parquet'], globbing: true, sample_files: 10, patterns: [] };
    const discover = (store: FileStore): ReturnType<ReturnType<typeof fileStoreConnector>['discover']> =>
      fileStoreConnector(store, settings).discover({ include: ['table'] }, { signal: new AbortController().signal });
    const local = new LocalFileStore(path.join(root, 'data'));
    const direct = await discover(local);
    const late = new LateStore(local);
    assert.deepEqual(await discover(late), direct);
    assert.ok(late.reads > 100, `${late.reads} reads`);
    // At most 8 files at once; the start of a Parquet file is two reads.
    assert.ok(late.mostInFlight > 1 && late.mostInFlight <= 16, `${late.mostInFlight} reads in flight`);
    const warned = direct.logs.filter((l) => l.level === 'warning').map((l) => `${l.code} ${l.file ?? l.container ?? ''}`).sort();
    assert.deepEqual(warned, [
      'container-unreadable f4/empty.csv', 'container-unreadable f5/broken.parquet',
      'file-empty f4/empty.csv', 'file-malformed f5/broken.parquet', 'schema-split f3/orders_2024-01-05.csv',
    ]);
  });

  it('stops reading and rejects when the sync is cancelled while reads are in flight', async () => {
    for (let f = 0; f < 40; f++) writeFile(root, `data/f${f}/only.csv`, 'id\n1\n');
    const controller = new AbortController();
    const late = new LateStore(new LocalFileStore(path.join(root, 'data')), () => {
      if (late.reads === 5) controller.abort(new Error('cancelled'));
    });
    const settings: DfsSettings = { extensions: ['csv'], globbing: true, sample_files: 10, patterns: [] };
    await assert.rejects(fileStoreConnector(late, settings).discover({ include: ['table'] }, { signal: controller.signal }), /cancelled/);
    const readsAtAbort = late.reads;
    // The folders described ahead settle without reading more and without unhandled rejections.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(late.reads <= readsAtAbort + 8, `${late.reads} reads after the abort at ${readsAtAbort}`);
    assert.ok(late.reads < 40);
  });

  it('fails clearly when the root folder does not exist', async () => {
    const outcome = await sync(root, 'landing');
    assert.equal(outcome.result, 'failure');
    assert.match(outcome.message!, /root folder .* does not exist/);
  });
});

/** A store over another whose reads each answer after a pseudo-random delay, so they finish out of order. */
class LateStore implements FileStore {
  reads = 0;
  mostInFlight = 0;
  private inFlight = 0;

  constructor(private readonly inner: FileStore, private readonly onRead: () => void = () => undefined) {}

  list(extensions: ReadonlySet<string>, signal: AbortSignal): Promise<FileStoreListing> {
    return this.inner.list(extensions, signal);
  }

  read(file: string, range: ByteRange): Promise<FileBytes> {
    return this.late(() => this.inner.read(file, range));
  }

  async open(file: string): Promise<OpenedFile> {
    const opened = await this.inner.open(file);
    return { read: (range) => this.late(() => opened.read(range)), close: () => opened.close() };
  }

  stat(file: string): Promise<FileStat> {
    return this.inner.stat(file);
  }

  private async late(read: () => Promise<FileBytes>): Promise<FileBytes> {
    this.onRead();
    this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, (this.reads++ * 7) % 4));
      return await read();
    } finally {
      this.inFlight--;
    }
  }
}

describe('snapshot index fast path', () => {
  const nameArb = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.constantFrom('yes', 'null', 'a: b', '# c', '- d', ' lead', 'trail ', 'x"y', '\\', '\u0085', '\ud800', 'f0000/events_*.csv'),
  );
  const indexArb: fc.Arbitrary<SnapshotIndex> = fc.record({
    datastore: nameArb,
    containers: fc.array(fc.record(
      { name: nameArb, file: nameArb, kind: nameArb, schema: nameArb, missing_from_source: fc.constant(true) },
      { requiredKeys: ['name', 'file'] },
    ), { maxLength: 4 }),
    removed: fc.array(fc.record({ name: nameArb, kind: nameArb }, { requiredKeys: ['name'] }), { maxLength: 3 }),
  });

  it('reads what renderIndex writes as the YAML parser does', () => {
    fc.assert(fc.property(indexArb, (index) => {
      const text = renderIndex(index);
      const fast = parseCanonicalIndex(text, INDEX_HEADER);
      assert.ok(fast, text);
      assert.equal(renderIndex(fast), text);
      assert.deepEqual(fast, parseYaml(text));
    }), { numRuns: 300 });
  });

  it('declines any other spelling, which is then parsed as YAML', () => {
    const index: SnapshotIndex = { datastore: 'landing', containers: [{ name: 'a.csv', file: 'a.csv.yaml', kind: 'file' }], removed: [{ name: 'b' }] };
    const text = renderIndex(index);
    const variants = [
      text.replace(/\n/g, '\r\n'),
      text.replace('kind: file', 'kind: file # edited'),
      text.replace('name: a.csv', "name: 'a.csv'"),
      text.replace('name: a.csv', 'name: "a.csv"'),
      text.replace('    kind: file\n', '    kind: file\n    missing_from_source: false\n'),
      text.replace('    kind: file\n', '    kind: file\n    kind: view\n'),
      text.replace(INDEX_HEADER, '# mine'),
      text.slice(0, -1),
    ];
    for (const variant of variants) {
      const fast = parseCanonicalIndex(variant, INDEX_HEADER);
      assert.ok(fast === undefined || renderIndex(fast) !== variant, variant);
    }
    // Through the catalog state: a hand-edited index still counts, a broken one is reported.
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'cac-index-'));
    try {
      fs.mkdirSync(path.join(dir, 'landing'));
      fs.writeFileSync(path.join(dir, 'landing', 'a.csv.yaml'), 'x');
      fs.writeFileSync(path.join(dir, 'landing', '_index.yaml'), variants[1]!);
      const state = readCatalogState(dir, 'landing');
      assert.deepEqual(state.index.containers, index.containers);
      assert.deepEqual(state.logs, []);
      fs.writeFileSync(path.join(dir, 'landing', '_index.yaml'), variants[5]!);
      assert.ok(readCatalogState(dir, 'landing').logs.some((l) => l.code === 'invalid-snapshot' && l.file === path.join('landing', '_index.yaml')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
