import assert from 'node:assert/strict';
import fc from 'fast-check';
import { extensionDot, extensionOf, formatOfExtension, snapshotFormat } from '../../server/src/core/connectors/dfs/fileFormats';
import { groupFolderFiles, matchesPattern, type FileGroup } from '../../server/src/core/connectors/dfs/globbing';

const NAMES = { globbing: true } as const;

/** Compact view of the groups: pattern → files, in output order. */
function summary(groups: FileGroup[]): Array<[string, string[]]> {
  return groups.map((group) => [group.pattern, group.files]);
}

function only(fileNames: string[]): FileGroup {
  const { groups, overlaps } = groupFolderFiles(fileNames, NAMES);
  assert.equal(groups.length, 1, JSON.stringify(summary(groups)));
  assert.deepEqual(overlaps, []);
  return groups[0]!;
}

describe('dfs globbing: groupFolderFiles', () => {
  it('globs year and version when both vary, keeping the letters of a mixed token', () => {
    const group = only(['project_data_2023_v1.csv', 'project_data_2024_v2.csv']);
    assert.deepEqual(group, {
      pattern: 'project_data_*_v*.csv', globbed: true, extension: 'csv',
      files: ['project_data_2023_v1.csv', 'project_data_2024_v2.csv'], varyingTokens: [2, 3],
    });
  });

  it('always globs a number or date, so a family keeps its name as files come and go', () => {
    assert.equal(only(['project_data_2023_v2.csv', 'project_data_2023_v1.csv']).pattern, 'project_data_*_v*.csv');
    // A lone dated file is already named by its family's pattern: the second day changes nothing.
    assert.deepEqual(only(['sales_2024-01-01.csv']), { pattern: 'sales_*.csv', globbed: true, extension: 'csv', files: ['sales_2024-01-01.csv'], varyingTokens: [1] });
    assert.equal(only(['sales_2024-01-01.csv', 'sales_2024-01-02.csv']).pattern, 'sales_*.csv');
    assert.equal(only(['user_123_profile_2023-06-01.json']).pattern, 'user_*_profile_*.json');
    // A mixed token is part of the name until it varies.
    assert.deepEqual(only(['report_v1.csv']).pattern, 'report_v1.csv');
    assert.deepEqual(only(['report_v1.csv', 'report_v2.csv']).pattern, 'report_v*.csv');
  });

  it('never groups names that share no literal token', () => {
    // Each token holds a digit: the old rule made these one container `*_*.csv`.
    const { groups } = groupFolderFiles(['sales2023_q1.csv', 'returns2024_q2.csv'], NAMES);
    assert.deepEqual(summary(groups), [['returns2024_q2.csv', ['returns2024_q2.csv']], ['sales2023_q1.csv', ['sales2023_q1.csv']]]);
    const dates = groupFolderFiles(['2023_q1.csv', '2024_q2.csv', '2024-01-01.csv', '2024-01-02.csv'], NAMES).groups;
    assert.deepEqual(summary(dates), [['*_q*.csv', ['2023_q1.csv', '2024_q2.csv']], ['2024-01-01.csv', ['2024-01-01.csv']], ['2024-01-02.csv', ['2024-01-02.csv']]]);
  });

  it('aligns names of different lengths on their literal tokens, from the left or the right', () => {
    assert.equal(only(['events_2024-01-01.json', 'events_20240102.json', 'events_2024_01_03_2.json']).pattern, 'events_*.json');
    assert.equal(only(['2024-01-01_sales.csv', '20240102_sales.csv']).pattern, '*_sales.csv');
  });

  it('reads a UUID or a hex hash as one variable part (Spark and Hive output)', () => {
    const group = only([
      'part-00000-c5f1b6de-1f2a-4b9b-9c3a-0e8f1a2b3c4d-c000.snappy.parquet',
      'part-00001-abcdefab-cdef-abcd-9c3a-0e8f1a2b3c4d-c000.snappy.parquet',
    ]);
    assert.equal(group.pattern, 'part-*-c000.snappy.parquet');
    assert.equal(only(['dump_3f2a9c1e.csv', 'dump_a0b1c2d3e4.csv']).pattern, 'dump_*.csv');
  });

  it('treats a dash-joined date as one token', () => {
    const group = only(['user_123_profile_2023-06-01.json', 'user_456_profile_2023-06-02.json']);
    assert.equal(group.pattern, 'user_*_profile_*.json');
    assert.deepEqual(group.varyingTokens, [1, 3]);
  });

  it('groups names that differ only in separators and writes `_` where they disagree', () => {
    const group = only(['orders_20240229.csv', 'orders-20240228.csv']);
    assert.equal(group.pattern, 'orders_*.csv');
    assert.deepEqual(group.files, ['orders-20240228.csv', 'orders_20240229.csv']);
    assert.deepEqual(group.varyingTokens, [1]);
  });

  it('keeps a separator all files agree on', () => {
    assert.equal(only(['orders-1.csv', 'orders-2.csv']).pattern, 'orders-*.csv');
  });

  it('globs a month of daily files into one container', () => {
    const days = Array.from({ length: 31 }, (_, i) => `events_2024-01-${String(i + 1).padStart(2, '0')}.csv`);
    const group = only(days.slice().reverse());
    assert.equal(group.pattern, 'events_*.csv');
    assert.deepEqual(group.files, days);
    assert.deepEqual(group.varyingTokens, [1]);
  });

  it('splits a mixed folder into one container per name shape', () => {
    const { groups, overlaps } = groupFolderFiles([
      'readme_v1.csv', 'products_2025.csv', 'orders_2024.csv', 'customers.csv', 'orders_2025.csv', 'products_2024.csv',
    ], NAMES);
    assert.deepEqual(summary(groups), [
      ['customers.csv', ['customers.csv']],
      ['orders_*.csv', ['orders_2024.csv', 'orders_2025.csv']],
      ['products_*.csv', ['products_2024.csv', 'products_2025.csv']],
      ['readme_v1.csv', ['readme_v1.csv']],
    ]);
    assert.deepEqual(groups.map((group) => group.globbed), [false, true, true, false]);
    assert.deepEqual(groups[3]!.varyingTokens, []);
    assert.deepEqual(overlaps, []);
  });

  it('never merges unrelated names', () => {
    const { groups } = groupFolderFiles(['orders_1.csv', 'invoices_2.csv', 'orders_1_x.csv', 'x_orders_1.csv'], NAMES);
    assert.deepEqual(summary(groups), [
      ['invoices_*.csv', ['invoices_2.csv']],
      ['orders_*.csv', ['orders_1.csv']],
      ['orders_*_x.csv', ['orders_1_x.csv']],
      ['x_orders_*.csv', ['x_orders_1.csv']],
    ]);
  });

  it('groups per extension, lower-cased', () => {
    const { groups } = groupFolderFiles(['a.csv', 'a.json', 'b_1.CSV', 'b_2.csv', 'b_3.json'], NAMES);
    assert.deepEqual(summary(groups), [
      ['a.csv', ['a.csv']],
      ['a.json', ['a.json']],
      ['b_*.csv', ['b_1.CSV', 'b_2.csv']],
      ['b_*.json', ['b_3.json']],
    ]);
    assert.deepEqual(groups.map((group) => group.extension), ['csv', 'json', 'csv', 'json']);
  });

  it('never globs single-token stems or names without a number or a varying token', () => {
    const { groups } = groupFolderFiles(['2024.csv', '2025.csv', 'customers.csv', 'orders_x.csv', 'orders-x.csv', '2024-01-01.csv', '2024-01-02.csv', 'v1_v2.csv'], NAMES);
    assert.ok(groups.every((group) => !group.globbed && group.files.length === 1 && group.pattern === group.files[0]));
    assert.equal(groups.length, 8);
  });

  it('is case-sensitive on tokens', () => {
    const { groups } = groupFolderFiles(['Orders_1.csv', 'orders_2.csv'], NAMES);
    assert.deepEqual(summary(groups), [['Orders_*.csv', ['Orders_1.csv']], ['orders_*.csv', ['orders_2.csv']]]);
  });

  it('keeps files apart when nothing but separators or extension case differ and no token is a number', () => {
    const { groups } = groupFolderFiles(['a_v1.csv', 'a-v1.csv', 'a_v1.CSV'], NAMES);
    assert.ok(groups.every((group) => !group.globbed));
    assert.equal(groups.length, 3);
    assert.deepEqual(summary(groupFolderFiles(['a_1.csv', 'a-1.csv', 'a_1.CSV'], NAMES).groups), [['a_*.csv', ['a-1.csv', 'a_1.CSV', 'a_1.csv']]]);
  });

  it('reports overlapping patterns and keeps the split by shape', () => {
    const { groups, overlaps } = groupFolderFiles(
      ['project_data_1_suffix.csv', 'project_data_2.csv', 'project_data_2_suffix.csv', 'project_data_1.csv'], NAMES);
    assert.deepEqual(summary(groups), [
      ['project_data_*.csv', ['project_data_1.csv', 'project_data_2.csv']],
      ['project_data_*_suffix.csv', ['project_data_1_suffix.csv', 'project_data_2_suffix.csv']],
    ]);
    assert.deepEqual(overlaps, [
      { pattern: 'project_data_*.csv', file: 'project_data_1_suffix.csv', ownContainer: 'project_data_*_suffix.csv' },
      { pattern: 'project_data_*.csv', file: 'project_data_2_suffix.csv', ownContainer: 'project_data_*_suffix.csv' },
    ]);
  });

  it('reports a single-file container that a pattern of its folder matches', () => {
    const { overlaps } = groupFolderFiles(['data_1.csv', 'data_2.csv', 'data_1234_suffix.csv', 'data_1.json'], NAMES);
    assert.deepEqual(overlaps, [{ pattern: 'data_*.csv', file: 'data_1234_suffix.csv', ownContainer: 'data_*_suffix.csv' }]);
  });

  it('makes every file its own container when globbing is off', () => {
    const { groups, overlaps } = groupFolderFiles(['b_2.csv', 'b_1.csv', 'a.json'], { globbing: false, mode: 'folder' });
    assert.deepEqual(summary(groups), [['a.json', ['a.json']], ['b_1.csv', ['b_1.csv']], ['b_2.csv', ['b_2.csv']]]);
    assert.ok(groups.every((group) => !group.globbed && group.varyingTokens.length === 0));
    assert.deepEqual(overlaps, []);
  });

  it('groups a whole folder per extension in folder mode', () => {
    const { groups, overlaps } = groupFolderFiles(
      ['project_data_1.csv', 'project_data_1_suffix.csv', 'customers.CSV', 'only.json'], { globbing: true, mode: 'folder' });
    assert.deepEqual(groups, [
      { pattern: '*.csv', globbed: true, extension: 'csv', files: ['customers.CSV', 'project_data_1.csv', 'project_data_1_suffix.csv'], varyingTokens: [0] },
      { pattern: 'only.json', globbed: false, extension: 'json', files: ['only.json'], varyingTokens: [] },
    ]);
    assert.deepEqual(overlaps, []);
  });

  it('keeps shapes apart when their internal hashes collide', () => {
    // These two literal tokens share a shape hash; only a real comparison can tell them apart.
    const { groups } = groupFolderFiles(['wdnchv_1.csv', 'axfsqo_1.csv', 'wdnchv_2.csv', 'axfsqo_2.csv'], NAMES);
    assert.deepEqual(summary(groups), [
      ['axfsqo_*.csv', ['axfsqo_1.csv', 'axfsqo_2.csv']],
      ['wdnchv_*.csv', ['wdnchv_1.csv', 'wdnchv_2.csv']],
    ]);
  });

  it('keeps a name with a trailing dot apart from dotless names, and matches it with its own pattern', () => {
    // Found by the property below (seed -1210430780): both names once had extension '' and globbed to `*-`.
    const { groups } = groupFolderFiles(['1-', '1a-.'], { globbing: true, mode: 'names' });
    assert.deepEqual(groups.map((g) => [g.pattern, g.files]), [['1-', ['1-']], ['1a-.', ['1a-.']]]);
    for (const group of groups) for (const file of group.files) assert.ok(matchesPattern(group.pattern, file));
  });

  it('handles odd input without throwing', () => {
    const odd = ['', '.csv', 'noext_1', 'noext_2', 'a__1.csv', 'a_-2.csv', '_1.csv', '-2.csv', 'x.y_1.csv', 'x.y_2.csv', 'a_1.csv', 'a_1.csv'];
    const { groups } = groupFolderFiles(odd, NAMES);
    assert.deepEqual(summary(groups), [
      ['', ['']],
      ['-2.csv', ['-2.csv']],
      ['.csv', ['.csv']],
      ['_1.csv', ['_1.csv']],
      ['a_*.csv', ['a_1.csv']],
      ['a__*.csv', ['a_-2.csv', 'a__1.csv']],
      ['noext_*', ['noext_1', 'noext_2']],
      ['x.y_*.csv', ['x.y_1.csv', 'x.y_2.csv']],
    ]);
    assert.deepEqual(groupFolderFiles([], NAMES), { groups: [], overlaps: [] });
  });
});

