// The Xentral connector against the Xentral sandbox: full and incremental syncs with the
// connector's default mapping, a full pass whose sweep is the resync (Xentral has no delta token
// and no deletion feed), refused tokens, the 100-a-minute limit with X-RateLimit-* and
// Retry-After, problem details, and the sandbox's own faithfulness (media types, page size, its
// shared admin routes answering faults and expired tokens the way Xentral does).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXentralSandbox, type XentralSandbox } from '../sandbox/xentral/index.ts';
import { expectWaitsForAPerson } from './support/authFailure.ts';
import {
  allRecords,
  createIntegration,
  eventCounts,
  startSync,
  syncAndWait,
  waitForRun,
} from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
const sandboxes: XentralSandbox[] = [];

async function sandbox(options: Parameters<typeof startXentralSandbox>[0] = {}) {
  const started = await startXentralSandbox(options);
  sandboxes.push(started);
  return started;
}

const xentral = (target: XentralSandbox, extra: Record<string, unknown> = {}) => ({
  name: `Xentral ${sandboxes.length}-${Math.random().toString(16).slice(2, 8)}`,
  connector: 'xentral',
  entities: ['customer', 'product'],
  config: { baseUrl: target.url, lookbackSeconds: 0 },
  credentials: { token: target.token },
  schedule: { enabled: false },
  retryPolicy: { initialDelayMs: 20, maxDelayMs: 200 },
  ...extra,
});

const withoutAddresses = (target: XentralSandbox) => ({
  baseUrl: target.url,
  lookbackSeconds: 0,
  customerAddresses: false,
});

beforeAll(async () => {
  hub = await startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' });
});

afterAll(async () => {
  await hub.close();
  await Promise.all(sandboxes.map((started) => started.close()));
});

