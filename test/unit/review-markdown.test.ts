import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { GITHUB_COMMENT_LIMIT, compareSnapshotTrees, openGitRepository, readGitSnapshots, readWorkingTreeSnapshots, renderReviewMarkdown, renderReviewText, reviewMarker, type CatalogReview } from '../../server/src/core';
import { markdownCode } from '../../server/src/core/review/markdownEscape';
import { removeCatalog, sqlite, sqliteCatalog, sync } from '../helpers/syncFixtures';

function git(root: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: root, stdio: 'ignore' });
}

/** Syncs `baseSql` and commits it, applies `changeSql` and syncs again: the review of HEAD against the working tree. */
async function reviewOf(baseSql: string, changeSql: string, options: { forcePrune?: boolean; prune?: boolean } = {}): Promise<{ root: string; review: CatalogReview }> {
  const root = sqliteCatalog(baseSql, { '.gitignore': '.cac/\nshop.sqlite\n' });
  git(root, 'init', '-q');
  await sync(root, 'shop');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'base');
  sqlite(path.join(root, 'shop.sqlite'), changeSql);
  await sync(root, 'shop', options);
  return { root, review: compareSnapshotTrees(readGitSnapshots(openGitRepository(root), 'HEAD'), readWorkingTreeSnapshots(root)) };
}

