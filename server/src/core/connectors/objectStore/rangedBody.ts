import type { Readable } from 'node:stream';

/** `bytes 0-7/1234` → 1234: the object's whole size, as a ranged answer states it. */
export function totalOf(contentRange: string | undefined): number | undefined {
  const match = /\/(\d+)\s*$/.exec(contentRange ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * The body of a ranged answer, at most `limit` bytes of it: a service that ignores the range
 * sends the whole object, and memory must stay bounded by what was asked. The stream is closed
 * either way.
 */
export async function readAtMost(body: Readable | undefined, limit: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of body) {
      const buffer = chunk as Buffer;
      const take = Math.min(buffer.length, limit - received);
      if (take > 0) chunks.push(take === buffer.length ? buffer : buffer.subarray(0, take));
      received += take;
      if (received >= limit) break;
    }
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks, received);
}