describe('the Xentral connector', () => {
  it('syncs customers and products in full with its default mapping, then only what changed', async () => {
    const target = await sandbox({ customers: 230 });
    // The customer list's paging alone; addresses cost a request per customer (xentralAddresses).
    const id = await createIntegration(hub, xentral(target, { config: withoutAddresses(target) }));
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('succeeded');
    expect(run.progress.customer).toMatchObject({ fetched: 230, created: 230, failed: 0 });
    expect(run.progress.product).toMatchObject({ fetched: 10, created: 10 });
    const customers = await allRecords(hub, id, 'customer');
    expect(customers).toHaveLength(230);
    const first = customers.find((record) => record.externalId === '1000');
    expect(first.canonicalType).toBe('customer');
    expect(first.data.customerNumber).toBe(target.data.customers[0]?.number);
    expect(first.data.phone).toMatch(/^\+49\d+$/);
    expect(first.data.vatId).toMatch(/^DE\d{9}$/);
    const products = await allRecords(hub, id, 'product');
    expect(typeof products[0].data.price).toBe('number');

    target.updateCustomer('1005', { name: 'Kantine am Hafen GmbH' });
    const before = target.requests();
    const incremental = await syncAndWait(hub, id);
    expect(incremental.progress.customer).toMatchObject({ fetched: 1, updated: 1 });
    // One filtered page per entity: the filter asked Xentral only for what changed.
    expect(target.requests() - before).toBe(2);
    const changed = (await allRecords(hub, id, 'customer')).find((record) => record.externalId === '1005');
    expect(changed.data.name).toBe('Kantine am Hafen GmbH');
  });

  it('resyncs with a full pass whose sweep removes the customers Xentral no longer has', async () => {
    const target = await sandbox({ customers: 60 });
    const id = await createIntegration(
      hub,
      xentral(target, { entities: ['customer'], config: withoutAddresses(target) }),
    );
    expect((await syncAndWait(hub, id)).counts).toMatchObject({ created: 60 });
    const gone = target.data.customers.splice(7, 2).map((customer) => customer.id);
    target.updateCustomer('1020', { name: 'Mensa Campus Nord' });
    // A filter on updatedAt cannot see a deletion.
    const incremental = await syncAndWait(hub, id);
    expect(incremental.counts).toMatchObject({ fetched: 1, updated: 1, deleted: 0 });
    const full = await syncAndWait(hub, id, { full: true });
    expect(full).toMatchObject({ mode: 'full', state: 'succeeded' });
    expect(full.counts).toMatchObject({ fetched: 58, deleted: 2, unchanged: 58, created: 0 });
    const ids = (await allRecords(hub, id, 'customer')).map((record) => record.externalId);
    expect(ids.sort()).toEqual(target.data.customers.map((customer) => customer.id).sort());
    expect(ids).not.toContain(gone[0]);
    const deletedEvents = await hub.db.query(
      `SELECT subject FROM outbox_events WHERE integration_id = $1 AND type = 'customer.deleted'`,
      [id],
    );
    expect(deletedEvents.rowCount).toBe(2);
  });

  it('sets error with the reason when the token is refused', async () => {
    const target = await sandbox({ customers: 5 });
    const id = await createIntegration(hub, xentral(target, { credentials: { token: 'expired-token-000' } }));
    const run = await syncAndWait(hub, id);
    expect(run.error).toMatch(/401.*invalid or expired/);
    // One refused request: a refused token is not retried.
    expect(target.requests()).toBe(1);
    await expectWaitsForAPerson(hub, id, run, { sourceRequests: () => target.requests() });
  });

  it('waits out Xentral 429s (Retry-After) without losing a page', async () => {
    const target = await sandbox({ customers: 240, rateLimit: { limit: 3, windowMs: 1_000 } });
    const id = await createIntegration(
      hub,
      xentral(target, { entities: ['customer'], config: withoutAddresses(target) }),
    );
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('succeeded');
    expect(run.counts).toMatchObject({ fetched: 240, created: 240 });
    expect(target.statuses()['429']).toBeGreaterThan(0);
  }, 30_000);

  it('is offered in the catalog with its entities and schema', async () => {
    const catalog = await hub.request({ method: 'GET', url: '/api/v1/connectors/xentral' });
    expect(catalog.body).toMatchObject({ id: 'xentral', type: 'REST', authKind: 'bearer' });
    expect(catalog.body.entities).toEqual(['customer', 'product', 'salesOrder', 'invoice']);
    expect(catalog.body.configSchema.properties.pageSize.maximum).toBe(50);
  });
});

/** The legacy template as a user creates it, in pages of 50. */
const legacy = (target: XentralSandbox, extra: Record<string, unknown> = {}) => ({
  name: `Xentral legacy ${Math.random().toString(16).slice(2, 8)}`,
  connector: 'rest',
  template: 'xentral-legacy',
  config: { baseUrl: target.url, resources: { customer: { pagination: { pageSize: 50 } } } },
  credentials: target.legacyAccount,
  schedule: { enabled: false },
  ...extra,
});

