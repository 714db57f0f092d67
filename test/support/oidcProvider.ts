// A real OpenID provider for tests: panva's oidc-provider (OpenID certified) on a loopback port,
// set up as a company's provider would be for the hub: a public client for the dashboard
// (authorization code with PKCE, back to the hub's /signin/callback, RP-initiated logout), JWT
// access tokens for the hub's resource and audience (resource indicators), the person's roles in
// `realm_access.roles` as Keycloak puts them, its built-in login page (any password), and a
// confidential client for machine tokens (client credentials).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors, type KoaContextWithOIDC } from 'oidc-provider';

export const DASHBOARD_CLIENT = 'hub-dashboard';
export const MACHINE_CLIENT = 'hub-machine';
export const MACHINE_SECRET = 'machine-secret-0123456789abcdef0123456789';
export const HUB_AUDIENCE = 'integration-hub';

export interface TestOidcProvider {
  issuer: string;
  /** The resource indicator of the hub's API (RFC 8707). */
  resource: string;
  /** Changed between tests: applies to tokens issued from then on. */
  settings: { accessTokenTtlSeconds: number; refreshTokens: boolean };
  /** Every access token issued, for tests that compare what the browser holds. */
  issuedAccessTokens: number;
  close(): Promise<void>;
}

export async function startOidcProvider(options: {
  hubUrl: string;
  /** Login name → roles, e.g. `{ anna: ['hub-admin'] }`. */
  users: Record<string, string[]>;
  machineRoles?: string[];
}): Promise<TestOidcProvider> {
  let handle: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => {
    response.statusCode = 503;
    response.end();
  };
  const server = createServer((request, response) => handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const resource = `${options.hubUrl}/api/v1`;
  const settings = { accessTokenTtlSeconds: 300, refreshTokens: true };
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };

  const rolesOf = (accountId: string | undefined) => (accountId ? options.users[accountId] : undefined);
  const result: TestOidcProvider = {
    issuer,
    resource,
    settings,
    issuedAccessTokens: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: DASHBOARD_CLIENT,
        client_name: 'Integration Hub',
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [`${options.hubUrl}/signin/callback`],
        post_logout_redirect_uris: [`${options.hubUrl}/`],
      },
      {
        client_id: MACHINE_CLIENT,
        client_secret: MACHINE_SECRET,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
    ttl: { ClientCredentials: 300 },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    async findAccount(_ctx, accountId) {
      if (!options.users[accountId]) return undefined;
      return {
        accountId,
        claims: async () => ({ sub: accountId, preferred_username: accountId, name: accountId }),
      };
    },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, client) => (client.clientId === MACHINE_CLIENT ? resource : undefined),
        useGrantedResource: async () => true,
        async getResourceServerInfo(_ctx, indicator) {
          if (indicator !== resource) throw new errors.InvalidTarget();
          return {
            scope: 'hub',
            audience: HUB_AUDIENCE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: settings.accessTokenTtlSeconds,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    // A first-party client, as with Keycloak's consent switched off: no consent page.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const known = session.grantIdFor(client.clientId);
      if (known) return ctx.oidc.provider.Grant.find(known);
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid profile');
      grant.addResourceScope(resource, 'hub');
      await grant.save();
      return grant;
    },
    issueRefreshToken: async (_ctx, client) =>
      settings.refreshTokens && client.grantTypeAllowed('refresh_token'),
    async extraTokenClaims(_ctx, token) {
      if (token.kind === 'AccessToken') {
        result.issuedAccessTokens += 1;
        const accountId = (token as { accountId?: string }).accountId;
        return { preferred_username: accountId, realm_access: { roles: rolesOf(accountId) ?? [] } };
      }
      if (token.kind === 'ClientCredentials') return { realm_access: { roles: options.machineRoles ?? [] } };
      return undefined;
    },
    // The dashboard's origin may call the token endpoint (it is the origin of its redirect URI).
    clientBasedCORS: (_ctx, origin, client) =>
      (client.redirectUris ?? []).some((uri) => new URL(uri).origin === origin),
  });
  handle = provider.callback();
  return result;
}
