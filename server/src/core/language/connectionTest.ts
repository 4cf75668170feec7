import { performance } from 'node:perf_hooks';
import { ConnectorError, type Connector } from '../connectors/contract';
import { openConnector } from '../connectors/registry';
import { SECRET_KEYS } from '../definitions/envReferences';
import type { DatastoreDefinition } from '../definitions/types';
import { resolveDatastore } from '../sync/resolveDatastore';
import { redactCredentials } from '../text/redact';

/**
 * "Test Connection" and `cac test-connection`: resolves the datastore as a sync does (`${env:…}`
 * from `env`, paths against its file), opens its connector read-only, runs its one harmless
 * read (`Connector.check`) and closes it, all within `timeoutMs`. Never throws; the message says
 * what answered or what failed and what to change, and never holds a secret.
 */
export async function testConnection(datastore: DatastoreDefinition, env: Readonly<Record<string, string | undefined>>, options: ConnectionTestOptions = {}): Promise<ConnectionTestResult> {
  const started = performance.now();
  const done = (ok: boolean, message: string, secrets: readonly string[] = []): ConnectionTestResult => ({ ok, message: withoutSecrets(message, secrets), durationMs: Math.round(performance.now() - started) });
  const resolved = resolveDatastore(datastore, env);
  if ('error' in resolved) return done(false, resolved.error.replace(/ and sync again\.$/, ' and test again.'));
  const secrets = secretValues(resolved.target.settings);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const onHostAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onHostAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new ConnectionTimeout()), timeoutMs);
  const attempt = probe(resolved.target, controller.signal);
  // A connector still opening when the time is up is closed whenever it opens; nobody waits for it.
  attempt.catch(() => undefined);
  const stopped = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true }));
  stopped.catch(() => undefined);
  try {
    return done(true, await Promise.race([attempt, stopped]), secrets);
  } catch (error) {
    if (error instanceof ConnectionTimeout) {
      return done(false, `Datastore '${datastore.name}' did not answer within ${timeoutMs / 1000} s. Check the host, port and firewalls, and that the source is running.`, secrets);
    }
    if (options.signal?.aborted) return done(false, `The connection test of '${datastore.name}' was cancelled.`, secrets);
    const message = error instanceof ConnectorError ? error.message : `Could not connect to datastore '${datastore.name}' (${datastore.type}): ${(error as Error).message ?? String(error)}`;
    return done(false, message, secrets);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onHostAbort);
  }
}

export interface ConnectionTestOptions {
  /** Default 10 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ConnectionTestResult {
  ok: boolean;
  message: string;
  durationMs: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

class ConnectionTimeout extends Error {}

async function probe(target: Parameters<typeof openConnector>[0], signal: AbortSignal): Promise<string> {
  const connector: Connector = await openConnector(target);
  try {
    return await connector.check(signal);
  } finally {
    await connector.close().catch(() => undefined);
  }
}

/** The resolved values of secret settings (at any depth), to be cut out of any message. */
function secretValues(settings: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown, key: string | undefined): void => {
    if (typeof value === 'string') {
      if (key !== undefined && SECRET_KEYS.has(key) && value !== '') found.push(value);
    } else if (value !== null && typeof value === 'object') {
      for (const [child, inner] of Object.entries(value)) walk(inner, child);
    }
  };
  walk(settings, undefined);
  // Longest first, so a secret containing another is cut whole.
  return found.sort((a, b) => b.length - a.length);
}

function withoutSecrets(message: string, secrets: readonly string[]): string {
  let out = redactCredentials(message);
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}
