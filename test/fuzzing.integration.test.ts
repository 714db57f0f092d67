// Property-based fuzzing (fast-check) of the API and the webhook intake, bounded to fit in
// `npm test` (`npm run chaos -- attack` runs many more cases against a hub process): for every
// fuzzed body, query string, path parameter, content type, token and webhook, no 5xx, every 4xx
// a problem+json document, nothing written by a refused request, nothing stored for a forged
// webhook, and the hub still ready at the end. The hub runs as `HUB_ROLE=api`, so nothing but the
// request itself writes to the database while a case runs.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFuzzCases } from './support/attack/apiFuzzCases.ts';
import { checkFuzzRequest, type FuzzRequest, type SendRaw } from './support/attack/fuzzCheck.ts';
import { createFuzzFixtures, type FuzzFixtures } from './support/attack/fuzzFixtures.ts';
import { type Fingerprint, type HubTables, hubTables } from './support/attack/hubTables.ts';
import { webhookFuzzCases } from './support/attack/webhookFuzzCases.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let fixtures: FuzzFixtures;
let tables: HubTables;
/** The fingerprint after the last case: nothing else writes (HUB_ROLE=api), so it is the next one's before. */
let last: Fingerprint | undefined;

async function check(request: FuzzRequest) {
  const result = await checkFuzzRequest(send, tables, request, last);
  last = result.after;
  return result;
}

const send: SendRaw = async (request) => {
  const response = await hub.hub.app.inject({
    method: request.method as 'GET',
    url: request.url,
    headers: request.headers,
    ...(request.body === undefined ? {} : { payload: request.body }),
  });
  return { status: response.statusCode, headers: response.headers, text: response.body };
};

/** Cases carry no token unless they test tokens; the rest go as the admin. */
const asAdmin = (request: FuzzRequest): FuzzRequest =>
  request.url.startsWith('/webhooks/') || request.headers.authorization !== undefined
    ? request
    : { ...request, headers: { ...request.headers, authorization: `Bearer ${hub.adminToken}` } };

beforeAll(async () => {
  hub = await startTestHub({
    HUB_ROLE: 'api',
    HUB_API_RATE_LIMIT: '100000000',
    HUB_AUTH_FAILURE_LIMIT: '100000000',
  });
  fixtures = await createFuzzFixtures(async (method, url, body) => {
    const response = await hub.request({ method, url, body });
    return { status: response.status, body: response.body };
  });
  tables = await hubTables(hub.db);
});

afterAll(async () => {
  await hub.close();
});

const runs = { numRuns: 700, interruptAfterTimeLimit: 25_000, markInterruptAsFailure: false } as const;

describe('fuzzing the API', () => {
  it('answers every fuzzed request without a 5xx, with problem+json, and writes nothing it refused', {
    timeout: 60_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(apiFuzzCases(fixtures), async (request) => {
        const { violations } = await check(asAdmin(request));
        expect(violations).toEqual([]);
      }),
      runs,
    );
    const ready = await hub.request({ method: 'GET', url: '/readyz', token: null });
    expect(ready.status).toBe(200);
  });
});

describe('fuzzing the webhook intake', () => {
  it('stores no forged webhook, answers every one without a 5xx and stays ready', {
    timeout: 60_000,
  }, async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(webhookFuzzCases(fixtures), async (build) => {
        const request = await build();
        const { response, violations } = await check(request);
        if (!request.forged && response.status === 202) accepted++;
        expect(violations).toEqual([]);
      }),
      { ...runs, numRuns: 400 },
    );
    // Correctly signed webhooks with arbitrary payloads got through, so the forgeries were refused for their signatures.
    expect(accepted).toBeGreaterThan(10);
    const ready = await hub.request({ method: 'GET', url: '/readyz', token: null });
    expect(ready.status).toBe(200);
  });
});
