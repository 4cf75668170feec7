import * as path from 'node:path';
import pc from 'picocolors';
import { visible, type Problem } from '../core';

/** Where command output goes; tests pass their own streams. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export type OutputFormat = 'text' | 'json';

/** Commands that print a review (`cac diff`, `cac sync`) also speak Markdown, for pull-request comments. */
export type ReviewOutputFormat = OutputFormat | 'markdown';

/** Colours only on a terminal, never with NO_COLOR set (no-color.org). */
export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): ReturnType<typeof pc.createColors> {
  const enabled = env.NO_COLOR === undefined && env.TERM !== 'dumb' && (env.FORCE_COLOR !== undefined ? env.FORCE_COLOR !== '0' : stream.isTTY === true);
  return pc.createColors(enabled);
}

/** `file:line:col: severity code: message`, the format editors and CI annotate from. */
export function formatProblem(problem: Problem, cwd: string, colors: ReturnType<typeof pc.createColors>): string {
  const where = `${relativePath(problem.file, cwd)}:${problem.range.start.line + 1}:${problem.range.start.character + 1}`;
  const severity = problem.severity === 'error' ? colors.red('error') : problem.severity === 'warning' ? colors.yellow('warning') : colors.blue('info');
  return `${visible(where)}: ${severity} ${colors.dim(problem.code)}: ${visible(problem.message)}`;
}

export function problemJson(problem: Problem, cwd: string): object {
  return {
    file: relativePath(problem.file, cwd),
    line: problem.range.start.line + 1,
    column: problem.range.start.character + 1,
    end_line: problem.range.end.line + 1,
    end_column: problem.range.end.character + 1,
    severity: problem.severity,
    code: problem.code,
    message: problem.message,
    ...(problem.suggestions ? { suggestions: problem.suggestions } : {}),
  };
}

export function relativePath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative === '' ? '.' : relative.startsWith('..') && path.isAbsolute(file) ? file : relative;
}

export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Thrown by commands for a user error with a message and an exit status. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}
