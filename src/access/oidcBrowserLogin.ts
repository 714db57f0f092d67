// What the dashboard needs to sign a person in at the OpenID provider (authorization code with
// PKCE, as a public client without a secret), and the origins its page may connect to for that:
// the issuer's and its token endpoint's, nothing more.
import type { OidcConfig } from '../config.ts';
import { HubError } from '../errors.ts';
import { discoveredAlready, discoverProvider } from './oidcDiscovery.ts';

export type BrowserLoginOffer =
  | { enabled: false }
  | {
      enabled: true;
      issuer: string;
      clientId: string;
      scope: string;
      resource: string | null;
      authorizationEndpoint: string;
      tokenEndpoint: string;
      /** Where signing out also ends the session at the provider (RP-initiated logout), if offered. */
      endSessionEndpoint: string | null;
    };

export async function browserLoginOffer(oidc: OidcConfig | undefined): Promise<BrowserLoginOffer> {
  const login = oidc?.browserLogin;
  if (!oidc || !login) return { enabled: false };
  const metadata = await discoverProvider(oidc.issuer);
  const { authorization_endpoint: authorizationEndpoint, token_endpoint: tokenEndpoint } = metadata;
  if (!authorizationEndpoint || !tokenEndpoint) {
    throw unsuitable(`${oidc.issuer} publishes no authorization or token endpoint`);
  }
  const methods = metadata.code_challenge_methods_supported;
  if (methods && !methods.includes('S256')) {
    throw unsuitable(`${oidc.issuer} does not offer PKCE with S256 (it lists ${methods.join(', ')})`);
  }
  return {
    enabled: true,
    issuer: metadata.issuer,
    clientId: login.clientId,
    scope: login.scope,
    resource: login.resource ?? null,
    authorizationEndpoint,
    tokenEndpoint,
    endSessionEndpoint: metadata.end_session_endpoint ?? null,
  };
}

/** Reads the discovery document ahead of the first sign-in, so the first page already allows it. */
export function prepareBrowserLogin(oidc: OidcConfig | undefined): void {
  if (oidc?.browserLogin) discoverProvider(oidc.issuer).catch(() => {});
}

/** The CSP connect-src entries besides 'self' (the code exchange and refresh go to the token endpoint). */
export function browserLoginConnectSources(oidc: OidcConfig | undefined): string[] {
  if (!oidc?.browserLogin) return [];
  const tokenEndpoint = discoveredAlready(oidc.issuer)?.token_endpoint;
  const origins = [new URL(oidc.issuer).origin, ...(tokenEndpoint ? [new URL(tokenEndpoint).origin] : [])];
  return [...new Set(origins)];
}

function unsuitable(detail: string): HubError {
  return new HubError('transient', 'OIDC_PROVIDER_UNSUITABLE', `HUB_OIDC_ISSUER: ${detail}`);
}
