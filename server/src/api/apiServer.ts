import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActionRefused, type SyncOutcome } from '../core';
import { accessPolicyFor, callerOf, checkAccess, checkSameOrigin, type AccessPolicy } from './access';
import { ApiError, sendError, sendJson } from './http';
import { routeOperations, type RouteContext } from './operationsRoutes';
import { SyncLauncher } from './syncLauncher';

/**
 * `cac serve`: the HTTP API on node:http. Limits come from node:http itself: headers must arrive
 * within 10 s and a whole request within 30 s (slow clients cannot hold sockets), bodies are
 * capped at 64 KiB (http.ts), idle keep-alive sockets close after 5 s.
 */
export function createApiServer(options: ApiServerOptions): ApiServer | { error: string } {
  const policy = accessPolicyFor(options.host, options.token, options.tokenName);
  if ('error' in policy) return policy;
  const clock = options.now ?? (() => new Date());
  const launcher = new SyncLauncher({ env: options.env, now: options.now, onFinished: options.onFinished });
  const context = { root: options.root, launcher, clock };
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 }, (request, response) => {
    handle(request, response, policy, context, options.log).catch((error: unknown) => {
      options.log?.(`internal error: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent) sendError(response, new ApiError(500, 'internal-error', 'The server failed to answer; see its log.'));
      else response.destroy();
    });
  });
  server.maxHeadersCount = 100;
  return {
    server,
    launcher,
    listen: () => new Promise<AddressInfo>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    }),
    close: async (reason = 'the API server is shutting down') => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await launcher.abortAll(reason);
      server.closeAllConnections();
      await closed;
    },
  };
}

export interface ApiServerOptions {
  root: string;
  host: string;
  port: number;
  /** The bearer token (CAC_API_TOKEN); required on a non-loopback host. */
  token: string | undefined;
  /** Who holds the token (CAC_API_TOKEN_NAME), recorded as `triggered_by` of what it starts. */
  tokenName?: string;
  env: Readonly<Record<string, string | undefined>>;
  now?: () => Date;
  log?: (line: string) => void;
  onFinished?: (outcome: SyncOutcome) => void;
}

export interface ApiServer {
  server: Server;
  launcher: SyncLauncher;
  listen(): Promise<AddressInfo>;
  /** Stops accepting requests, aborts the syncs this server runs (each ends `aborted`), and resolves when all is closed. */
  close(reason?: string): Promise<void>;
}

async function handle(request: IncomingMessage, response: ServerResponse, policy: AccessPolicy, server: Omit<RouteContext, 'caller'>, log?: (line: string) => void): Promise<void> {
  const started = Date.now();
  try {
    checkAccess(request, policy);
    checkSameOrigin(request);
    const context: RouteContext = { ...server, caller: callerOf(request, policy) };
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/health') {
      if (request.method === 'HEAD') {
        // Load balancers and uptime checks probe with HEAD: the same status, no body.
        response.writeHead(200, { 'Content-Type': 'application/json' }).end();
        return;
      }
      if (request.method !== 'GET') throw new ApiError(405, 'method-not-allowed', 'Use GET or HEAD.', { headers: { Allow: 'GET, HEAD' } });
      sendJson(response, 200, { status: 'ok', running_operations: context.launcher.activeCount });
    } else if (url.pathname === '/api/operations' || url.pathname.startsWith('/api/operations/')) {
      await routeOperations(request, response, url, context);
    } else {
      throw new ApiError(404, 'not-found', `No route ${url.pathname}. The API serves /api/operations and /api/health.`);
    }
  } catch (error) {
    if (error instanceof ActionRefused) return sendError(response, refusedAction(error));
    if (!(error instanceof ApiError)) throw error;
    // An oversized body is not read: its answer carries `Connection: close`, so the socket closes after it.
    sendError(response, error);
  } finally {
    log?.(`${request.method ?? '?'} ${(request.url ?? '').slice(0, 200)} ${response.statusCode} ${Date.now() - started} ms`);
  }
}

/** The engine refused an operation action: 404 for an unknown operation, 409 for its state or invalid definitions. */
function refusedAction(error: ActionRefused): ApiError {
  if (error.reason === 'not-found') return new ApiError(404, 'operation-not-found', error.message);
  return new ApiError(409, error.reason === 'invalid' ? 'invalid-definitions' : 'conflict', error.message);
}
