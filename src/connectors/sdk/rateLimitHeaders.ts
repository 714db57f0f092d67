// What a source says about its limits: Retry-After (RFC 9110) and the common rate-limit headers
// (X-RateLimit-*, the IETF RateLimit-* draft). A connector may add its vendor's own parser.

export interface RateLimitHint {
  remaining?: number | undefined;
  /** Milliseconds until the window resets. */
  resetMs?: number | undefined;
}

export type HeaderBag = Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(headers: HeaderBag, now = Date.now()): number | undefined {
  const value = header(headers, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Reset values above this are epoch seconds, below it a number of seconds from now. */
const EPOCH_THRESHOLD = 1_000_000_000;

export function standardRateLimitHint(headers: HeaderBag, now = Date.now()): RateLimitHint | undefined {
  const remainingRaw = header(headers, 'x-ratelimit-remaining') ?? header(headers, 'ratelimit-remaining');
  const resetRaw = header(headers, 'x-ratelimit-reset') ?? header(headers, 'ratelimit-reset');
  if (remainingRaw === undefined && resetRaw === undefined) return undefined;
  const remaining = remainingRaw === undefined ? undefined : Number.parseInt(remainingRaw, 10);
  let resetMs: number | undefined;
  if (resetRaw !== undefined) {
    const reset = Number(resetRaw);
    if (Number.isFinite(reset))
      resetMs = reset > EPOCH_THRESHOLD ? Math.max(0, reset * 1000 - now) : reset * 1000;
  }
  return { remaining: Number.isNaN(remaining) ? undefined : remaining, resetMs };
}
