import assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyzeDefinitions, loadWorkspace, type Problem, type ProblemCode, type ProjectSettings, type Workspace } from '../../server/src/core';
import { MAX_YAML_CHARS, parseYamlFile } from '../../server/src/core/yaml/safeYaml';
import { cleanupWorkspace, writeWorkspace, positionOf } from '../helpers/workspace';

const ROOT = path.resolve('/catalog-as-code-test');
const PROJECT: ProjectSettings = { root: ROOT, snapshotsDir: path.join(ROOT, 'snapshots'), stateDir: path.join(ROOT, '.cac'), exclude: [] };
const FILE = path.join(ROOT, 'datastores', 'hostile.yaml');

/**
 * Analyzes one file, which must not throw. That hostile input never stalls the editor is shown
 * by what the parser reports (its bounds: aliases, nesting, size), not by timing it here.
 */
function analyzeHostile(text: string): Workspace {
  return analyzeDefinitions(PROJECT, [{ path: FILE, text }]);
}

function codesOf(problems: readonly Problem[]): ProblemCode[] {
  return problems.map((p) => p.code);
}


const DATASTORE = 'kind: Datastore\nname: landing\ntype: dfs\nroot: ./data\n';

/** The classic "billion laughs": each level aliases the previous one nine times. */
function aliasBomb(levels: number): string {
  const lines = [DATASTORE.trimEnd(), 'extensions: &a0 [csv, csv, csv, csv, csv, csv, csv, csv, csv]'];
  for (let level = 1; level <= levels; level++) {
    lines.push(`x${level}: &a${level} [${Array.from({ length: 9 }, () => `*a${level - 1}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

describe('hostile YAML yields problems, never an exception or a hang', () => {
  it('reports a nine-level billion-laughs alias bomb as too-many-aliases at its first alias', () => {
    const text = aliasBomb(9);
    const workspace = analyzeHostile(text);
    assert.deepEqual(codesOf(workspace.problems), ['too-many-aliases']);
    assert.deepEqual(workspace.problems[0]!.range.start, positionOf(text, '*a0'));
    assert.deepEqual(workspace.datastores, []);
  });

  it('reports an alias bomb built from mappings and used as a key', () => {
    const lines = ['kind: Datastore', 'a0: &a0 {x: 1, y: 2}'];
    for (let level = 1; level <= 9; level++) lines.push(`a${level}: &a${level} {${Array.from({ length: 9 }, (_, i) => `k${i}: *a${level - 1}`).join(', ')}}`);
    lines.push('? *a9', ': boom');
    const workspace = analyzeHostile(`${lines.join('\n')}\n`);
    assert.deepEqual(codesOf(workspace.problems), ['too-many-aliases']);
  });

  it('accepts a few legitimate anchors and aliases', () => {
    const workspace = analyzeHostile('kind: Datastore\nname: landing\ntype: dfs\nroot: &root ./data\nextensions: &formats [csv, parquet]\ndescription: *root\n');
    assert.deepEqual(workspace.problems, []);
    assert.deepEqual(workspace.datastores.map((d) => [d.settings.extensions, d.description]), [[['csv', 'parquet'], './data']]);
  });

  it('reports an alias to an anchor of another document as a syntax error on that alias, not as a bomb', () => {
    const text = `${DATASTORE}extensions: &formats [csv]\n---\nkind: Datastore\nname: archive\ntype: dfs\nroot: &root ./archive\ndescription: *root\nextensions: *formats\n`;
    const workspace = analyzeHostile(text);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range.start]), [['yaml-syntax', positionOf(text, '*formats')]]);
    assert.match(workspace.problems[0]!.message, /formats/);
    assert.deepEqual(workspace.datastores.map((d) => d.name), ['landing']);
  });

  it('reports a duplicate key on the second key and drops the definition', () => {
    const text = 'kind: Datastore\nname: landing\ntype: dfs\nname: other\nroot: ./data\n';
    const workspace = analyzeHostile(text);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.severity, p.range]), [
      ['duplicate-key', 'error', { start: { line: 3, character: 0 }, end: { line: 3, character: 4 } }],
    ]);
    assert.match(workspace.problems[0]!.message, /name/);
    assert.deepEqual(workspace.datastores, []);
  });

  it('keeps the other documents of a file when one has a duplicate key', () => {
    const workspace = analyzeHostile(`${DATASTORE}---\nkind: Datastore\nname: a\nname: b\ntype: dfs\nroot: .\n`);
    assert.deepEqual(codesOf(workspace.problems), ['duplicate-key']);
    assert.deepEqual(workspace.datastores.map((d) => d.name), ['landing']);
  });

  it('reports a duplicate key in a nested flow mapping', () => {
    const text = 'kind: Datastore\nname: db\ntype: postgresql\nconnection: { host: a, database: b, host: c }\n';
    const workspace = analyzeHostile(text);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range.start]), [['duplicate-key', positionOf(text, 'host', 2)]]);
  });

  it('does not take keys that only look alike for duplicates', () => {
    const text = 'kind: Overrides\ndatastore: landing\ncontainers:\n  "1": { partition_identifier: null }\n  1: { partition_identifier: null }\n';
    const workspace = analyzeHostile(`${DATASTORE}---\n${text}`);
    assert.deepEqual(codesOf(workspace.problems), []);
  });

  it('reports git merge-conflict markers at the first marker, and nothing else', () => {
    const text = 'kind: Datastore\n<<<<<<< HEAD\nname: landing\n=======\nname: archive\n>>>>>>> feature/rename\ntype: dfs\nroot: ./data\n';
    const workspace = analyzeHostile(text);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.severity, p.range]), [
      ['merge-conflict-markers', 'error', { start: { line: 1, character: 0 }, end: { line: 1, character: 12 } }],
    ]);
  });

  it('reports tab indentation as a YAML syntax error on the tab line', () => {
    const text = 'kind: Datastore\nname: shop\ntype: sqlite\nconnection:\n\tpath: ./shop.sqlite\n';
    const workspace = analyzeHostile(text);
    assert.ok(workspace.problems.length > 0);
    assert.ok(workspace.problems.every((p) => p.code === 'yaml-syntax' && p.range.start.line === 4));
    assert.deepEqual(workspace.datastores, []);
  });

  it('rejects a file over the size limit read from disk, without reading it whole', () => {
    const padding = `# ${'x'.repeat(1021)}\n`;
    const text = `kind: Datastore\nname: big\ntype: dfs\nroot: ./data\n${padding.repeat(20 * 1024)}`;
    assert.ok(text.length > 20 * 1024 * 1024);
    const root = writeWorkspace({ 'datastores/big.yaml': text });
    try {
      const workspace = loadWorkspace(root);
      assert.deepEqual(workspace.problems.map((p) => [p.code, p.file, p.range.start]), [
        ['file-too-large', path.join(root, 'datastores/big.yaml'), { line: 0, character: 0 }],
      ]);
      assert.deepEqual(workspace.datastores, []);
    } finally {
      cleanupWorkspace(root);
    }
  });

  it('ignores an oversized file that is not a catalog file', () => {
    const root = writeWorkspace({ 'data/huge.yaml': `rows:\n${'  - 1\n'.repeat(Math.ceil(MAX_YAML_CHARS / 6) + 10)}` });
    try {
      assert.deepEqual(loadWorkspace(root).problems, []);
    } finally {
      cleanupWorkspace(root);
    }
  });

  it('rejects a text over the size limit given to the parser, as an unsaved editor buffer', () => {
    const text = `kind: Datastore\n${'#'.repeat(20 * 1024 * 1024)}\n`;
    const parsed = parseYamlFile(FILE, text);
    assert.deepEqual(parsed.problems.map((p) => [p.code, p.range.start]), [['file-too-large', { line: 0, character: 0 }]]);
    assert.deepEqual(parsed.documents, []);
    assert.deepEqual(codesOf(analyzeHostile(text).problems), ['file-too-large']);
  });

  it('reports an unclosed quote as a YAML syntax error', () => {
    const workspace = analyzeHostile('kind: Datastore\nname: "landing\ntype: dfs\nroot: ./data\n');
    assert.ok(workspace.problems.length > 0);
    assert.ok(codesOf(workspace.problems).every((code) => code === 'yaml-syntax'));
    assert.deepEqual(workspace.datastores, []);
  });

  it('reports an unclosed flow sequence as a YAML syntax error', () => {
    const workspace = analyzeHostile(`${DATASTORE}extensions: [csv, parquet\n`);
    assert.ok(codesOf(workspace.problems).includes('yaml-syntax'));
  });

  it('never runs a !!js/function tag and reports it', () => {
    const text = `${DATASTORE}description: !!js/function "function () { globalThis.pwned = true; }"\n`;
    const workspace = analyzeHostile(text);
    assert.equal((globalThis as Record<string, unknown>).pwned, undefined);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.severity, p.range.start]), [['yaml-syntax', 'warning', positionOf(text, '!!js/function')]]);
    assert.equal(typeof workspace.datastores[0]!.description, 'string');
  });

  it('reports a __proto__ key as an unknown property without polluting Object.prototype', () => {
    const text = `${DATASTORE}__proto__:\n  polluted: true\nconnection:\n  __proto__: { polluted: true }\n`;
    const workspace = analyzeHostile(text);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range.start]), [
      ['unknown-property', positionOf(text, '__proto__')],
      ['unknown-property', positionOf(text, '__proto__', 2)],
    ]);
    assert.equal(Object.getPrototypeOf(workspace.datastores[0]!.settings), Object.prototype);
    assert.equal(Object.getPrototypeOf(workspace.datastores[0]!.settings.connection), Object.prototype);
  });

  it('keeps a __proto__ container name as an ordinary override', () => {
    const workspace = analyzeHostile(`${DATASTORE}---\nkind: Overrides\ndatastore: landing\ncontainers:\n  __proto__: { partition_identifier: null }\n`);
    assert.deepEqual(workspace.problems, []);
    assert.deepEqual([...workspace.overrides[0]!.containers.keys()], ['__proto__']);
    assert.equal(({} as Record<string, unknown>).partition_identifier, undefined);
  });

  it('prints no library warning while reading a mapping used as a key', () => {
    const emitted: unknown[] = [];
    const original = process.emitWarning;
    process.emitWarning = ((warning: unknown) => void emitted.push(warning)) as typeof process.emitWarning;
    try {
      const workspace = analyzeHostile(`${DATASTORE}? { a: 1 }\n: value\n`);
      assert.deepEqual(codesOf(workspace.problems), ['unknown-property']);
    } finally {
      process.emitWarning = original;
    }
    assert.deepEqual(emitted, []);
  });

  it('reads an empty file as nothing', () => {
    assert.deepEqual(parseYamlFile(FILE, '').problems, []);
    const workspace = analyzeHostile('');
    assert.deepEqual(workspace.problems, []);
    assert.deepEqual(workspace.files, []);
  });

  it('reads a file holding only a document marker as nothing', () => {
    const parsed = parseYamlFile(FILE, '---\n');
    assert.deepEqual(parsed.problems, []);
    assert.ok(parsed.documents.every((d) => d.value === null));
    assert.deepEqual(analyzeHostile('---\n').problems, []);
    assert.deepEqual(analyzeHostile(`---\n${DATASTORE}---\n---\n`).problems, []);
  });

  it('reads a document that is a list or a scalar as no definition, without throwing', () => {
    const workspace = analyzeHostile('- kind: Datastore\n---\nkind: Datastore\n---\n"just a string"\n');
    assert.deepEqual(workspace.datastores, []);
    assert.ok(codesOf(workspace.problems).every((code) => code === 'missing-property'));
  });

  it('analyzes a mapping of ten thousand unknown keys within a second', () => {
    const text = `${DATASTORE}${Array.from({ length: 10_000 }, (_, i) => `key${i}: v`).join('\n')}\n`;
    const workspace = analyzeHostile(text);
    assert.equal(workspace.problems.length, 10_000);
    assert.ok(workspace.problems.every((p) => p.code === 'unknown-property'));
    assert.deepEqual(workspace.problems[9_999]!.range.start, positionOf(text, 'key9999:'));
  });

  it('reports a sequence nested a hundred thousand deep instead of overflowing the stack', () => {
    const workspace = analyzeHostile(`kind: Datastore\nname: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    assert.ok(workspace.problems.length > 0);
  });

  it('reads a byte order mark and Windows line endings', () => {
    const text = `\uFEFF${DATASTORE.replace(/\n/g, '\r\n')}nmae: x\r\n`;
    const workspace = analyzeHostile(text);
    assert.deepEqual(workspace.problems.map((p) => [p.code, p.range.start]), [['unknown-property', { line: 4, character: 0 }]]);
  });

  describe('random input never makes analyzeDefinitions throw', () => {
    const mustNotThrow = (text: string): void => {
      for (const variant of [text, `kind: Datastore\n${text}`, `${DATASTORE}${text}`, `${text}\nkind: Schedule\n`]) {
        const workspace = analyzeDefinitions(PROJECT, [{ path: FILE, text: variant }]);
        assert.ok(Array.isArray(workspace.problems));
      }
    };

    it('for arbitrary strings', () => {
      fc.assert(fc.property(fc.string({ maxLength: 400 }), mustNotThrow), { numRuns: 200 });
    });

    it('for arbitrary full-Unicode strings', () => {
      fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), mustNotThrow), { numRuns: 200 });
    });

    it('for arbitrary bytes decoded as latin1', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 800 }), (bytes) => mustNotThrow(Buffer.from(bytes).toString('latin1'))), { numRuns: 200 });
    });

    it('for arbitrary sequences of YAML syntax', () => {
      const token = fc.constantFrom(
        'kind: Datastore', 'kind: Schedule', 'kind: Overrides', 'kind: Project', 'name: x', 'type: dfs', 'root: .', 'connection:', '  password: ',
        '${env:', '}', '---', '...', '&a ', '*a', '<<: *a', '[', ']', '{', '}', ':', ': ', '- ', '? ', '|', '>-', '"', "'", '#', '\t', '  ', '\n', '\r\n',
        '!!js/function ', '!custom ', '%YAML 1.2', '__proto__: ', 'cron: ', 'daily: { at: "25:00" }', 'containers:', '=======', '\u0000', '\uFEFF',
      );
      fc.assert(fc.property(fc.array(token, { maxLength: 60 }), (tokens) => mustNotThrow(tokens.join(''))), { numRuns: 200 });
    });
  });
});
