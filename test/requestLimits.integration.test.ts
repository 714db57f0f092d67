// Request size and rate limits on every route, each refusal problem+json: HUB_BODY_LIMIT (413,
// also for chunked bodies), the webhook route's own 1 MiB, HUB_API_RATE_LIMIT per token shared by
// two hubs on one database (429 with Retry-After), and HUB_AUTH_FAILURE_LIMIT on refused tokens,
// webhook signatures and OAuth states per client address, which never refuses a valid webhook.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { InjectOptions } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { type RunningHub, startHub } from '../src/hub.ts';
import { createLogger } from '../src/observability/logger.ts';
import { sendOverSocket, socketCases } from './support/attack/rawHttp.ts';
import { concrete, type Route, routesOf } from './support/authorizationMatrix.ts';
import { loopback, startTestHub, type TestHub } from './support/testHub.ts';

const BODY_LIMIT = 4096;
const RATE_LIMIT = 8;
const FAILURE_LIMIT = 10;

let hub: TestHub;
let second: RunningHub;
let routes: Route[];
const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
let webhookIntegration: string;

beforeAll(async () => {
  hub = await startTestHub(
    {
      HUB_BODY_LIMIT: String(BODY_LIMIT),
      HUB_API_RATE_LIMIT: String(RATE_LIMIT),
      HUB_AUTH_FAILURE_LIMIT: String(FAILURE_LIMIT),
    },
    { listen: true },
  );
  // A second hub process on the same database, as HUB_ROLE=api behind a load balancer.
  second = await startHub(
    loadConfig({
      DATABASE_URL: hub.databaseUrl,
      HUB_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'hub-limits-')),
      HUB_MASTER_KEY: hub.hub.context.config.masterKey?.toString('base64') ?? '',
      HUB_ROLE: 'api',
      HUB_API_RATE_LIMIT: String(RATE_LIMIT),
      HUB_ALLOWED_NETWORKS: loopback,
    }),
    { logger: createLogger('silent'), listen: false },
  );
  const document = await hub.hub.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  routes = routesOf(document.json());
  const created = await hub.hub.app.inject({
    method: 'POST',
    url: '/api/v1/integrations',
    headers: { authorization: `Bearer ${hub.adminToken}` },
    payload: {
      name: 'Shop',
      connector: 'webhook',
      entities: ['order'],
      config: {
        signature: { scheme: 'standard-webhooks' },
        entities: { order: { recordsPath: 'data', idField: 'orderNo' } },
      },
      credentials: { webhookSecret },
      schedule: { enabled: false },
    },
  });
  expect(created.statusCode).toBe(201);
  webhookIntegration = created.json().id;
});

afterAll(async () => {
  await second.stop();
  await hub.close();
});

/** A fresh token of its own, so one test's requests do not spend another's rate limit. */
async function freshToken(role: 'viewer' | 'operator' | 'admin' = 'admin'): Promise<string> {
  const created = await hub.hub.app.inject({
    method: 'POST',
    url: '/api/v1/api-keys',
    headers: { authorization: `Bearer ${await adminOfTheMoment()}` },
    payload: { name: `limits ${randomBytes(4).toString('hex')}`, role },
  });
  expect(created.statusCode).toBe(201);
  return created.json().token;
}

/** The bootstrap admin spends its own limit too: every few calls a new admin token takes over. */
let admin: { token: string; used: number } | undefined;
async function adminOfTheMoment(): Promise<string> {
  if (!admin || admin.used >= RATE_LIMIT - 2) {
    const created = await hub.hub.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { authorization: `Bearer ${admin?.token ?? hub.adminToken}` },
      payload: { name: `admin ${randomBytes(4).toString('hex')}`, role: 'admin' },
    });
    admin = { token: created.json().token, used: 0 };
  }
  admin.used++;
  return admin.token;
}

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
) {
  expect(response.statusCode).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(response.body)).toMatchObject({
    status,
    type: expect.any(String),
    detail: expect.any(String),
  });
}

function signed(body: string) {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const at = new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(webhookSecret).sign(id, at, body),
  };
}

