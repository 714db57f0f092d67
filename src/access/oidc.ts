// Optional OIDC sign-in: JWTs from an identity provider such as Keycloak, checked with jose
// against the provider's JWKS (issuer, audience, signature, expiry); the role comes from a claim.
// The JWKS is HUB_OIDC_JWKS_URL, or else the `jwks_uri` of the provider's discovery document.
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import type { OidcConfig } from '../config.ts';
import { HubError } from '../errors.ts';
import { discoverProvider } from './oidcDiscovery.ts';
import type { Principal, Role } from './principal.ts';
import { roles } from './principal.ts';

export type OidcVerifier = (token: string) => Promise<Principal | undefined>;

type KeySet = ReturnType<typeof createRemoteJWKSet>;

export function createOidcVerifier(config: OidcConfig): OidcVerifier {
  const keySet = providerKeys(config);
  return async (token) => {
    // A provider that cannot be reached is the hub's problem (503), not a bad token (401).
    const keys = await keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, { issuer: config.issuer, audience: config.audience }));
    } catch {
      return undefined;
    }
    const role = highestRole(claimAt(payload, config.roleClaim));
    if (!role || !payload.sub) return undefined;
    const name = typeof payload.preferred_username === 'string' ? payload.preferred_username : payload.sub;
    return { kind: 'oidc', id: `oidc:${payload.sub}`, name, role };
  };
}

function providerKeys(config: OidcConfig): () => Promise<KeySet> {
  const remote = (url: string) => createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000 });
  if (config.jwksUrl) {
    const keys = remote(config.jwksUrl);
    return async () => keys;
  }
  let keys: KeySet | undefined;
  return async () => {
    if (keys) return keys;
    const { jwks_uri: jwksUri } = await discoverProvider(config.issuer);
    if (!jwksUri)
      throw new HubError(
        'transient',
        'OIDC_PROVIDER_UNSUITABLE',
        `HUB_OIDC_JWKS_URL: ${config.issuer} publishes no jwks_uri; set the provider's key set URL`,
      );
    keys = remote(jwksUri);
    return keys;
  };
}

/** Reads a dotted claim path such as `realm_access.roles`. */
function claimAt(payload: JWTPayload, claimPath: string): unknown {
  return claimPath.split('.').reduce<unknown>((value, key) => {
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }, payload);
}

/** Accepts `admin` or `hub-admin` style names; the strongest role present wins. */
function highestRole(claim: unknown): Role | undefined {
  const values = (Array.isArray(claim) ? claim : [claim]).filter(
    (value): value is string => typeof value === 'string',
  );
  const names = new Set(values.map((value) => value.replace(/^hub[-_:]/, '')));
  return [...roles].reverse().find((role) => names.has(role));
}

export const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
