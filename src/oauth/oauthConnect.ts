// Connecting an OAuth2 integration through the hub: the authorization code flow with PKCE
// (oauth4webapi). `start` makes the provider URL a person opens; `complete` is the callback the
// provider sends the browser back to. The state is random, single-use and bound to the
// integration; the code is exchanged with the PKCE verifier, and the tokens go straight into the
// integration's sealed credentials. A successful connect is also the "Reconnect" after a revoked grant.
import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import type { Principal } from '../access/principal.ts';
import { recordAudit } from '../audit/recordAudit.ts';
import type { ConnectorCatalog } from '../connectors/catalog.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/pool.ts';
import { HubError, notFound } from '../errors.ts';
import { appendEvents, integrationSource } from '../events/outbox.ts';
import { credentialsAad, openCredentials } from '../registry/credentialStore.ts';
import { findIntegration } from '../registry/integrationsTable.ts';
import { maskCredentials } from '../registry/maskSecret.ts';
import type { Vault } from '../vault/vault.ts';

const AUTHORIZATION_TTL_MS = 10 * 60_000;

export interface OAuthConnectDeps {
  pool: Pool;
  vault: Vault;
  catalog: ConnectorCatalog;
  publicUrl: string;
  /** The hub's guarded fetch: the token endpoint is a URL people configured. */
  fetch: typeof globalThis.fetch;
}

export const callbackPath = '/api/v1/oauth/callback';
const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