describe('the Xentral legacy API, as a template of the REST connector', () => {
  it('syncs /api/v1/adressen with Digest auth from the catalog template and settings only', async () => {
    const target = await sandbox({ customers: 1_200 });
    const catalog = await hub.request({ method: 'GET', url: '/api/v1/connectors/rest' });
    const template = catalog.body.templates.find((item: { id: string }) => item.id === 'xentral-legacy');
    expect(template.credentialFields).toEqual(['username', 'password']);
    const id = await createIntegration(hub, {
      name: `Xentral legacy ${Math.random().toString(16).slice(2, 8)}`,
      connector: 'rest',
      entities: template.entities,
      config: { ...template.config, baseUrl: target.url },
      credentials: target.legacyAccount,
      mapping: template.mapping,
      schedule: { enabled: false },
    });
    const tested = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/test` });
    expect(tested.body.ok).toBe(true);
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('succeeded');
    expect(run.counts).toMatchObject({ fetched: 1_200, created: 1_200, failed: 0 });
    const first = (await allRecords(hub, id, 'customer')).find((record) => record.externalId === '1000');
    const source = target.data.customers[0];
    expect(first.data).toMatchObject({
      customerNumber: source?.number,
      name: source?.name,
      vatId: source?.vatId,
    });
    expect(first.data.address.zip).toMatch(/^\d{5}$/);
    expect(first.data.phone).toMatch(/^\+49/);
    const logs = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/logs?limit=50` });
    expect(logs.raw).not.toContain(target.legacyAccount.password);
  });

  it('refuses a wrong password without looping on the challenge', async () => {
    const target = await sandbox({ customers: 3 });
    const catalog = await hub.request({ method: 'GET', url: '/api/v1/connectors/rest' });
    const template = catalog.body.templates.find((item: { id: string }) => item.id === 'xentral-legacy');
    const id = await createIntegration(hub, {
      name: `Xentral legacy wrong ${Math.random().toString(16).slice(2, 8)}`,
      connector: 'rest',
      entities: template.entities,
      config: { ...template.config, baseUrl: target.url },
      credentials: { username: target.legacyAccount.username, password: 'not-the-password' },
      mapping: template.mapping,
      schedule: { enabled: false },
    });
    const before = target.requests();
    const run = await syncAndWait(hub, id);
    // The first request, the answer to the challenge, and no more.
    expect(target.requests() - before).toBe(2);
    await expectWaitsForAPerson(hub, id, run, { sourceRequests: () => target.requests() });
  });

  // The legacy API has no change filter: every sync is a full pass, and its sweep is the resync.
  it('lands a change and sweeps a removed customer on every sync', async () => {
    const target = await sandbox({ customers: 120 });
    const id = await createIntegration(hub, legacy(target));
    expect((await syncAndWait(hub, id)).counts).toMatchObject({ created: 120 });
    target.updateCustomer('1010', { name: 'Gasthof Post Garmisch' });
    const [gone] = target.data.customers.splice(30, 1);
    const run = await syncAndWait(hub, id);
    expect(run).toMatchObject({ mode: 'incremental', state: 'succeeded' });
    expect(run.counts).toMatchObject({ fetched: 119, updated: 1, deleted: 1, unchanged: 118 });
    const stored = await allRecords(hub, id, 'customer');
    expect(stored.find((record) => record.externalId === '1010')?.data.name).toBe('Gasthof Post Garmisch');
    expect(stored.some((record) => record.externalId === gone?.id)).toBe(false);
  });

  // Older installations announce no limit of their own (VENDORS.md): the integration's request
  // budget is what paces them, and a spent one makes the run wait, not fail.
  it('waits when the request budget is spent and resumes where it stopped, losing nothing', async () => {
    const target = await sandbox({ customers: 250 });
    const id = await createIntegration(hub, legacy(target, { rateLimits: { requestsPerDay: 3 } }));
    const runId = await startSync(hub, id);
    let run = (await hub.request({ method: 'GET', url: `/api/v1/sync-runs/${runId}` })).body;
    for (let tries = 0; tries < 100 && run.state !== 'waiting'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = (await hub.request({ method: 'GET', url: `/api/v1/sync-runs/${runId}` })).body;
    }
    expect(run.state).toBe('waiting');
    const landed = run.counts.created as number;
    expect(landed).toBeGreaterThan(0);
    expect(landed % 50).toBe(0);
    expect((await eventCounts(hub, id))['integration.rate_limited']).toBe(1);
    await hub.db.query('DELETE FROM rate_limits WHERE key LIKE $1', [`%${id}%`]);
    await hub.db.query(`UPDATE sync_runs SET resume_at = now() - interval '1 minute' WHERE id = $1`, [runId]);
    const resumed = await waitForRun(hub, runId);
    expect(resumed.state).toBe('succeeded');
    expect(resumed.counts).toMatchObject({ fetched: 250, created: 250, failed: 0 });
    expect(await allRecords(hub, id, 'customer')).toHaveLength(250);
  });
});

