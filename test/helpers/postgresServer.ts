import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import pg from 'pg';

/**
 * Where the PostgreSQL tests run: the machine's local server when it answers, else
 * (outside CI only) an embedded real PostgreSQL, PGlite, served on a loopback port by
 * pglite-socket in a child process. Under CI=true the real server is required.
 */
export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  /** PGlite: one database, one backend; sources are isolated by resetting it, and cancel is not supported. */
  embedded: boolean;
}

let target: Promise<PostgresTarget | { unavailable: string }> | undefined;
let child: ChildProcess | undefined;

export function postgresTarget(): Promise<PostgresTarget | { unavailable: string }> {
  target ??= findTarget();
  return target;
}

async function findTarget(): Promise<PostgresTarget | { unavailable: string }> {
  const server: PostgresTarget = {
    host: process.env.CAC_TEST_PGHOST ?? '127.0.0.1',
    port: Number(process.env.CAC_TEST_PGPORT ?? 5432),
    user: process.env.CAC_TEST_PGUSER ?? 'postgres',
    embedded: false,
  };
  const problem = await probe(server);
  if (!problem) return server;
  if (process.env.CI === 'true') {
    return { unavailable: `PostgreSQL at ${server.host}:${server.port} is required under CI=true but did not answer: ${problem}` };
  }
  try {
    return { ...server, host: '127.0.0.1', port: await startPglite(), user: 'postgres', embedded: true };
  } catch (error) {
    return { unavailable: `no PostgreSQL at ${server.host}:${server.port} (${problem}) and PGlite did not start: ${(error as Error).message}` };
  }
}

async function probe(t: PostgresTarget): Promise<string | undefined> {
  const client = new pg.Client({ host: t.host, port: t.port, user: t.user, database: 'postgres', connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function startPglite(): Promise<number> {
  return new Promise((resolve, reject) => {
    const script = path.join(__dirname, 'pgliteServer.mjs');
    child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`PGlite server exited with code ${code}`)));
    readline.createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    // The child ends when our stdin pipe to it closes, i.e. when this process exits for any reason.
    child.unref();
    (child.stdout as unknown as { unref(): void }).unref();
    (child.stdin as unknown as { unref(): void }).unref();
  });
}

/** A client for admin work (create databases, run fixtures) on the target. */
export async function adminClient(t: PostgresTarget, database = 'postgres'): Promise<pg.Client> {
  const client = new pg.Client({ host: t.host, port: t.port, user: t.user, database, connectionTimeoutMillis: 10_000 });
  await client.connect();
  return client;
}
