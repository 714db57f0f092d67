// HTTP Digest authentication (RFC 7616, qop=auth, MD5 and SHA-256), as legacy ERP APIs such as
// Xentral's old /api/v1 use it. The first request goes without credentials; the 401 challenge
// is remembered and later requests answer it directly with an increasing nonce count.
import { createHash, randomBytes } from 'node:crypto';
import type { AuthProvider, OutgoingRequest, UnauthorizedResponse } from './authProvider.ts';

interface Challenge {
  realm: string;
  nonce: string;
  qop: string | undefined;
  opaque: string | undefined;
  algorithm: 'MD5' | 'SHA-256' | 'MD5-sess' | 'SHA-256-sess';
}

export function parseDigestChallenge(header: string): Challenge | undefined {
  if (!/^digest\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.slice(7).matchAll(/([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/gi)) {
    params[match[1]!.toLowerCase()] = match[2] ?? match[3] ?? '';
  }
  if (!params.realm || !params.nonce) return undefined;
  const algorithm = (params.algorithm ?? 'MD5').toUpperCase();
  const known = {
    MD5: 'MD5',
    'MD5-SESS': 'MD5-sess',
    'SHA-256': 'SHA-256',
    'SHA-256-SESS': 'SHA-256-sess',
  } as const;
  const normalised = known[algorithm as keyof typeof known];
  if (!normalised) return undefined;
  const qops = params.qop?.split(',').map((qop) => qop.trim());
  return {
    realm: params.realm,
    nonce: params.nonce,
    qop: qops?.includes('auth') ? 'auth' : undefined,
    opaque: params.opaque,
    algorithm: normalised,
  };
}

export function digestAuth(username: string, password: string): AuthProvider {
  let challenge: Challenge | undefined;
  let nonceCount = 0;

  const hash = (value: string) =>
    createHash(challenge?.algorithm.startsWith('SHA-256') ? 'sha256' : 'md5')
      .update(value)
      .digest('hex');

  return {
    kind: 'digest',
    apply: async (request: OutgoingRequest) => {
      if (!challenge) return;
      nonceCount += 1;
      const nc = nonceCount.toString(16).padStart(8, '0');
      const cnonce = randomBytes(8).toString('hex');
      const uri = `${request.url.pathname}${request.url.search}`;
      let ha1 = hash(`${username}:${challenge.realm}:${password}`);
      if (challenge.algorithm.endsWith('-sess')) ha1 = hash(`${ha1}:${challenge.nonce}:${cnonce}`);
      const ha2 = hash(`${request.method}:${uri}`);
      const response = challenge.qop
        ? hash(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${challenge.qop}:${ha2}`)
        : hash(`${ha1}:${challenge.nonce}:${ha2}`);
      const parts = [
        `username="${username}"`,
        `realm="${challenge.realm}"`,
        `nonce="${challenge.nonce}"`,
        `uri="${uri}"`,
        `algorithm=${challenge.algorithm}`,
        `response="${response}"`,
      ];
      if (challenge.qop) parts.push(`qop=${challenge.qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
      if (challenge.opaque) parts.push(`opaque="${challenge.opaque}"`);
      request.headers.authorization = `Digest ${parts.join(', ')}`;
    },
    onUnauthorized: async (response: UnauthorizedResponse) => {
      const raw = response.headers['www-authenticate'];
      const header = (Array.isArray(raw) ? raw : [raw]).find((value) => value && /^digest\s/i.test(value));
      const next = header ? parseDigestChallenge(header) : undefined;
      if (!next) return false;
      // A repeated challenge with the same nonce means the credentials themselves were refused.
      const stale = /stale\s*=\s*"?true/i.test(header ?? '');
      if (challenge && challenge.nonce === next.nonce && !stale) return false;
      challenge = next;
      nonceCount = 0;
      return true;
    },
    secrets: () => [password],
  };
}