describe('dfs globbing: matchesPattern', () => {
  it('lets `*` match any run, also an empty one or one with separators', () => {
    assert.ok(matchesPattern('project_data_*.txt', 'project_data_1234_suffix.txt'));
    assert.ok(matchesPattern('project_data_*.txt', 'project_data_.txt'));
    assert.ok(matchesPattern('a_*_b_*.csv', 'a_1_b_2.csv'));
    assert.ok(!matchesPattern('a_*_b_*.csv', 'a_1_c_2.csv'));
    assert.ok(!matchesPattern('a_*_b.csv', 'a_b.csv'));
    assert.ok(matchesPattern('*', 'anything.at.all'));
  });

  it('treats `_` and `-` as the same separator', () => {
    assert.ok(matchesPattern('orders_*.csv', 'orders-20240228.csv'));
    assert.ok(matchesPattern('orders-*.csv', 'orders_20240229.csv'));
  });

  it('compares the extension case-insensitively and the rest case-sensitively', () => {
    assert.ok(matchesPattern('b_*.csv', 'b_1.CSV'));
    assert.ok(!matchesPattern('b_*.csv', 'B_1.csv'));
    assert.ok(!matchesPattern('b_*.csv', 'b_1.json'));
    assert.ok(!matchesPattern('b_*.csv', 'b_1.csv.bak'));
    assert.ok(matchesPattern('b_*.csv', 'b_1.tar.csv'));
  });

  it('matches a literal name only exactly', () => {
    assert.ok(matchesPattern('customers.csv', 'customers.csv'));
    assert.ok(!matchesPattern('customers.csv', 'customers2.csv'));
    assert.ok(!matchesPattern('customers.csv', 'xcustomers.csv'));
  });
});

