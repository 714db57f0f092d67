// Every route of the API against every role (test/support/authorizationMatrix.ts): no token is
// refused everywhere but on the few public routes, rights grow from viewer to operator to admin
// and never shrink, a viewer changes nothing, and no route answers 5xx to any of them. The routes
// come from the OpenAPI document, so a new route is checked without being listed here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAuthorizationMatrix, routesOf } from './support/authorizationMatrix.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
const tokens = { viewer: '', operator: '', admin: '' };

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

describe('authorization across every route and role', () => {
  it('refuses, permits and never fails as the roles say', { timeout: 60_000 }, async () => {
    const document = await hub.request({ method: 'GET', url: '/api/v1/openapi.json' });
    const routes = routesOf(document.body);
    expect(routes.length).toBeGreaterThan(50);
    const result = await checkAuthorizationMatrix(routes, tokens, async (request) => {
      const response = await hub.request(request);
      return response.status;
    });
    expect(result.checks).toBeGreaterThan(routes.length * 3);
    expect(result.violations).toEqual([]);
  });

  it('keeps admin-only reads from operators and viewers', async () => {
    for (const url of ['/api/v1/audit', '/api/v1/api-keys', '/api/v1/keys']) {
      for (const role of ['viewer', 'operator'] as const) {
        const response = await hub.request({ method: 'GET', url, token: tokens[role] });
        expect(response.status, `${role} ${url}`).toBe(403);
      }
    }
  });
});
