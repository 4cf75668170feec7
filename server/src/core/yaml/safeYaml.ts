import { Alias, Document, LineCounter, isNode, isScalar, parseAllDocuments, visit, type Node as YamlNode, type Scalar } from 'yaml';
import { ProblemCode, type Problem, type Range } from '../problems';

/**
 * Parses a catalog YAML file defensively: hostile input (alias bombs, huge files, merge-conflict
 * markers, tabs, duplicate keys, unknown tags) yields problems, never an exception or a hang.
 */
export function parseYamlFile(file: string, text: string, firstLine = 0): ParsedYamlFile {
  const lineCounter = new LineCounter();
  if (firstLine > 0) {
    // The text is one document taken from line `firstLine` of a file: report the file's lines.
    const linePos = lineCounter.linePos;
    lineCounter.linePos = (offset) => {
      const position = linePos(offset);
      return { line: position.line + firstLine, col: position.col };
    };
  }
  const locate = (start: number, end: number): Range => rangeOf(lineCounter, start, end);
  if (text.length > MAX_YAML_CHARS) {
    return {
      file, text, lineCounter, documents: [],
      problems: [problemAt(file, ProblemCode.FileTooLarge, 'error', firstLineRange(text),
        `This file is ${(text.length / 1048576).toFixed(1)} MiB; catalog definitions are limited to ${MAX_YAML_CHARS / 1048576} MiB. Split it into several files.`)],
    };
  }
  const conflict = MERGE_CONFLICT_MARKER.exec(text);
  if (conflict) {
    countLines(lineCounter, text);
    const start = conflict.index;
    return {
      file, text, lineCounter, documents: [],
      problems: [problemAt(file, ProblemCode.MergeConflict, 'error', locate(start, start + conflict[0].length),
        'This file has unresolved git merge-conflict markers. Resolve the conflict, then validate again.')],
    };
  }
  const problems: Problem[] = [];
  const documents: ParsedYamlDocument[] = [];
  let parsed: Document.Parsed[];
  try {
    // Duplicate keys are found by duplicateKeys below: the parser's own check compares every key
    // with every earlier one, so a file of 50,000 keys took seconds. `logLevel: 'error'` keeps the
    // library from printing warnings (such as stringified collection keys) to stderr.
    parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: false, version: '1.2', schema: 'core', logLevel: 'error' }) as Document.Parsed[];
    if (!Array.isArray(parsed)) parsed = [];
  } catch (error) {
    // The parser is not supposed to throw (CVE-2023-2251 showed it once could); report, never crash.
    return {
      file, text, lineCounter, documents: [],
      problems: [problemAt(file, ProblemCode.YamlSyntax, 'error', firstLineRange(text), `The YAML parser failed: ${(error as Error).message}`)],
    };
  }
  for (const doc of parsed) {
    const docProblems: Problem[] = [];
    for (const error of doc.errors) {
      const code = error.code === 'DUPLICATE_KEY' ? ProblemCode.DuplicateKey : ProblemCode.YamlSyntax;
      docProblems.push(problemAt(file, code, 'error', locate(error.pos[0], error.pos[1]), yamlErrorMessage(error.code, error.message)));
    }
    for (const warning of doc.warnings) {
      docProblems.push(problemAt(file, ProblemCode.YamlSyntax, 'warning', locate(warning.pos[0], warning.pos[1]), yamlErrorMessage(warning.code, warning.message)));
    }
    const duplicates = duplicateKeys(doc);
    for (const key of duplicates) {
      const range = key.range ? locate(key.range[0], key.range[1]) : locate(0, 0);
      docProblems.push(problemAt(file, ProblemCode.DuplicateKey, 'error', range,
        `The key '${String(key.value).slice(0, 80)}' appears twice in the same mapping; keep one of them.`));
    }
    let value: unknown;
    let ok = doc.errors.length === 0 && duplicates.length === 0;
    if (ok) {
      try {
        value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (error) {
        ok = false;
        const unresolved = /^Unresolved alias.*: (.*)$/.exec((error as Error).message)?.[1];
        const alias = firstAlias(doc, unresolved);
        const range = alias?.range ? locate(alias.range[0], alias.range[1]) : locate(0, 0);
        // Only the alias-count limit is a bomb; an alias to a missing anchor is an ordinary mistake.
        const excessive = /excessive alias/i.test((error as Error).message);
        docProblems.push(problemAt(file, excessive ? ProblemCode.TooManyAliases : ProblemCode.YamlSyntax, 'error', range,
          excessive
            ? 'Aliases in this document expand too far (a "billion laughs" pattern). Write the values out instead of using anchors and aliases.'
            : `This document could not be read: ${(error as Error).message}`));
      }
    }
    problems.push(...docProblems);
    const contents = doc.contents;
    const range = contents && isNode(contents) && contents.range ? locate(contents.range[0], contents.range[1]) : locate(doc.range[0], doc.range[1]);
    documents.push({ doc, value: ok ? value : undefined, ok, range, problems: docProblems });
  }
  return { file, text, lineCounter, documents, problems, ...(firstLine > 0 ? { firstLine } : {}) };
}