// ---------------------------------------------------------------------------------------------

const wordArb = fc.constantFrom('orders', 'Orders', 'project', 'data', 'user', 'profile', 'events', 'suffix', 'a', '');
const variableArb = fc.constantFrom('1', '2', '2023', '2024', 'v1', 'v2', '2023-06-01', '2023-06-02', '20240228', 'x9');
const tokenArb = fc.oneof(wordArb, variableArb);
const extensionArb = fc.constantFrom('csv', 'CSV', 'json', 'parquet', 'tsv', '');
const realisticNameArb = fc
  .tuple(fc.array(fc.tuple(tokenArb, fc.constantFrom('_', '-')), { minLength: 1, maxLength: 5 }), extensionArb)
  .map(([parts, ext]) => {
    const stem = parts.map(([token, sep], i) => (i === 0 ? token : sep + token)).join('');
    return ext === '' ? stem : `${stem}.${ext}`;
  });
/** Names from a tiny alphabet, so odd shapes (empty tokens, dots, stars) come up often. */
const oddNameArb = fc.string({ unit: fc.constantFrom('a', 'B', '1', '_', '-', '.', '*'), maxLength: 10 });
const folderArb = fc.uniqueArray(fc.oneof({ weight: 3, arbitrary: realisticNameArb }, { weight: 1, arbitrary: oddNameArb }), { maxLength: 40 });
const optionsArb = fc.record({ globbing: fc.boolean(), mode: fc.constantFrom<'names' | 'folder' | undefined>('names', 'folder', undefined) });

