import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestAuth, parseDigestChallenge } from './auth/digestAuth.ts';
import { ConnectorError, kindOfHttpStatus, toConnectorError } from './connectorError.ts';
import { parseLinkHeader } from './pagination.ts';
import { retryAfterMs, standardRateLimitHint } from './rateLimitHeaders.ts';
import { Redactor } from './redact.ts';
import { backoffDelayMs } from './resilience.ts';

describe('error taxonomy', () => {
  it('classifies HTTP statuses', () => {
    expect(kindOfHttpStatus(200)).toBeUndefined();
    expect(kindOfHttpStatus(401)).toBe('auth');
    expect(kindOfHttpStatus(403)).toBe('auth');
    expect(kindOfHttpStatus(404)).toBe('permanent');
    expect(kindOfHttpStatus(422)).toBe('permanent');
    expect(kindOfHttpStatus(429)).toBe('rate_limited');
    expect(kindOfHttpStatus(408)).toBe('transient');
    expect(kindOfHttpStatus(503)).toBe('transient');
  });

  it('classifies network failures and malformed JSON as transient, unknown hosts as config', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(toConnectorError(reset, 'GET /x').kind).toBe('transient');
    const dns = Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' });
    expect(toConnectorError(dns, 'GET /x').kind).toBe('config');
    expect(toConnectorError(new SyntaxError('Unexpected end'), 'GET /x').kind).toBe('transient');
    const timeout = new DOMException('timed out', 'TimeoutError');
    expect(toConnectorError(timeout, 'GET /x').message).toContain('timed out');
    expect(new ConnectorError('auth', 'no').retryable).toBe(false);
    expect(new ConnectorError('rate_limited', 'wait').retryable).toBe(true);
  });
});

describe('rate-limit headers', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs({ 'retry-after': '3' })).toBe(3000);
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(retryAfterMs({ 'retry-after': 'Sun, 22 Nov 2026 10:00:30 GMT' }, now)).toBe(30_000);
    expect(retryAfterMs({})).toBeUndefined();
  });

  it('reads X-RateLimit reset as seconds from now or as epoch seconds', () => {
    const now = 1_800_000_000_000;
    expect(standardRateLimitHint({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '12' }, now)).toEqual({
      remaining: 0,
      resetMs: 12_000,
    });
    expect(
      standardRateLimitHint({ 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': '1800000060' }, now),
    ).toEqual({
      remaining: 5,
      resetMs: 60_000,
    });
    expect(standardRateLimitHint({})).toBeUndefined();
  });
});

describe('backoff', () => {
  const policy = {
    maxAttempts: 5,
    initialDelayMs: 100,
    maxDelayMs: 1000,
    backoffMultiplier: 2,
    jitter: false,
  };
  it('grows exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(policy, attempt))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });
  it('jitters between half and all of the delay', () => {
    expect(backoffDelayMs({ ...policy, jitter: true }, 3, () => 0)).toBe(200);
    expect(backoffDelayMs({ ...policy, jitter: true }, 3, () => 0.999)).toBe(400);
  });
});

describe('redaction', () => {
  const redactor = new Redactor(['s3cr3t-token-value', 'hunter22']);
  it('masks secret query parameters, user info and secret values in URLs', () => {
    const url = redactor.url('https://user:pw@api.example.com/x?api_key=abc&page=2&q=s3cr3t-token-value');
    expect(url).not.toContain('abc');
    expect(url).not.toContain('pw@');
    expect(url).not.toContain('s3cr3t-token-value');
    expect(url).toContain('page=2');
  });
  it('masks auth headers and secret values in bodies', () => {
    const headers = redactor.headers({
      Authorization: 'Bearer x',
      'X-API-Key': 'k',
      accept: 'application/json',
    });
    expect(headers).toEqual({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      accept: 'application/json',
    });
    const body = redactor.bodySummary(JSON.stringify({ password: 'p', note: 'hunter22 was here', ok: 1 }));
    expect(body).toBe('{"password":"[redacted]","note":"[redacted] was here","ok":1}');
  });
  it('replaces secret values in raw bytes and leaves every other byte as it was', () => {
    const body = Buffer.concat([
      Buffer.from([0xff, 0x00, 0xfe]),
      Buffer.from('{"echo":"Bearer s3cr3t-token-value","q":"hunter22%21"} s3cr3t-token-value'),
    ]);
    const scrubbed = redactor.bytes(body);
    expect(scrubbed.subarray(0, 3)).toEqual(Buffer.from([0xff, 0x00, 0xfe]));
    expect(scrubbed.subarray(3).toString()).toBe(
      '{"echo":"Bearer [redacted]","q":"[redacted]%21"} [redacted]',
    );
    const clean = Buffer.from('nothing to hide');
    expect(redactor.bytes(clean)).toBe(clean);
  });
  it('asks a function for secrets on every use', () => {
    let current = 'first-token';
    const live = new Redactor(() => [current]);
    current = 'second-token';
    expect(live.text('second-token first-token')).toBe('[redacted] first-token');
  });
});

describe('Link header', () => {
  it('finds rel=next and rel=last', () => {
    expect(
      parseLinkHeader('<https://a.example/x?page=2>; rel="next", <https://a.example/x?page=9>; rel="last"'),
    ).toEqual({ next: 'https://a.example/x?page=2', last: 'https://a.example/x?page=9' });
    expect(parseLinkHeader('')).toEqual({});
  });
});

describe('digest auth', () => {
  it('parses a challenge and answers it as RFC 7616 computes', async () => {
    const challenge =
      'Digest realm="xentral", qop="auth,auth-int", nonce="abc123", opaque="op", algorithm=MD5';
    expect(parseDigestChallenge(challenge)).toMatchObject({ realm: 'xentral', nonce: 'abc123', qop: 'auth' });
    const auth = digestAuth('api', 'geheim');
    const request = {
      method: 'GET',
      url: new URL('http://erp.local/api/v1/adressen?page=1'),
      headers: {} as Record<string, string>,
    };
    await auth.apply(request);
    expect(request.headers.authorization).toBeUndefined();
    expect(
      await auth.onUnauthorized?.({ status: 401, headers: { 'www-authenticate': challenge } }, request),
    ).toBe(true);
    await auth.apply(request);
    const header = request.headers.authorization ?? '';
    const field = (name: string) => new RegExp(`${name}="?([^",]+)"?`).exec(header)?.[1] ?? '';
    const md5 = (value: string) => createHash('md5').update(value).digest('hex');
    const ha1 = md5('api:xentral:geheim');
    const ha2 = md5('GET:/api/v1/adressen?page=1');
    expect(field('response')).toBe(md5(`${ha1}:abc123:${field('nc')}:${field('cnonce')}:auth:${ha2}`));
    expect(field('nc')).toBe('00000001');
    // The same nonce challenged again means the password itself is wrong: no endless loop.
    expect(
      await auth.onUnauthorized?.({ status: 401, headers: { 'www-authenticate': challenge } }, request),
    ).toBe(false);
  });
});