export async function startAuthorization(
  deps: OAuthConnectDeps,
  integrationId: string,
  actor: Principal,
  returnTo: string | undefined,
) {
  const integration = await findIntegration(deps.pool, integrationId);
  if (!integration) throw notFound('integration', integrationId);
  const connector = deps.catalog.get(integration.connector);
  if (!connector.oauthAuthorization) {
    throw new HubError('validation', 'NOT_OAUTH', `connector ${connector.id} does not connect with OAuth`, {
      status: 400,
    });
  }
  const settings = connector.oauthAuthorization(connector.configSchema.parse(integration.config));
  const state = oauth.generateRandomState();
  const verifier = oauth.generateRandomCodeVerifier();
  const redirectUri = `${deps.publicUrl}${callbackPath}`;
  const expiresAt = new Date(Date.now() + AUTHORIZATION_TTL_MS);
  const url = new URL(settings.authorizationUrl);
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', settings.scopes.join(' '));
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  for (const [name, value] of Object.entries(settings.extraParams ?? {})) url.searchParams.set(name, value);
  await withTransaction(deps.pool, async (tx) => {
    await tx.query('DELETE FROM oauth_authorizations WHERE expires_at < now()');
    await tx.query(
      `INSERT INTO oauth_authorizations (state_hash, integration_id, code_verifier, redirect_uri, return_to, actor, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        hashState(state),
        integration.id,
        verifier,
        redirectUri,
        returnTo ?? null,
        JSON.stringify({ kind: actor.kind, id: actor.id, name: actor.name, role: actor.role }),
        expiresAt,
      ],
    );
  });
  return { authorizationUrl: url.toString(), redirectUri, expiresAt: expiresAt.toISOString() };
}

export interface CompletedAuthorization {
  integrationId: string;
  returnTo: string | null;
}

/** The provider's redirect: `query` is its query string as received. */
export async function completeAuthorization(
  deps: OAuthConnectDeps,
  query: URLSearchParams,
  traceId: string,
): Promise<CompletedAuthorization> {
  const state = query.get('state');
  if (!state) throw callbackError('MISSING_STATE', 'the provider sent no state');
  // The state is spent by the first callback that presents it, whatever happens next.
  const claimed = await deps.pool.query<{
    integrationId: string;
    codeVerifier: string;
    redirectUri: string;
    returnTo: string | null;
    actor: Principal;
    expired: boolean;
  }>(
    `DELETE FROM oauth_authorizations WHERE state_hash = $1
     RETURNING integration_id AS "integrationId", code_verifier AS "codeVerifier", redirect_uri AS "redirectUri",
               return_to AS "returnTo", actor, expires_at < now() AS expired`,
    [hashState(state)],
  );
  const pending = claimed.rows[0];
  if (!pending) throw callbackError('UNKNOWN_STATE', 'this authorization is unknown or was already used');
  if (pending.expired) throw callbackError('EXPIRED_STATE', 'this authorization has expired: connect again');
  const providerError = query.get('error');
  if (providerError) {
    const description = query.get('error_description');
    throw callbackError(
      'AUTHORIZATION_DENIED',
      `the provider did not grant access (${providerError}${description ? `: ${description.slice(0, 200)}` : ''})`,
    );
  }
  const integration = await findIntegration(deps.pool, pending.integrationId);
  if (!integration) throw notFound('integration', pending.integrationId);
  const connector = deps.catalog.get(integration.connector);
  const settings = connector.oauthAuthorization?.(connector.configSchema.parse(integration.config));
  if (!settings) throw callbackError('NOT_OAUTH', `connector ${connector.id} does not connect with OAuth`);
  const credentials = await openCredentials(deps.vault, integration);
  const tokenUrl = new URL(settings.tokenUrl);
  const server: oauth.AuthorizationServer = { issuer: tokenUrl.origin, token_endpoint: tokenUrl.toString() };
  const client: oauth.Client = { client_id: settings.clientId };
  const secret = credentials.clientSecret ?? '';
  const clientAuth =
    settings.clientAuth === 'basic' ? oauth.ClientSecretBasic(secret) : oauth.ClientSecretPost(secret);
  let tokens: oauth.TokenEndpointResponse;
  try {
    const callback = oauth.validateAuthResponse(server, client, query, state);
    const response = await oauth.authorizationCodeGrantRequest(
      server,
      client,
      clientAuth,
      callback,
      pending.redirectUri,
      pending.codeVerifier,
      {
        signal: AbortSignal.timeout(15_000),
        [oauth.allowInsecureRequests]: tokenUrl.protocol === 'http:',
        [oauth.customFetch]: deps.fetch,
      },
    );
    tokens = await oauth.processAuthorizationCodeResponse(server, client, response);
  } catch (error) {
    const reason =
      error instanceof oauth.ResponseBodyError
        ? `${error.error}${error.error_description ? `: ${error.error_description.slice(0, 200)}` : ''}`
        : (error as Error).message;
    throw callbackError('CODE_EXCHANGE_FAILED', `the provider refused the code exchange (${reason})`, 502);
  }
  if (!tokens.refresh_token && !credentials.refreshToken) {
    throw callbackError(
      'NO_REFRESH_TOKEN',
      'the provider granted no refresh token: allow offline access',
      502,
    );
  }
  const next: Record<string, string> = {
    ...credentials,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? credentials.refreshToken ?? '',
    expiresAt:
      tokens.expires_in === undefined ? '' : new Date(Date.now() + tokens.expires_in * 1000).toISOString(),
  };
  await withTransaction(deps.pool, async (tx) => {
    const sealed = await deps.vault.seal(tx, next, credentialsAad(integration.id));
    const updated = await tx.query<{ wasError: boolean }>(
      `UPDATE integration_configs AS i
          SET credentials_encrypted = $2, credentials_key_id = $3, credentials_hint = $4,
              status = CASE WHEN i.status = 'error' THEN 'active' ELSE i.status END,
              status_reason = CASE WHEN i.status = 'error' THEN NULL ELSE i.status_reason END,
              error_kind = CASE WHEN i.status = 'error' THEN NULL ELSE i.error_kind END,
              needs_attention = CASE WHEN i.status = 'error' THEN false ELSE i.needs_attention END,
              status_changed_at = CASE WHEN i.status = 'error' THEN now() ELSE i.status_changed_at END,
              next_probe_at = CASE WHEN i.status = 'error' THEN NULL ELSE i.next_probe_at END
        FROM integration_configs AS before
        WHERE i.id = $1 AND before.id = i.id
        RETURNING before.status = 'error' AS "wasError"`,
      [integration.id, sealed.ciphertext, sealed.keyId, JSON.stringify(maskCredentials(next))],
    );
    await recordAudit(tx, pending.actor, {
      action: 'integration.oauth_connected',
      targetType: 'integration',
      targetId: integration.id,
      changes: { scopes: tokens.scope ?? settings.scopes.join(' ') },
      traceId,
    });
    await appendEvents(tx, [
      {
        type: 'integration.connected',
        source: integrationSource(integration.id),
        subject: integration.id,
        data: {
          integrationId: integration.id,
          via: 'oauth',
          reconnected: updated.rows[0]?.wasError ?? false,
        },
        integrationId: integration.id,
        traceId,
      },
    ]);
  });
  return { integrationId: integration.id, returnTo: pending.returnTo };
}

function callbackError(code: string, message: string, status = 400): HubError {
  return new HubError('validation', code, message, { status });
}