describe('dfs globbing: properties', () => {
  it('gives identical output for any order of the same names', () => {
    fc.assert(fc.property(
      folderArb.chain((names) => fc.tuple(fc.constant(names), fc.shuffledSubarray(names, { minLength: names.length, maxLength: names.length }))),
      optionsArb,
      ([names, shuffled], options) => {
        assert.deepEqual(groupFolderFiles(shuffled, options), groupFolderFiles(names, options));
      },
    ), { numRuns: 300 });
  });

  it('puts every input file in exactly one group, sorted, with a consistent pattern', () => {
    fc.assert(fc.property(folderArb, optionsArb, (names, options) => {
      const { groups } = groupFolderFiles(names, options);
      const seen = groups.flatMap((group) => group.files);
      assert.deepEqual(seen.slice().sort(), [...new Set(names)].sort());
      assert.equal(new Set(seen).size, seen.length);
      const patterns = groups.map((group) => group.pattern);
      assert.deepEqual(patterns, patterns.slice().sort());
      for (const group of groups) {
        assert.deepEqual(group.files, group.files.slice().sort());
        if (!group.globbed) assert.deepEqual(group.files, [group.pattern]);
        assert.equal(group.varyingTokens.length > 0, group.globbed);
        for (const file of group.files) assert.ok(matchesPattern(group.pattern, file), `${group.pattern} !~ ${file}`);
      }
    }), { numRuns: 300 });
  });

  it('reports exactly the files that match another globbed pattern of their extension', () => {
    fc.assert(fc.property(folderArb, (names) => {
      const { groups, overlaps } = groupFolderFiles(names, NAMES);
      const expected: string[] = [];
      for (const globbed of groups.filter((group) => group.globbed)) {
        for (const other of groups) {
          if (other === globbed || other.extension !== globbed.extension) continue;
          for (const file of other.files) {
            if (matchesPattern(globbed.pattern, file)) expected.push(`${globbed.pattern} ${file} ${other.pattern}`);
          }
        }
      }
      const reported = overlaps.map((o) => `${o.pattern} ${o.file} ${o.ownContainer}`);
      assert.deepEqual(reported.slice().sort(), expected.sort());
    }), { numRuns: 300 });
  });
});

