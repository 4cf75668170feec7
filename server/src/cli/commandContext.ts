import { CliError, type CliIo, type OutputFormat } from './output';

/**
 * What a command registered outside main.ts needs from it: the streams, the abort signal (Ctrl-C,
 * SIGTERM), the global options and a way to set the exit status.
 */
export interface CommandContext {
  io: CliIo;
  signal: AbortSignal;
  common: () => { root: string; format: OutputFormat };
  setExitCode: (code: number) => void;
}

declare const CAC_VERSION: string | undefined;
/** The bundle's version, recorded so a newer engine never replays an older engine's result. */
export const ENGINE_VERSION = typeof CAC_VERSION === 'string' ? CAC_VERSION : undefined;

/**
 * The current time. `CAC_NOW` (an ISO time) fixes it: a testing aid for schedules, documented in
 * the README; the daemon lets it run on from there in real time.
 */
export function clockOf(env: NodeJS.ProcessEnv): () => Date {
  const fixed = env.CAC_NOW;
  if (!fixed) return () => new Date();
  const start = Date.parse(fixed);
  if (Number.isNaN(start)) throw new CliError(`CAC_NOW='${fixed}' is not a time; use ISO 8601, e.g. 2024-01-30T10:00:00Z.`);
  const realStart = Date.now();
  return () => new Date(start + (Date.now() - realStart));
}
