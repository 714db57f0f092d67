// Comparing proofs without leaking, through timing, how much of a guess was right. Both sides
// are hashed first so that inputs of different lengths take the same time as well.
import { createHash, timingSafeEqual } from 'node:crypto';

export function equalInConstantTime(given: string | Buffer, expected: string | Buffer): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The sender's id for a message that carries none: the body's hash, so exact repeats are deduplicated. */
export function bodyDigest(body: Buffer): string {
  return `sha256:${createHash('sha256').update(body).digest('base64url')}`;
}
