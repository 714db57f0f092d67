// Webhooks as a sender of the `webhook` connector sends them: an order system that pushes each
// order in a body signed per Standard Webhooks, and the integration that receives them.
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export interface SignedWebhook {
  /** The message id (`webhook-id`), which the hub dedupes by. */
  id: string;
  body: string;
  headers: Record<string, string>;
}

/** A fresh signing secret in the `whsec_` form. */
export function webhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** One order as a signed webhook; the same `id` again is a repeat of the same message. */
export function signedOrderWebhook(
  secret: string,
  orderNo: string,
  id = `msg_${randomUUID()}`,
): SignedWebhook {
  const at = new Date();
  const body = JSON.stringify({ data: [{ orderNo, customer: 'Mensa Campus Süd' }] });
  return {
    id,
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    },
  };
}

/** An integration of the `webhook` connector whose webhooks carry orders (`orderNo` is the id). */
export function orderWebhookIntegration(secret: string) {
  return {
    name: `Shop ${randomBytes(3).toString('hex')}`,
    connector: 'webhook',
    config: {
      signature: { scheme: 'standard-webhooks' },
      entities: { order: { recordsPath: 'data', idField: 'orderNo' } },
    },
    credentials: { webhookSecret: secret },
    entities: ['order'],
    schedule: { enabled: false },
  };
}
