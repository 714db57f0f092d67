// The secret scenario's hub, driven through everything that could leak a secret: integrations
// whose credentials (basic, bearer, API key in the query, OAuth client secret and rotating
// refresh and access tokens, webhook secrets) reach a source that echoes them back; bad bodies
// carrying secrets in the wrong places; failed syncs, connection tests, health checks and proxy
// calls against that source; forged webhooks with the secret as their signature; wrong
// Authorization headers; a subscription's signing secret and an API token, shown once each. Every
// answer the suite reads goes to the run's output (ChaosHub.api); only the two answers that show a
// secret once by design are read without being kept.
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { HostileSource } from '../../../test/support/echoingSource.ts';
import type { EventSink } from '../../../test/support/eventSink.ts';
import type { ScenarioContext } from '../../scenario.ts';
import { type ChaosHub, until } from '../../support/chaosHub.ts';

export interface PlantedSecrets {
  clientSecret: string;
  refreshTokens: string[];
  accessTokens: string[];
  apiKey: string;
  password: string;
  rotatedPassword: string;
  bearer: string;
  hmacSecret: string;
  whsec: string;
  misplaced: string[];
  wrongTokens: string[];
}

const planted = (label: string) => `planted-${label}-${randomBytes(12).toString('hex')}`;

export function newPlantedSecrets(): PlantedSecrets {
  return {
    clientSecret: planted('client-secret'),
    refreshTokens: [planted('refresh-1'), planted('refresh-2'), planted('refresh-3')],
    accessTokens: [planted('access-1'), planted('access-2'), planted('access-3')],
    apiKey: planted('api-key'),
    password: planted('password'),
    rotatedPassword: planted('password-2'),
    bearer: planted('bearer'),
    hmacSecret: planted('hmac'),
    whsec: `whsec_${randomBytes(24).toString('base64')}`,
    misplaced: [planted('misplaced-1'), planted('misplaced-2'), planted('misplaced-3')],
    wrongTokens: [
      `hub_${randomBytes(32).toString('base64url')}`,
      planted('wrong-basic'),
      planted('wrong-raw'),
    ],
  };
}

export function allSecrets(secrets: PlantedSecrets): string[] {
  return Object.values(secrets).flat();
}

const hmacSignature = {
  scheme: 'hmac',
  header: 'X-Shop-Signature',
  algorithm: 'sha256',
  encoding: 'hex',
  prefix: 'sha256=',
  signedContent: '{timestamp}.{body}',
  timestampHeader: 'X-Shop-Timestamp',
  idHeader: 'X-Shop-Delivery',
};

export interface Driven {
  integrations: string[];
  subscriptionId: string;
  /** Secrets the hub showed once by design (a subscription's signing secret, a new API token). */
  shownOnce: string[];
}

/**
 * Calls the hub as the admin unless `authorization` is given (empty: none). `keep: false` leaves
 * the answer out of the run's output, for the answers that show a secret once by design.
 */
export type RawApi = (
  method: string,
  path: string,
  options?: { headers?: Record<string, string>; body?: string; keep?: boolean },
  // biome-ignore lint/suspicious/noExplicitAny: API bodies of every shape
) => Promise<{ status: number; body: any }>;

