import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { StandardWebhookSigner } from './standardWebhookSigner.ts';

describe('StandardWebhookSigner', () => {
  it('signs exactly as the reference library, for any id and body', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ unit: 'grapheme', maxLength: 400 }),
        fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }),
        (key, id, body, seconds) => {
          const secret = `whsec_${Buffer.from(key).toString('base64')}`;
          const signature = new StandardWebhookSigner(secret).sign(id, seconds, body);
          expect(signature).toBe(new Webhook(secret).sign(id, new Date(seconds * 1000), body));
        },
      ),
    );
  });

  it('produces a signature the reference verifier accepts, and one it refuses once the body changes', () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const seconds = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: 'order.synced', data: { orderId: 'A-1', customer: 'Café Müller' } });
    const headers = {
      'webhook-id': 'evt_1',
      'webhook-timestamp': String(seconds),
      'webhook-signature': new StandardWebhookSigner(secret).sign('evt_1', seconds, body),
    };
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(secret).verify(body.replace('A-1', 'A-2'), headers)).toThrow();
  });

  it('takes a secret without the whsec_ prefix as its base64 key', () => {
    const key = randomBytes(32).toString('base64');
    const withPrefix = new StandardWebhookSigner(`whsec_${key}`).sign('m', 1_700_000_000, '{}');
    expect(new StandardWebhookSigner(key).sign('m', 1_700_000_000, '{}')).toBe(withPrefix);
  });
});
