import { LineCounter } from 'yaml';
import { analyzeDefinitionFile, analyzeParsedYaml, type DefinitionFileAnalysis, type DefinitionFileText } from '../definitions/analyzeDefinitions';
import { mentionsCatalogKind } from '../definitions/definitionFiles';
import type { ProjectSettings } from '../definitions/types';
import type { Problem, Range } from '../problems';
import { MAX_YAML_CHARS, parseYamlFile, type ParsedYamlFile } from '../yaml/safeYaml';

/**
 * Re-analyzes a multi-document file one YAML document at a time, keeping the analysis of every
 * document whose text and place did not change. An edit in a 1,000-document file then parses one
 * document instead of 1,000. The result equals `analyzeDefinitionFile` on the whole text:
 *
 * - Each document is parsed on its own by the engine's `parseYamlFile` (told the line it starts
 *   on, so every range is the file's) and read by `analyzeParsedYaml`, as the whole file would be.
 * - Documents are split where YAML itself splits them: a `---` line at column 0 ends any block
 *   scalar and starts a document. Text the split could misread makes the whole file go through
 *   the full analysis instead: directives (`%`), document-end markers (`...`), any document with a
 *   parse error (a quoted scalar or flow collection may run across `---`, which the full parse
 *   reads differently), merge-conflict markers and oversized files (one problem for the file).
 */
export class DocumentPartsAnalyzer {
  /** The documents of the last analysis, by text (a text may repeat). */
  private parts = new Map<string, PartEntry[]>();

  analyze(project: ProjectSettings, file: DefinitionFileText): DefinitionFileAnalysis | undefined {
    if (!mentionsCatalogKind(file.text)) return this.whole(project, file);
    const chunks = file.text.length > MAX_YAML_CHARS || MERGE_CONFLICT.test(file.text) ? undefined : splitDocuments(file.text);
    if (!chunks || chunks.length < 2) return this.whole(project, file);
    const previous = this.parts;
    const next = new Map<string, PartEntry[]>();
    const analyses: DefinitionFileAnalysis[] = [];
    for (const [index, chunk] of chunks.entries()) {
      let entry = previous.get(chunk.text)?.pop();
      if (!entry) {
        const parsed = parseYamlFile(file.path, chunk.text, chunk.firstLine);
        if (parsed.documents.length !== 1 || parsed.problems.some((p) => p.severity === 'error')) return this.whole(project, file);
        entry = { firstLine: chunk.firstLine, index, parsed, analysis: analyzeParsedYaml(project, file.path, parsed, index) };
      } else if (entry.firstLine !== chunk.firstLine || entry.index !== index) {
        // Lines added or removed above it: the same parse, read again at its new place.
        entry = moved(project, file.path, entry, chunk.firstLine, index);
      }
      let list = next.get(chunk.text);
      if (!list) next.set(chunk.text, (list = []));
      list.push(entry);
      analyses.push(entry.analysis);
    }
    this.parts = next;
    return merge(file, analyses);
  }

  private whole(project: ProjectSettings, file: DefinitionFileText): DefinitionFileAnalysis | undefined {
    this.parts.clear();
    return analyzeDefinitionFile(project, file);
  }
}

interface PartEntry {
  firstLine: number;
  index: number;
  parsed: ParsedYamlFile;
  analysis: DefinitionFileAnalysis;
}

/**
 * A kept document at a new line and index. Parsing is most of the cost and does not depend on
 * the place (offsets are the document's own), so the parse is kept: its line-based ranges move,
 * and the document is read again (schema checks and all) with the new line numbers.
 */
function moved(project: ProjectSettings, file: string, entry: PartEntry, firstLine: number, index: number): PartEntry {
  const delta = firstLine - entry.firstLine;
  const shift = (range: Range): Range => ({
    start: { line: range.start.line + delta, character: range.start.character },
    end: { line: range.end.line + delta, character: range.end.character },
  });
  const shiftProblem = (problem: Problem): Problem => ({ ...problem, range: shift(problem.range) });
  const lineCounter = new LineCounter();
  lineCounter.lineStarts = entry.parsed.lineCounter.lineStarts;
  const localPosition = lineCounter.linePos;
  lineCounter.linePos = (offset) => {
    const position = localPosition(offset);
    return { line: position.line + firstLine, col: position.col };
  };
  const parsed: ParsedYamlFile = {
    ...entry.parsed,
    lineCounter,
    firstLine,
    documents: entry.parsed.documents.map((document) => ({ ...document, range: shift(document.range), problems: document.problems.map(shiftProblem) })),
    problems: entry.parsed.problems.map(shiftProblem),
  };
  return { firstLine, index, parsed, analysis: analyzeParsedYaml(project, file, parsed, index) };
}

