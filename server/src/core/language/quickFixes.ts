import { ProblemCode, type Problem, type Range } from '../problems';
import { yamlScalar, type TextEdit } from './catalogView';
import { isSuppressible, suppressionComment } from './suppressions';

/**
 * Quick fixes for a reported problem: the nearest valid name for a misspelt key, value,
 * datastore, container or field; `${env:VAR}` instead of a literal secret; a suppression
 * comment for problems that may be ignored; removal of an unused suppression.
 */
export function quickFixesFor(problem: Pick<Problem, 'code' | 'severity' | 'range' | 'suggestions'>, text: string): QuickFix[] {
  const fixes: QuickFix[] = [];
  const suggestions = problem.suggestions ?? [];
  switch (problem.code) {
    case ProblemCode.LiteralSecret:
      if (suggestions[0]) {
        fixes.push({ title: `Replace the literal secret with ${suggestions[0]}`, edits: [{ range: problem.range, newText: suggestions[0] }], isPreferred: true });
      }
      break;
    case ProblemCode.UnknownProperty:
    case ProblemCode.SchemaViolation:
    case ProblemCode.UnknownDatastore:
    case ProblemCode.UnknownContainer:
    case ProblemCode.UnknownField:
    case ProblemCode.UnknownKind:
      suggestions.forEach((suggestion, index) => {
        fixes.push({ title: `Change to '${suggestion}'`, edits: [{ range: problem.range, newText: yamlScalar(suggestion) }], isPreferred: index === 0 });
      });
      break;
    case ProblemCode.UnusedSuppression: {
      const edit = removeSuppressedCode(text, problem.range);
      if (edit) fixes.push({ title: 'Remove the unused suppression', edits: [edit], isPreferred: true });
      break;
    }
  }
  if (isSuppressible(problem)) {
    const line = text.split('\n')[problem.range.start.line] ?? '';
    const indent = /^\s*/.exec(line)![0];
    fixes.push({
      title: `Ignore '${problem.code}' on this line`,
      edits: [{ range: at(problem.range.start.line, 0), newText: `${indent}${suppressionComment(problem.code)}\n` }],
      isPreferred: false,
    });
  }
  return fixes;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  isPreferred: boolean;
}

function at(line: number, character: number): Range {
  return { start: { line, character }, end: { line, character } };
}

/** Removes one code from a `# cac-ignore:` list, or the whole comment when it is the only one. */
function removeSuppressedCode(text: string, range: Range): TextEdit | undefined {
  const lines = text.split('\n');
  const raw = lines[range.start.line];
  if (raw === undefined) return undefined;
  const line = raw.replace(/\r$/, '');
  const hash = line.lastIndexOf('#', range.start.character);
  if (hash < 0) return undefined;
  const codes = line.slice(line.indexOf(':', hash) + 1).split(/[\s,]+/).filter(Boolean);
  if (codes.length > 1) {
    // Drop the code and the separator after it (or before it, for the last one).
    const after = /^[\s,]*/.exec(line.slice(range.end.character))![0];
    if (range.end.character + after.length < line.length) return { range: { start: range.start, end: { line: range.start.line, character: range.end.character + after.length } }, newText: '' };
    const before = /[\s,]*$/.exec(line.slice(0, range.start.character))![0];
    return { range: { start: { line: range.start.line, character: range.start.character - before.length }, end: range.end }, newText: '' };
  }
  if (line.slice(0, hash).trim() === '') {
    // A comment alone on its line: delete the line.
    return { range: { start: at(range.start.line, 0).start, end: at(range.start.line + 1, 0).start }, newText: '' };
  }
  const start = hash - /\s*$/.exec(line.slice(0, hash))![0].length;
  return { range: { start: { line: range.start.line, character: start }, end: { line: range.start.line, character: line.length } }, newText: '' };
}
