import assert from 'node:assert/strict';
import { generatedColumnsOf } from '../../server/src/core/connectors/duckdb/duckdbConnector';

describe('DuckDB generated columns from the table SQL', () => {
  it('finds generated columns, including quoted names with commas and parentheses', () => {
    const sql = `CREATE TABLE "s.x"."t(1)"(qty INTEGER, "a, ""b"" (c)" DOUBLE GENERATED ALWAYS AS((qty * 2)), price DECIMAL(10,2), total DOUBLE GENERATED ALWAYS AS((qty * price)));`;
    assert.deepEqual([...generatedColumnsOf(sql)], ['a, "b" (c)', 'total']);
  });

  it('ignores the words inside string literals and plain defaults', () => {
    const sql = `CREATE TABLE t(note VARCHAR DEFAULT('GENERATED ALWAYS AS x'), "GENERATED ALWAYS AS" INTEGER, n INTEGER);`;
    assert.deepEqual([...generatedColumnsOf(sql)], []);
  });

  it('returns nothing for views and missing SQL', () => {
    assert.deepEqual([...generatedColumnsOf(null)], []);
    assert.deepEqual([...generatedColumnsOf('CREATE TABLE t(a INTEGER);')], []);
  });
});
