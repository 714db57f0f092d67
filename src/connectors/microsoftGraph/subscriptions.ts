// Microsoft Graph change notifications: the hub creates a subscription per resource
// (`POST /subscriptions` with a random clientState). Before answering, Graph calls the
// notification URL with `?validationToken=…`, which must be echoed as text/plain within 10 s.
// Notifications carry no HMAC: each item's clientState is the proof, compared with the hash the
// hub kept for that subscription.
import type { ConnectorHttpClient } from '../sdk/httpClient.ts';
import { bodyDigest } from '../sdk/signatures/constantTime.ts';
import type {
  InboundRequest,
  PushChannel,
  PushChannelRequest,
  WebhookReceiver,
  WebhookVerdict,
} from '../sdk/webhooks.ts';
import type { GraphConfig, GraphCredentials } from './config.ts';

/** Graph's longest subscription life for events and messages: 4230 minutes (just under 3 days). */
const SUBSCRIPTION_MINUTES = 4_200;

const resources: Record<string, string> = {
  calendarEvent: 'me/events',
  email: "me/mailFolders('inbox')/messages",
};

export async function createSubscriptions(
  http: ConnectorHttpClient,
  request: PushChannelRequest,
): Promise<PushChannel[]> {
  const channels: PushChannel[] = [];
  for (const entity of request.entities) {
    const resource = resources[entity];
    if (!resource) continue;
    const response = await http.request({
      method: 'POST',
      path: '/v1.0/subscriptions',
      json: {
        changeType: 'created,updated,deleted',
        notificationUrl: request.address,
        resource,
        expirationDateTime: new Date(Date.now() + SUBSCRIPTION_MINUTES * 60_000).toISOString(),
        clientState: request.secret,
      },
      retry: true,
      signal: request.signal,
      parseJson: true,
    });
    const created = response.json<{ id: string; expirationDateTime: string }>();
    channels.push({
      channelId: created.id,
      resourceId: resource,
      expiresAt: new Date(created.expirationDateTime),
    });
  }
  return channels;
}

interface Notification {
  subscriptionId?: unknown;
  clientState?: unknown;
  resource?: unknown;
}

export const graphWebhooks: WebhookReceiver<GraphConfig, GraphCredentials> = {
  async verify(request: InboundRequest, context): Promise<WebhookVerdict> {
    const token = request.query.validationToken;
    if (token !== undefined) {
      return { kind: 'reply', reply: { status: 200, contentType: 'text/plain', body: token } };
    }
    let items: Notification[];
    try {
      const body = JSON.parse(request.body.toString('utf8')) as { value?: unknown };
      if (!Array.isArray(body.value) || body.value.length === 0) throw new Error('no value');
      items = body.value as Notification[];
    } catch {
      return {
        kind: 'reject',
        reason: 'malformed',
        message: 'must be a JSON object with a non-empty value list',
      };
    }
    for (const item of items) {
      const known =
        typeof item.subscriptionId === 'string' &&
        (await context.isChannelSecret(
          item.subscriptionId,
          typeof item.clientState === 'string' ? item.clientState : undefined,
        ));
      if (!known)
        return { kind: 'reject', reason: 'signature', message: 'unknown subscription or wrong clientState' };
    }
    // Graph expects 202 quickly; what changed is read by the delta query.
    return { kind: 'accept', messageId: bodyDigest(request.body), reply: { status: 202 } };
  },
};

/** The entities a notification names, from the resource paths of its items. */
export function notifiedEntities(body: Buffer): string[] {
  const items = (JSON.parse(body.toString('utf8')) as { value: Notification[] }).value;
  const entities = new Set<string>();
  for (const item of items) {
    const resource = String(item.resource ?? '').toLowerCase();
    if (resource.includes('/events')) entities.add('calendarEvent');
    if (resource.includes('/messages')) entities.add('email');
  }
  return [...entities];
}
