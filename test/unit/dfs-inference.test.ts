import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  inferFileSchema, reconcileSchemas, type FileFormat, type InferenceResult, type InferredFileSchema,
} from '../../server/src/core/connectors/dfs/inference/index';
import type { ByteRange, FileBytes, FileStat, FileStore, FileStoreListing, OpenedFile } from '../../server/src/core/connectors/dfs/fileStore';
import { LocalFileStore } from '../../server/src/core/connectors/dfs/localFileStore';

let dir: string;
let store: LocalFileStore;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-dfs-inference-'));
  store = new LocalFileStore(dir);
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
/** Writes a file into the store's folder; returns its path in the store. */
function write(name: string, content: string | Buffer): string {
  const file = `${counter++}-${name}`;
  fs.writeFileSync(path.join(dir, file), content);
  return file;
}

/** Infers through the local store over the test folder. */
function infer(file: string, format: FileFormat): Promise<InferenceResult> {
  return inferFileSchema(store, file, format);
}

async function schemaOf(content: string | Buffer, format: FileFormat, name = `f.${format}`): Promise<InferredFileSchema> {
  const result = await infer(write(name, content), format);
  if (!result.ok) assert.fail(`expected success, got ${result.failure.code}: ${result.failure.message}`);
  return result.schema;
}

function failureOf(result: InferenceResult): { code: string; message: string } {
  assert.equal(result.ok, false, 'expected a failure');
  return (result as Extract<InferenceResult, { ok: false }>).failure;
}

/** `name TYPE` per field, which keeps assertions short and the order visible. */
function columns(schema: InferredFileSchema): string[] {
  return schema.fields.map((f) => `${f.name} ${f.type}`);
}

