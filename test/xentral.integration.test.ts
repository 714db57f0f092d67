// The Xentral connector against the Xentral sandbox: full and incremental syncs with the
// connector's default mapping, refused tokens, the 100-a-minute limit with X-RateLimit-* and
// Retry-After, problem details, and the sandbox's own faithfulness (media types, page size).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXentralSandbox, type XentralSandbox } from '../sandbox/xentral/index.ts';
import { allRecords, createIntegration, syncAndWait } from './support/syncSupport.ts';
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

  it('sets error with the reason when the token is refused', async () => {
    const target = await sandbox({ customers: 5 });
    const id = await createIntegration(hub, xentral(target, { credentials: { token: 'expired-token-000' } }));
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('failed');
    expect(run.errorKind).toBe('auth');
    expect(run.error).toMatch(/401.*invalid or expired/);
    const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(read.body.status).toBe('error');
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
    expect(run.errorKind).toBe('auth');
    // The first request, the answer to the challenge, and no more.
    expect(target.requests() - before).toBe(2);
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
