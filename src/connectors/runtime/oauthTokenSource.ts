// OAuth2 tokens kept in an integration's sealed credentials and refreshed with oauth4webapi.
// The refresh runs under the integration row's lock (credentialStore), and the rotated refresh
// token is committed before the new access token is used: a crash right after a refresh cannot
// leave the hub holding a refresh token the server has already retired.
import * as oauth from 'oauth4webapi';
import type { Pool } from '../../db/pool.ts';
import { addressRefusal } from '../../network/outboundNetwork.ts';
import { updateCredentialsLocked } from '../../registry/credentialStore.ts';
import type { Vault } from '../../vault/vault.ts';
import { type OAuthTokenSource, type OAuthTokens, REFRESH_AHEAD_MS } from '../sdk/auth/oauth2Auth.ts';
import type { OAuthClientSetup } from '../sdk/connectorDefinition.ts';
import { ConnectorError } from '../sdk/connectorError.ts';

export interface StoredTokenDependencies {
  pool: Pool;
  vault: Vault;
  integrationId: string;
  credentials: Record<string, string>;
  setup: OAuthClientSetup;
  /** The hub's guarded fetch: the token endpoint is a URL people configured. */
  fetch: typeof globalThis.fetch;
  onRefreshed?: () => void;
}

export function storedOAuthTokenSource(deps: StoredTokenDependencies): OAuthTokenSource {
  let credentials = deps.credentials;
  const tokensOf = (stored: Record<string, string>): OAuthTokens => ({
    accessToken: stored.accessToken ?? '',
    // Without an access token, the first request refreshes.
    expiresAt: stored.accessToken ? (stored.expiresAt ? Date.parse(stored.expiresAt) : undefined) : 0,
  });

  return {
    current: () => tokensOf(credentials),
    refresh: async (rejected) => {
      credentials = await updateCredentialsLocked(
        deps.pool,
        deps.vault,
        deps.integrationId,
        async (current) => {
          const tokens = tokensOf(current);
          const stillGood =
            tokens.accessToken !== '' &&
            tokens.accessToken !== rejected &&
            (tokens.expiresAt === undefined || tokens.expiresAt - REFRESH_AHEAD_MS > Date.now());
          if (stillGood) return undefined;
          return { ...current, ...(await refreshGrant(deps.setup, current, deps.fetch)) };
        },
      );
      deps.onRefreshed?.();
      return tokensOf(credentials);
    },
    secrets: () =>
      [credentials.accessToken, credentials.refreshToken, credentials.clientSecret].filter(
        (value): value is string => typeof value === 'string',
      ),
  };
}

async function refreshGrant(
  setup: OAuthClientSetup,
  current: Record<string, string>,
  fetch: typeof globalThis.fetch,
) {
  if (!current.refreshToken) {
    throw new ConnectorError('auth', 'there is no refresh token: connect the integration again');
  }
  const tokenUrl = new URL(setup.tokenUrl);
  const server: oauth.AuthorizationServer = { issuer: tokenUrl.origin, token_endpoint: tokenUrl.toString() };
  const client: oauth.Client = { client_id: setup.clientId };
  const secret = current.clientSecret ?? '';
  const clientAuth =
    setup.clientAuth === 'basic' ? oauth.ClientSecretBasic(secret) : oauth.ClientSecretPost(secret);
  try {
    const response = await oauth.refreshTokenGrantRequest(server, client, clientAuth, current.refreshToken, {
      signal: AbortSignal.timeout(15_000),
      [oauth.allowInsecureRequests]: tokenUrl.protocol === 'http:',
      [oauth.customFetch]: fetch,
    });
    const result = await oauth.processRefreshTokenResponse(server, client, response);
    return {
      accessToken: result.access_token,
      refreshToken: result.refresh_token ?? current.refreshToken,
      expiresAt:
        result.expires_in === undefined ? '' : new Date(Date.now() + result.expires_in * 1000).toISOString(),
    };
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant') {
      throw new ConnectorError(
        'auth',
        'the authorization was revoked or has expired (invalid_grant): reconnect the integration',
        { httpStatus: error.status },
      );
    }
    if (error instanceof oauth.ResponseBodyError && (error.status === 400 || error.status === 401)) {
      throw new ConnectorError('auth', `the token endpoint refused the refresh (${error.error})`, {
        httpStatus: error.status,
      });
    }
    const refused = addressRefusal(error);
    if (refused)
      throw new ConnectorError('config', `the token endpoint: ${refused.message}`, { cause: error });
    throw new ConnectorError('transient', `the token refresh failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