async function duckdb(sql: string): Promise<string[][]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRows().map((row) => row.map((v) => String(v)));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('dfs inference: CSV and TSV', () => {
  // [behaviour, content, format, expected delimiter, expected header, expected `name TYPE` columns]
  const cases: [string, string, FileFormat, string, boolean, string[]][] = [
    ['detects a comma delimiter', 'id,name,price\n1,Alice,1.5\n2,Bob,2\n', 'csv', ',', true, ['id BIGINT', 'name VARCHAR', 'price DOUBLE']],
    ['detects a pipe delimiter even when values contain commas', 'id|note\n1|a, b\n2|c\n3|d, e, f\n', 'csv', '|', true, ['id BIGINT', 'note VARCHAR']],
    ['detects a semicolon delimiter with decimal commas inside values', 'id;amount;city\n1;1,5;Paris\n2;2,75;Rome\n', 'csv', ';', true,
      ['id BIGINT', 'amount VARCHAR', 'city VARCHAR']],
    ['detects a tab delimiter in a .csv file', 'id\tname\n1\tAlice\n2\tBob\n', 'csv', '\t', true, ['id BIGINT', 'name VARCHAR']],
    ['defaults a single-column TSV to tab', 'name\nAlice\n', 'tsv', '\t', true, ['name VARCHAR']],
    ['defaults a single-column CSV to comma', 'name\nAlice\n', 'csv', ',', true, ['name VARCHAR']],
    ['prefers tab for TSV files when tab and comma are equally consistent', 'Doe, John\tParis, France\nRoe, Jane\tRome, Italy\n', 'tsv', '\t', false,
      ['column0 VARCHAR', 'column1 VARCHAR']],
    ['treats a first row of names over rows of numbers as a header', 'a,b\n1,2\n3,4\n', 'csv', ',', true, ['a BIGINT', 'b BIGINT']],
    ['names columns column0, column1 when the first row is data', '1,x,2024-01-01\n2,y,2024-01-02\n', 'csv', ',', false,
      ['column0 BIGINT', 'column1 VARCHAR', 'column2 DATE']],
    ['treats unique name-like first rows of all-text files as a header', 'city,country\nParis,France\nRome,Italy\n', 'csv', ',', true,
      ['city VARCHAR', 'country VARCHAR']],
    ['does not treat an all-text first row with repeated values as a header', 'Paris,Paris\nRome,Italy\n', 'csv', ',', false,
      ['column0 VARCHAR', 'column1 VARCHAR']],
    ['treats a single row of names as a header of VARCHAR columns', 'name,age\n', 'csv', ',', true, ['name VARCHAR', 'age VARCHAR']],
    ['treats a single row of numbers as data', '1,2\n', 'csv', ',', false, ['column0 BIGINT', 'column1 BIGINT']],
    ['makes duplicate and empty header names unique deterministically', 'a,a,a_1,,b\n1,2,3,4,5\n', 'csv', ',', true,
      ['a BIGINT', 'a_1 BIGINT', 'a_1_1 BIGINT', 'column3 BIGINT', 'b BIGINT']],
    ['types each rung of the ladder: BOOLEAN, BIGINT, DOUBLE, TIME, DATE, TIMESTAMP, VARCHAR', [
      'b,i,d,t,dt,ts,v',
      'true,1,1.5,12:30,2024-01-31,2024-01-31 10:00:00,x',
      'FALSE,-20,-2,23:59:59.123,2024-02-29,2024-01-31T10:00:00.123456Z,1',
      'True,+3,1e5,00:00:00,1999-12-31,2024-01-31T10:00+02:00,true',
    ].join('\n'), 'csv', ',', true, ['b BOOLEAN', 'i BIGINT', 'd DOUBLE', 't TIME', 'dt DATE', 'ts TIMESTAMP', 'v VARCHAR']],
    ['falls to a wider rung when a value does not fit, and to VARCHAR when no rung fits all values', [
      'big,boolint,datets,baddate,badtime,empty,sparse',
      '9223372036854775807,true,2024-01-01,2024-02-30,24:00,,',
      '9223372036854775808,1,2024-01-01 10:00:00,2024-01-01,12:00,,7',
      '-9223372036854775808,false,2024-01-02,2024-01-02,12:61,,',
    ].join('\n'), 'csv', ',', true,
    ['big DOUBLE', 'boolint VARCHAR', 'datets VARCHAR', 'baddate VARCHAR', 'badtime VARCHAR', 'empty VARCHAR', 'sparse BIGINT']],
    ['keeps the int64 bounds exact', 'x,y\n9223372036854775807,-9223372036854775809\n-9223372036854775808,1\n', 'csv', ',', true, ['x BIGINT', 'y DOUBLE']],
    ['strips a UTF-8 BOM and handles CRLF line endings', '\ufeffid;name\r\n1;Zoë\r\n2;Ünal\r\n', 'csv', ';', true, ['id BIGINT', 'name VARCHAR']],
    ['parses quoted fields with embedded delimiters, newlines and doubled quotes',
      'id,comment,amount\n1,"hello, world",2\n2,"line one\nline two, with ""quotes""",3\n3,plain,4\n', 'csv', ',', true,
      ['id BIGINT', 'comment VARCHAR', 'amount BIGINT']],
    ['keeps a stray quote inside a value literal', 'id,size\n1,5" screen\n2,7" screen\n', 'csv', ',', true, ['id BIGINT', 'size VARCHAR']],
  ];
  for (const [behaviour, content, format, delimiter, header, expected] of cases) {
    it(behaviour, async () => {
      const schema = await schemaOf(content, format);
      assert.deepEqual(
        { delimiter: schema.delimiter, header: schema.header, columns: columns(schema) },
        { delimiter, header, columns: expected },
      );
      assert.ok(schema.fields.every((f) => f.nullable));
    });
  }

  it('matches DuckDB for a file covering the ladder', async () => {
    const file = write('ladder.csv', 'b,i,d,t,dt,ts,v,e\ntrue,1,1.5,12:30:00,2024-01-31,2024-01-31 10:00:00,x,\nfalse,2,2,13:00:00,2024-02-01,2024-02-01 11:00:00,y,\n');
    const result = await infer(file, 'csv');
    assert.ok(result.ok);
    const expected = await duckdb(`SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM read_csv('${path.join(dir, file)}'))`);
    assert.deepEqual(columns(result.schema), expected.map((r) => r[0]));
  });

  it('gives the same schema whether or not a value is quoted', async () => {
    const plain = await schemaOf('id,name,when\n1,Alice,2024-01-01\n2,Bob,2024-01-02\n', 'csv');
    const quoted = await schemaOf('id,name,when\n1,"Alice",2024-01-01\n2,Bob,2024-01-02\n', 'csv');
    assert.deepEqual(quoted, plain);
  });

  it('reads only the first 64 KiB of a 5 MB file, so later rows cannot change a type', async () => {
    const lines = ['id,amount,label'];
    let size = 0;
    for (let i = 0; size < 5 * 1024 * 1024; i++) {
      // Past 100 KB the amount turns into text and a quote is left open: neither may be seen.
      const line = size < 100_000 ? `${i},${i * 3},row${i}` : `${i},n/a,"open`;
      lines.push(line);
      size += line.length + 1;
    }
    const file = write('big.csv', lines.join('\n'));
    const result = await infer(file, 'csv');
    assert.ok(result.ok);
    assert.deepEqual(columns(result.schema), ['id BIGINT', 'amount BIGINT', 'label VARCHAR']);
  });

  it('drops a record the 64 KiB prefix cuts inside a quoted multi-line value', async () => {
    const record = (i: number): string => `${i},"${'x'.repeat(200)}\n${'y'.repeat(200)}",${i}.5`;
    const lines = ['id,text,score'];
    for (let i = 0; i < 2000; i++) lines.push(record(i));
    const schema = await schemaOf(lines.join('\n'), 'csv');
    assert.deepEqual(columns(schema), ['id BIGINT', 'text VARCHAR', 'score DOUBLE']);
  });

  it('reports UTF-16 and binary content as file-malformed', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,name\n1,a\n', 'utf16le')]);
    assert.equal(failureOf(await infer(write('utf16.csv', utf16), 'csv')).code, 'file-malformed');
    assert.equal(failureOf(await infer(write('bin.jsonl', Buffer.from([0x7b, 0x00, 0x7d])), 'jsonl')).code, 'file-malformed');
  });

  it('reports an unclosed quote as file-malformed without echoing file contents', async () => {
    const failure = failureOf(await infer(write('bad.csv', 'id,name\n1,"secret-value\n'), 'csv'));
    assert.equal(failure.code, 'file-malformed');
    assert.doesNotMatch(failure.message, /secret-value/);
  });
});

