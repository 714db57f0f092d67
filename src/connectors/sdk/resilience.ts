// Retry with exponential backoff and jitter (honouring Retry-After), and a circuit breaker per
// integration, both from cockatiel. The breaker lives as long as the process, so a source that
// keeps failing is left alone for a while instead of being hammered by every run.
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  ConsecutiveBreaker,
  circuitBreaker,
  DelegateBackoff,
  ExponentialBackoff,
  handleWhen,
  type IRetryBackoffContext,
  retry,
  wrap,
} from 'cockatiel';
import type { RetryPolicy } from '../../registry/integrationSchema.ts';
import { ConnectorError } from './connectorError.ts';

export interface ResilienceLimits {
  /** Longer waits than this are not slept through: the error goes up (and a sync checkpoints). */
  maxRetryWaitMs: number;
}

export function backoffDelayMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const exponential = Math.min(
    policy.maxDelayMs,
    policy.initialDelayMs * policy.backoffMultiplier ** Math.max(0, attempt - 1),
  );
  // "Equal jitter": at least half the delay, so retries spread out but never bunch at zero.
  return policy.jitter ? Math.round(exponential / 2 + random() * (exponential / 2)) : exponential;
}

export function createRetry(policy: RetryPolicy, limits: ResilienceLimits) {
  const retryable = (error: unknown) =>
    error instanceof ConnectorError &&
    error.retryable &&
    error.quotaResetsAt === undefined &&
    (error.retryAfterMs ?? 0) <= limits.maxRetryWaitMs;
  return retry(handleWhen(retryable), {
    maxAttempts: Math.max(0, policy.maxAttempts - 1),
    backoff: new DelegateBackoff((context: IRetryBackoffContext<unknown>) => {
      const error = 'error' in context.result ? context.result.error : undefined;
      const asked = error instanceof ConnectorError ? error.retryAfterMs : undefined;
      if (asked !== undefined) return asked + Math.round(Math.random() * Math.min(250, asked * 0.1));
      return backoffDelayMs(policy, context.attempt);
    }),
  });
}

/** Five consecutive transient failures open the circuit; it half-opens after 1 s, doubling to 30 s. */
export function createCircuitBreaker(): CircuitBreakerPolicy {
  return circuitBreaker(
    handleWhen((error) => error instanceof ConnectorError && error.kind === 'transient'),
    {
      breaker: new ConsecutiveBreaker(5),
      halfOpenAfter: new ExponentialBackoff({ initialDelay: 1000, maxDelay: 30_000 }),
    },
  );
}

export function resilient<T>(
  retryPolicy: ReturnType<typeof createRetry>,
  breaker: CircuitBreakerPolicy,
  attempt: () => Promise<T>,
  signal: AbortSignal | undefined,
  what: string,
): Promise<T> {
  return wrap(retryPolicy, breaker)
    .execute(attempt, signal)
    .catch((error: unknown) => {
      if (error instanceof BrokenCircuitError) {
        // The failure that opened the circuit says what is wrong with the source; keep it in view.
        const last = breaker.lastFailure;
        const reason =
          last && 'error' in last && last.error instanceof Error ? ` (last: ${last.error.message})` : '';
        throw new ConnectorError(
          'transient',
          `${what}: the source keeps failing; paused before trying again${reason}`,
          {
            cause: error,
          },
        );
      }
      throw error;
    });
}