/** A line with code spans and `<code>` elements taken out: what GitHub would interpret as Markdown and HTML. */
function outsideCode(line: string): string {
  let out = '';
  for (let i = 0; i < line.length;) {
    if (line[i] === '\\' && i + 1 < line.length) {
      out += line.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (line[i] !== '`') {
      out += line[i++];
      continue;
    }
    let end = i;
    while (line[end] === '`') end++;
    const fence = line.slice(i, end);
    // The closing fence is a backtick run of exactly the same length.
    const closing = new RegExp(`(?<!\`)${fence}(?!\`)`, 'g');
    closing.lastIndex = end;
    const match = closing.exec(line);
    if (!match) {
      out += fence;
      i = end;
      continue;
    }
    out += 'CODE';
    i = match.index + fence.length;
  }
  return out.replace(/<code>[^<]*<\/code>/g, 'CODE');
}

/** Cell delimiters of a GFM table row: pipes not preceded by a backslash (cmark-gfm's rule, even inside code spans). */
function delimiters(row: string): number {
  return (row.match(/(?<!\\)\|/g) ?? []).length;
}

const SQL_NAME = (name: string): string => `"${name.replace(/"/g, '""')}"`;

describe('review as a pull-request comment', function () {
  this.timeout(120000);
  const roots: string[] = [];
  after(() => roots.forEach(removeCatalog));

  it('neutralises hostile container, field and type names: pipes, backticks, HTML, mentions, line breaks, very long names', async () => {
    const hostileTables = [
      'pipe|table', 'tick`s``here', '<script>alert(1)</script>', '@octocat and @github/security', 'new\nline\r\nname',
      '**bold** _it_ ~~s~~ [link](https://evil.example) &amp; #1 :tada:', '\u202eevil\u200b', 'x'.repeat(3000), ' padded ',
    ];
    const columns = ['"col|x" TEXT', '"@everyone" TEXT', '"a`b" TEXT', '"<img src=x onerror=alert(1)>" TEXT', '"line\nbreak" TEXT', 'typed "a|b<i>@x"'];
    const { root, review } = await reviewOf('CREATE TABLE base (id INTEGER);',
      hostileTables.map((name) => `CREATE TABLE ${SQL_NAME(name)} (${columns.join(', ')});`).join('\n')
      + '\nALTER TABLE base ADD COLUMN "<b>|`@you`"; ALTER TABLE base DROP COLUMN id;');
    roots.push(root);
    assert.equal(review.containers.length, hostileTables.length + 1);
    const markdown = renderReviewMarkdown(review);
    const lines = markdown.split('\n');

    // Nothing a name holds can start a new line, reorder text or hide in it.
    for (const invisible of ['\r', '\u2028', '\u2029', '\u202e', '\u200b', '\u001b']) assert.ok(!markdown.includes(invisible));
    assert.ok(markdown.includes('new\\nline\\r\\nname'), 'line breaks are shown as \\n');
    assert.ok(markdown.includes('\\u202eevil\\u200b'), 'bidi and zero-width characters are shown as escapes');
    // Every table row keeps its columns: pipes inside names are escaped, so they never split a cell.
    for (const line of lines.filter((l) => l.startsWith('|'))) {
      const header = line.startsWith('| | Datastore') || /^\| :-: \| --- \| --- \| --- \| --- \| :-: \|$/.test(line);
      const columnCount = [7, 6, 5].find((n) => n === delimiters(line));
      assert.ok(columnCount !== undefined || header, `row keeps its cells: ${line}`);
    }
    const containerRows = lines.filter((l) => /^\| (➕|➖|✏️) \|/.test(l));
    assert.equal(containerRows.length, hostileTables.length + 1);
    for (const row of containerRows) assert.equal(delimiters(row), 7, row);
    // Outside code, nothing is Markdown or HTML a name put there: no tags, mentions, links or emphasis.
    for (const [index, line] of lines.entries()) {
      const rest = outsideCode(line);
      if (index === 0) {
        assert.equal(line, '<!-- cac-review: all -->');
        continue;
      }
      const tags = rest.match(/<\/?[A-Za-z!][^>]*>/g) ?? [];
      assert.deepEqual(tags.filter((tag) => !['<details>', '</details>', '<summary>', '</summary>'].includes(tag)), [], `no foreign HTML in: ${line}`);
      assert.ok(!rest.includes('@'), `no mention outside code in: ${line}`);
      assert.ok(!/\]\(|https?:|\*\*bold|~~s~~|:tada:|&amp;amp;/.test(rest), `no link, emphasis or emoji from a name in: ${line}`);
    }
    // Inside <summary> (raw HTML), names are entity-escaped <code>.
    assert.ok(markdown.includes('<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>'));
    assert.ok(markdown.includes('<code>&#64;octocat and &#64;github/security</code>'));
    // Backticks inside a name get a longer fence; pipes inside code spans in tables are escaped.
    assert.ok(markdown.includes('```tick`s``here```'));
    assert.ok(markdown.includes('`pipe\\|table`'));
    assert.ok(markdown.includes('`col\\|x`'));
    assert.ok(markdown.includes('`a\\|b<i>@x`'), 'a hostile type is code too');
    // A very long name is clipped around an ellipsis, everywhere it appears.
    assert.ok(!markdown.includes('x'.repeat(200)));
    assert.ok(markdown.includes(`\`${'x'.repeat(119)}…${'x'.repeat(40)}\``));
    assert.ok(markdown.length < GITHUB_COMMENT_LIMIT);
    // Spaces a name starts or ends with survive the code span's own space stripping.
    assert.ok(markdown.includes('``  padded  ``') || markdown.includes('`  padded  `'));

    // The terminal and CI log get no raw control characters either.
    const text = renderReviewText(review);
    for (const invisible of ['\r', '\u202e', '\u001b']) assert.ok(!text.includes(invisible));
    assert.ok(text.includes('new\\nline\\r\\nname'));
  });

  it('opens with the marker, a one-line summary with counts and a breaking-change warning, then the table and collapsed details', async () => {
    const { root, review } = await reviewOf('CREATE TABLE orders (id INTEGER, legacy TEXT); CREATE TABLE old (id INTEGER); CREATE TABLE keep (id INTEGER);',
      'ALTER TABLE orders DROP COLUMN legacy; ALTER TABLE orders ADD COLUMN email TEXT; DROP TABLE old; CREATE TABLE fresh (id INTEGER PRIMARY KEY);',
      { prune: true, forcePrune: true });
    roots.push(root);
    const markdown = renderReviewMarkdown(review);
    assert.equal(markdown, renderReviewMarkdown(review), 'deterministic');
    const lines = markdown.split('\n');
    assert.deepEqual(lines.slice(0, 6), [
      '<!-- cac-review: all -->',
      '### Catalog review: all datastores',
      '',
      '**1 container added, 1 container removed, 1 container changed** · 1 field added, 1 field removed · **⚠️ 2 breaking changes**',
      '',
      `Compares \`HEAD\` (${review.base.commit!.slice(0, 7)}) with the working tree.`,
    ]);
    assert.equal(lines[7], '> [!WARNING]');
    assert.match(lines[8]!, /^> \*\*2 breaking changes\*\* in 2 containers: /);
    const rows = lines.filter((l) => /^\| (➕|➖|✏️) \|/.test(l));
    assert.deepEqual(rows, [
      '| ➖ | `shop` | `old` | `table` | snapshot deleted (had 1 field) | ⚠️ |',
      '| ✏️ | `shop` | `orders` | `table` | field removed, field added | ⚠️ |',
      '| ➕ | `shop` | `fresh` | `table` | added (table, 1 field) |  |',
    ]);
    assert.equal(markdown.match(/<details><summary>/g)?.length, 3);
    assert.ok(markdown.includes('| field removed | `legacy` | `TEXT` |  | ⚠️ |'));
    assert.ok(markdown.endsWith('</details>\n'));
    assert.equal(reviewMarker(['shop_db', 'a-->b']), '<!-- cac-review: shop_db,a-_-_b -->');
  });

  it('says "no changes" under the same marker, so CI can update an earlier comment', async () => {
    const { root, review } = await reviewOf('CREATE TABLE t (id INTEGER);', 'SELECT 1;');
    roots.push(root);
    assert.equal(renderReviewMarkdown(review), `<!-- cac-review: all -->\n### Catalog review: all datastores\n\n**No changes** to the snapshots.\n\nCompares \`HEAD\` (${review.base.commit!.slice(0, 7)}) with the working tree.\n`);
  });

  it('shortens a review over GitHub\'s limit, keeping the marker, summary and warning intact and saying where the full review is', async () => {
    const columns = Array.from({ length: 8 }, (_, i) => `column_with_a_long_name_${i} TEXT`).join(', ');
    const tables = Array.from({ length: 1000 }, (_, i) => `CREATE TABLE table_with_a_rather_long_name_${String(i).padStart(4, '0')} (${columns});`).join('\n');
    const { root, review } = await reviewOf(
      Array.from({ length: 5 }, (_, i) => `CREATE TABLE zz_dropped_${i} (id INTEGER);`).join('\n'),
      `${tables}\n${Array.from({ length: 5 }, (_, i) => `DROP TABLE zz_dropped_${i};`).join('\n')}`,
      { prune: true, forcePrune: true });
    roots.push(root);
    const full = renderReviewMarkdown(review, { maxLength: Number.POSITIVE_INFINITY });
    assert.ok(full.length > GITHUB_COMMENT_LIMIT * 5, `the full review is long: ${full.length}`);

    const url = 'https://github.com/acme/catalog/actions/runs/42';
    const short = renderReviewMarkdown(review, { fullReview: { url, command: 'cac diff --base origin/main' } });
    assert.ok(short.length <= GITHUB_COMMENT_LIMIT, `under the limit: ${short.length}`);
    const head = full.split('\n').slice(0, 10);
    assert.deepEqual(short.split('\n').slice(0, 10), head, 'marker, summary, sides and warning are as in the full review');
    assert.equal(head[3], '**1000 containers added, 5 containers removed** · **⚠️ 5 breaking changes**');
    const note = /> Shortened to fit a GitHub comment: the table lists (\d+) of 1005 changed containers, with details for (\d+)\. The full review is in \[the CI job log\]\(<([^>]+)>\)\. Run `cac diff --base origin\/main` for the full review\./.exec(short);
    assert.ok(note, 'a note says what was left out and where the full review is');
    assert.equal(note[3], url);
    const rows = short.split('\n').filter((l) => /^\| (➕|➖|✏️) \|/.test(l));
    assert.equal(rows.length, Number(note[1]));
    assert.ok(rows.length > 100 && rows.length < 1005);
    assert.ok(rows.slice(0, 5).every((row) => row.startsWith('| ➖ | `shop` | `zz_dropped_')), 'breaking containers come first and survive');
    assert.ok(short.includes(`| … | | ${1005 - rows.length} more containers | | not shown (see below) | |`));

    // A smaller review whose table fits but whose details do not.
    const partial: CatalogReview = { ...review, containers: review.containers.slice(0, 60) };
    const limited = renderReviewMarkdown(partial, { maxLength: 20_000 });
    assert.ok(limited.length <= 20_000);
    const detailed = /the table lists 60 of 60 changed containers, with details for (\d+)\./.exec(limited);
    assert.ok(detailed, 'the whole table, some details');
    const shownDetails = limited.match(/<details><summary>/g)?.length ?? 0;
    assert.equal(shownDetails, Number(detailed[1]));
    assert.ok(shownDetails > 0 && shownDetails < 60);
    assert.match(limited, /The full review is in the text output of the same command/);
  });

  it('fences code spans so any backtick run or edge space stays inside', () => {
    assert.equal(markdownCode('plain'), '`plain`');
    assert.equal(markdownCode('a`b'), '``a`b``');
    assert.equal(markdownCode('`lead'), '`` `lead ``');
    assert.equal(markdownCode('a|b', { inTable: true }), '`a\\|b`');
    assert.equal(markdownCode('a\\|b', { inTable: true }), '`a\\\\|b`');
    assert.equal(markdownCode(''), '`(empty)`');
    assert.equal(markdownCode('tab\there'), '`tab\\there`');
  });
});
