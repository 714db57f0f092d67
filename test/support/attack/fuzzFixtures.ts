// What the fuzzing needs to exist in the hub first, made through its API as an admin: integrations
// of several kinds (one for each webhook signature scheme), a subscription and an event schema.
// Their external systems live at `.invalid` names, which never resolve: nothing leaves the machine.
import { randomBytes } from 'node:crypto';

/** Calls the hub's API as the admin. */
export type AdminCall = (
  method: string,
  url: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: API bodies of every shape
) => Promise<{ status: number; body: any }>;

export interface WebhookTarget {
  integrationId: string;
  scheme: 'standard-webhooks' | 'hmac' | 'placetel' | 'jwt';
  secret: string;
}

export interface FuzzFixtures {
  restId: string;
  subscriptionId: string;
  webhooks: WebhookTarget[];
  /** Every credential given to the hub (write-only: never to be seen again), for the secret scan. */
  credentials: string[];
}

export const restIntegrationBody = (name = `ERP ${randomBytes(3).toString('hex')}`) => ({
  name,
  connector: 'rest',
  entities: ['customer'],
  config: {
    baseUrl: 'https://erp.invalid/api',
    auth: { kind: 'bearer' },
    timeoutMs: 1_000,
    resources: { customer: { path: '/customers', recordsPath: 'data' } },
  },
  credentials: { token: `rest-token-${randomBytes(8).toString('hex')}` },
  retryPolicy: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 10 },
  schedule: { enabled: false },
  mapping: {
    customer: {
      target: 'customer',
      fields: { customerNumber: { from: 'nr', required: true }, name: { from: 'firma' } },
    },
  },
});

export async function createFuzzFixtures(call: AdminCall): Promise<FuzzFixtures> {
  const created = async (url: string, body: unknown) => {
    const answer = await call('POST', url, body);
    if (answer.status !== 201)
      throw new Error(`fixture ${url}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const rest = restIntegrationBody();
  const restId = (await created('/api/v1/integrations', rest)).id as string;
  const credentials = [rest.credentials.token];
  const webhooks: WebhookTarget[] = [];
  const orders = { order: { recordsPath: 'data', idField: 'orderNo' } };
  const webhookIntegration = async (
    scheme: WebhookTarget['scheme'],
    secret: string,
    body: Record<string, unknown>,
  ) => {
    const integration = await created('/api/v1/integrations', {
      name: `${scheme} ${randomBytes(3).toString('hex')}`,
      schedule: { enabled: false },
      ...body,
      credentials: { ...(body.credentials as object | undefined), webhookSecret: secret },
    });
    webhooks.push({ integrationId: integration.id, scheme, secret });
    credentials.push(secret, ...Object.values((body.credentials ?? {}) as Record<string, string>));
  };
  await webhookIntegration('standard-webhooks', `whsec_${randomBytes(24).toString('base64')}`, {
    connector: 'webhook',
    entities: ['order'],
    config: { signature: { scheme: 'standard-webhooks' }, entities: orders },
  });
  const hmacSecret = `hmac-${randomBytes(12).toString('hex')}`;
  await webhookIntegration('hmac', hmacSecret, {
    connector: 'webhook',
    entities: ['order'],
    config: {
      signature: {
        scheme: 'hmac',
        header: 'X-Shop-Signature',
        algorithm: 'sha256',
        encoding: 'hex',
        prefix: 'sha256=',
        signedContent: '{timestamp}.{body}',
        timestampHeader: 'X-Shop-Timestamp',
        idHeader: 'X-Shop-Delivery',
      },
      entities: orders,
    },
  });
  await webhookIntegration('placetel', `placetel-${randomBytes(12).toString('hex')}`, {
    connector: 'placetel',
    entities: ['call'],
    config: {},
  });
  await webhookIntegration('jwt', `monday-${randomBytes(12).toString('hex')}`, {
    connector: 'graphql',
    template: 'monday',
    config: {
      endpoint: 'https://api.monday.invalid/v2',
      resources: { item: { variables: { boardId: ['1'] } } },
      webhooks: { signature: { scheme: 'jwt' }, challenge: true },
    },
    credentials: { apiKey: `monday-key-${randomBytes(8).toString('hex')}` },
  });
  const subscription = await created('/api/v1/subscriptions', {
    name: 'crm',
    types: ['customer.*', 'credit.*'],
    url: 'https://crm.invalid/hook',
  });
  return { restId, subscriptionId: subscription.id, webhooks, credentials };
}
