import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeUnexpected } from '../../server/src/cli/main';
import { CAC_ENV, CLI, ensureBuilt, runCac } from '../helpers/builtCli';
import { removeCatalog, sqliteCatalog, sync } from '../helpers/syncFixtures';

describe('cac: errors people read, not stack traces', () => {
  it('refuses a --root that does not exist or is not a folder, instead of finding nothing there', () => {
    const missing = runCac(['validate', '--root', '/no/such/dir']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: --root \/no\/such\/dir: no such folder \(\/no\/such\/dir\)\. Check the path\.\n$/);
    const file = path.join(os.tmpdir(), `cac-root-file-${process.pid}`);
    fs.writeFileSync(file, '');
    try {
      assert.match(runCac(['history', '--root', file]).stderr, /is not a folder/);
    } finally {
      fs.rmSync(file);
    }
  });

  it('says an unreadable history is unreadable, in one line, never "No operations yet"', () => {
    const root = sqliteCatalog('CREATE TABLE t (id INTEGER PRIMARY KEY);');
    try {
      // Tests run as root, where chmod cannot deny a read: a file where the folder should be fails the same way.
      fs.mkdirSync(path.join(root, '.cac'), { recursive: true });
      fs.writeFileSync(path.join(root, '.cac', 'operations'), '');
      const listed = runCac(['history', '--root', root]);
      assert.equal(listed.code, 1);
      assert.doesNotMatch(listed.stdout, /No operations yet/);
      assert.match(listed.stderr, /^error: cannot scandir .*\.cac\/operations: a part of the path is not a folder \(ENOTDIR\)\. Check the path\.\n$/);
    } finally {
      removeCatalog(root);
    }
  });

  it('summarises a first sync of many tables on a terminal and lists them all with --verbose', () => {
    const root = sqliteCatalog(Array.from({ length: 120 }, (_, i) => `CREATE TABLE t${String(i).padStart(3, '0')} (id INTEGER PRIMARY KEY);`).join('\n'));
    try {
      const dry = runCac(['sync', '--root', root, '--dry-run']);
      assert.equal(dry.stdout.split('\n').filter((line) => line.startsWith('  + ')).length, 50);
      assert.match(dry.stdout, /… and 70 more changed containers \(--verbose lists them all/);
      const verbose = runCac(['sync', '--root', root, '--dry-run', '--verbose']);
      assert.equal(verbose.stdout.split('\n').filter((line) => line.startsWith('  + ')).length, 120);
    } finally {
      removeCatalog(root);
    }
  });

  it('reports errors as JSON on stdout when JSON was asked for', () => {
    const missing = runCac(['history', 'show', '7', '--root', '/no/such/dir', '--format', 'json']);
    assert.equal(missing.code, 1);
    assert.deepEqual(JSON.parse(missing.stdout), { error: { message: '--root /no/such/dir: no such folder (/no/such/dir). Check the path.', exit_code: 1 } });
    assert.equal(missing.stderr, '');
  });

  it('ends quietly when the reader of its output stops reading (`cac history | head -1`)', async function () {
    this.timeout(60_000);
    ensureBuilt();
    const root = sqliteCatalog('CREATE TABLE t (id INTEGER PRIMARY KEY);');
    try {
      for (let i = 0; i < 3; i++) await sync(root, 'shop');
      // The reader closes its end at once; every later write of ours meets a closed pipe.
      const child = spawn(process.execPath, [CLI, 'history', '--root', root, '--limit', '1000'], { env: CAC_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(stderr, '', 'no EPIPE stack trace');
      assert.equal(code, 0);
    } finally {
      removeCatalog(root);
    }
  });

  it('says which file and what to do for a file-system error, and keeps the stack for CAC_DEBUG', () => {
    const error = Object.assign(new Error("EACCES: permission denied, open '/x/.cac/operations/00000001.json'"), { code: 'EACCES', syscall: 'open', path: '/x/.cac/operations/00000001.json' });
    assert.equal(describeUnexpected(error, {}), 'cannot open /x/.cac/operations/00000001.json: permission denied (EACCES). Give your user read (and for syncs, write) access to it, or run as its owner.');
    assert.match(describeUnexpected(new Error('boom'), {}), /^boom \(set CAC_DEBUG=1 for the details/);
    assert.match(describeUnexpected(new Error('boom'), { CAC_DEBUG: '1' }), /^Error: boom\n\s+at /);
  });

  it('escapes control characters and bidi overrides of source names in every human-readable output; JSON stays exact', () => {
    const hostile = ['esc\u001b[31mRED\u001b]0;pwned\u0007', 'two\nlines', 'rev\u202eersed'];
    const root = sqliteCatalog(hostile.map((name) => `CREATE TABLE "${name}" (id INTEGER PRIMARY KEY);`).join('\n'));
    try {
      const outputs = [runCac(['sync', '--root', root]), runCac(['history', 'show', '1', '--root', root]), runCac(['sync', '--root', root, '--dry-run'])];
      for (const { stdout, stderr } of outputs) {
        // Matching control characters is the point of this check.
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(stdout + stderr, /[\u0000-\u0009\u000b-\u001f\u007f\u202e]/, 'no raw control or bidi character reaches the terminal');
      }
      assert.ok(outputs[0]!.stdout.includes('esc\\u001b[31mRED\\u001b]0;pwned\\u0007'), outputs[0]!.stdout);
      assert.ok(outputs[1]!.stdout.includes('two\\nlines') && outputs[1]!.stdout.includes('rev\\u202eersed'), outputs[1]!.stdout);
      const json = JSON.parse(runCac(['history', 'show', '1', '--root', root, '--format', 'json']).stdout) as { items: { changes: { name: string }[] }[] };
      assert.deepEqual(json.items[0]!.changes.map((c) => c.name).sort(), [...hostile].sort());
    } finally {
      removeCatalog(root);
    }
  });
});
