// Fuzzed inbound webhooks (fast-check) for each signature scheme the fixtures set up (Standard
// Webhooks, a configured HMAC, Placetel's HMAC, monday.com's JWT): arbitrary payloads and headers,
// signatures missing, malformed, made with the wrong secret, stale or for another body (each a
// forgery, which must store nothing), and correctly signed ones carrying garbage (which must
// not break the intake), under every content type, and for integrations that do not exist.
import { createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { Webhook } from 'standardwebhooks';
import type { FuzzRequest } from './fuzzCheck.ts';
import type { FuzzFixtures, WebhookTarget } from './fuzzFixtures.ts';
import { contentTypes, fuzzJson, headerValueOf, notJson } from './fuzzValues.ts';

type Signing = 'valid' | 'missing' | 'garbage' | 'wrong secret' | 'stale' | 'other body';

interface Signed {
  headers: Record<string, string>;
}

const payload: fc.Arbitrary<string | Buffer> = fc.oneof(
  { arbitrary: fuzzJson.map((value) => JSON.stringify(value) ?? 'null'), weight: 6 },
  {
    arbitrary: fc
      .dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 30 }), { maxKeys: 6 })
      .map((fields) => new URLSearchParams(fields).toString()),
    weight: 2,
  },
  { arbitrary: notJson, weight: 2 },
  {
    arbitrary: fc.constantFrom('{"challenge":"fuzz"}', '{"challenge":{"x":1}}', 'event=HungUp&call_id=1'),
    weight: 1,
  },
);

async function sign(target: WebhookTarget, body: string | Buffer, signing: Signing): Promise<Signed> {
  const secret = signing === 'wrong secret' ? `${target.secret}x` : target.secret;
  const at = signing === 'stale' ? new Date(Date.now() - 3_600_000) : new Date();
  const signed =
    signing === 'other body' ? Buffer.concat([Buffer.from(body), Buffer.from(' ')]) : Buffer.from(body);
  const seconds = String(Math.floor(at.getTime() / 1000));
  switch (target.scheme) {
    case 'standard-webhooks': {
      const id = `msg_${randomUUID()}`;
      const key =
        signing === 'wrong secret' ? `whsec_${Buffer.from('not the secret').toString('base64')}` : secret;
      return {
        headers: {
          'webhook-id': id,
          'webhook-timestamp': seconds,
          'webhook-signature': new Webhook(key).sign(id, at, signed.toString('utf8')),
        },
      };
    }
    case 'hmac': {
      const digest = createHmac('sha256', secret).update(`${seconds}.`).update(signed).digest('hex');
      return {
        headers: {
          'x-shop-signature': `sha256=${digest}`,
          'x-shop-timestamp': seconds,
          'x-shop-delivery': randomUUID(),
        },
      };
    }
    case 'placetel':
      return {
        headers: { 'x-placetel-signature': createHmac('sha256', secret).update(signed).digest('hex') },
      };
    case 'jwt': {
      const token = await new SignJWT({ dat: { body: signed.length } })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt(Math.floor(at.getTime() / 1000))
        .setExpirationTime(Math.floor(at.getTime() / 1000) + 60)
        .sign(new TextEncoder().encode(secret));
      return { headers: { authorization: token } };
    }
  }
}

/**
 * Placetel signs the body only, so its "stale" signature is a valid one; monday.com's JWT does not
 * cover the body (the scheme authenticates the sender, not the payload), so "other body" is too.
 */
function stillValid(scheme: WebhookTarget['scheme'], how: Signing): boolean {
  return (how === 'stale' && scheme === 'placetel') || (how === 'other body' && scheme === 'jwt');
}

/** Header names each scheme reads, for garbage signatures. */
const signatureHeaders: Record<WebhookTarget['scheme'], string[]> = {
  'standard-webhooks': ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  hmac: ['x-shop-signature', 'x-shop-timestamp', 'x-shop-delivery'],
  placetel: ['x-placetel-signature'],
  jwt: ['authorization'],
};

/**
 * Fuzzed webhooks. The arbitrary yields a function that signs at send time, so timestamps are
 * fresh however long the run takes.
 */
export function webhookFuzzCases(fixtures: FuzzFixtures): fc.Arbitrary<() => Promise<FuzzRequest>> {
  const signing = fc.constantFrom<Signing>(
    'valid',
    'valid',
    'missing',
    'garbage',
    'wrong secret',
    'stale',
    'other body',
  );
  const known = fc
    .tuple(
      fc.constantFrom(...fixtures.webhooks),
      payload,
      signing,
      contentTypes,
      fc.array(headerValueOf(80), { minLength: 3, maxLength: 3 }),
    )
    .map(([target, body, how, contentType, garbage]) => async (): Promise<FuzzRequest> => {
      let headers: Record<string, string> = {};
      if (how === 'garbage') {
        signatureHeaders[target.scheme].forEach((name, index) => {
          headers[name] = garbage[index] ?? '';
        });
      } else if (how !== 'missing') {
        headers = (await sign(target, body, how)).headers;
      }
      return {
        label: `POST /webhooks/{integrationId} (${target.scheme}, ${how} signature)`,
        method: 'POST',
        url: `/webhooks/${target.integrationId}`,
        headers: { ...headers, ...(contentType === undefined ? {} : { 'content-type': contentType }) },
        body,
        forged: how !== 'valid' && !stillValid(target.scheme, how),
      };
    });
  const unknown = fc
    .tuple(fc.oneof(fc.uuid(), fc.string({ maxLength: 60 }).map(encodeURIComponent)), payload)
    .map(
      ([id, body]) =>
        async (): Promise<FuzzRequest> => ({
          label: 'POST /webhooks/{integrationId} (unknown integration)',
          method: 'POST',
          url: `/webhooks/${id}`,
          headers: { 'content-type': 'application/json' },
          body,
          forged: true,
        }),
    );
  return fc.oneof({ arbitrary: known, weight: 8 }, { arbitrary: unknown, weight: 1 });
}
