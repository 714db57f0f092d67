// Two-way sync against the Xentral and Salesforce sandboxes: a change made in the hub is written
// back and never echoed; the same customer changed in the hub and in the source is decided by
// each conflict policy; a manual conflict waits in /api/v1/conflicts and is resolved through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SalesforceSandbox, startSalesforceSandbox } from '../sandbox/salesforce/server.ts';
import { startXentralSandbox, type XentralSandbox } from '../sandbox/xentral/index.ts';
import { allRecords, createIntegration, syncAndWait, waitForRun } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let erp: XentralSandbox;
let crm: SalesforceSandbox;

beforeAll(async () => {
  [hub, erp, crm] = await Promise.all([
    startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' }),
    // Several integrations share one sandbox here; each sync also reads every customer's addresses.
    startXentralSandbox({ customers: 20, rateLimit: { limit: 1_000, windowMs: 60_000 } }),
    startSalesforceSandbox({ accounts: 10 }),
  ]);
});

afterAll(async () => {
  await hub.close();
  await erp.close();
  await crm.close();
});

async function xentralTwoWay(conflictPolicy: string): Promise<string> {
  const id = await createIntegration(hub, {
    name: `Xentral zweiseitig ${conflictPolicy} ${Math.random().toString(16).slice(2, 6)}`,
    connector: 'xentral',
    entities: ['customer'],
    config: { baseUrl: erp.url, lookbackSeconds: 0 },
    credentials: { token: erp.token },
    schedule: { enabled: false },
    retryPolicy: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 50 },
    twoWay: { enabled: true, conflictPolicy },
  });
  expect((await syncAndWait(hub, id)).counts).toMatchObject({ created: 20 });
  return id;
}

async function changeInHub(
  id: string,
  externalId: string,
  patch: Record<string, unknown>,
  entity = 'customer',
) {
  const changed = await hub.request({
    method: 'PATCH',
    url: `/api/v1/integrations/${id}/records/${entity}/${externalId}`,
    body: patch,
  });
  expect(changed.status, changed.raw).toBe(202);
  expect(changed.body.writeState).toBe('pending');
  return waitForRun(hub, changed.body.runId);
}

const hubRecord = async (id: string, externalId: string, entity = 'customer') =>
  (await allRecords(hub, id, entity)).find((record) => record.externalId === externalId)?.data;
const erpCustomer = (externalId: string) => erp.data.customers.find((customer) => customer.id === externalId);

async function conflictsOf(id: string) {
  return (await hub.request({ method: 'GET', url: `/api/v1/conflicts?integrationId=${id}` })).body.items;
}

