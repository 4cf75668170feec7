import * as fs from 'node:fs';
import { ProblemCode, type Problem, type Range } from '../problems';

/**
 * Per-line suppression comments, shared by `cac validate` and the language server so both
 * report the same problems:
 *
 *   containers:
 *     # cac-ignore: unknown-container
 *     staging_orders: { incremental_identifier: updated_at }
 *     orders: { incremental_identifier: created }   # cac-ignore: identifier-type-mismatch
 *
 * A comment alone on its line applies to the next line that is not blank or a comment; a
 * trailing comment applies to its own line. Several codes are separated by commas. Only
 * problems that do not block a sync can be ignored: warnings, and the overrides-versus-snapshot
 * checks (which the sync itself only warns about). A comment that silences nothing is reported
 * as `unused-suppression` (info), so stale comments do not pile up.
 */
export function applySuppressions(problems: readonly Problem[], files: readonly string[], textOf: (file: string) => string | undefined = readTextQuietly): Problem[] {
  const byFile = new Map<string, Problem[]>();
  for (const problem of problems) {
    let list = byFile.get(problem.file);
    if (!list) byFile.set(problem.file, (list = []));
    list.push(problem);
  }
  const result: Problem[] = [];
  for (const file of new Set([...files, ...byFile.keys()])) {
    const own = byFile.get(file) ?? [];
    const text = textOf(file);
    result.push(...(text === undefined ? own : suppressInFile(file, text, own)));
  }
  return result;
}

/** The problems of one file after its suppression comments, plus one info per unused comment. */
export function suppressInFile(file: string, text: string, problems: readonly Problem[]): Problem[] {
  if (!text.includes('cac-ignore:')) return [...problems];
  const suppressions = findSuppressions(text);
  if (suppressions.length === 0) return [...problems];
  const byLine = new Map<number, Suppression[]>();
  for (const suppression of suppressions) {
    let list = byLine.get(suppression.appliesTo);
    if (!list) byLine.set(suppression.appliesTo, (list = []));
    list.push(suppression);
  }
  const kept: Problem[] = [];
  const blocked = new Set<SuppressedCode>();
  for (const problem of problems) {
    const matching = (byLine.get(problem.range.start.line) ?? []).flatMap((s) => s.codes.filter((c) => c.code === problem.code));
    if (matching.length === 0 || problem.code === ProblemCode.UnusedSuppression) {
      kept.push(problem);
      continue;
    }
    if (!isSuppressible(problem)) {
      for (const code of matching) blocked.add(code);
      kept.push(problem);
      continue;
    }
    for (const code of matching) code.used = true;
    // The problem is silenced: it is neither kept nor counted.
  }
  for (const suppression of suppressions) {
    for (const code of suppression.codes) {
      if (code.used) continue;
      const message = !KNOWN_CODES.has(code.code)
        ? `'${code.code}' is not a problem code, so this comment silences nothing. Codes are listed in the README ("Suppressing a problem").`
        : blocked.has(code)
          ? `'${code.code}' here is an error that blocks every sync, so it cannot be ignored; fix it instead, then remove this comment.`
          : `No '${code.code}' problem is reported on the line this comment applies to (line ${suppression.appliesTo + 1}); remove the comment.`;
      kept.push({ code: ProblemCode.UnusedSuppression, severity: 'info', file, range: code.range, message });
    }
  }
  return kept;
}

/** Whether a `# cac-ignore:` comment may silence this problem. */
export function isSuppressible(problem: Pick<Problem, 'code' | 'severity'>): boolean {
  if (problem.code === ProblemCode.UnusedSuppression) return false;
  return problem.severity !== 'error' || SNAPSHOT_CHECKS.has(problem.code);
}

/** The comment text a quick fix inserts to ignore `code` on a line. */
export function suppressionComment(code: string): string {
  return `${MARKER} ${code}`;
}

export interface Suppression {
  /** Zero-based line whose problems this comment may silence. */
  appliesTo: number;
  codes: SuppressedCode[];
}

interface SuppressedCode {
  code: string;
  range: Range;
  used?: boolean;
}

const MARKER = '# cac-ignore:';
const COMMENT = /(^|\s)#\s*cac-ignore:([^#]*)/;
const SNAPSHOT_CHECKS: ReadonlySet<string> = new Set([ProblemCode.UnknownContainer, ProblemCode.UnknownField, ProblemCode.IdentifierTypeMismatch]);
const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ProblemCode));

/** Every suppression comment of a text, with the line each applies to. */
export function findSuppressions(text: string): Suppression[] {
  const lines = text.split('\n');
  const suppressions: Suppression[] = [];
  for (const [index, raw] of lines.entries()) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const match = COMMENT.exec(line);
    if (!match) continue;
    const listStart = match.index + match[0].length - match[2]!.length;
    const codes: SuppressedCode[] = [];
    for (const token of match[2]!.matchAll(/[^\s,]+/g)) {
      const start = listStart + token.index!;
      codes.push({ code: token[0], range: { start: { line: index, character: start }, end: { line: index, character: start + token[0].length } } });
    }
    if (codes.length === 0) continue;
    const standalone = line.slice(0, match.index + match[1]!.length).trim() === '';
    suppressions.push({ appliesTo: standalone ? nextContentLine(lines, index) : index, codes });
  }
  return suppressions;
}

function nextContentLine(lines: readonly string[], from: number): number {
  for (let i = from + 1; i < lines.length; i++) {
    const trimmed = lines[i]!.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) return i;
  }
  return from + 1;
}

function readTextQuietly(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
