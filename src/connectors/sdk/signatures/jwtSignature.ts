// A JWT in the Authorization header, signed with a shared secret (HS256), as monday.com signs
// its webhooks with the app's signing secret. Expiry and not-before are checked by jose.
import { errors, jwtVerify } from 'jose';

export type JwtCheck = { ok: true; claims: Record<string, unknown> } | { ok: false; stale: boolean };

export async function verifySharedSecretJwt(
  authorization: string | undefined,
  secret: string,
  now: Date,
): Promise<JwtCheck> {
  const token = authorization?.replace(/^Bearer\s+/i, '').trim();
  if (!token) return { ok: false, stale: false };
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      currentDate: now,
      clockTolerance: 300,
    });
    return { ok: true, claims: payload };
  } catch (error) {
    return { ok: false, stale: error instanceof errors.JWTExpired };
  }
}