describe('the Xentral sandbox', () => {
  it('answers like Xentral: media types, page size limits with violations, problem details', async () => {
    const target = await sandbox({ customers: 12 });
    const auth = { authorization: `Bearer ${target.token}` };
    const wrongType = await fetch(`${target.url}/api/v1/customers`, {
      headers: { ...auth, accept: 'application/xml' },
    });
    expect(wrongType.status).toBe(406);
    const tooBig = await fetch(`${target.url}/api/v1/customers?page[size]=51`, { headers: auth });
    expect(tooBig.status).toBe(400);
    expect(tooBig.headers.get('content-type')).toBe('application/problem+json');
    expect(
      ((await tooBig.json()) as { violations: { propertyPath: string }[] }).violations[0]?.propertyPath,
    ).toBe('page[size]');
    const page = await fetch(`${target.url}/api/v1/customers?page[size]=5&page[number]=3`, { headers: auth });
    expect(page.headers.get('x-ratelimit-limit')).toBe('100');
    const body = (await page.json()) as { meta: unknown; data: unknown[]; links: { next?: string } };
    expect(body.meta).toEqual({ totalCount: 12, page: 3, pageSize: 5 });
    expect(body.data).toHaveLength(2);
    expect(body.links.next).toBeUndefined();
  });
});

describe('the Xentral sandbox’s admin routes', () => {
  const faults = async (url: string, settings?: unknown) => {
    const response = await fetch(`${url}/__sandbox/faults`, {
      method: settings === undefined ? 'GET' : 'POST',
      ...(settings === undefined ? {} : { body: JSON.stringify(settings) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('injects Xentral-shaped 429s and 503s until healed, and refuses unknown kinds', async () => {
    const target = await sandbox({ customers: 3 });
    const customers = () =>
      fetch(`${target.url}/api/v1/customers`, { headers: { authorization: `Bearer ${target.token}` } });
    expect(await faults(target.url)).toEqual({ status: 200, body: { faults: null } });
    const set = await faults(target.url, { rate: 1, kinds: ['429'], retryAfterSeconds: 7 });
    expect(set.body.faults).toMatchObject({ rate: 1, kinds: ['429'], retryAfterSeconds: 7 });
    // Reading the settings leaves them in force.
    expect((await faults(target.url)).body).toEqual(set.body);

    const throttled = await customers();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('content-type')).toBe('application/problem+json');
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect(throttled.headers.get('x-ratelimit-limit')).toBe('100');
    expect(throttled.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Number(throttled.headers.get('x-ratelimit-reset'));
    expect(Math.abs(reset - (Date.now() / 1000 + 7))).toBeLessThan(2);
    expect(await throttled.json()).toEqual({
      type: 'https://developer.xentral.com/problems/429',
      title: 'Too Many Requests',
      status: 429,
      detail: expect.any(String),
    });

    await faults(target.url, { rate: 1, kinds: ['503'] });
    const unavailable = await customers();
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('x-ratelimit-limit')).toBe('100');
    expect(await unavailable.json()).toMatchObject({ status: 503, title: 'Service Unavailable' });
    // The legacy API beside it is not faulted: it still asks for Digest credentials.
    expect((await fetch(`${target.url}/api/v1/adressen`)).status).toBe(401);

    const unknown = await faults(target.url, { rate: 1, kinds: ['meltdown'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/kinds/);
    expect((await customers()).status).toBe(503);
    expect(await faults(target.url, { rate: 0 })).toEqual({ status: 200, body: { faults: null } });
    expect((await customers()).status).toBe(200);
  });

  it('expires the access token: the old one gets 401 problem details, the new one works', async () => {
    const target = await sandbox({ customers: 3 });
    const before = target.token;
    const expired = await fetch(`${target.url}/__sandbox/tokens/expire`, { method: 'POST' });
    expect(await expired.json()).toEqual({ expired: true, token: target.token });
    expect(target.token).not.toBe(before);
    const refused = await fetch(`${target.url}/api/v1/customers`, {
      headers: { authorization: `Bearer ${before}` },
    });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
    const renewed = await fetch(`${target.url}/api/v1/customers`, {
      headers: { authorization: `Bearer ${target.token}` },
    });
    expect(renewed.status).toBe(200);
  });
});
