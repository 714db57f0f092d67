// Webhooks of a system configured by data (the generic REST, GraphQL and webhook-only
// connectors): the signature scheme is a setting, the secret a credential. monday.com's
// `{"challenge": …}` handshake is a setting too: it is echoed, and nothing is stored.
import { z } from 'zod';
import type { InboundRequest, WebhookReceiver, WebhookVerdict } from '../webhooks.ts';
import { bodyDigest } from './constantTime.ts';
import { hmacSignatureSchema, verifyHmacSignature } from './hmacSignature.ts';
import { verifySharedSecretJwt } from './jwtSignature.ts';
import { standardWebhookHeaders, verifyStandardWebhook } from './standardWebhooks.ts';

export const webhookSignatureSchema = z.discriminatedUnion('scheme', [
  z.strictObject({ scheme: z.literal('standard-webhooks') }),
  hmacSignatureSchema,
  /** A JWT signed with the shared secret (HS256), e.g. monday.com's Authorization header. */
  z.strictObject({
    scheme: z.literal('jwt'),
    header: z
      .string()
      .min(1)
      .transform((name) => name.toLowerCase())
      .default('authorization'),
  }),
]);
export type WebhookSignature = z.output<typeof webhookSignatureSchema>;

export const configuredWebhooksSchema = z.strictObject({
  signature: webhookSignatureSchema,
  /** Echo a `{"challenge": "…"}` POST, as monday.com asks when a webhook is created. */
  challenge: z.boolean().default(false),
});
export type ConfiguredWebhooks = z.output<typeof configuredWebhooksSchema>;

export async function verifyConfiguredSignature(
  request: InboundRequest,
  signature: WebhookSignature,
  secret: string,
): Promise<WebhookVerdict> {
  if (signature.scheme === 'standard-webhooks') return verifyStandardWebhook(request, secret);
  if (signature.scheme === 'hmac') return verifyHmacSignature(request, signature, secret);
  const check = await verifySharedSecretJwt(request.headers[signature.header], secret, request.receivedAt);
  if (check.ok) return { kind: 'accept', messageId: bodyDigest(request.body) };
  return check.stale
    ? { kind: 'reject', reason: 'stale', message: 'the JWT has expired' }
    : { kind: 'reject', reason: 'signature', message: `${signature.header} carries no valid JWT` };
}

/** Header names that carry the proof of a configured scheme. */
export function signatureHeaders(signature: WebhookSignature): string[] {
  if (signature.scheme === 'standard-webhooks') return [...standardWebhookHeaders];
  return [signature.header];
}

/** The receiver of a connector whose config has `webhooks` and whose credentials have `webhookSecret`. */
export function configuredWebhookReceiver<
  Config extends { webhooks?: ConfiguredWebhooks | undefined },
  Credentials extends { webhookSecret?: string | undefined },
>(): WebhookReceiver<Config, Credentials> {
  return {
    secretHeaders: (config) => (config.webhooks ? signatureHeaders(config.webhooks.signature) : []),
    async verify(request, { config, credentials }) {
      const settings = config.webhooks;
      if (!settings || !credentials.webhookSecret) {
        return { kind: 'reject', reason: 'signature', message: 'this integration has no webhook settings' };
      }
      if (settings.challenge) {
        const challenge = readChallenge(request.body);
        if (challenge !== undefined) {
          return {
            kind: 'reply',
            reply: { status: 200, contentType: 'application/json', body: JSON.stringify({ challenge }) },
          };
        }
      }
      return verifyConfiguredSignature(request, settings.signature, credentials.webhookSecret);
    },
  };
}

function readChallenge(body: Buffer): string | undefined {
  if (body.length > 4096) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { challenge?: unknown };
    return typeof parsed.challenge === 'string' && Object.keys(parsed).length === 1
      ? parsed.challenge
      : undefined;
  } catch {
    return undefined;
  }
}
