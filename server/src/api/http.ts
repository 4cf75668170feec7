import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The small HTTP toolkit of the API on plain node:http: JSON answers, JSON errors, and a body
 * reader that enforces a size limit and a JSON content type. A framework would add little here:
 * the API has eight routes, and node:http gives every limit we need (see apiServer.ts).
 */

/** An error answer; thrown by handlers, written by the server as `{status, code, detail}`. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly extra: { operation_id?: number; headers?: Record<string, string> } = {}) {
    super(message);
  }
}

export function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value, null, 2) + '\n';
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...SECURITY_HEADERS,
    ...headers,
  });
  response.end(body);
}

export function sendNoContent(response: ServerResponse): void {
  response.writeHead(204, SECURITY_HEADERS);
  response.end();
}

export function sendError(response: ServerResponse, error: ApiError): void {
  const body: Record<string, unknown> = { status: error.status, code: error.code, detail: error.message };
  if (error.extra.operation_id !== undefined) body.operation_id = error.extra.operation_id;
  sendJson(response, error.status, body, error.extra.headers);
}

/** Responses are data for programs: never cached, never sniffed as HTML, never framed. */
const SECURITY_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

/** The largest request body accepted (the run payload is ~150 bytes). */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads a JSON body. An empty body reads as undefined. Refuses (413) a body over the limit as soon
 * as its Content-Length or its bytes say so, (415) a body that is not `application/json`, which
 * also keeps browsers from posting to the API cross-site without a CORS preflight it never
 * passes, and (400) a body that is not JSON.
 */
export async function readJsonBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    throw new ApiError(413, 'body-too-large', `The request body is ${declared} bytes; the limit is ${limit} bytes.`, { headers: { Connection: 'close' } });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      throw new ApiError(413, 'body-too-large', `The request body is larger than the limit of ${limit} bytes.`, { headers: { Connection: 'close' } });
    }
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ApiError(415, 'unsupported-media-type', `Send the body as JSON with 'Content-Type: application/json' (got '${type || 'none'}').`);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApiError(400, 'invalid-json', `The request body is not valid JSON: ${(error as Error).message}.`);
  }
}
