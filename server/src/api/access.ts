import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { ApiError } from './http';

/**
 * Who may call the API. Bound to a loopback address, only this machine can reach it, and no
 * token is needed unless one is set; any other address requires a bearer token (refused at
 * start without one). Without a token, requests must also name a loopback host in their `Host`
 * header: a web page that rebinds its own domain name to 127.0.0.1 (DNS rebinding) still sends
 * its own host name, and is refused.
 */
export interface AccessPolicy {
  /** The bearer token every request must carry; undefined only on loopback. */
  token: string | undefined;
  /** Who holds the token (CAC_API_TOKEN_NAME): what operations started with it record as `triggered_by`. */
  tokenName: string | undefined;
}

/** The policy for a bind address, or an error saying what to set. */
export function accessPolicyFor(host: string, token: string | undefined, tokenName?: string): AccessPolicy | { error: string } {
  const trimmed = token?.trim() || undefined;
  if (trimmed !== undefined && trimmed.length < MIN_TOKEN_LENGTH) {
    return { error: `CAC_API_TOKEN is ${trimmed.length} characters long; use at least ${MIN_TOKEN_LENGTH} random characters (e.g. \`openssl rand -hex 32\`).` };
  }
  if (!isLoopbackHost(host) && trimmed === undefined) {
    return { error: `Refusing to serve on ${host}, which is not a loopback address, without a token: set CAC_API_TOKEN (e.g. \`export CAC_API_TOKEN=$(openssl rand -hex 32)\`), or bind to 127.0.0.1.` };
  }
  return { token: trimmed, tokenName: cleanIdentity(tokenName) };
}

const MIN_TOKEN_LENGTH = 16;

/**
 * Who a request comes from, as operations record it in `triggered_by`: the token's configured
 * holder; else the identity the caller states in `X-Cac-Triggered-By`, marked `(stated)` since
 * nothing proves it; else the kind of client. Never the OS user who started `cac serve`.
 */
export function callerOf(request: IncomingMessage, policy: AccessPolicy): string {
  if (policy.token !== undefined && policy.tokenName) return policy.tokenName;
  const header = request.headers[STATED_IDENTITY_HEADER];
  const stated = cleanIdentity(Array.isArray(header) ? header[0] : header);
  if (stated) return `${stated} (stated)`;
  return policy.token !== undefined ? 'api client (token)' : 'api client (loopback)';
}

/** The header a caller names itself in. */
export const STATED_IDENTITY_HEADER = 'x-cac-triggered-by';

/** An identity as recorded: printable, one line, at most 200 characters; undefined when empty. */
function cleanIdentity(value: string | undefined): string | undefined {
  // eslint-disable-next-line no-control-regex
  const cleaned = value?.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim().slice(0, 200);
  return cleaned || undefined;
}

/** Throws 401/403 unless the request may proceed. */
export function checkAccess(request: IncomingMessage, policy: AccessPolicy): void {
  if (policy.token !== undefined) {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !sameSecret(match[1]!, policy.token)) {
      throw new ApiError(401, 'unauthorized', header ? 'The bearer token is not valid.' : 'Send the API token as `Authorization: Bearer <CAC_API_TOKEN>`.', { headers: { 'WWW-Authenticate': 'Bearer realm="cac"' } });
    }
    return;
  }
  const host = hostOfHeader(request.headers.host ?? '');
  if (!isLoopbackHost(host)) {
    throw new ApiError(403, 'forbidden-host', `Requests must address this server as localhost, 127.0.0.1 or [::1] (Host was '${request.headers.host ?? ''}'); to serve other names, set CAC_API_TOKEN.`);
  }
}

/**
 * Refuses what a web page could send: a browser on any site can POST to a loopback server without
 * a preflight ("simple" requests), so a request is refused when the browser says it comes from
 * another site (`Sec-Fetch-Site: cross-site`), when its `Origin` is not this server's own, and
 * when a POST is not `application/json` (which no page can send cross-site without a preflight,
 * and a preflight is never granted: no CORS headers). Clients that are not browsers send neither
 * header and are unaffected; bodiless action POSTs must say `application/json` too.
 */
export function checkSameOrigin(request: IncomingMessage): void {
  if (request.headers['sec-fetch-site'] === 'cross-site') {
    throw new ApiError(403, 'cross-site-request', 'Requests from other web sites are refused (Sec-Fetch-Site: cross-site). Call the API from a script or a tool, not from a web page.');
  }
  const origin = request.headers.origin;
  if (origin !== undefined) {
    const host = request.headers.host ?? '';
    if (origin !== `http://${host}` && origin !== `https://${host}`) {
      throw new ApiError(403, 'cross-origin', `Requests from origin '${origin.slice(0, 200)}' are refused: the API answers only its own origin (http://${host.slice(0, 200)}) and clients that are not browsers.`);
    }
  }
  if (request.method === 'POST') {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      throw new ApiError(415, 'unsupported-media-type', `Send every POST with 'Content-Type: application/json', also one without a body (got '${type || 'none'}').`);
    }
  }
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare) || bare === '0:0:0:0:0:0:0:1';
  return false;
}

function hostOfHeader(header: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(header);
  if (bracketed) return bracketed[1]!;
  return header.replace(/:\d+$/, '');
}

/** Compares hashes of both, in constant time, so neither the token's content nor its length leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
