// The hub's side of single sign-on in the dashboard, against a real OpenID provider
// (oidc-provider): GET /api/v1/session/oidc without a token, the page's CSP allowing the provider's
// origin and nothing more, the key set found through discovery (no HUB_OIDC_JWKS_URL), and a
// provider that cannot be reached answering 503 instead of calling good tokens bad.
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/hubProcess.ts';
import {
  DASHBOARD_CLIENT,
  HUB_AUDIENCE,
  MACHINE_CLIENT,
  MACHINE_SECRET,
  startOidcProvider,
  type TestOidcProvider,
} from './support/oidcProvider.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let provider: TestOidcProvider;
let hub: TestHub;

beforeAll(async () => {
  provider = await startOidcProvider({
    hubUrl: 'http://127.0.0.1:8080',
    users: {},
    machineRoles: ['hub-viewer'],
  });
  hub = await startTestHub({
    HUB_OIDC_ISSUER: provider.issuer,
    HUB_OIDC_AUDIENCE: HUB_AUDIENCE,
    HUB_OIDC_CLIENT_ID: DASHBOARD_CLIENT,
    HUB_OIDC_RESOURCE: provider.resource,
  });
});

afterAll(async () => {
  await hub?.close();
  await provider?.close();
});

async function machineToken(): Promise<string> {
  const response = await fetch(`${provider.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${MACHINE_CLIENT}:${MACHINE_SECRET}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'hub' }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

const connectSrc = (csp: unknown) => /connect-src ([^;]*);/.exec(String(csp))?.[1];

describe('single sign-on offered to the dashboard', () => {
  it('tells anyone, without a token, the provider endpoints and the public client to use', async () => {
    const offer = await hub.request({ method: 'GET', url: '/api/v1/session/oidc', token: null });
    expect(offer.status).toBe(200);
    expect(offer.headers['cache-control']).toBe('no-cache');
    expect(offer.body).toEqual({
      enabled: true,
      issuer: provider.issuer,
      clientId: DASHBOARD_CLIENT,
      scope: 'openid profile',
      resource: provider.resource,
      authorizationEndpoint: `${provider.issuer}/auth`,
      tokenEndpoint: `${provider.issuer}/token`,
      endSessionEndpoint: `${provider.issuer}/session/end`,
    });
  });

  it("lets the page connect to the provider's origin and to nothing else", async () => {
    const page = await hub.request({ method: 'GET', url: '/', token: null });
    expect(page.status).toBe(200);
    expect(connectSrc(page.headers['content-security-policy'])).toBe(`'self' ${provider.issuer}`);
  });

  it("checks the provider's tokens with the key set named in its discovery document", async () => {
    const token = await machineToken();
    const me = await hub.request({ method: 'GET', url: '/api/v1/me', token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      kind: 'oidc',
      id: `oidc:${MACHINE_CLIENT}`,
      name: MACHINE_CLIENT,
      role: 'viewer',
    });
    const write = await hub.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      token,
      body: { name: 'x', role: 'admin' },
    });
    expect(write.status).toBe(403);

    // Same claims, signed by a key the provider never published.
    const stranger = await generateKeyPair('RS256');
    const forged = await new SignJWT({ realm_access: { roles: ['hub-admin'] } })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key-1' })
      .setIssuer(provider.issuer)
      .setAudience(HUB_AUDIENCE)
      .setSubject('mallory')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(stranger.privateKey);
    const refused = await hub.request({ method: 'GET', url: '/api/v1/me', token: forged });
    expect(refused.status).toBe(401);
  });
});

describe('without single sign-on', () => {
  it('offers none and keeps the page to its own origin when no client id is set', async () => {
    const plain = await startTestHub({ HUB_OIDC_ISSUER: provider.issuer, HUB_OIDC_AUDIENCE: HUB_AUDIENCE });
    try {
      const offer = await plain.request({ method: 'GET', url: '/api/v1/session/oidc', token: null });
      expect(offer.status).toBe(200);
      expect(offer.body).toEqual({ enabled: false });
      const page = await plain.request({ method: 'GET', url: '/', token: null });
      expect(connectSrc(page.headers['content-security-policy'])).toBe("'self'");
      // The provider's tokens are still accepted as bearer tokens.
      expect(
        (await plain.request({ method: 'GET', url: '/api/v1/me', token: await machineToken() })).status,
      ).toBe(200);
    } finally {
      await plain.close();
    }
  });

  it('answers 503 naming HUB_OIDC_ISSUER when the provider cannot be reached, and API tokens still work', async () => {
    const gone = `http://127.0.0.1:${await freePort()}`;
    const orphan = await startTestHub({
      HUB_OIDC_ISSUER: gone,
      HUB_OIDC_AUDIENCE: HUB_AUDIENCE,
      HUB_OIDC_CLIENT_ID: DASHBOARD_CLIENT,
    });
    try {
      const offer = await orphan.request({ method: 'GET', url: '/api/v1/session/oidc', token: null });
      expect(offer.status).toBe(503);
      expect(offer.headers['content-type']).toContain('application/problem+json');
      expect(offer.body.detail).toMatch(
        new RegExp(`^HUB_OIDC_ISSUER: the discovery document of ${gone} could not`),
      );
      // A well-formed JWT is not called bad because its issuer is unreachable.
      const jwt = await machineToken();
      expect((await orphan.request({ method: 'GET', url: '/api/v1/me', token: jwt })).status).toBe(503);
      expect((await orphan.request({ method: 'GET', url: '/api/v1/me' })).status).toBe(200);
    } finally {
      await orphan.close();
    }
  });
});