export interface ParsedYamlFile {
  file: string;
  text: string;
  lineCounter: LineCounter;
  /** The file line where `text` starts, when it is one document taken out of a file (offsets stay relative to `text`). */
  firstLine?: number;
  documents: ParsedYamlDocument[];
  /** Every problem of the file, including those of its documents. */
  problems: Problem[];
}

export interface ParsedYamlDocument {
  doc: Document.Parsed;
  /** The plain value, or undefined when the document has errors. */
  value: unknown;
  ok: boolean;
  range: Range;
  problems: Problem[];
}

/** Definitions are small; a cap keeps a 20 MB file from stalling the editor (vscode-yaml#930). */
export const MAX_YAML_CHARS = 2 * 1024 * 1024;
/** Enough for legitimate anchors, far below what an alias bomb needs. */
export const MAX_ALIAS_COUNT = 100;

const MERGE_CONFLICT_MARKER = /^(?:<{7}|={7}|>{7})(?: .*)?$/m;

/** Converts a [start, end) offset pair into a zero-based range. */
export function rangeOf(lineCounter: LineCounter, start: number, end: number): Range {
  const a = lineCounter.linePos(start);
  const b = lineCounter.linePos(Math.max(start, end));
  return { start: { line: a.line - 1, character: a.col - 1 }, end: { line: b.line - 1, character: b.col - 1 } };
}

/** The range of a node's value (without trailing comments and blank lines). */
export function nodeRange(lineCounter: LineCounter, node: YamlNode | null | undefined): Range | undefined {
  if (!node || !node.range) return undefined;
  return rangeOf(lineCounter, node.range[0], node.range[1]);
}

export function problemAt(file: string, code: ProblemCode, severity: Problem['severity'], range: Range, message: string, suggestions?: string[]): Problem {
  const problem: Problem = { code, severity, file, range, message };
  if (suggestions && suggestions.length > 0) problem.suggestions = suggestions;
  return problem;
}

function firstLineRange(text: string): Range {
  const end = text.indexOf('\n');
  return { start: { line: 0, character: 0 }, end: { line: 0, character: Math.min(end < 0 ? text.length : end, 200) } };
}

function countLines(lineCounter: LineCounter, text: string): void {
  lineCounter.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
}

/** Every scalar key that repeats an earlier key of the same mapping (as YAML compares them: by value). */
function duplicateKeys(doc: Document): Scalar[] {
  const duplicates: Scalar[] = [];
  try {
    visit(doc, {
      Map(_key, map) {
        const seen = new Set<unknown>();
        for (const pair of map.items) {
          if (!isScalar(pair.key)) continue;
          if (seen.has(pair.key.value)) duplicates.push(pair.key);
          else seen.add(pair.key.value);
        }
      },
    });
  } catch {
    // A document too deep to walk fails toJS below too, which reports it.
  }
  return duplicates;
}

/** The first alias named `source`, or the first alias at all. */
function firstAlias(doc: Document, source?: string): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (source !== undefined && node.source !== source) {
        found ??= node;
        return undefined;
      }
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

const YAML_HINTS: Record<string, string> = {
  TAB_AS_INDENT: 'Tabs are not allowed for indentation in YAML; indent with spaces.',
  DUPLICATE_KEY: 'This key appears twice in the same mapping; keep one of them.',
  BAD_INDENT: 'The indentation here is inconsistent; align this line with its siblings.',
  MISSING_CHAR: 'A closing quote or bracket is missing.',
  TAG_RESOLVE_FAILED: 'Custom YAML tags are not supported in catalog files; write a plain value.',
};

function yamlErrorMessage(code: string, message: string): string {
  const hint = YAML_HINTS[code];
  const first = message.split('\n')[0] ?? message;
  return hint ? `${hint} (${first})` : `${first}`;
}
