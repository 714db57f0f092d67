// Every route of the API against every role: no token is refused everywhere but on the few public
// routes, rights grow from viewer to operator to admin and never shrink, a viewer changes nothing,
// and no route answers 5xx to any of them. The routes come from the OpenAPI document, so a new
// route is checked without being listed here.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
const tokens: Record<string, string> = {};

/** Routes without a token: health, the OpenAPI document, the OAuth callback, the dashboard's sign-in offer and inbound webhooks. */
const publicRoutes = new Set([
  'GET /api/v1/oauth/callback',
  'GET /api/v1/openapi.json',
  'GET /api/v1/session/oidc',
  'POST /webhooks/{integrationId}',
]);
/** Streams never end; only their refusal without a token is checked here. */
const streams = new Set(['GET /api/v1/events/stream']);
/** Non-GET routes a viewer may call: they read only. */
const viewerWrites = new Set<string>(['POST /api/v1/mapping/suggest', 'POST /api/v1/mapping/preview']);

beforeAll(async () => {
  hub = await startTestHub();
  for (const role of ['viewer', 'operator'] as const) {
    const created = await hub.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      body: { name: `${role} key`, role },
    });
    expect(created.status).toBe(201);
    tokens[role] = created.body.token;
  }
  tokens.admin = hub.adminToken;
});

afterAll(async () => {
  await hub.close();
});

interface Route {
  method: string;
  path: string;
}

async function routes(): Promise<Route[]> {
  const document = await hub.request({ method: 'GET', url: '/api/v1/openapi.json' });
  const found: Route[] = [];
  for (const [path, operations] of Object.entries(
    document.body.paths as Record<string, Record<string, unknown>>,
  )) {
    for (const method of Object.keys(operations)) {
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method))
        found.push({ method: method.toUpperCase(), path });
    }
  }
  return found;
}

function concrete(path: string): string {
  return path
    .replace(/\{type\}/g, 'credit.checked')
    .replace(/\{version\}/g, '1')
    .replace(/\{entity\}/g, 'customer')
    .replace(/\{externalId\}/g, 'K-1')
    .replace(/\{[^}]+\}/g, () => randomUUID())
    .replace(/\*$/, 'anything');
}

async function call(route: Route, token: string | null) {
  const response = await hub.request({
    method: route.method,
    url: concrete(route.path),
    token,
    ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { body: {} } : {}),
    headers: route.method === 'PATCH' ? { 'if-match': '"1"' } : {},
  });
  return response.status;
}

const allowed = (status: number) => status !== 401 && status !== 403;

describe('authorization across every route and role', () => {
  it('refuses, permits and never fails as the roles say', { timeout: 60_000 }, async () => {
    const list = await routes();
    expect(list.length).toBeGreaterThan(50);
    const problems: string[] = [];
    for (const route of list) {
      const key = `${route.method} ${route.path}`;
      if (streams.has(key)) {
        const anonymous = await call(route, null);
        if (anonymous !== 401) problems.push(`${key}: no token got ${anonymous}`);
        continue;
      }
      const status = {
        anonymous: await call(route, null),
        viewer: await call(route, tokens.viewer ?? ''),
        operator: await call(route, tokens.operator ?? ''),
        admin: await call(route, tokens.admin ?? ''),
      };
      for (const [who, code] of Object.entries(status)) {
        if (code >= 500) problems.push(`${key}: ${who} got ${code}`);
      }
      if (!publicRoutes.has(key) && status.anonymous !== 401)
        problems.push(`${key}: no token got ${status.anonymous}`);
      if (!allowed(status.admin)) problems.push(`${key}: admin got ${status.admin}`);
      if (allowed(status.viewer) && !allowed(status.operator))
        problems.push(`${key}: viewer allowed, operator not`);
      if (allowed(status.operator) && !allowed(status.admin))
        problems.push(`${key}: operator allowed, admin not`);
      if (
        route.method !== 'GET' &&
        !viewerWrites.has(key) &&
        !publicRoutes.has(key) &&
        allowed(status.viewer)
      ) {
        problems.push(`${key}: a viewer got ${status.viewer}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps admin-only reads from operators and viewers', async () => {
    for (const url of ['/api/v1/audit', '/api/v1/api-keys', '/api/v1/keys']) {
      for (const role of ['viewer', 'operator']) {
        const response = await hub.request({ method: 'GET', url, token: tokens[role] ?? '' });
        expect(response.status, `${role} ${url}`).toBe(403);
      }
    }
  });
});