describe('two-way sync', () => {
  it('writes a hub change back and does not hear it again as a change', async () => {
    const id = await xentralTwoWay('manual');
    const run = await changeInHub(id, '1005', { email: 'einkauf@gasthaus-zur-post.de' });
    expect(run.state).toBe('succeeded');
    // The run's sync after the write-back reads the hub's own write from Xentral: unchanged.
    expect(run.counts).toMatchObject({ fetched: 1, updated: 0 });
    expect(erpCustomer('1005')?.email).toBe('einkauf@gasthaus-zur-post.de');
    expect(await hubRecord(id, '1005')).toMatchObject({ email: 'einkauf@gasthaus-zur-post.de' });
    // Later syncs find nothing either; the only event of the customer is the hub's own change.
    expect((await syncAndWait(hub, id)).counts).toMatchObject({ fetched: 0, updated: 0 });
    const events = await hub.request({
      method: 'GET',
      url: '/api/v1/events?type=customer.updated&limit=500',
    });
    const mine = events.body.items.filter(
      (event: { subject: string; data: { integrationId: string } }) =>
        event.data.integrationId === id && event.subject === 'customer/1005',
    );
    expect(mine.map((event: { data: { origin: string } }) => event.data.origin)).toEqual(['hub']);
    expect(await conflictsOf(id)).toEqual([]);

    const readOnly = await hub.request({
      method: 'PATCH',
      url: `/api/v1/integrations/${id}/records/customer/1005`,
      body: { creditLimit: 5000 },
    });
    expect(readOnly.status).toBe(422);
    expect(readOnly.body.errors[0].field).toBe('creditLimit');
  });

  it('lets each policy decide a customer changed on both sides', async () => {
    const outcome: Record<string, { erp: unknown; hub: unknown; winner: unknown }> = {};
    for (const [policy, customer] of [
      ['external_wins', '1000'],
      ['hub_wins', '1001'],
      ['newest_wins', '1002'],
    ] as const) {
      const id = await xentralTwoWay(policy);
      erp.updateCustomer(customer, { name: `Kantine ${customer} (ERP)` });
      const run = await changeInHub(id, customer, { name: `Kantine ${customer} (Hub)` });
      expect(run.state).toBe('succeeded');
      const [conflict] = await conflictsOf(id);
      expect(conflict).toMatchObject({
        state: 'resolved',
        policy,
        contested: ['name'],
        resolvedBy: `policy:${policy}`,
      });
      outcome[policy] = {
        erp: erpCustomer(customer)?.name,
        hub: (await hubRecord(id, customer))?.name,
        winner: conflict.winner,
      };
    }
    expect(outcome).toEqual({
      external_wins: { erp: 'Kantine 1000 (ERP)', hub: 'Kantine 1000 (ERP)', winner: 'external' },
      hub_wins: { erp: 'Kantine 1001 (Hub)', hub: 'Kantine 1001 (Hub)', winner: 'hub' },
      // The hub's change came last.
      newest_wins: { erp: 'Kantine 1002 (Hub)', hub: 'Kantine 1002 (Hub)', winner: 'hub' },
    });

    // Newest wins the other way: Xentral is down when the hub changes the customer, and a user
    // changes it in Xentral afterwards; once Xentral is back, its later change wins.
    const id = await xentralTwoWay('newest_wins');
    erp.setFaults({ rate: 1, kinds: ['503'] });
    const failed = await changeInHub(id, '1003', { name: 'Mensa Nord (Hub)' });
    expect(failed.state).toBe('failed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    erp.updateCustomer('1003', { name: 'Mensa Nord (ERP)' });
    erp.setFaults(null);
    expect((await syncAndWait(hub, id)).state).toBe('succeeded');
    expect(erpCustomer('1003')?.name).toBe('Mensa Nord (ERP)');
    expect((await hubRecord(id, '1003'))?.name).toBe('Mensa Nord (ERP)');
    expect((await conflictsOf(id))[0]).toMatchObject({ winner: 'external', policy: 'newest_wins' });
  });

  it('merges fields changed on one side only, and leaves a field changed on both to a person', async () => {
    const id = await xentralTwoWay('field_merge');
    erp.updateCustomer('1006', { email: 'kueche@hotel-adler.de' });
    const merged = await changeInHub(id, '1006', { name: 'Hotel Adler GmbH & Co. KG' });
    expect(merged.state).toBe('succeeded');
    expect(erpCustomer('1006')).toMatchObject({
      name: 'Hotel Adler GmbH & Co. KG',
      email: 'kueche@hotel-adler.de',
    });
    expect(await hubRecord(id, '1006')).toMatchObject({
      name: 'Hotel Adler GmbH & Co. KG',
      email: 'kueche@hotel-adler.de',
    });

    erp.updateCustomer('1007', { name: 'Catering Süd (ERP)', email: 'info@catering-sued.de' });
    await changeInHub(id, '1007', { name: 'Catering Süd (Hub)' });
    const [open] = await conflictsOf(id);
    expect(open).toMatchObject({ state: 'open', contested: ['name'] });
    expect(open.external).toMatchObject({ name: 'Catering Süd (ERP)', email: 'info@catering-sued.de' });
  });

  it('keeps a manual conflict with both versions and the base, and applies the resolution to both sides', async () => {
    const id = await xentralTwoWay('manual');
    const base = (await hubRecord(id, '1008')) as { name: string; email: string };
    erp.updateCustomer('1008', { name: 'Bäckerei Müller (ERP)', phone: '+49 89 1234567' });
    await changeInHub(id, '1008', {
      name: 'Bäckerei Müller (Hub)',
      email: 'bestellung@baeckerei-mueller.de',
    });
    const open = await hub.request({
      method: 'GET',
      url: `/api/v1/conflicts?state=open&integrationId=${id}`,
    });
    expect(open.body.items).toHaveLength(1);
    const conflict = open.body.items[0];
    expect(conflict.base).toMatchObject({ name: base.name, email: base.email });
    expect(conflict.hub).toMatchObject({
      name: 'Bäckerei Müller (Hub)',
      email: 'bestellung@baeckerei-mueller.de',
    });
    expect(conflict.external).toMatchObject({ name: 'Bäckerei Müller (ERP)', phone: '+49891234567' });
    expect(conflict.contested).toEqual(['name']);
    // Nothing reached Xentral yet, and a further change waits for the decision.
    expect(erpCustomer('1008')?.email).toBe(base.email);
    const blocked = await hub.request({
      method: 'PATCH',
      url: `/api/v1/integrations/${id}/records/customer/1008`,
      body: { name: 'x' },
    });
    expect(blocked.status).toBe(409);

    const undecided = await hub.request({
      method: 'POST',
      url: `/api/v1/conflicts/${conflict.id}/resolve`,
      body: { fields: { email: 'hub' } },
    });
    expect(undecided.status).toBe(400);
    expect(undecided.body.errors[0].field).toBe('fields.name');

    const resolved = await hub.request({
      method: 'POST',
      url: `/api/v1/conflicts/${conflict.id}/resolve`,
      body: { fields: { name: 'external' } },
    });
    expect(resolved.status, resolved.raw).toBe(200);
    expect(resolved.body).toMatchObject({ state: 'resolved', winner: 'merged' });
    // The source's name, the hub's email, the source's phone: on both sides.
    const expected = {
      name: 'Bäckerei Müller (ERP)',
      email: 'bestellung@baeckerei-mueller.de',
      phone: '+49891234567',
    };
    expect(resolved.body.result).toMatchObject(expected);
    expect(await hubRecord(id, '1008')).toMatchObject(expected);
    expect(erpCustomer('1008')).toMatchObject({ name: expected.name, email: expected.email });
    const after = await syncAndWait(hub, id);
    expect(after.counts).toMatchObject({ updated: 0 });
    const again = await hub.request({
      method: 'POST',
      url: `/api/v1/conflicts/${conflict.id}/resolve`,
      body: { use: 'hub' },
    });
    expect(again.status).toBe(409);
  });

  it('writes Salesforce accounts back through the sObject API', async () => {
    const id = await createIntegration(hub, {
      name: 'Salesforce zweiseitig',
      connector: 'salesforce',
      entities: ['account'],
      config: { instanceUrl: crm.url, loginUrl: crm.url, clientId: crm.client.clientId, lookbackSeconds: 0 },
      credentials: { clientSecret: crm.client.clientSecret, refreshToken: crm.grant() },
      schedule: { enabled: false },
      twoWay: { enabled: true, conflictPolicy: 'hub_wins' },
    });
    await syncAndWait(hub, id);
    const account = { ...crm.accounts[2] } as unknown as { Id: string; BillingCity: string };
    // Hub wins whole: the city changed in Salesforce goes back to the hub's version too.
    crm.updateAccount(account.Id, { BillingCity: 'Lübeck' });
    const run = await changeInHub(
      id,
      account.Id,
      { name: 'Restaurant Seeblick GmbH', phone: '+49401234567' },
      'account',
    );
    expect(run.state).toBe('succeeded');
    expect(crm.accounts[2]).toMatchObject({
      Name: 'Restaurant Seeblick GmbH',
      Phone: '+49401234567',
      BillingCity: account.BillingCity,
    });
    expect(await hubRecord(id, account.Id, 'account')).toMatchObject({
      name: 'Restaurant Seeblick GmbH',
      phone: '+49401234567',
      address: expect.objectContaining({ city: account.BillingCity }),
    });
    expect((await syncAndWait(hub, id)).progress.account).toMatchObject({ updated: 0 });
  });
});