describe('dfs inference: empty and unreadable files', () => {
  for (const format of ['csv', 'tsv', 'json', 'jsonl', 'parquet'] as const) {
    it(`reports a 0-byte .${format} file as file-empty`, async () => {
      assert.equal(failureOf(await infer(write(`empty.${format}`, ''), format)).code, 'file-empty');
    });
  }

  it('reports whitespace-only and BOM-only files as file-empty', async () => {
    assert.equal(failureOf(await infer(write('ws.csv', ' \r\n\t\n'), 'csv')).code, 'file-empty');
    assert.equal(failureOf(await infer(write('bom.csv', Buffer.from([0xef, 0xbb, 0xbf])), 'csv')).code, 'file-empty');
    assert.equal(failureOf(await infer(write('ws.jsonl', '\n\n  \n'), 'jsonl')).code, 'file-empty');
  });

  it('reports a missing file as file-unreadable with ENOENT', async () => {
    const failure = failureOf(await infer('does-not-exist.csv', 'csv'));
    assert.equal(failure.code, 'file-unreadable');
    assert.match(failure.message, /ENOENT/);
  });

  it('reports a directory as file-unreadable with EISDIR', async () => {
    const sub = path.join(dir, 'a-directory.csv');
    fs.mkdirSync(sub);
    const failure = failureOf(await infer('a-directory.csv', 'csv'));
    assert.equal(failure.code, 'file-unreadable');
    assert.match(failure.message, /EISDIR/);
  });

  it('reports a file without read permission as file-unreadable with EACCES', async function () {
    if (process.platform === 'win32' || process.getuid?.() === 0) this.skip(); // root reads anything
    const file = write('locked.csv', 'a\n1\n');
    fs.chmodSync(path.join(dir, file), 0o000);
    const failure = failureOf(await infer(file, 'csv'));
    assert.equal(failure.code, 'file-unreadable');
    assert.match(failure.message, /EACCES/);
  });

  it('does not block on a named pipe', async function () {
    if (process.platform === 'win32') this.skip();
    const fifo = path.join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    assert.equal(failureOf(await infer('pipe.csv', 'csv')).code, 'file-unreadable');
  });
});