describe('dfs globbing: a large tree', () => {
  /** 1,000 folders × 100 files: dated partitions, ids, overlapping names and singles. */
  function benchmarkFolders(): string[][] {
    const folders: string[][] = [];
    for (let f = 0; f < 1000; f++) {
      const names: string[] = [];
      for (let d = 1; d <= 31; d++) names.push(`events_2024-01-${String(d).padStart(2, '0')}.csv`);
      for (let i = 0; i < 24; i++) names.push(`orders${i % 2 ? '-' : '_'}${f}_${20240000 + i}.parquet`);
      for (let i = 0; i < 20; i++) names.push(`user_${f * 100 + i}_profile_2023-06-${String(i + 1).padStart(2, '0')}.json`);
      for (let i = 0; i < 10; i++) names.push(`project_data_${i}.csv`);
      for (let i = 0; i < 5; i++) names.push(`project_data_${i}_suffix.csv`);
      for (let i = 0; i < 10; i++) names.push(`lookup_${String.fromCharCode(97 + i)}_table.tsv`);
      folders.push(names);
    }
    return folders;
  }

  // How long this takes is measured by `npm run bench:dfs` (its globbing phase), not asserted here.
  it('groups 100,000 names in 1,000 folders into the same 15 containers each', function () {
    const folders = benchmarkFolders();
    assert.equal(folders.reduce((sum, names) => sum + names.length, 0), 100_000);
    let groups = 0;
    for (const names of folders) groups += groupFolderFiles(names, NAMES).groups.length;
    assert.equal(groups, 1000 * 15);
  });
});

describe('dfs file formats', () => {
  it('takes the lower-cased text after the last dot as the extension', () => {
    assert.deepEqual(['a.CSV', 'a.b.Parquet', 'archive.tar.gz', '.hidden.csv', '.csv'].map((name) => extensionOf(name)), ['csv', 'parquet', 'gz', 'csv', 'csv']);
  });

  it('starts no extension at a trailing dot or in a name without a dot', () => {
    assert.deepEqual(['notes.', 'a.csv.', 'README', ''].map((name) => [extensionDot(name), extensionOf(name)]), [[-1, ''], [-1, ''], [-1, ''], [-1, '']]);
    assert.equal(extensionDot('a.csv'), 1);
    assert.equal(extensionOf('A.CSV', 1), 'csv');
  });

  it('reads each extension in its format and records TSV as CSV in snapshots', () => {
    const extensions = ['csv', 'tsv', 'json', 'jsonl', 'parquet', 'txt', ''];
    assert.deepEqual(extensions.map(formatOfExtension), ['csv', 'tsv', 'json', 'jsonl', 'parquet', 'csv', 'csv']);
    assert.deepEqual(extensions.map(snapshotFormat), ['csv', 'csv', 'json', 'jsonl', 'parquet', 'csv', 'csv']);
  });

  it('agrees with the grouping on every name', () => {
    fc.assert(fc.property(fc.string({ maxLength: 12 }), (name) => {
      const { groups } = groupFolderFiles([name], { globbing: false });
      assert.equal(groups[0]?.extension, extensionOf(name));
    }));
  });
});
