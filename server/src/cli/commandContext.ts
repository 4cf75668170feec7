import type { AddressInfo } from 'node:net';
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
  /** The HTTP API, when the program has one (`cac serve`). */
  startApi?: ApiStarter;
}

/** Starts the HTTP API (server/src/api, as the program's entry wires it) for `cac serve`. */
export type ApiStarter = (options: ApiOptions) => Promise<StartedApi | { error: string }>;

export interface ApiOptions {
  root: string;
  host: string;
  port: number;
  /** The bearer token (CAC_API_TOKEN); required on a non-loopback host. */
  token: string | undefined;
  /** Who holds the token (CAC_API_TOKEN_NAME). */
  tokenName?: string;
  env: Readonly<Record<string, string | undefined>>;
  now?: () => Date;
  log?: (line: string) => void;
}

export interface StartedApi {
  listen(): Promise<AddressInfo>;
  /** Stops accepting requests, aborts the syncs the API runs (each ends `aborted`), and resolves when all is closed. */
  close(reason?: string): Promise<void>;
}

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