describe('request size', () => {
  it('refuses a body over HUB_BODY_LIMIT with 413 problem+json on every route that takes a body', {
    timeout: 30_000,
  }, async () => {
    // Two routes have limits of their own: inbound webhooks (1 MiB) and messages with attachments (30 MiB).
    const withBodies = routes.filter(
      (route) =>
        ['POST', 'PUT', 'PATCH'].includes(route.method) &&
        !route.path.startsWith('/webhooks/') &&
        route.path !== '/api/v1/integrations/{id}/messages',
    );
    expect(withBodies.length).toBeGreaterThan(25);
    const oversized = JSON.stringify({ name: 'x'.repeat(BODY_LIMIT) });
    for (const route of withBodies) {
      const response = await hub.hub.app.inject({
        method: route.method as 'POST',
        url: concrete(route.path),
        headers: {
          authorization: `Bearer ${await adminOfTheMoment()}`,
          'content-type': route.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
          'if-match': '*',
        },
        payload: oversized,
      });
      expect(response.statusCode, `${route.method} ${route.path}`).toBe(413);
      expectProblem(response, 413);
    }
  });

  it('gives messages with attachments their own 30 MiB, refused beyond from the Content-Length alone', async () => {
    const response = await hub.hub.app.inject({
      method: 'POST',
      url: `/api/v1/integrations/${randomUUID()}/messages`,
      headers: {
        authorization: `Bearer ${await adminOfTheMoment()}`,
        'content-type': 'application/json',
        'content-length': String(30 * 1024 * 1024 + 1),
      },
      payload: '{}',
    });
    expectProblem(response, 413);
  });

  it('refuses a chunked body over the limit, which carries no Content-Length to check up front', async () => {
    const chunked = socketCases.find((entry) => entry.label.startsWith('a chunked body'));
    if (!chunked) throw new Error('no chunked case');
    const answer = await sendOverSocket(
      hub.hub.url,
      chunked.bytes({ bodyLimit: BODY_LIMIT }),
      `Bearer ${await adminOfTheMoment()}`,
    );
    expect(answer.status).toBe(413);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('gives the webhook route its own 1 MiB, whatever HUB_BODY_LIMIT says', async () => {
    const large = JSON.stringify({ data: [{ orderNo: 'B-1', note: 'x'.repeat(200_000) }] });
    const accepted = await hub.hub.app.inject({
      method: 'POST',
      url: `/webhooks/${webhookIntegration}`,
      headers: signed(large),
      payload: large,
    });
    expect(accepted.statusCode).toBe(202);
    const tooLarge = 'x'.repeat(1024 * 1024 + 1);
    const refused = await hub.hub.app.inject({
      method: 'POST',
      url: `/webhooks/${webhookIntegration}`,
      headers: signed(tooLarge),
      payload: tooLarge,
    });
    expectProblem(refused, 413);
  });
});

describe('the API rate limit', () => {
  it('answers 429 with Retry-After on every authenticated route once a token spent its minute, across two hubs', {
    timeout: 30_000,
  }, async () => {
    const token = await freshToken('admin');
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT; i++) {
      const app = i % 2 === 0 ? hub.hub.app : second.app;
      statuses.push(
        (
          await app.inject({
            method: 'GET',
            url: '/api/v1/connectors',
            headers: { authorization: `Bearer ${token}` },
          })
        ).statusCode,
      );
    }
    expect(statuses).toEqual(Array(RATE_LIMIT).fill(200));
    const authenticated = routes.filter(
      (route) =>
        !['/api/v1/openapi.json', '/api/v1/oauth/callback', '/api/v1/session/oidc'].includes(route.path) &&
        !route.path.startsWith('/webhooks/'),
    );
    for (const [index, route] of authenticated.entries()) {
      const app = index % 2 === 0 ? hub.hub.app : second.app;
      const response = await app.inject({
        method: route.method as 'GET',
        url: concrete(route.path),
        headers: {
          authorization: `Bearer ${token}`,
          ...(route.method === 'GET' ? {} : { 'content-type': 'application/json' }),
        },
        ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: '{}' }),
      });
      expect(response.statusCode, `${route.method} ${route.path}`).toBe(429);
      expectProblem(response, 429);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(response.body).code).toBe('RATE_LIMITED');
    }
  });
});

