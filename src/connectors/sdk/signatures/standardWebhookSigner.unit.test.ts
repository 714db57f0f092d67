import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { StandardWebhookSigner } from './standardWebhookSigner.ts';
import { verifyStandardWebhook } from './standardWebhooks.ts';

const secretOf = (key: Uint8Array) => `whsec_${Buffer.from(key).toString('base64')}`;

describe('StandardWebhookSigner', () => {
  it('signs exactly as the reference library, for any id and body', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ unit: 'grapheme', maxLength: 400 }),
        fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }),
        (key, id, body, seconds) => {
          const signature = new StandardWebhookSigner(secretOf(key)).sign(id, seconds, body);
          expect(signature).toBe(new Webhook(secretOf(key)).sign(id, new Date(seconds * 1000), body));
        },
      ),
    );
  });

  it('takes a secret without the whsec_ prefix as its base64 key', () => {
    const key = randomBytes(32).toString('base64');
    const withPrefix = new StandardWebhookSigner(`whsec_${key}`).sign('m', 1_700_000_000, '{}');
    expect(new StandardWebhookSigner(key).sign('m', 1_700_000_000, '{}')).toBe(withPrefix);
  });
});

describe('verifyStandardWebhook', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  const nowSeconds = now.getTime() / 1000;

  /** A webhook signed by the reference library with one key, maybe altered on the way. */
  const webhook = fc.record({
    key: fc.uint8Array({ minLength: 16, maxLength: 48 }),
    otherKey: fc.uint8Array({ minLength: 16, maxLength: 48 }),
    id: fc.stringMatching(/^[a-zA-Z0-9_]{1,30}$/),
    body: fc.string({ unit: 'grapheme', maxLength: 300 }),
    age: fc.oneof(fc.integer({ min: -299, max: 299 }), fc.integer({ min: -2000, max: 2000 })),
    alteration: fc.constantFrom('none', 'body', 'id', 'other key', 'rotation', 'v2 only', 'garbage'),
  });

  it('accepts and refuses exactly what the reference library does', () => {
    fc.assert(
      fc.property(webhook, ({ key, otherKey, id, body, age, alteration }) => {
        const sentAt = new Date((nowSeconds - age) * 1000);
        let signature = new Webhook(secretOf(key)).sign(id, sentAt, body);
        const other = new Webhook(secretOf(otherKey)).sign(id, sentAt, body);
        if (alteration === 'other key') signature = other;
        if (alteration === 'rotation') signature = `${other} ${signature}`;
        if (alteration === 'v2 only') signature = signature.replace('v1,', 'v2,');
        if (alteration === 'garbage') signature = `v1,${randomBytes(8).toString('hex')}`;
        const headers = {
          'webhook-id': alteration === 'id' ? `${id}x` : id,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signature,
        };
        const received = alteration === 'body' ? `${body} ` : body;

        const verdict = verifyStandardWebhook(
          { headers, query: {}, body: Buffer.from(received), receivedAt: now },
          secretOf(key),
        );
        const reference = referenceVerdict(secretOf(key), received, headers, now);
        expect(verdict.kind === 'reject' ? verdict.reason : 'accept').toBe(reference);
      }),
      { numRuns: 300 },
    );
  });

  function referenceVerdict(secret: string, body: string, headers: Record<string, string>, at: Date) {
    const realNow = Date.now;
    Date.now = () => at.getTime();
    try {
      new Webhook(secret).verify(body, headers, { jsonParse: false });
      return 'accept';
    } catch (error) {
      return /too old|too new/.test((error as Error).message) ? 'stale' : 'signature';
    } finally {
      Date.now = realNow;
    }
  }
});