export async function driveHub(
  context: ScenarioContext,
  hub: ChaosHub,
  raw: RawApi,
  source: HostileSource,
  sink: EventSink,
  secrets: PlantedSecrets,
): Promise<Driven> {
  const patch = (id: string, version: number, body: unknown) =>
    raw('PATCH', `/api/v1/integrations/${id}`, {
      headers: { 'content-type': 'application/json', 'if-match': `"${version}"` },
      body: JSON.stringify(body),
    });
  const json = (body: unknown) => ({
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const rest = (
    name: string,
    auth: Record<string, unknown>,
    credentials: Record<string, string>,
    extra: Record<string, unknown> = {},
  ) => ({
    name,
    connector: 'rest',
    entities: ['customer'],
    config: {
      baseUrl: source.url,
      auth,
      healthCheckPath: '/health',
      timeoutMs: 2_000,
      resources: { customer: { path: '/customers', recordsPath: 'data' } },
      ...extra,
    },
    credentials,
    retryPolicy: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 100 },
    schedule: { enabled: false },
    mapping: {
      customer: {
        target: 'customer',
        fields: { customerNumber: { from: 'nr', required: true }, name: { from: 'firma' } },
      },
    },
  });
  const create = async (body: unknown) => {
    const created = await hub.api('POST', '/api/v1/integrations', body);
    if (created.status !== 201)
      throw new Error(`integration not created: ${created.status} ${created.text.slice(0, 300)}`);
    return created.body.id as string;
  };
  const oauth = await create(
    rest(
      'OAuth source',
      { kind: 'oauth2', tokenUrl: source.tokenUrl, clientId: 'hub' },
      { clientSecret: secrets.clientSecret, refreshToken: secrets.refreshTokens[0]! },
    ),
  );
  const inQuery = await create(
    rest('Key in query', { kind: 'apiKey', queryParam: 'api_key' }, { apiKey: secrets.apiKey }),
  );
  const basic = await create(
    rest('Basic source', { kind: 'basic' }, { username: 'einkauf', password: secrets.password }),
  );
  const bearer = await create(
    rest(
      'Bearer source',
      { kind: 'bearer' },
      { token: secrets.bearer, webhookSecret: secrets.hmacSecret },
      { webhooks: { signature: hmacSignature } },
    ),
  );
  const shop = await create({
    name: 'Shop',
    connector: 'webhook',
    entities: ['order'],
    config: {
      signature: { scheme: 'standard-webhooks' },
      entities: { order: { recordsPath: 'data', idField: 'orderNo' } },
    },
    credentials: { webhookSecret: secrets.whsec },
    schedule: { enabled: false },
  });
  const integrations = [oauth, inQuery, basic, bearer, shop];

  const syncAll = async (ids: string[]) => {
    for (const id of ids) {
      const started = await hub.api('POST', `/api/v1/integrations/${id}/sync`, { full: true });
      if (started.status !== 202) continue;
      await until(
        `sync of ${id}`,
        async () => {
          const run = await hub.api('GET', `/api/v1/sync-runs/${started.body.id}`);
          return ['succeeded', 'partial', 'failed'].includes(run.body?.state) ? run.body : undefined;
        },
        30_000,
      );
    }
  };
  const sources = [oauth, inQuery, basic, bearer];
  await syncAll(sources);
  for (const id of sources) await hub.api('GET', `/api/v1/proxy/${id}/customers?page=1`);
  context.progress('synced from the hostile source');
  // Secrets where they do not belong: refused, and never echoed.
  const [first, second, third] = secrets.misplaced;
  await hub.api('POST', '/api/v1/integrations', {
    ...rest('Misplaced', { kind: 'apiKey' }, { apiKey: first! }),
    extra: first,
  });
  await hub.api(
    'POST',
    '/api/v1/integrations',
    rest('Misplaced 2', { kind: 'basic' }, { username: 'x', password: second!, nonsense: second! }),
  );
  const version = async (id: string) =>
    (await hub.api('GET', `/api/v1/integrations/${id}`)).body.version as number;
  await patch(basic, await version(basic), { credentials: { password: 7 } });
  await patch(basic, await version(basic), { credentials: { nonsense: third } });
  await patch(basic, await version(basic), { credentials: { password: secrets.rotatedPassword } });

  for (const mood of ['echo-401', 'echo-500'] as const) {
    source.mood = mood;
    await syncAll(sources);
    for (const id of sources) {
      await hub.api('POST', `/api/v1/integrations/${id}/test`);
      await hub.api('GET', `/api/v1/proxy/${id}/customers`);
    }
    await hub.api('POST', '/api/v1/integrations/health-check');
  }
  source.mood = 'ok';
  // Fixing the settings gives an integration in error its next chance; this one's refresh token rotated meanwhile.
  for (const id of sources) await patch(id, await version(id), { config: { timeoutMs: 2_500 } });
  await syncAll(sources);
  context.progress('failed syncs, tests, health checks and proxy calls driven');

  await sendWebhooks(raw, bearer, shop, secrets);
  for (const wrong of secrets.wrongTokens) {
    await hub.api('GET', '/api/v1/integrations', undefined, wrong);
    await raw('GET', '/api/v1/integrations', {
      headers: { authorization: `Basic ${Buffer.from(`admin:${wrong}`).toString('base64')}` },
    });
    await raw('GET', '/api/v1/integrations', { headers: { authorization: wrong } });
  }

  // Shown once by design, so read without keeping the answer; the hub must not say them again.
  const subscription = await raw('POST', '/api/v1/subscriptions', {
    ...json({ name: 'crm', types: ['customer.*', 'credit.*'], url: sink.url }),
    keep: false,
  });
  const token = await raw('POST', '/api/v1/api-keys', {
    ...json({ name: 'planted', role: 'operator' }),
    keep: false,
  });
  const shownOnce = [subscription.body.secret as string, token.body.token as string];
  await hub.api('GET', '/api/v1/integrations', undefined, token.body.token);
  await hub.api('POST', '/api/v1/events', { type: 'credit.checked', data: creditChecked }, token.body.token);
  await hub.api('PATCH', `/api/v1/subscriptions/${subscription.body.id}`, { name: 'crm events' });
  await hub.api('DELETE', `/api/v1/api-keys/${token.body.id}`);
  await hub.api('GET', '/api/v1/integrations', undefined, token.body.token);
  await hub.api('POST', '/api/v1/keys/rotate');
  await until(
    'the subscriber to get its events',
    async () => (sink.received.length > 0 ? true : undefined),
    30_000,
  ).catch(() => undefined);
  return { integrations, subscriptionId: subscription.body.id, shownOnce };
}

const creditChecked = {
  customerId: 'cust-1001',
  result: 'approved',
  limit: 25000,
  currency: 'EUR',
  agency: 'Creditreform',
  checkedAt: '2026-10-24T09:12:00Z',
};

async function sendWebhooks(raw: RawApi, bearer: string, shop: string, secrets: PlantedSecrets) {
  const post = (id: string, body: string, headers: Record<string, string>) =>
    raw('POST', `/webhooks/${id}`, {
      headers: { authorization: '', ...headers, 'content-type': 'application/json' },
      body,
    });
  const body = JSON.stringify({ data: [{ orderNo: 'S-1', customer: 'Mensa' }] });
  const at = new Date();
  const seconds = String(Math.floor(at.getTime() / 1000));
  const hmac = createHmac('sha256', secrets.hmacSecret).update(`${seconds}.${body}`).digest('hex');
  await post(bearer, body, {
    'x-shop-signature': `sha256=${hmac}`,
    'x-shop-timestamp': seconds,
    'x-shop-delivery': randomBytes(8).toString('hex'),
  });
  await post(bearer, body, { 'x-shop-signature': secrets.hmacSecret, 'x-shop-timestamp': seconds });
  await post(bearer, body, {
    'x-shop-signature': `sha256=${secrets.hmacSecret}`,
    'x-shop-timestamp': secrets.hmacSecret,
  });
  const id = `msg_${randomBytes(8).toString('hex')}`;
  await post(shop, body, {
    'webhook-id': id,
    'webhook-timestamp': seconds,
    'webhook-signature': new Webhook(secrets.whsec).sign(id, at, body),
  });
  await post(shop, body, {
    'webhook-id': `msg_${randomBytes(8).toString('hex')}`,
    'webhook-timestamp': seconds,
    'webhook-signature': `v1,${secrets.whsec}`,
  });
  await post(shop, body, {
    'webhook-id': secrets.whsec,
    'webhook-timestamp': seconds,
    'webhook-signature': secrets.whsec,
    'x-goog-channel-token': secrets.whsec,
  });
}