describe('dfs inference: JSON and JSON Lines', () => {
  // [behaviour, content, format, expected `name TYPE` columns]
  const cases: [string, string, FileFormat, string[]][] = [
    ['infers a top-level array of objects with first-seen key order', JSON.stringify([
      { id: 1, name: 'a', score: 1, flag: true, nothing: null },
      { id: 2, score: 2.5, extra: 'x', nothing: null },
    ]), 'json', ['id BIGINT', 'name VARCHAR', 'score DOUBLE', 'flag BOOLEAN', 'nothing JSON', 'extra VARCHAR']],
    ['types conflicting values as JSON and date-like strings as DATE or TIMESTAMP', JSON.stringify([
      { mixed: 1, d: '2024-01-01', ts: '2024-01-01T10:00:00Z', both: '2024-01-01', text: '2024-01-01' },
      { mixed: 'one', d: '2024-12-31', ts: '2024-01-01 10:00:00.5', both: '2024-01-01 10:00:00', text: 'soon' },
    ]), 'json', ['mixed JSON', 'd DATE', 'ts TIMESTAMP', 'both VARCHAR', 'text VARCHAR']],
    ['infers nested struct and list types, quoting keys the way DuckDB does', JSON.stringify([
      { user: { id: 1, 'first name': 'a', name: 'x' }, tags: ['a'], points: [[1, 2]], none: [], obj: [{ q: true }] },
      { user: { id: 2, age: 3.5 }, tags: [], points: [[3.5]], none: [], obj: [] },
    ]), 'json', ['user STRUCT(id BIGINT, "first name" VARCHAR, "name" VARCHAR, age DOUBLE)',
      'tags VARCHAR[]', 'points DOUBLE[][]', 'none JSON[]', 'obj STRUCT(q BOOLEAN)[]']],
    ['reads a single object as one record', '{"a": 1, "b": "x"}\n', 'json', ['a BIGINT', 'b VARCHAR']],
    ['reads newline-delimited objects in a .json file like JSON Lines', '{"a": 1}\n{"a": 2, "b": false}\n', 'json', ['a BIGINT', 'b BOOLEAN']],
    ['reads JSON Lines, skipping blank lines and tolerating a malformed line', '{"a": 1, "b": "x"}\r\n\n{"a": oops}\n   \n{"a": 3, "c": [1.5]}\n',
      'jsonl', ['a BIGINT', 'b VARCHAR', 'c DOUBLE[]']],
    ['keeps a __proto__ key in an array record as an ordinary field', '[{"__proto__": {"polluted": 1}, "constructor": "x", "id": 1}]', 'json',
      ['__proto__ STRUCT(polluted BIGINT)', 'constructor VARCHAR', 'id BIGINT']],
    ['keeps a __proto__ key in JSON Lines as an ordinary field', '{"__proto__": {"polluted": true}}\n{"__proto__": {"polluted": false}}\n', 'jsonl',
      ['__proto__ STRUCT(polluted BOOLEAN)']],
  ];
  for (const [behaviour, content, format, expected] of cases) {
    it(behaviour, async () => {
      const schema = await schemaOf(content, format);
      assert.deepEqual(columns(schema), expected);
      assert.ok(schema.fields.every((f) => f.nullable));
      assert.deepEqual(schema.delimiter, undefined);
    });
  }

  it('never pollutes Object.prototype through parsed keys', async () => {
    await schemaOf('{"__proto__": {"polluted": 1}, "a": {"__proto__": {"polluted": 2}}}\n', 'jsonl');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  });

  it('matches DuckDB read_json on nested records', async () => {
    const file = write('nested.json', JSON.stringify([
      { a: 1, b: { c: [1, 2], 'd e': 'x', type: true }, f: [], g: null, h: {} },
      { a: 2.5, b: { c: [], 'd e': 'y' }, f: [], g: null, h: {} },
    ]));
    const result = await infer(file, 'json');
    assert.ok(result.ok);
    const expected = await duckdb(`SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM read_json('${path.join(dir, file)}'))`);
    assert.deepEqual(columns(result.schema), expected.map((r) => r[0]));
  });

  // [behaviour, content, format, expected failure code]
  const failures: [string, string, FileFormat, string][] = [
    ['reports JSON Lines where no line parses as file-malformed', '{"secret": \nnot json at all\n', 'jsonl', 'file-malformed'],
    ['reports an invalid array element as file-malformed', '[{"a": 1}, {"secret": }]', 'json', 'file-malformed'],
    ['reports an array that is never closed as file-malformed', '[{"a": 1}, {"a": 2}', 'json', 'file-malformed'],
    ['reports a top-level scalar as file-malformed', '42', 'json', 'file-malformed'],
    ['reports an empty array as file-empty', ' [ ] ', 'json', 'file-empty'],
  ];
  for (const [behaviour, content, format, code] of failures) {
    it(behaviour, async () => {
      const failure = failureOf(await infer(write(`bad.${format}`, content), format));
      assert.equal(failure.code, code);
      assert.doesNotMatch(failure.message, /secret|not json/, 'messages never echo file contents');
    });
  }

  it('reads only the first 256 KiB of a large array and drops the record the cut splits', async () => {
    const records: string[] = [];
    for (let i = 0; i < 3000; i++) {
      // Past 300 KB ids turn into strings; the prefix never reaches them.
      const id = i < 900 ? String(i) : `"id-${i}"`;
      records.push(`{"id": ${id}, "pad": "${'p'.repeat(300)}"}`);
    }
    const schema = await schemaOf(`[\n${records.join(',\n')}\n]`, 'json');
    assert.deepEqual(columns(schema), ['id BIGINT', 'pad VARCHAR']);
  });

  it('samples at most 1,000 records', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 1500; i++) lines.push(i === 1200 ? '{"id": 1, "late": true}' : `{"id": ${i}}`);
    assert.deepEqual(columns(await schemaOf(lines.join('\n'), 'jsonl')), ['id BIGINT']);
  });

  it('survives deeply nested values', async () => {
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
    const schema = await schemaOf(`{"deep": ${deep}}\n`, 'jsonl');
    assert.equal(schema.fields[0].name, 'deep');
    assert.match(schema.fields[0].type, /^JSON(\[\])+$/);
  });
});

