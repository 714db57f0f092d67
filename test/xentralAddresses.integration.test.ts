// Xentral customers with their addresses: the customer sync fetches the addresses of the customers
// it reads (all in a full pass, the changed ones in an incremental one), waits out 429s on them,
// can be switched off, and two-way sync still writes customer fields back while addresses stay
// read-only. The sandbox's addresses route is checked against VENDORS.md too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXentralSandbox, type XentralSandbox } from '../sandbox/xentral/index.ts';
import { allRecords, createIntegration, syncAndWait, waitForRun } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
const sandboxes: XentralSandbox[] = [];

async function sandbox(options: Parameters<typeof startXentralSandbox>[0] = {}) {
  const started = await startXentralSandbox(options);
  sandboxes.push(started);
  return started;
}

const xentral = (target: XentralSandbox, extra: Record<string, unknown> = {}) => ({
  name: `Xentral Adressen ${Math.random().toString(16).slice(2, 8)}`,
  connector: 'xentral',
  entities: ['customer'],
  config: { baseUrl: target.url, lookbackSeconds: 0 },
  credentials: { token: target.token },
  schedule: { enabled: false },
  retryPolicy: { initialDelayMs: 20, maxDelayMs: 200 },
  ...extra,
});

const addressPaths = (target: XentralSandbox, from = 0) =>
  target
    .requestLog()
    .slice(from)
    .filter((entry) => entry.path.endsWith('/addresses'))
    .map((entry) => entry.path);

const hubCustomer = async (id: string, externalId: string) =>
  (await allRecords(hub, id, 'customer')).find((record) => record.externalId === externalId)?.data;

beforeAll(async () => {
  hub = await startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' });
});

afterAll(async () => {
  await hub.close();
  await Promise.all(sandboxes.map((started) => started.close()));
});

