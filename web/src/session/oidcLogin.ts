// Single sign-on at the hub's OpenID provider with oauth4webapi: authorization code with PKCE
// (S256) as a public client. The state, nonce and code verifier of a started sign-in wait in
// sessionStorage for the provider to send the browser back to /signin/callback, where they are
// used once and removed. Renewal with the refresh token and the provider's end-session URL too.
import * as oauth from 'oauth4webapi';
import type { ProviderLink } from './tokenStore.ts';

/** GET /api/v1/session/oidc */
export type LoginOffer =
  | { enabled: false }
  | {
      enabled: true;
      issuer: string;
      clientId: string;
      scope: string;
      resource: string | null;
      authorizationEndpoint: string;
      tokenEndpoint: string;
      endSessionEndpoint: string | null;
    };
type EnabledOffer = Extract<LoginOffer, { enabled: true }>;

export const CALLBACK_PATH = '/signin/callback';
const ATTEMPT_KEY = 'hub.oidc.attempt';

interface Attempt {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  offer: EnabledOffer;
}

export interface ProviderTokens {
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  expiresAt: number | null;
}

/** The answer on the callback belongs to no sign-in begun in this tab (or was tampered with). */
export class StateMismatchError extends Error {}
/** The provider sent an error instead of a code (the person cancelled, or was refused). */
export class ProviderRefusedError extends Error {}

const redirectUri = () => `${window.location.origin}${CALLBACK_PATH}`;

export async function startProviderLogin(offer: EnabledOffer, returnTo: string): Promise<void> {
  const attempt: Attempt = {
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    codeVerifier: oauth.generateRandomCodeVerifier(),
    returnTo,
    offer,
  };
  const url = new URL(offer.authorizationEndpoint);
  url.searchParams.set('client_id', offer.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', offer.scope);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(attempt.codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', attempt.state);
  url.searchParams.set('nonce', attempt.nonce);
  if (offer.resource) url.searchParams.set('resource', offer.resource);
  sessionStorage.setItem(ATTEMPT_KEY, JSON.stringify(attempt));
  window.location.assign(url.href);
}

/** Checks the provider's answer against the waiting attempt and exchanges the code for tokens. */
export async function completeProviderLogin(
  callbackUrl: URL,
): Promise<{ tokens: ProviderTokens; provider: ProviderLink; returnTo: string }> {
  const raw = sessionStorage.getItem(ATTEMPT_KEY);
  // Single use: whatever happens next, this attempt cannot be answered twice.
  sessionStorage.removeItem(ATTEMPT_KEY);
  const attempt = raw ? (JSON.parse(raw) as Attempt) : undefined;
  if (!attempt || callbackUrl.searchParams.get('state') !== attempt.state) {
    throw new StateMismatchError('state does not match a sign-in started here');
  }
  const { as, client, options } = endpoints(attempt.offer);
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, callbackUrl, attempt.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      throw new ProviderRefusedError(error.error_description ?? error.error);
    }
    throw error;
  }
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri(),
    attempt.codeVerifier,
    options,
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: attempt.nonce,
    requireIdToken: true,
  });
  return { tokens: tokensFrom(result, null), provider: linkOf(attempt.offer), returnTo: attempt.returnTo };
}

export async function renewTokens(provider: ProviderLink, refreshToken: string): Promise<ProviderTokens> {
  const { as, client, options } = endpoints(provider);
  const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, options);
  const result = await oauth.processRefreshTokenResponse(as, client, response);
  // Providers that do not rotate refresh tokens leave the old one valid.
  return tokensFrom(result, refreshToken);
}

/** Where to send the browser so that signing out also ends the session at the provider. */
export function endSessionUrl(provider: ProviderLink, idToken: string | null): string | null {
  if (!provider.endSessionEndpoint) return null;
  const url = new URL(provider.endSessionEndpoint);
  url.searchParams.set('client_id', provider.clientId);
  url.searchParams.set('post_logout_redirect_uri', `${window.location.origin}/`);
  if (idToken) url.searchParams.set('id_token_hint', idToken);
  return url.href;
}

function linkOf(offer: EnabledOffer): ProviderLink {
  const { issuer, clientId, tokenEndpoint, endSessionEndpoint, resource } = offer;
  return { issuer, clientId, tokenEndpoint, endSessionEndpoint, resource };
}

function endpoints(provider: ProviderLink) {
  const as: oauth.AuthorizationServer = { issuer: provider.issuer, token_endpoint: provider.tokenEndpoint };
  const client: oauth.Client = { client_id: provider.clientId };
  const options: oauth.TokenEndpointRequestOptions = {
    ...(provider.resource ? { additionalParameters: { resource: provider.resource } } : {}),
    // The hub accepts plain HTTP issuers on loopback addresses only.
    [oauth.allowInsecureRequests]: new URL(provider.tokenEndpoint).protocol === 'http:',
  };
  return { as, client, options };
}

function tokensFrom(
  result: oauth.TokenEndpointResponse,
  previousRefreshToken: string | null,
): ProviderTokens {
  const expiresAt =
    typeof result.expires_in === 'number'
      ? Date.now() + result.expires_in * 1000
      : jwtExpiry(result.access_token);
  return {
    accessToken: result.access_token,
    refreshToken: result.refresh_token ?? previousRefreshToken,
    idToken: result.id_token ?? null,
    expiresAt,
  };
}

/** Only to plan renewal: the hub verifies the token, the browser just reads when it ends. */
function jwtExpiry(token: string): number | null {
  try {
    const payload = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/')));
    return typeof payload.exp === 'number' ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}
