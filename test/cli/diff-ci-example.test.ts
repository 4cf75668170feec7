import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { removeCatalog, sqlite, sqliteCatalog } from '../helpers/syncFixtures';
import { CLI, ensureBuilt } from '../helpers/builtCli';

const REPO = path.resolve(__dirname, '..', '..');
const CI = path.join(REPO, 'examples', 'ci');

function git(root: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: root, stdio: 'ignore' });
}

/** Runs examples/ci/review.sh the way the workflow does, with the built CLI and no CI variables. */
function review(root: string, env: Record<string, string>): { code: number; stdout: string; stderr: string; markdown: string | undefined } {
  const result = spawnSync('bash', [path.join(CI, 'review.sh')], {
    cwd: root, encoding: 'utf8', timeout: 60000,
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), CAC_TRIGGERED_BY: 'ci@example.com', CAC: `${process.execPath} ${CLI}`, ...env },
  });
  const file = path.join(root, 'review.md');
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, markdown: fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined };
}

/**
 * A stand-in for the GitHub CLI on PATH: it answers the comment listing with FAKE_GH_COMMENTS and
 * records every call (arguments and stdin) in FAKE_GH_LOG, so no test talks to GitHub.
 */
function fakeGh(dir: string): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'gh'), [
    '#!/usr/bin/env node',
    "const fs = require('node:fs');",
    'const args = process.argv.slice(2);',
    "const input = fs.readFileSync(0, 'utf8');",
    "fs.appendFileSync(process.env.FAKE_GH_LOG, JSON.stringify({ args, input }) + '\\n');",
    "if (args.includes('--paginate')) process.stdout.write(process.env.FAKE_GH_COMMENTS || '');",
  ].join('\n'), { mode: 0o755 });
  return bin;
}

function post(dir: string, bin: string, args: string[], comments: object[]): { code: number; stdout: string; stderr: string; calls: { args: string[]; input: string }[] } {
  const log = path.join(dir, `gh-${Math.random().toString(36).slice(2)}.log`);
  fs.writeFileSync(log, '');
  const result = spawnSync(process.execPath, [path.join(CI, 'post-review-comment.mjs'), ...args], {
    encoding: 'utf8', timeout: 30000,
    env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`, FAKE_GH_LOG: log, FAKE_GH_COMMENTS: comments.map((c) => JSON.stringify(c)).join('\n'), GITHUB_REPOSITORY: 'acme/catalog' },
  });
  const calls = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { args: string[]; input: string });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, calls };
}

describe('examples/ci: the pull-request review workflow, run locally', function () {
  this.timeout(120000);
  let root: string;
  before(function () {
    ensureBuilt();
    root = sqliteCatalog('CREATE TABLE orders (id INTEGER PRIMARY KEY, legacy TEXT);', { '.gitignore': '.cac/\nshop.sqlite\nreview.md\n' });
    git(root, 'init', '-q');
    assert.equal(spawnSync(process.execPath, [path.join(REPO, 'bin', 'cac.js'), 'sync', '--root', root]).status, 0);
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'base');
  });
  after(() => removeCatalog(root));

  it('is a workflow that validates, reviews and posts one comment', () => {
    const workflow = parseYaml(fs.readFileSync(path.join(CI, 'catalog-review.yml'), 'utf8')) as { on: object; permissions: Record<string, string>; jobs: { review: { steps: { name?: string; run?: string; uses?: string }[] } } };
    assert.deepEqual(Object.keys(workflow.on), ['pull_request']);
    assert.equal(workflow.permissions['pull-requests'], 'write');
    const steps = workflow.jobs.review.steps.map((s) => s.run ?? s.uses ?? '');
    const order = ['cac validate', 'review.sh', 'post-review-comment.mjs'].map((needle) => steps.findIndex((s) => s.includes(needle)));
    assert.ok(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]!)), `validate, review, post in that order: ${JSON.stringify(order)}`);
  });

  it('review.sh exits 0 without changes, 2 with changes, and writes the comment with its marker in either mode', () => {
    const clean = review(root, { BASE_REF: 'HEAD' });
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.markdown ?? '', /^<!-- cac-review: all -->\n[\s\S]*\*\*No changes\*\*/);

    sqlite(path.join(root, 'shop.sqlite'), 'ALTER TABLE orders DROP COLUMN legacy;');
    const drift = review(root, { CAC_REVIEW_MODE: 'sync' });
    assert.equal(drift.code, 2, drift.stdout + drift.stderr);
    assert.match(drift.stdout, /~ orders — field legacy removed \(breaking\)/, 'the log has the full review');
    assert.match(drift.markdown ?? '', /^<!-- cac-review: all -->\n[\s\S]*what the sync would write \(dry run\)[\s\S]*> \[!WARNING\]/);

    assert.equal(spawnSync(process.execPath, [path.join(REPO, 'bin', 'cac.js'), 'sync', '--root', root]).status, 0);
    const changed = review(root, { BASE_REF: 'HEAD' });
    assert.equal(changed.code, 2, changed.stdout + changed.stderr);
    assert.match(changed.stdout, /field legacy removed \(breaking\)/);
    assert.match(changed.markdown ?? '', /^<!-- cac-review: all -->\n[\s\S]*Compares `HEAD` \([0-9a-f]{7}\) with the working tree\./);

    const broken = review(root, { BASE_REF: 'origin/missing' });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /'origin\/missing' is not a commit/);
  });

  it('post-review-comment.mjs creates the comment once, then updates the one that carries the marker', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-gh-'));
    try {
      const bin = fakeGh(dir);
      const file = path.join(dir, 'review.md');
      fs.writeFileSync(file, '<!-- cac-review: all -->\n### Catalog review: all datastores\n\n**1 container changed**\n');

      const created = post(dir, bin, [file, '--pr', '7'], [{ id: 1, first_line: 'LGTM' }]);
      assert.equal(created.code, 0, created.stderr);
      assert.deepEqual(created.calls.map((c) => c.args.slice(0, 4)), [
        ['api', '--paginate', 'repos/acme/catalog/issues/7/comments', '--jq'],
        ['api', '--method', 'POST', 'repos/acme/catalog/issues/7/comments'],
      ]);
      assert.deepEqual(JSON.parse(created.calls[1]!.input), { body: fs.readFileSync(file, 'utf8') });

      const updated = post(dir, bin, [file, '--pr', '7'], [{ id: 1, first_line: 'LGTM' }, { id: 99, first_line: '<!-- cac-review: all -->' }, { id: 100, first_line: '<!-- cac-review: shop -->' }]);
      assert.equal(updated.code, 0, updated.stderr);
      assert.deepEqual(updated.calls[1]!.args.slice(0, 4), ['api', '--method', 'PATCH', 'repos/acme/catalog/issues/comments/99']);
      assert.match(updated.stdout, /Updated review comment 99 on acme\/catalog#7/);

      const quiet = post(dir, bin, [file, '--pr', '7', '--only-update'], []);
      assert.equal(quiet.code, 0, quiet.stderr);
      assert.equal(quiet.calls.length, 1, 'only the listing: a run without changes creates no comment');

      fs.writeFileSync(file, 'no marker here\n');
      const refused = post(dir, bin, [file, '--pr', '7'], []);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /does not start with a review marker/);
      assert.equal(refused.calls.length, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
