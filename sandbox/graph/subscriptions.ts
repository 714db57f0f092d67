// Graph change notifications for the imitation: `POST /v1.0/subscriptions` ({changeType,
// notificationUrl, resource, expirationDateTime, clientState}) first validates the URL: it POSTs
// `?validationToken=…` and needs the token back as text/plain with 200 within 10 s, else it
// answers 400 ValidationError. Changes are then POSTed as {"value": [{subscriptionId,
// clientState, changeType, resource, resourceData, subscriptionExpirationDateTime, tenantId}]};
// the receiver must answer 202 (or any 2xx).
import { randomBytes, randomUUID } from 'node:crypto';

interface Subscription {
  id: string;
  resource: string;
  changeTypes: string[];
  notificationUrl: string;
  clientState: string | undefined;
  expiresAt: Date;
}

export interface NotificationDelivery {
  subscriptionId: string;
  changeType: string;
  status: number;
}

/** Graph's longest life for event and message subscriptions: 4230 minutes. */
const MAX_MINUTES = 4230;
const TENANT = '7f3c2a1e-0000-4b1d-9f00-frischdienst';

export class GraphSubscriptions {
  readonly deliveries: NotificationDelivery[] = [];
  readonly #subscriptions = new Map<string, Subscription>();
  #pending: Promise<unknown> = Promise.resolve();

  async create(body: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const { notificationUrl, resource, changeType, expirationDateTime } = body;
    if (
      typeof notificationUrl !== 'string' ||
      typeof resource !== 'string' ||
      typeof changeType !== 'string'
    ) {
      return invalid('InvalidRequest', 'changeType, notificationUrl and resource are required.');
    }
    const expiresAt = new Date(String(expirationDateTime));
    if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() > Date.now() + MAX_MINUTES * 60_000) {
      return invalid('InvalidRequest', `expirationDateTime must be within ${MAX_MINUTES} minutes.`);
    }
    const token = randomBytes(18).toString('base64url');
    const validated = await fetch(`${notificationUrl}?validationToken=${encodeURIComponent(token)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (response) => response.status === 200 && (await response.text()) === token)
      .catch(() => false);
    if (!validated) {
      return invalid(
        'ValidationError',
        'Subscription validation request failed. Response must exactly match validationToken query parameter.',
      );
    }
    const subscription: Subscription = {
      id: randomUUID(),
      resource,
      changeTypes: changeType.split(','),
      notificationUrl,
      clientState: typeof body.clientState === 'string' ? body.clientState : undefined,
      expiresAt,
    };
    this.#subscriptions.set(subscription.id, subscription);
    return {
      status: 201,
      body: {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity',
        id: subscription.id,
        resource,
        changeType,
        notificationUrl,
        expirationDateTime: expiresAt.toISOString(),
        ...(subscription.clientState ? { clientState: subscription.clientState } : {}),
      },
    };
  }

  /** Notifies the subscriptions on a resource (`me/events`, `me/mailFolders('inbox')/messages`). */
  notify(resource: string, changeType: 'created' | 'updated' | 'deleted', itemId: string): void {
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.resource !== resource || !subscription.changeTypes.includes(changeType)) continue;
      if (subscription.expiresAt.getTime() < Date.now()) continue;
      const body = JSON.stringify({
        value: [
          {
            subscriptionId: subscription.id,
            subscriptionExpirationDateTime: subscription.expiresAt.toISOString(),
            changeType,
            resource: `Users/${TENANT}/${resource.startsWith('me/events') ? 'Events' : 'Messages'}/${itemId}`,
            resourceData: {
              '@odata.type': '#Microsoft.Graph.Event',
              '@odata.id': `Users/${TENANT}/Events/${itemId}`,
              id: itemId,
            },
            clientState: subscription.clientState ?? null,
            tenantId: TENANT,
          },
        ],
      });
      this.#pending = this.#pending.then(() =>
        fetch(subscription.notificationUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        })
          .then(async (response) => {
            await response.body?.cancel();
            this.deliveries.push({ subscriptionId: subscription.id, changeType, status: response.status });
          })
          .catch(() => this.deliveries.push({ subscriptionId: subscription.id, changeType, status: 0 })),
      );
    }
  }

  settled(): Promise<unknown> {
    return this.#pending;
  }
}

function invalid(code: string, message: string) {
  return {
    status: 400,
    body: { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19) } } },
  };
}