describe('dfs inference: Parquet', () => {
  let typesFile: string;
  let typesBytes: Buffer;

  before(async function () {
    this.timeout(60000);
    typesFile = path.join(dir, 'types.parquet');
    await duckdb(`COPY (SELECT 1::BIGINT AS id, 'x' AS name, DATE '2024-01-01' AS d, 1.5::DECIMAL(10,2) AS amt,
      [1,2] AS xs, {'a': 1, 'b c': 'x', 'name': true} AS s, MAP {'k': 1} AS m, 1::TINYINT AS t, 1::UTINYINT AS ut,
      2::SMALLINT AS sm, 3::UINTEGER AS ui, 4::UBIGINT AS ub, 5::INTEGER AS i, 1.5::FLOAT AS f, 2.5::DOUBLE AS dd,
      true AS b, TIME '12:00:00' AS tm, TIMESTAMP '2024-01-01 00:00:00' AS ts, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS tstz,
      'abc'::BLOB AS bl, gen_random_uuid() AS u, '{"a":1}'::JSON AS j, [[1]] AS nested, [{'q': 1}] AS lst,
      1.5::DECIMAL(30,4) AS wide, INTERVAL 1 DAY AS iv) TO '${typesFile}' (FORMAT PARQUET)`);
    typesBytes = fs.readFileSync(typesFile);
  });

  it('maps a DuckDB-written file to the types DuckDB reports', async () => {
    const result = await infer('types.parquet', 'parquet');
    assert.ok(result.ok);
    const expected = await duckdb(`SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM '${typesFile}')`);
    assert.deepEqual(columns(result.schema), expected.map((r) => r[0]));
  });

  it('spells nested and logical types as DuckDB does', async () => {
    const result = await infer('types.parquet', 'parquet');
    assert.ok(result.ok);
    const byName = new Map(result.schema.fields.map((f) => [f.name, f.type]));
    assert.equal(byName.get('amt'), 'DECIMAL(10,2)');
    assert.equal(byName.get('xs'), 'INTEGER[]');
    assert.equal(byName.get('s'), 'STRUCT(a INTEGER, "b c" VARCHAR, "name" BOOLEAN)');
    assert.equal(byName.get('m'), 'MAP(VARCHAR, INTEGER)');
    assert.equal(byName.get('nested'), 'INTEGER[][]');
    assert.equal(byName.get('lst'), 'STRUCT(q INTEGER)[]');
    assert.equal(byName.get('tstz'), 'TIMESTAMP WITH TIME ZONE');
    assert.equal(byName.get('u'), 'UUID');
    assert.equal(byName.get('j'), 'JSON');
    assert.equal(byName.get('bl'), 'BLOB');
  });

  it('marks REQUIRED columns NOT NULL and OPTIONAL ones nullable', async () => {
    const file = path.join(dir, 'notnull.parquet');
    await duckdb(`CREATE TABLE t(id INTEGER NOT NULL, n VARCHAR); INSERT INTO t VALUES (1, 'a'); COPY t TO '${file}' (FORMAT PARQUET)`);
    const optional = await infer('notnull.parquet', 'parquet');
    assert.ok(optional.ok);
    // DuckDB writes even NOT NULL columns as OPTIONAL.
    assert.deepEqual(optional.schema.fields.map((f) => f.nullable), [true, true]);
    // Patch the footer in place: repetition_type (thrift field 3, zigzag 1 = OPTIONAL) of `id` becomes 0 = REQUIRED.
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf(Buffer.from([0x25, 0x02, 0x18, 0x02, 0x69, 0x64]));
    assert.ok(at > 0);
    bytes[at + 1] = 0x00;
    const required = await infer(write('required.parquet', bytes), 'parquet');
    assert.ok(required.ok);
    assert.deepEqual(required.schema.fields, [
      { name: 'id', type: 'INTEGER', nullable: false },
      { name: 'n', type: 'VARCHAR', nullable: true },
    ]);
  });

  // [behaviour, how to damage a copy of a valid file]
  const damages: [string, (bytes: Buffer) => Buffer | string][] = [
    ['reports a file cut 10 bytes short as file-malformed', (b) => b.subarray(0, b.length - 10)],
    ['reports a file cut in half as file-malformed', (b) => b.subarray(0, b.length >> 1)],
    ['reports a file too short to hold a footer as file-malformed', () => 'PAR1PAR1'],
    ['reports a wrong trailing magic as file-malformed', (b) => { b.write('XXXX', b.length - 4); return b; }],
    ['reports a CSV named .parquet as file-malformed', () => 'a,b\n1,2\n'],
    ['reports a 4 GiB footer length as file-malformed without allocating it', (b) => { b.writeUInt32LE(0xfffffff0, b.length - 8); return b; }],
    ['reports a footer length past the leading magic as file-malformed', (b) => { b.writeUInt32LE(b.length - 11, b.length - 8); return b; }],
    ['reports a zero footer length as file-malformed', (b) => { b.writeUInt32LE(0, b.length - 8); return b; }],
    ['reports a garbled footer as file-malformed', (b) => {
      const footerLength = b.readUInt32LE(b.length - 8);
      b.fill(0xcc, b.length - 8 - footerLength, b.length - 8);
      return b;
    }],
  ];
  it('reads a file whose leading marker is damaged by its intact footer, as Arrow\'s and parquet-mr\'s footer readers do', async () => {
    const damaged = Buffer.from(typesBytes);
    damaged.write('PAR2', 0);
    const result = await infer(write('leading.parquet', damaged), 'parquet');
    assert.ok(result.ok);
  });

  for (const [behaviour, damage] of damages) {
    it(behaviour, async () => {
      const failure = failureOf(await infer(write('damaged.parquet', damage(Buffer.from(typesBytes))), 'parquet'));
      assert.equal(failure.code, 'file-malformed');
    });
  }

  it('never throws on randomly garbled footers', async () => {
    const bytes = Buffer.from(typesBytes);
    const footerLength = bytes.readUInt32LE(bytes.length - 8);
    for (let i = 0; i < 20; i++) {
      randomBytes(footerLength).copy(bytes, bytes.length - 8 - footerLength);
      const result = await infer(write('garbled.parquet', bytes), 'parquet');
      if (!result.ok) assert.equal(result.failure.code, 'file-malformed');
    }
  });
});

