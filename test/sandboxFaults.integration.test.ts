// The admin routes every sandbox shares: faults switched on through POST /__sandbox/faults arrive
// in the vendor's own shape (status, headers, body), a reset, a hang and a slow answer arrive as
// such, POST /__sandbox/tokens/expire brings the vendor's 401, and healing brings normal answers.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleSandbox, startGoogleSandbox } from '../sandbox/google/server.ts';
import { type GraphSandbox, startGraphSandbox } from '../sandbox/graph/server.ts';
import { type KlentySandbox, startKlentySandbox } from '../sandbox/klenty/server.ts';
import { type MondaySandbox, startMondaySandbox } from '../sandbox/monday/server.ts';
import { type SalesforceSandbox, startSalesforceSandbox } from '../sandbox/salesforce/server.ts';

let salesforce: SalesforceSandbox;
let graph: GraphSandbox;
let google: GoogleSandbox;
let monday: MondaySandbox;
let klenty: KlentySandbox;

beforeAll(async () => {
  [salesforce, graph, google, monday, klenty] = await Promise.all([
    startSalesforceSandbox({ accounts: 5 }),
    startGraphSandbox({ events: 3, messages: 3 }),
    startGoogleSandbox({ events: 3 }),
    startMondaySandbox({ items: 3 }),
    startKlentySandbox({ prospects: 3 }),
  ]);
});

afterAll(async () => {
  await Promise.all([salesforce, graph, google, monday, klenty].map((sandbox) => sandbox?.close()));
});

