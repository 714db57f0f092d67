// Optional OIDC sign-in: JWTs from an identity provider such as Keycloak, checked with jose
// against the provider's JWKS (issuer, audience, signature, expiry); the role comes from a claim.
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import type { OidcConfig } from '../config.ts';
import type { Principal, Role } from './principal.ts';
import { roles } from './principal.ts';

export type OidcVerifier = (token: string) => Promise<Principal | undefined>;

export function createOidcVerifier(config: OidcConfig): OidcVerifier {
  const keys = createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: 30_000 });
  return async (token) => {
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