describe('dfs inference: never throws on arbitrary bytes', () => {
  for (const format of ['csv', 'tsv', 'json', 'jsonl', 'parquet'] as const) {
    it(`returns a result for random .${format} content`, async () => {
      for (let i = 0; i < 50; i++) {
        const result = await infer(write(`random.${format}`, randomBytes(1 + (i * 97) % 3000)), format);
        assert.equal(typeof result.ok, 'boolean');
        if (!result.ok) assert.ok(['file-empty', 'file-malformed'].includes(result.failure.code));
      }
    });
  }
});

/** A store that forwards to another one and records every read and open, answering each on a later turn. */
class CountingStore implements FileStore {
  readonly reads: { file: string; range: ByteRange; bytes: number }[] = [];
  opened = 0;
  closed = 0;

  constructor(private readonly inner: FileStore) {}

  get bytesRead(): number {
    return this.reads.reduce((sum, read) => sum + read.bytes, 0);
  }

  list(extensions: ReadonlySet<string>, signal: AbortSignal): Promise<FileStoreListing> {
    return this.inner.list(extensions, signal);
  }

  async read(file: string, range: ByteRange): Promise<FileBytes> {
    // Like a network store: the answer comes on a later turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    const answer = await this.inner.read(file, range);
    this.reads.push({ file, range, bytes: answer.bytes.length });
    return answer;
  }

  async open(file: string): Promise<OpenedFile> {
    await new Promise((resolve) => setImmediate(resolve));
    const opened = await this.inner.open(file);
    this.opened++;
    return {
      read: async (range) => {
        await new Promise((resolve) => setImmediate(resolve));
        const answer = await opened.read(range);
        this.reads.push({ file, range, bytes: answer.bytes.length });
        return answer;
      },
      close: () => {
        this.closed++;
        opened.close();
      },
    };
  }

  stat(file: string): Promise<FileStat> {
    return this.inner.stat(file);
  }
}