/** One parse of a file's text, and the index in the file of its first document. */
export interface ParsedPart {
  parsed: ParsedYamlFile;
  firstDocument: number;
}

/**
 * The parses behind an analysis: one for an analysis of the whole text, one per document for a
 * merged one. Positions map to offsets within a part through that part's own `lineCounter`.
 */
export function parsedPartsOf(analysis: DefinitionFileAnalysis): ParsedPart[] {
  return PARTS.get(analysis) ?? [{ parsed: analysis.parsed, firstDocument: 0 }];
}

const PARTS = new WeakMap<DefinitionFileAnalysis, ParsedPart[]>();
const MERGE_CONFLICT = /^(?:<{7}|={7}|>{7})(?: .*)?$/m;

interface Chunk {
  firstLine: number;
  text: string;
}

/**
 * The file's YAML documents as texts, each starting at its `---` line. Text before the first
 * marker is a document of its own when it has content; when it is only blank lines and comments
 * it belongs to the first document, as YAML reads it. Undefined for text this split could misread.
 */
export function splitDocuments(text: string): Chunk[] | undefined {
  const chunks: Chunk[] = [];
  let start = 0;
  let firstLine = 0;
  let line = 0;
  for (let at = 0; at <= text.length; line++) {
    const end = text.indexOf('\n', at);
    const lineEnd = end < 0 ? text.length : end;
    const first = text.charCodeAt(at);
    if (first === 0x25 /* % */ || (text.startsWith('...', at) && isMarkerEnd(text, at + 3, lineEnd))) return undefined;
    if (at > 0 && text.startsWith('---', at) && isMarkerEnd(text, at + 3, lineEnd)) {
      chunks.push({ firstLine, text: text.slice(start, at) });
      start = at;
      firstLine = line;
    }
    if (end < 0) break;
    at = end + 1;
  }
  chunks.push({ firstLine, text: text.slice(start) });
  if (chunks.length > 1 && !hasContent(chunks[0]!.text)) {
    const [leading, next] = chunks.splice(0, 2);
    chunks.unshift({ firstLine: 0, text: leading!.text + next!.text });
  }
  return chunks;
}

function isMarkerEnd(text: string, at: number, lineEnd: number): boolean {
  return at === lineEnd || text[at] === ' ' || text[at] === '\t' || text[at] === '\r';
}

function hasContent(text: string): boolean {
  return text.split('\n').some((line) => {
    const trimmed = line.trim();
    return trimmed !== '' && !trimmed.startsWith('#');
  });
}

/** One analysis of the whole file from the analyses of its documents, in document order. */
function merge(file: DefinitionFileText, analyses: readonly DefinitionFileAnalysis[]): DefinitionFileAnalysis {
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let i = file.text.indexOf('\n'); i >= 0; i = file.text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
  const parts: ParsedPart[] = [];
  const merged: DefinitionFileAnalysis = {
    path: file.path,
    // The whole text with every document; nodes keep the offsets of their own part (see parsedPartsOf).
    parsed: { file: file.path, text: file.text, lineCounter, documents: [], problems: [] },
    datastores: [], schedules: [], overrides: [], problems: [],
  };
  analyses.forEach((analysis, index) => {
    parts.push({ parsed: analysis.parsed, firstDocument: index });
    merged.parsed.documents.push(...analysis.parsed.documents);
    merged.parsed.problems.push(...analysis.parsed.problems);
    merged.datastores.push(...analysis.datastores);
    merged.schedules.push(...analysis.schedules);
    merged.overrides.push(...analysis.overrides);
    merged.problems.push(...analysis.problems);
  });
  PARTS.set(merged, parts);
  return merged;
}
