// Who may do what: 401 without or with a bad token, roles, revocation, per-token rate limit, OIDC.
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restIntegration, startTestHub, type TestHub } from './support/testHub.ts';

let t: TestHub;
let jwks: Server;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const issuer = 'http://127.0.0.1/realms/crm';

beforeAll(async () => {
  const keys = await generateKeyPair('RS256');
  privateKey = keys.privateKey;
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwks = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const port = (jwks.address() as { port: number }).port;
  t = await startTestHub({
    HUB_API_RATE_LIMIT: '40',
    HUB_OIDC_ISSUER: issuer,
    HUB_OIDC_AUDIENCE: 'integration-hub',
    HUB_OIDC_JWKS_URL: `http://127.0.0.1:${port}/certs`,
  });
});
afterAll(async () => {
  await t.close();
  jwks.close();
});

async function token(role: string, name = `${role}-${Math.random()}`): Promise<string> {
  const response = await t.request({ method: 'POST', url: '/api/v1/api-keys', body: { name, role } });
  expect(response.status).toBe(201);
  expect(response.headers['cache-control']).toBe('no-store');
  return response.body.token;
}

const jwt = (claims: Record<string, unknown>, audience = 'integration-hub') =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject('user-7')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);

describe('access', () => {
  it('refuses requests without a token or with an unknown one', async () => {
    const none = await t.request({ method: 'GET', url: '/api/v1/integrations', token: null });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    expect((await t.request({ method: 'GET', url: '/api/v1/integrations', token: 'hub_nope' })).status).toBe(
      401,
    );
  });

  it('lets a viewer read but not create, change, delete, test or manage tokens, and shows no secret hints', async () => {
    const created = await t.request({ method: 'POST', url: '/api/v1/integrations', body: restIntegration() });
    const viewer = await token('viewer');
    const url = `/api/v1/integrations/${created.body.id}`;
    const read = await t.request({ method: 'GET', url, token: viewer });
    expect(read.status).toBe(200);
    expect(read.body.credentials).toEqual({ apiKey: '••••' });
    const refused = [
      await t.request({
        method: 'POST',
        url: '/api/v1/integrations',
        body: restIntegration(),
        token: viewer,
      }),
      await t.request({
        method: 'PATCH',
        url,
        body: { credentials: { apiKey: 'x' } },
        headers: { 'if-match': '"1"' },
        token: viewer,
      }),
      await t.request({ method: 'DELETE', url, token: viewer }),
      await t.request({ method: 'POST', url: `${url}/test`, token: viewer }),
      await t.request({ method: 'GET', url: '/api/v1/api-keys', token: viewer }),
      await t.request({ method: 'GET', url: '/api/v1/audit', token: viewer }),
      await t.request({ method: 'POST', url: '/api/v1/keys/rotate', token: viewer }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403, 403]);
    expect((await t.request({ method: 'GET', url })).body.version).toBe(1);
  });

  it('lets an operator see masked hints but not change the registry', async () => {
    const created = await t.request({ method: 'POST', url: '/api/v1/integrations', body: restIntegration() });
    const operator = await token('operator');
    const read = await t.request({
      method: 'GET',
      url: `/api/v1/integrations/${created.body.id}`,
      token: operator,
    });
    expect(read.body.credentials).toEqual({ apiKey: '••••cdef' });
    const create = await t.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: restIntegration(),
      token: operator,
    });
    expect(create.status).toBe(403);
  });

  it('stops a revoked token at once and never lists token values', async () => {
    const revokable = await token('admin', 'to-revoke');
    const listed = await t.request({ method: 'GET', url: '/api/v1/api-keys' });
    const entry = listed.body.items.find((i: { name: string }) => i.name === 'to-revoke');
    expect(JSON.stringify(listed.body)).not.toContain(revokable);
    expect((await t.request({ method: 'DELETE', url: `/api/v1/api-keys/${entry.id}` })).status).toBe(204);
    expect((await t.request({ method: 'GET', url: '/api/v1/integrations', token: revokable })).status).toBe(
      401,
    );
  });

  it('rate-limits each token with 429 and Retry-After', async () => {
    const limited = await token('viewer');
    const statuses: number[] = [];
    let last: Awaited<ReturnType<TestHub['request']>> | undefined;
    for (let i = 0; i < 45; i++) {
      last = await t.request({ method: 'GET', url: '/api/v1/connectors', token: limited });
      statuses.push(last.status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.body.code).toBe('RATE_LIMITED');
    expect((await t.request({ method: 'GET', url: '/api/v1/connectors' })).status).toBe(200);
  });

  it('accepts OIDC JWTs with the role from the claim, and refuses wrong audience or no role', async () => {
    const operatorJwt = await jwt({
      realm_access: { roles: ['offline_access', 'hub-operator'] },
      preferred_username: 'chef',
    });
    expect((await t.request({ method: 'GET', url: '/api/v1/integrations', token: operatorJwt })).status).toBe(
      200,
    );
    expect(
      (
        await t.request({
          method: 'POST',
          url: '/api/v1/integrations',
          body: restIntegration(),
          token: operatorJwt,
        })
      ).status,
    ).toBe(403);
    const wrongAudience = await jwt({ realm_access: { roles: ['admin'] } }, 'other-app');
    expect(
      (await t.request({ method: 'GET', url: '/api/v1/integrations', token: wrongAudience })).status,
    ).toBe(401);
    const noRole = await jwt({ realm_access: { roles: ['offline_access'] } });
    expect((await t.request({ method: 'GET', url: '/api/v1/integrations', token: noRole })).status).toBe(401);
    const adminJwt = await jwt({ realm_access: { roles: ['admin'] } });
    expect(
      (
        await t.request({
          method: 'POST',
          url: '/api/v1/integrations',
          body: restIntegration(),
          token: adminJwt,
        })
      ).status,
    ).toBe(201);
  });
});