describe('Xentral customer addresses', () => {
  it('lands every customer with its addresses, then fetches only the changed customer’s again', async () => {
    const target = await sandbox({ customers: 30 });
    const id = await createIntegration(hub, xentral(target));
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('succeeded');
    expect(run.progress.customer).toMatchObject({ fetched: 30, created: 30, failed: 0 });
    // One customer page, then one addresses request per customer.
    expect(target.requestLog().filter((entry) => entry.path === '/api/v1/customers')).toHaveLength(1);
    expect(addressPaths(target).sort()).toEqual(
      target.data.customers.map((customer) => `/api/v1/customers/${customer.id}/addresses`).sort(),
    );

    const customers = await allRecords(hub, id, 'customer');
    for (const customer of customers) {
      expect(customer.data.addresses).toEqual(target.data.addresses.get(customer.externalId));
    }
    expect(JSON.stringify(customers.map((record) => record.data.addresses))).toMatch(/[äöüß]/);
    const withShipping = customers.find((record) => record.data.addresses.length > 1);
    const [billing, shipping] = target.data.addresses.get(withShipping.externalId) ?? [];
    expect(withShipping.data.address).toEqual({
      street: billing?.street,
      zip: billing?.zip,
      city: billing?.city,
      country: billing?.country,
    });
    expect(withShipping.data.shippingAddress).toMatchObject({
      street: shipping?.street,
      city: shipping?.city,
    });
    const billingOnly = customers.find((record) => record.data.addresses.length === 1);
    expect(billingOnly.data.shippingAddress).toBeUndefined();

    const before = target.requestLog().length;
    target.updateAddress('1005', target.data.addresses.get('1005')?.[0]?.id ?? '', {
      street: 'Königstraße 5',
      zip: '23552',
      city: 'Lübeck',
    });
    const incremental = await syncAndWait(hub, id);
    expect(incremental.progress.customer).toMatchObject({ fetched: 1, updated: 1 });
    expect(target.requestLog().length - before).toBe(2);
    expect(addressPaths(target, before)).toEqual(['/api/v1/customers/1005/addresses']);
    expect((await hubCustomer(id, '1005'))?.address).toEqual({
      street: 'Königstraße 5',
      zip: '23552',
      city: 'Lübeck',
      country: 'DE',
    });
  });

  it('waits out a 429 on an addresses request and loses no address', async () => {
    const target = await sandbox({ customers: 12, rateLimit: { limit: 5, windowMs: 1_000 } });
    const id = await createIntegration(
      hub,
      xentral(target, { retryPolicy: { maxAttempts: 10, initialDelayMs: 20, maxDelayMs: 200 } }),
    );
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('succeeded');
    const log = target.requestLog();
    const throttled = log.find((entry) => entry.status === 429 && entry.path.endsWith('/addresses'));
    expect(throttled).toBeDefined();
    expect(log.filter((entry) => entry.path === throttled?.path).at(-1)?.status).toBe(200);
    const customers = await allRecords(hub, id, 'customer');
    expect(customers).toHaveLength(12);
    for (const customer of customers) {
      expect(customer.data.addresses).toEqual(target.data.addresses.get(customer.externalId));
    }
  }, 30_000);

  it('asks for no addresses when customerAddresses is off', async () => {
    const target = await sandbox({ customers: 8 });
    const id = await createIntegration(
      hub,
      xentral(target, { config: { baseUrl: target.url, lookbackSeconds: 0, customerAddresses: false } }),
    );
    expect((await syncAndWait(hub, id)).progress.customer).toMatchObject({ fetched: 8, created: 8 });
    expect(target.requests()).toBe(1);
    const [customer] = await allRecords(hub, id, 'customer');
    expect(customer.data.name).toBeTruthy();
    expect(customer.data.address).toBeUndefined();
    expect(customer.data.addresses).toBeUndefined();
  });

  it('writes a customer field back with the addresses kept, and refuses address changes', async () => {
    const target = await sandbox({ customers: 6 });
    const id = await createIntegration(
      hub,
      xentral(target, { twoWay: { enabled: true, conflictPolicy: 'manual' } }),
    );
    await syncAndWait(hub, id);
    const before = await hubCustomer(id, '1002');
    const changed = await hub.request({
      method: 'PATCH',
      url: `/api/v1/integrations/${id}/records/customer/1002`,
      body: { email: 'einkauf@mensa-sued.de' },
    });
    expect(changed.status, changed.raw).toBe(202);
    const run = await waitForRun(hub, changed.body.runId);
    expect(run.state).toBe('succeeded');
    // The sync after the write-back finds the hub's own write, addresses and all, unchanged.
    expect(run.counts).toMatchObject({ fetched: 1, updated: 0 });
    expect(target.data.customers.find((customer) => customer.id === '1002')?.email).toBe(
      'einkauf@mensa-sued.de',
    );
    const after = await hubCustomer(id, '1002');
    expect(after).toMatchObject({ email: 'einkauf@mensa-sued.de', address: before.address });
    expect(after.addresses).toEqual(before.addresses);

    for (const body of [{ address: { city: 'Lübeck' } }, { addresses: [] }]) {
      const refused = await hub.request({
        method: 'PATCH',
        url: `/api/v1/integrations/${id}/records/customer/1002`,
        body,
      });
      expect(refused.status).toBe(422);
      expect(refused.body.errors[0].field).toBe(
        Object.keys(body)[0] === 'address' ? 'address.city' : 'addresses',
      );
    }
  });
});

describe('the Xentral sandbox’s addresses route', () => {
  it('pages a customer’s addresses and answers 404 problem details for an unknown customer', async () => {
    const target = await sandbox({ customers: 30 });
    const auth = { authorization: `Bearer ${target.token}` };
    const [customerId, addresses] = [...target.data.addresses].find(([, list]) => list.length === 3) ?? [];
    const first = await fetch(`${target.url}/api/v1/customers/${customerId}/addresses?page[size]=2`, {
      headers: auth,
    });
    expect(first.headers.get('x-ratelimit-limit')).toBe('100');
    const page = (await first.json()) as { data: unknown[]; meta: unknown; links: { next?: string } };
    expect(page.meta).toEqual({ totalCount: 3, page: 1, pageSize: 2 });
    expect(page.data).toEqual(addresses?.slice(0, 2));
    const second = await fetch(`${target.url}${page.links.next}`, { headers: auth });
    expect(((await second.json()) as { data: unknown[] }).data).toEqual(addresses?.slice(2));

    const unknown = await fetch(`${target.url}/api/v1/customers/99999/addresses`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect(((await unknown.json()) as { detail: string }).detail).toMatch(/99999/);
    const notCustomer = await fetch(`${target.url}/api/v1/products/200/addresses`, { headers: auth });
    expect(notCustomer.status).toBe(404);
    const anonymous = await fetch(`${target.url}/api/v1/customers/${customerId}/addresses`);
    expect(anonymous.status).toBe(401);
  });
});
