// A generic HMAC signature: which header carries it, the hash, the encoding, an optional prefix
// ("sha256=") and what was signed (the body, or a template with the timestamp and message id).
// Placetel is this scheme with hex HMAC-SHA256 of the body; many other senders are too.
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { InboundRequest, WebhookVerdict } from '../webhooks.ts';
import { bodyDigest, equalInConstantTime } from './constantTime.ts';

export const hmacSignatureSchema = z
  .object({
    scheme: z.literal('hmac'),
    header: z
      .string()
      .min(1)
      .transform((name) => name.toLowerCase()),
    algorithm: z.enum(['sha256', 'sha1', 'sha512']).default('sha256'),
    encoding: z.enum(['hex', 'base64', 'base64url']).default('hex'),
    /** Text before the signature in the header, e.g. "sha256=". */
    prefix: z.string().default(''),
    /** What is signed: {body}, {timestamp} and {id} are replaced by the raw body and the headers' values. */
    signedContent: z.string().default('{body}'),
    timestampHeader: z
      .string()
      .transform((name) => name.toLowerCase())
      .optional(),
    idHeader: z
      .string()
      .transform((name) => name.toLowerCase())
      .optional(),
    toleranceSeconds: z.number().int().positive().max(86_400).default(300),
  })
  .strict()
  .refine((value) => !value.signedContent.includes('{timestamp}') || value.timestampHeader, {
    message: 'signedContent uses {timestamp}: timestampHeader is required',
    path: ['timestampHeader'],
  });
export type HmacSignature = z.infer<typeof hmacSignatureSchema>;

export function verifyHmacSignature(
  request: InboundRequest,
  scheme: HmacSignature,
  secret: string,
): WebhookVerdict {
  const given = request.headers[scheme.header];
  if (!given?.startsWith(scheme.prefix)) {
    return { kind: 'reject', reason: 'signature', message: `${scheme.header} is missing` };
  }
  const timestamp = scheme.timestampHeader ? request.headers[scheme.timestampHeader] : undefined;
  if (scheme.timestampHeader) {
    const seconds = Number(timestamp);
    if (!timestamp || !Number.isFinite(seconds)) {
      return { kind: 'reject', reason: 'signature', message: `${scheme.timestampHeader} is missing` };
    }
    // Milliseconds are accepted too: a value that large cannot be seconds.
    const at = seconds > 1e11 ? seconds : seconds * 1000;
    if (Math.abs(request.receivedAt.getTime() - at) > scheme.toleranceSeconds * 1000) {
      return {
        kind: 'reject',
        reason: 'stale',
        message: `${scheme.timestampHeader} is outside the ${scheme.toleranceSeconds} s tolerance`,
      };
    }
  }
  const id = scheme.idHeader ? request.headers[scheme.idHeader] : undefined;
  const hmac = createHmac(scheme.algorithm, secret);
  const parts = scheme.signedContent.split(/(\{body\}|\{timestamp\}|\{id\})/);
  for (const part of parts) {
    if (part === '{body}') hmac.update(request.body);
    else if (part === '{timestamp}') hmac.update(timestamp ?? '');
    else if (part === '{id}') hmac.update(id ?? '');
    else if (part) hmac.update(part);
  }
  const expected = hmac.digest(scheme.encoding);
  // Several signatures may be sent while a secret is rotated.
  const candidates = given
    .slice(scheme.prefix.length)
    .split(/[ ,]/)
    .filter(Boolean)
    .map((value) => (value.startsWith(scheme.prefix) ? value.slice(scheme.prefix.length) : value));
  const matches = candidates.some((candidate) =>
    equalInConstantTime(scheme.encoding === 'hex' ? candidate.toLowerCase() : candidate, expected),
  );
  if (!matches) return { kind: 'reject', reason: 'signature', message: `${scheme.header} does not match` };
  return { kind: 'accept', messageId: id ?? bodyDigest(request.body) };
}