describe('dfs inference: reads ranges through the store, never whole files', () => {
  it('reads one 64 KiB range of a 5 MB CSV file', async () => {
    const file = write('large.csv', `id,label\n${Array.from({ length: 400_000 }, (_, i) => `${i},row${i}`).join('\n')}\n`);
    assert.ok(fs.statSync(path.join(dir, file)).size > 5 * 1024 * 1024);
    const counting = new CountingStore(store);
    const result = await inferFileSchema(counting, file, 'csv');
    assert.ok(result.ok);
    assert.deepEqual(columns(result.schema), ['id BIGINT', 'label VARCHAR']);
    assert.deepEqual(counting.reads, [{ file, range: { offset: 0, length: 64 * 1024 }, bytes: 64 * 1024 }]);
  });

  it('reads one 256 KiB range of a 5 MB JSON Lines file', async () => {
    const file = write('large.jsonl', Array.from({ length: 200_000 }, (_, i) => `{"id": ${i}, "pad": "${'p'.repeat(20)}"}`).join('\n'));
    const counting = new CountingStore(store);
    assert.ok((await inferFileSchema(counting, file, 'jsonl')).ok);
    assert.equal(counting.reads.length, 1);
    assert.equal(counting.bytesRead, 256 * 1024);
  });

  it('reads a large Parquet file\'s tail and footer only (two reads: two ranged GETs on an object store)', async function () {
    this.timeout(60000);
    const file = 'large.parquet';
    await duckdb(`COPY (SELECT range AS id, 'name-' || range AS name, (range * 2.5)::DOUBLE AS amount FROM range(500000)) TO '${path.join(dir, file)}' (FORMAT PARQUET)`);
    const bytes = fs.readFileSync(path.join(dir, file));
    const footerLength = bytes.readUInt32LE(bytes.length - 8);
    assert.ok(bytes.length > 100 * footerLength, `${bytes.length} bytes, footer ${footerLength}`);
    const counting = new CountingStore(store);
    const result = await inferFileSchema(counting, file, 'parquet');
    assert.ok(result.ok);
    assert.deepEqual(columns(result.schema), ['id BIGINT', 'name VARCHAR', 'amount DOUBLE']);
    assert.deepEqual(counting.reads.map((read) => read.range), [
      { last: 8 },
      { offset: bytes.length - 8 - footerLength, length: footerLength + 8 },
    ]);
    assert.equal(counting.bytesRead, 8 + footerLength + 8);
    // One file opened for the two reads, and closed.
    assert.deepEqual([counting.opened, counting.closed], [1, 1]);
  });

  it('gives the same results through a store that answers later', async () => {
    const files: [string, FileFormat][] = [
      [write('a.csv', 'id,name\n1,Ada\n'), 'csv'], [write('b.tsv', 'id\tname\n1\tAda\n'), 'tsv'], [write('c.jsonl', '{"a": 1}\n'), 'jsonl'],
      [write('d.json', '[{"a": [1]}]'), 'json'], [write('e.csv', ''), 'csv'], [write('f.parquet', 'PAR1 not really'), 'parquet'], ['missing.csv', 'csv'],
    ];
    const counting = new CountingStore(store);
    for (const [file, format] of files) assert.deepEqual(await inferFileSchema(counting, file, format), await infer(file, format), file);
    assert.equal(counting.closed, counting.opened);
  });

  it('closes an opened Parquet file whatever its content', async () => {
    const counting = new CountingStore(store);
    for (const content of ['', 'PAR1', 'not parquet, long enough', Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(40), Buffer.from([0xf0, 0xff, 0xff, 0xff]), Buffer.from('PAR1')])]) {
      assert.equal((await inferFileSchema(counting, write('x.parquet', content), 'parquet')).ok, false);
    }
    assert.deepEqual([counting.opened, counting.closed], [4, 4]);
  });
});

