import assert from 'node:assert/strict';
import { runCac } from '../helpers/builtCli';
import { removeCatalog, sqliteCatalog } from '../helpers/syncFixtures';

describe('cac test-connection', function () {
  this.timeout(120_000);
  let root: string;
  before(() => {
    root = sqliteCatalog('CREATE TABLE t (id INTEGER PRIMARY KEY);', {
      'datastores/gone.yaml': 'kind: Datastore\nname: gone\ntype: sqlite\nconnection:\n  path: ../gone.sqlite\n',
      'datastores/pg.yaml': 'kind: Datastore\nname: pg\ntype: postgresql\nconnection:\n  host: 127.0.0.1\n  port: 1\n  database: d\n  user: u\n  password: ${env:PG_PASSWORD}\n',
    });
  });
  after(() => removeCatalog(root));

  it('says what it opened and exits 0', () => {
    const result = runCac(['--root', root, 'test-connection', 'shop']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ok Opened .*shop\.sqlite read-only \(SQLite [\d.]+; tables and views: 1\)\. \(\d+ ms\)\n$/);
  });

  it('says what failed and what to check, and exits 1', () => {
    const result = runCac(['--root', root, 'test-connection', 'gone']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^failed The SQLite database '.*gone\.sqlite' of datastore 'gone' does not exist\. Check connection\.path\.\n$/);
  });

  it('answers JSON with --format json, and never prints the password', () => {
    const result = runCac(['--root', root, '--format', 'json', 'test-connection', 'pg'], { PG_PASSWORD: 'pw-cli-secret' });
    assert.equal(result.code, 1);
    const answer = JSON.parse(result.stdout) as { datastore: string; ok: boolean; message: string; duration_ms: number };
    assert.deepEqual([answer.datastore, answer.ok], ['pg', false]);
    assert.match(answer.message, /Nothing answers at 127\.0\.0\.1:1 .*connection refused/);
    assert.ok(!result.stdout.includes('pw-cli-secret') && !result.stderr.includes('pw-cli-secret'));
  });

  it('refuses an unknown datastore, suggesting the nearest', () => {
    const result = runCac(['--root', root, 'test-connection', 'shopp']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /No datastore named 'shopp' is defined here\. Did you mean 'shop'\?/);
  });
});
