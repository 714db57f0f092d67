// Who is calling and may they: bearer API tokens (hashed lookup) or OIDC JWTs, the role a route
// needs (declared in its config), the per-token rate limit shared by every hub process, and the
// limit on refused tokens per client address (failedAttempts.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { principalForToken } from '../access/apiTokens.ts';
import type { FailedAttempts } from '../access/failedAttempts.ts';
import { looksLikeJwt, type OidcVerifier } from '../access/oidc.ts';
import { hasRole, type Principal, type Role } from '../access/principal.ts';
import type { Pool } from '../db/pool.ts';
import { HubError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a route needs; routes without it are public (health, metrics, webhooks). */
    role?: Role;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

export interface AuthenticationOptions {
  pool: Pool;
  oidc: OidcVerifier | undefined;
  requestsPerMinute: number;
  failedAttempts: FailedAttempts;
}

export function registerAuthentication(app: FastifyInstance, options: AuthenticationOptions): void {
  const limiter = new RateLimiterPostgres({
    storeClient: options.pool,
    tableName: 'rate_limits',
    tableCreated: true,
    clearExpiredByTimeout: false,
    keyPrefix: 'api',
    points: options.requestsPerMinute,
    duration: 60,
  });
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request, reply) => {
    const required = request.routeOptions.config?.role;
    if (!required) return;
    const principal = await authenticate(request, options);
    request.principal = principal;
    await applyRateLimit(limiter, principal, reply, options.requestsPerMinute);
    if (!hasRole(principal, required)) {
      throw new HubError(
        'forbidden',
        'FORBIDDEN',
        `this needs the ${required} role; your token has ${principal.role}`,
      );
    }
  });
}

async function authenticate(request: FastifyRequest, options: AuthenticationOptions): Promise<Principal> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) {
    throw new HubError('unauthorized', 'UNAUTHENTICATED', 'Authorization: send "Bearer <token>"');
  }
  const token = match[1];
  const { failedAttempts } = options;
  const blockedFor = await failedAttempts.blockedFor(request.ip);
  // Past its limit of refused tokens, an address gets no more lookups, except for a token that
  // authenticated recently (a client behind the same address as the one guessing).
  if (blockedFor !== undefined && !failedAttempts.isTrustedToken(token)) throw tooManyFailures(blockedFor);
  let principal: Principal | undefined;
  try {
    principal =
      options.oidc && looksLikeJwt(token)
        ? await options.oidc(token)
        : await principalForToken(options.pool, token);
  } catch (error) {
    if (error instanceof HubError && error.status === 401) await failedAttempts.failed(request.ip);
    throw error;
  }
  if (!principal) {
    await failedAttempts.failed(request.ip);
    throw new HubError(
      'unauthorized',
      'INVALID_TOKEN',
      'Authorization: the token is unknown, revoked or expired',
    );
  }
  failedAttempts.trustToken(token);
  return principal;
}

/** The answer to an address past its limit of refused attempts. */
export function tooManyFailures(retryAfterSeconds: number): HubError {
  return new HubError(
    'rate_limited',
    'TOO_MANY_FAILED_ATTEMPTS',
    `too many refused attempts from this address; retry in ${retryAfterSeconds} s`,
    { retryAfterSeconds },
  );
}

async function applyRateLimit(
  limiter: RateLimiterPostgres,
  principal: Principal,
  reply: FastifyReply,
  limit: number,
) {
  try {
    const result = await limiter.consume(principal.id);
    setRateLimitHeaders(reply, limit, result);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    setRateLimitHeaders(reply, limit, rejection);
    const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new HubError(
      'rate_limited',
      'RATE_LIMITED',
      `more than ${limit} requests a minute for this token; retry in ${retryAfter} s`,
      {
        retryAfterSeconds: retryAfter,
      },
    );
  }
}

function setRateLimitHeaders(reply: FastifyReply, limit: number, result: RateLimiterRes) {
  reply.header('ratelimit-limit', String(limit));
  reply.header('ratelimit-remaining', String(Math.max(0, result.remainingPoints)));
  reply.header('ratelimit-reset', String(Math.ceil(result.msBeforeNext / 1000)));
}