async function setFaults(url: string, settings: unknown) {
  const response = await fetch(`${url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(settings) });
  expect(response.status).toBe(200);
  return (await response.json()) as { faults: Record<string, unknown> | null };
}

async function expireTokens(url: string) {
  const response = await fetch(`${url}/__sandbox/tokens/expire`, { method: 'POST' });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, string | boolean>;
}

async function refresh(tokenUrl: string, client: { clientId: string; clientSecret: string }, token: string) {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: token,
      client_id: client.clientId,
      client_secret: client.clientSecret,
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { access_token: string; refresh_token?: string };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('the shared sandbox admin routes', () => {
  it('show, validate and heal the fault settings', async () => {
    const off = await fetch(`${klenty.url}/__sandbox/faults`);
    expect(await off.json()).toEqual({ faults: null });
    const on = await setFaults(klenty.url, { rate: 0.5, kinds: ['503', 'reset'], retryAfterSeconds: 4 });
    expect(on.faults).toMatchObject({
      rate: 0.5,
      kinds: ['503', 'reset'],
      retryAfterSeconds: 4,
      latencyMs: 0,
    });
    const shown = await fetch(`${klenty.url}/__sandbox/faults`);
    expect(await shown.json()).toEqual(on);

    const refused = await fetch(`${klenty.url}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ rate: 2, kinds: ['meltdown'] }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: expect.stringMatching(/rate[\s\S]*kinds/) });
    expect(await setFaults(klenty.url, { rate: 0 })).toEqual({ faults: null });
    const unknown = await fetch(`${klenty.url}/__sandbox/fault`, { method: 'POST' });
    expect(unknown.status).toBe(404);
  });

  it('count the requests asked and the faults injected', async () => {
    const own = await startKlentySandbox({ prospects: 3 });
    try {
      const prospects = `${own.baseUrl}/prospects`;
      const headers = { 'x-api-key': own.apiKey };
      await fetch(prospects, { headers });
      await setFaults(own.url, { rate: 1, kinds: ['503'] });
      expect((await fetch(prospects, { headers })).status).toBe(503);
      expect((await fetch(prospects, { headers })).status).toBe(503);
      await setFaults(own.url, null);
      const stats = await fetch(`${own.url}/__sandbox/stats`);
      // The admin routes themselves are not counted.
      expect(await stats.json()).toEqual({ requests: 3, faultsInjected: { '503': 2 } });
    } finally {
      await own.close();
    }
  });

  it('Salesforce: 503 SERVER_UNAVAILABLE and 403 REQUEST_LIMIT_EXCEEDED, then INVALID_SESSION_ID', async () => {
    const tokenUrl = `${salesforce.url}/services/oauth2/token`;
    const limits = `${salesforce.url}/services/data/v65.0/limits`;
    const { access_token } = await refresh(tokenUrl, salesforce.client, salesforce.grant());

    await setFaults(salesforce.url, { rate: 1, kinds: ['503'] });
    const unavailable = await fetch(limits, { headers: bearer(access_token) });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('content-type')).toMatch(/^application\/json/);
    expect(unavailable.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/15000$/);
    expect(await unavailable.json()).toEqual([
      { message: expect.any(String), errorCode: 'SERVER_UNAVAILABLE' },
    ]);

    await setFaults(salesforce.url, { rate: 1, kinds: ['quota'] });
    const spent = await fetch(limits, { headers: bearer(access_token) });
    expect(spent.status).toBe(403);
    expect(await spent.json()).toEqual([
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);

    await setFaults(salesforce.url, null);
    expect((await fetch(limits, { headers: bearer(access_token) })).status).toBe(200);
    await expireTokens(salesforce.url);
    const expired = await fetch(limits, { headers: bearer(access_token) });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual([{ message: expect.any(String), errorCode: 'INVALID_SESSION_ID' }]);
    const renewed = await refresh(tokenUrl, salesforce.client, salesforce.grant());
    const healed = await fetch(limits, { headers: bearer(renewed.access_token) });
    expect(healed.status).toBe(200);
    expect(await healed.json()).toHaveProperty('DailyApiRequests.Max', 15000);
  });

  it('Microsoft Graph: 429 TooManyRequests with Retry-After, a cut-off body, then InvalidAuthenticationToken', async () => {
    const delta = `${graph.url}/v1.0/me/calendarView/delta`;
    const first = await refresh(graph.tokenUrl, graph.client, graph.grant());

    await setFaults(graph.url, { rate: 1, kinds: ['429'], retryAfterSeconds: 3 });
    const throttled = await fetch(delta, { headers: bearer(first.access_token) });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    expect(await throttled.json()).toMatchObject({
      error: {
        code: 'TooManyRequests',
        message: expect.any(String),
        innerError: { 'request-id': expect.any(String) },
      },
    });

    await setFaults(graph.url, { rate: 1, kinds: ['malformed'] });
    const cut = await fetch(delta, { headers: bearer(first.access_token) });
    expect(cut.status).toBe(200);
    await expect(cut.json()).rejects.toThrow(SyntaxError);

    await setFaults(graph.url, { rate: 0 });
    await expireTokens(graph.url);
    const expired = await fetch(delta, { headers: bearer(first.access_token) });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
    const second = await refresh(graph.tokenUrl, graph.client, first.refresh_token ?? '');
    const healed = await fetch(delta, { headers: bearer(second.access_token) });
    expect(healed.status).toBe(200);
    expect(await healed.json()).toHaveProperty('value.length', 3);
  });

  it('Google: an authorization code with PKCE, usageLimits 429 and 403, then authError', async () => {
    const events = `${google.url}/calendar/v3/calendars/${encodeURIComponent(google.calendarId)}/events`;
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URL(google.authorizeUrl);
    authorize.search = new URLSearchParams({
      client_id: google.client.clientId,
      redirect_uri: 'https://hub.example/api/v1/oauth/callback',
      response_type: 'code',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      state: 's1',
    }).toString();
    const consent = await fetch(authorize, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const code = new URL(consent.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const exchanged = await fetch(google.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: 'https://hub.example/api/v1/oauth/callback',
        client_id: google.client.clientId,
        client_secret: google.client.clientSecret,
      }),
    });
    expect(exchanged.status).toBe(200);
    const granted = (await exchanged.json()) as { access_token: string; refresh_token: string };

    await setFaults(google.url, { rate: 1, kinds: ['429'], retryAfterSeconds: 2 });
    const throttled = await fetch(events, { headers: bearer(granted.access_token) });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2');
    expect(await throttled.json()).toEqual({
      error: {
        code: 429,
        message: 'Rate Limit Exceeded',
        errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }],
      },
    });
    await setFaults(google.url, { rate: 1, kinds: ['quota'] });
    const spent = await fetch(events, { headers: bearer(granted.access_token) });
    expect(spent.status).toBe(403);
    expect(await spent.json()).toMatchObject({
      error: { code: 403, errors: [{ domain: 'usageLimits', reason: 'quotaExceeded' }] },
    });

    await setFaults(google.url, null);
    await expireTokens(google.url);
    const expired = await fetch(events, { headers: bearer(granted.access_token) });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error: { code: 401, errors: [{ reason: 'authError' }] } });
    // Google keeps the refresh token: the one from the consent still works after a refresh.
    const renewed = await refresh(google.tokenUrl, google.client, granted.refresh_token);
    expect(renewed.refresh_token).toBeUndefined();
    const healed = await fetch(events, { headers: bearer(renewed.access_token) });
    expect(healed.status).toBe(200);
    expect(await healed.json()).toHaveProperty('items.length', 3);
    expect(google.stats().refreshes).toBe(1);
  });

  it('monday.com: 429 with Retry-After and RATE_LIMIT_EXCEEDED, a reset connection, then a replaced token', async () => {
    const query = (token: string) =>
      fetch(monday.endpoint, {
        method: 'POST',
        headers: { authorization: token, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query { __typename }' }),
      });
    const before = monday.token;

    await setFaults(monday.url, { rate: 1, kinds: ['429'], retryAfterSeconds: 5 });
    const throttled = await query(before);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('5');
    expect(await throttled.json()).toMatchObject({
      errors: [{ extensions: { code: 'RATE_LIMIT_EXCEEDED', status_code: 429, retry_in_seconds: 5 } }],
    });

    await setFaults(monday.url, { rate: 1, kinds: ['reset'] });
    const reset = await query(before).catch((error: Error) => error);
    expect(reset).toBeInstanceOf(TypeError);
    expect((reset as TypeError & { cause?: { code?: string } }).cause?.code).toBe('ECONNRESET');

    await setFaults(monday.url, null);
    const expired = await expireTokens(monday.url);
    expect(expired).toEqual({ expired: true, token: monday.token });
    expect(monday.token).not.toBe(before);
    const refused = await query(before);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ errors: [{ message: 'Not Authenticated' }] });
    const healed = await query(monday.token);
    expect(healed.status).toBe(200);
    expect(await healed.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('Klenty: a plain JSON 500, a hang, a slow answer, then a replaced API key', async () => {
    const prospects = (apiKey: string, signal?: AbortSignal) =>
      fetch(`${klenty.baseUrl}/prospects`, { headers: { 'x-api-key': apiKey }, signal });
    const before = klenty.apiKey;

    await setFaults(klenty.url, { rate: 1, kinds: ['500'] });
    const failed = await prospects(before);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ status: 'error', message: 'Internal Server Error' });

    await setFaults(klenty.url, { rate: 1, kinds: ['timeout'], timeoutMs: 10_000 });
    const hung = await prospects(before, AbortSignal.timeout(300)).catch((error: Error) => error);
    expect(hung).toMatchObject({ name: 'TimeoutError' });

    await setFaults(klenty.url, { rate: 0, latencyMs: 250 });
    const started = performance.now();
    const slow = await prospects(before);
    expect(slow.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);

    await setFaults(klenty.url, null);
    const expired = await expireTokens(klenty.url);
    expect(expired).toEqual({ expired: true, apiKey: klenty.apiKey });
    const refused = await prospects(before);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ status: 'error', message: 'Invalid API Key' });
    const healed = await prospects(klenty.apiKey);
    expect(healed.status).toBe(200);
    expect(await healed.json()).toHaveLength(3);
  });
});
