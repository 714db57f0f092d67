// Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>", several during key rotation; 5 minutes tolerance), verified by the spec's
// reference library on the raw body.
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { InboundRequest, WebhookVerdict } from '../webhooks.ts';

export const standardWebhookHeaders = ['webhook-signature'];

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
  try {
    new Webhook(secret).verify(
      request.body.toString('utf8'),
      { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature },
      { jsonParse: false },
    );
    return { kind: 'accept', messageId: id };
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    const stale = /too old|too new/.test(error.message);
    return stale
      ? { kind: 'reject', reason: 'stale', message: 'webhook-timestamp is outside the 5 minute tolerance' }
      : { kind: 'reject', reason: 'signature', message: 'no webhook-signature matches' };
  }
}
