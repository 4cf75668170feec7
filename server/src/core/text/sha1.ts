import { createHash } from 'node:crypto';

/** The SHA-1 of a text, in hex: a fingerprint of content (not a security boundary). */
export function sha1Hex(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
