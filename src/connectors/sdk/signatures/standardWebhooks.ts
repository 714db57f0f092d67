// Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>", several during key rotation; 5 minutes tolerance either way), checked on
// the raw body as it arrived, in constant time (standardWebhookSigner.ts).
import type { InboundRequest, WebhookVerdict } from '../webhooks.ts';
import { StandardWebhookSigner } from './standardWebhookSigner.ts';

export const standardWebhookHeaders = ['webhook-signature'];

const TOLERANCE_SECONDS = 5 * 60;

export function verifyStandardWebhook(request: InboundRequest, secret: string): WebhookVerdict {
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const signature = request.headers['webhook-signature'];
  if (!id || !timestamp || !signature) {
    return {
      kind: 'reject',
      reason: 'signature',
      message: 'webhook-id, webhook-timestamp and webhook-signature are required',
    };
  }
  const seconds = Number.parseInt(timestamp, 10);
  if (Number.isNaN(seconds)) {
    return { kind: 'reject', reason: 'signature', message: 'webhook-timestamp is not a number' };
  }
  if (Math.abs(Math.floor(request.receivedAt.getTime() / 1000) - seconds) > TOLERANCE_SECONDS) {
    return {
      kind: 'reject',
      reason: 'stale',
      message: 'webhook-timestamp is outside the 5 minute tolerance',
    };
  }
  return new StandardWebhookSigner(secret).matches(id, seconds, request.body, signature)
    ? { kind: 'accept', messageId: id }
    : { kind: 'reject', reason: 'signature', message: 'no webhook-signature matches' };
}
