import type { ByteRange, FileBytes, OpenedFile } from '../dfs/fileStore';
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

/**
 * Times the tail of an object is asked again when an answer says the object's size is not the
 * one the tail was computed from (it was rewritten since the listing).
 */
const RESIZED_RETRIES = 2;

/**
 * Reads `range` of one object as one request of an explicit offset and count (`get`): not every
 * S3-compatible service honours suffix ranges, and Azure has none, so the tail of an object is
 * asked at its size minus the length, the size known from the listing or else asked (`sizeOf`).
 * When the answer says the object has another size now, the tail is asked again at the new size,
 * so that a Parquet footer is really the footer.
 */
export async function readObjectRange(range: ByteRange, knownSize: number | undefined, get: (start: number, length: number) => Promise<FileBytes>, sizeOf: () => Promise<number>): Promise<FileBytes> {
  let size = knownSize;
  if ('last' in range && size === undefined) size = await sizeOf();
  for (let attempt = 0; ; attempt++) {
    const start = 'last' in range ? Math.max(0, size! - range.last) : Math.max(0, range.offset);
    const length = 'last' in range ? size! - start : range.length;
    if (length <= 0 || (size !== undefined && start >= size)) return { bytes: new Uint8Array(0), size: size ?? (await sizeOf()) };
    const answer = await get(start, length);
    if ('last' in range && answer.size !== size && attempt < RESIZED_RETRIES) {
      size = answer.size;
      continue;
    }
    return answer;
  }
}

/**
 * An object "opened" for several reads: nothing is sent on open, each read is a ranged request,
 * and the size each answer tells is the one the next tail read starts from.
 */
export function openedObject(knownSize: number | undefined, read: (range: ByteRange, size: number | undefined) => Promise<FileBytes>): OpenedFile {
  let size = knownSize;
  return {
    read: async (range) => {
      const answer = await read(range, size);
      size = answer.size;
      return answer;
    },
    close: () => undefined,
  };
}