describe('dfs inference: reconcileSchemas', () => {
  const ok = (fields: [string, string, boolean?][], extra: Partial<InferredFileSchema> = {}): InferenceResult =>
    ({ ok: true, schema: { fields: fields.map(([name, type, nullable]) => ({ name, type, nullable: nullable ?? true })), ...extra } });

  it('returns the common schema for matching samples with no problems', () => {
    const { schema, problems } = reconcileSchemas([
      { file: 'a.csv', result: ok([['id', 'BIGINT'], ['name', 'VARCHAR']], { delimiter: ',', header: true }) },
      { file: 'b.csv', result: ok([['id', 'BIGINT'], ['name', 'VARCHAR']], { delimiter: ',', header: true }) },
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(schema, {
      fields: [{ name: 'id', type: 'BIGINT', nullable: true }, { name: 'name', type: 'VARCHAR', nullable: true }], delimiter: ',', header: true,
    });
  });

  it('widens differing types without reporting a mismatch', () => {
    const { schema, problems } = reconcileSchemas([
      { file: 'a.csv', result: ok([['n', 'BIGINT'], ['d', 'DATE'], ['x', 'BIGINT'], ['i', 'INTEGER']]) },
      { file: 'b.csv', result: ok([['n', 'DOUBLE'], ['d', 'TIMESTAMP'], ['x', 'BOOLEAN'], ['i', 'BIGINT']]) },
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(schema?.fields.map((f) => `${f.name} ${f.type}`), ['n DOUBLE', 'd TIMESTAMP', 'x VARCHAR', 'i BIGINT']);
  });

  it('reports a missing column as one schema-mismatch naming the file and column', () => {
    const { schema, problems } = reconcileSchemas([
      { file: 'a.csv', result: ok([['id', 'BIGINT'], ['amount', 'DOUBLE'], ['note', 'VARCHAR']]) },
      { file: 'b.csv', result: ok([['id', 'BIGINT'], ['note', 'VARCHAR']]) },
    ]);
    assert.equal(problems.length, 1);
    assert.equal(problems[0].file, 'b.csv');
    assert.equal(problems[0].code, 'schema-mismatch');
    assert.match(problems[0].message, /"amount"/);
    assert.deepEqual(schema?.fields.map((f) => f.name), ['id', 'amount', 'note']);
  });

  it('adds extra columns at the end as nullable and reports them', () => {
    const { schema, problems } = reconcileSchemas([
      { file: 'a.parquet', result: ok([['id', 'BIGINT', false]]) },
      { file: 'b.parquet', result: ok([['id', 'BIGINT', false], ['added', 'VARCHAR', false]]) },
    ]);
    assert.deepEqual(problems.map((p) => [p.file, p.code]), [['b.parquet', 'schema-extended']]);
    assert.match(problems[0].message, /adds column "added" to those of a\.parquet; the container has the union/);
    assert.deepEqual(schema?.fields, [
      { name: 'id', type: 'BIGINT', nullable: false },
      { name: 'added', type: 'VARCHAR', nullable: true },
    ]);
  });

  it('reports a different column order and makes columns some files lack nullable', () => {
    const { schema, problems } = reconcileSchemas([
      { file: 'a.parquet', result: ok([['a', 'BIGINT', false], ['b', 'BIGINT', false]]) },
      { file: 'b.parquet', result: ok([['b', 'BIGINT', false], ['a', 'BIGINT', true]]) },
      { file: 'c.parquet', result: ok([['a', 'BIGINT', false]]) },
    ]);
    assert.deepEqual(problems.map((p) => [p.file, p.code]), [['b.parquet', 'schema-mismatch'], ['c.parquet', 'schema-mismatch']]);
    assert.match(problems[0].message, /order/);
    assert.deepEqual(schema?.fields, [
      { name: 'a', type: 'BIGINT', nullable: true },
      { name: 'b', type: 'BIGINT', nullable: true },
    ]);
  });

  it('turns failed samples into problems and starts from the first successful one', () => {
    const { schema, problems } = reconcileSchemas([
      { file: 'a.csv', result: { ok: false, failure: { code: 'file-empty', message: 'empty' } } },
      { file: 'b.csv', result: ok([['__proto__', 'BIGINT']], { delimiter: ';', header: true }) },
      { file: 'c.csv', result: { ok: false, failure: { code: 'file-unreadable', message: 'EACCES' } } },
    ]);
    assert.deepEqual(problems, [
      { file: 'a.csv', code: 'file-empty', message: 'empty' },
      { file: 'c.csv', code: 'file-unreadable', message: 'EACCES' },
    ]);
    assert.deepEqual(schema, { fields: [{ name: '__proto__', type: 'BIGINT', nullable: true }], delimiter: ';', header: true });
  });

  it('returns no schema when no sample succeeded', () => {
    const { schema, problems } = reconcileSchemas([
      { file: 'a.json', result: { ok: false, failure: { code: 'file-malformed', message: 'bad' } } },
    ]);
    assert.equal(schema, undefined);
    assert.equal(problems.length, 1);
    assert.deepEqual(reconcileSchemas([]), { schema: undefined, problems: [], outliers: [] });
  });

  it('reports a different CSV dialect as a schema-mismatch', () => {
    const { problems } = reconcileSchemas([
      { file: 'a.csv', result: ok([['a', 'BIGINT']], { delimiter: ',', header: true }) },
      { file: 'b.csv', result: ok([['a', 'BIGINT']], { delimiter: ';', header: true }) },
    ]);
    assert.deepEqual(problems.map((p) => p.code), ['schema-mismatch']);
  });

  it('merges real inferred files of one group', async () => {
    const a = write('g_1.csv', 'id,amount,day\n1,2,2024-01-01\n');
    const b = write('g_2.csv', 'id,amount,day\n2,2.5,2024-01-02 10:00:00\n');
    const { schema, problems } = reconcileSchemas(await Promise.all([a, b].map(async (file) => ({ file, result: await infer(file, 'csv') }))));
    assert.deepEqual(problems, []);
    assert.deepEqual(schema?.fields.map((f) => `${f.name} ${f.type}`), ['id BIGINT', 'amount DOUBLE', 'day TIMESTAMP']);
  });
});
