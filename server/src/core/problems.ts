import { compareText } from './text/order';
/**
 * Problems are values, never exceptions: loading and validation return them with a stable code,
 * the file and a range, so every host (CLI, language server, API) reports the same thing.
 */

/** A zero-based position; `character` counts UTF-16 code units, as LSP and JS strings do. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

/** Stable problem codes. Tests and suppression comments rely on these strings; never rename one. */
export const ProblemCode = {
  FileUnreadable: 'file-unreadable',
  FileTooLarge: 'file-too-large',
  MergeConflict: 'merge-conflict-markers',
  YamlSyntax: 'yaml-syntax',
  DuplicateKey: 'duplicate-key',
  TooManyAliases: 'too-many-aliases',
  UnknownKind: 'unknown-kind',
  SchemaViolation: 'schema-violation',
  UnknownProperty: 'unknown-property',
  MissingProperty: 'missing-property',
  DuplicateName: 'duplicate-name',
  UnknownDatastore: 'unknown-datastore',
  InvalidSchedule: 'invalid-schedule',
  InvalidCron: 'invalid-cron',
  LiteralSecret: 'literal-secret',
  InvalidEnvReference: 'invalid-env-reference',
  UnsetEnvVariable: 'unset-env-variable',
  /** A local database file or file-store root that does not exist (definitions/environmentChecks.ts). */
  SourceNotFound: 'source-not-found',
  SnapshotFolderSymlink: 'snapshot-folder-symlink',
  UnknownContainer: 'unknown-container',
  UnknownField: 'unknown-field',
  IdentifierTypeMismatch: 'identifier-type-mismatch',
  DuplicateProject: 'duplicate-project',
  InvalidSnapshot: 'invalid-snapshot',
  /** A `# cac-ignore:` comment that silences nothing (see language/suppressions.ts). */
  UnusedSuppression: 'unused-suppression',
} as const;

export type ProblemCode = (typeof ProblemCode)[keyof typeof ProblemCode];

export interface Problem {
  code: ProblemCode;
  severity: Severity;
  /** Absolute path of the file the problem is in. */
  file: string;
  range: Range;
  /** What is wrong and what to do about it, in one or two sentences. */
  message: string;
  /** Names a quick fix may offer (nearest valid names), when there are any. */
  suggestions?: string[];
}

export const START_OF_FILE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** Orders problems by file, then position, then code, so every report is stable. */
export function compareProblems(a: Problem, b: Problem): number {
  if (a.file !== b.file) return compareText(a.file, b.file);
  if (a.range.start.line !== b.range.start.line) return a.range.start.line - b.range.start.line;
  if (a.range.start.character !== b.range.start.character) return a.range.start.character - b.range.start.character;
  return compareText(a.code, b.code);
}
