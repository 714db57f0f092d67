// Refused attempts on the routes anyone can reach (bad API tokens, webhooks with a bad signature
// or for an integration that does not exist, unknown OAuth states), counted per client address.
// An address past HUB_AUTH_FAILURE_LIMIT a minute is answered 429 with Retry-After where the next
// step would cost the hub something (a token or integration looked up in PostgreSQL, a log line),
// so guessing cannot be used to burn its CPU and database. What proves itself cheaply still goes
// through: tokens that authenticated recently, and webhooks for integrations whose verifier is in
// memory, which are verified as always, so a valid webhook is never refused.
//
// Counted in memory, per process: counting in PostgreSQL would cost a write per refused attempt,
// which is the load this is meant to spare.
import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { RateLimiterMemory } from 'rate-limiter-flexible';

const WINDOW_SECONDS = 60;
/** Tokens that authenticated within this long pass a blocked address. */
const TRUSTED_TOKEN_MS = 10 * 60_000;
const MAX_TRUSTED_TOKENS = 10_000;

export class FailedAttempts {
  readonly limitPerMinute: number;
  readonly #counter: RateLimiterMemory;
  readonly #trustedTokens = new Map<string, number>();

  constructor(limitPerMinute: number) {
    this.limitPerMinute = limitPerMinute;
    this.#counter = new RateLimiterMemory({
      keyPrefix: 'failed',
      points: limitPerMinute,
      duration: WINDOW_SECONDS,
    });
  }

  /** Seconds until the address may try again, or undefined when it is not blocked. */
  async blockedFor(address: string): Promise<number | undefined> {
    const state = await this.#counter.get(addressKey(address));
    if (!state || state.consumedPoints < this.limitPerMinute) return undefined;
    return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
  }

  /** One refused attempt from the address. */
  async failed(address: string): Promise<void> {
    await this.#counter.penalty(addressKey(address), 1);
  }

  /** A token that just authenticated: it passes even when its address is blocked. */
  trustToken(token: string): void {
    if (this.#trustedTokens.size >= MAX_TRUSTED_TOKENS) {
      const oldest = this.#trustedTokens.keys().next().value;
      if (oldest !== undefined) this.#trustedTokens.delete(oldest);
    }
    const hash = tokenKey(token);
    this.#trustedTokens.delete(hash);
    this.#trustedTokens.set(hash, Date.now() + TRUSTED_TOKEN_MS);
  }

  isTrustedToken(token: string): boolean {
    const until = this.#trustedTokens.get(tokenKey(token));
    return until !== undefined && until > Date.now();
  }
}

/** IPv6 clients get a whole /64 each, so one is counted by its /64 rather than its address. */
function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  return `${parsed.toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
}

function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
