// The rate limit of one integration, shared by every hub process through PostgreSQL
// (rate-limiter-flexible). Per-minute waits are slept through; a spent daily quota is an error
// carrying the moment it refills, so a sync can checkpoint and resume then.
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Pool } from '../../db/pool.ts';
import type { RateLimits } from '../../registry/integrationSchema.ts';
import { ConnectorError } from './connectorError.ts';

export class IntegrationRateLimiter {
  readonly #perMinute: RateLimiterPostgres;
  readonly #perDay: RateLimiterPostgres | undefined;
  readonly #key: string;
  #pausedUntil = 0;

  constructor(pool: Pool, integrationId: string, limits: RateLimits) {
    this.#key = integrationId;
    const common = {
      storeClient: pool,
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: false,
    };
    this.#perMinute = new RateLimiterPostgres({
      ...common,
      keyPrefix: 'int-min',
      points: limits.requestsPerMinute,
      duration: 60,
    });
    this.#perDay = limits.requestsPerDay
      ? new RateLimiterPostgres({
          ...common,
          keyPrefix: 'int-day',
          points: limits.requestsPerDay,
          duration: 86_400,
        })
      : undefined;
  }

  /** The source said its window is spent (X-RateLimit-Remaining: 0): wait for its reset. */
  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + ms);
  }

  /** Takes one request from the budget, waiting at most maxWaitMs for the per-minute window. */
  async take(maxWaitMs: number, signal?: AbortSignal): Promise<{ waitedMs: number }> {
    const started = Date.now();
    for (;;) {
      signal?.throwIfAborted();
      const paused = this.#pausedUntil - Date.now();
      if (paused > 0) {
        if (Date.now() + paused - started > maxWaitMs)
          throw this.#limited(paused, 'the source asked to wait');
        await sleep(paused, signal);
        continue;
      }
      try {
        await this.#perMinute.consume(this.#key);
        break;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const wait = rejection.msBeforeNext + 5;
        if (Date.now() + wait - started > maxWaitMs)
          throw this.#limited(wait, 'the per-minute limit is reached');
        await sleep(wait, signal);
      }
    }
    if (this.#perDay) {
      try {
        await this.#perDay.consume(this.#key);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        throw new ConnectorError('rate_limited', 'the daily request quota is spent', {
          retryAfterMs: rejection.msBeforeNext,
          quotaResetsAt: new Date(Date.now() + rejection.msBeforeNext),
        });
      }
    }
    return { waitedMs: Date.now() - started };
  }

  #limited(waitMs: number, why: string): ConnectorError {
    return new ConnectorError('rate_limited', `rate limit: ${why}`, { retryAfterMs: waitMs });
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