describe('refused attempts from one address', () => {
  const attacker = '198.51.100.7';
  const inject = (options: InjectOptions, address = attacker) =>
    hub.hub.app.inject({ ...options, remoteAddress: address });

  it('answers bad tokens with 401 up to the limit, then 429 without looking them up; recent tokens still pass', async () => {
    const trusted = await freshToken('viewer');
    expect(
      (
        await inject({
          method: 'GET',
          url: '/api/v1/connectors',
          headers: { authorization: `Bearer ${trusted}` },
        })
      ).statusCode,
    ).toBe(200);
    const neverUsed = await freshToken('viewer');
    for (let i = 0; i < FAILURE_LIMIT; i++) {
      const refused = await inject({
        method: 'GET',
        url: '/api/v1/connectors',
        headers: { authorization: `Bearer hub_guess_${i}` },
      });
      expectProblem(refused, 401);
    }
    const blocked = await inject({
      method: 'GET',
      url: '/api/v1/connectors',
      headers: { authorization: 'Bearer hub_guess_more' },
    });
    expectProblem(blocked, 429);
    expect(JSON.parse(blocked.body).code).toBe('TOO_MANY_FAILED_ATTEMPTS');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // A token that authenticated recently goes on working from the same address, a new one waits.
    expect(
      (
        await inject({
          method: 'GET',
          url: '/api/v1/connectors',
          headers: { authorization: `Bearer ${trusted}` },
        })
      ).statusCode,
    ).toBe(200);
    expectProblem(
      await inject({
        method: 'GET',
        url: '/api/v1/connectors',
        headers: { authorization: `Bearer ${neverUsed}` },
      }),
      429,
    );
    // Another address is not affected.
    const elsewhere = await inject(
      { method: 'GET', url: '/api/v1/connectors', headers: { authorization: `Bearer ${neverUsed}` } },
      '203.0.113.9',
    );
    expect(elsewhere.statusCode).toBe(200);
  });

  it('counts forged webhooks and unknown integrations, and still accepts every valid webhook', async () => {
    const sender = '192.0.2.44';
    const body = JSON.stringify({ data: [{ orderNo: 'W-1' }] });
    for (let i = 0; i < FAILURE_LIMIT; i++) {
      const forged = await inject(
        {
          method: 'POST',
          url: `/webhooks/${webhookIntegration}`,
          headers: { ...signed(body), 'webhook-signature': `v1,${randomBytes(32).toString('base64')}` },
          payload: body,
        },
        sender,
      );
      expectProblem(forged, 401);
    }
    const moreForged = await inject(
      {
        method: 'POST',
        url: `/webhooks/${webhookIntegration}`,
        headers: { ...signed(body), 'webhook-signature': 'v1,AAAA' },
        payload: body,
      },
      sender,
    );
    expectProblem(moreForged, 429);
    const unknown = await inject(
      { method: 'POST', url: `/webhooks/${randomUUID()}`, headers: signed(body), payload: body },
      sender,
    );
    expectProblem(unknown, 429);
    for (let i = 0; i < 5; i++) {
      const valid = JSON.stringify({ data: [{ orderNo: `V-${i}` }] });
      const accepted = await inject(
        { method: 'POST', url: `/webhooks/${webhookIntegration}`, headers: signed(valid), payload: valid },
        sender,
      );
      expect(accepted.statusCode, `valid webhook ${i}`).toBe(202);
    }
  });

  it('counts unknown OAuth states', async () => {
    const guesser = '192.0.2.99';
    for (let i = 0; i < FAILURE_LIMIT; i++) {
      expectProblem(
        await inject({ method: 'GET', url: `/api/v1/oauth/callback?state=guess${i}&code=x` }, guesser),
        400,
      );
    }
    expectProblem(
      await inject({ method: 'GET', url: '/api/v1/oauth/callback?state=guess&code=x' }, guesser),
      429,
    );
  });
});
