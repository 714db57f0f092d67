// The routes behind the setup wizard's mapping step: sample records straight from the source
// (nothing stored), suggestions from German field names, and a preview of a mapping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXentralSandbox, type XentralSandbox } from '../sandbox/xentral/index.ts';
import { createIntegration } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let sandbox: XentralSandbox;
let integrationId: string;

beforeAll(async () => {
  [hub, sandbox] = await Promise.all([
    startTestHub(),
    startXentralSandbox({ customers: 30, rateLimit: { limit: 10_000, windowMs: 60_000 } }),
  ]);
  integrationId = await createIntegration(hub, {
    name: 'Xentral Entwurf',
    connector: 'xentral',
    status: 'inactive',
    config: { baseUrl: sandbox.url, customerAddresses: false },
    credentials: { token: sandbox.token },
    schedule: { enabled: false },
  });
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
  await hub?.close();
});

describe('the wizard routes', () => {
  it('reads sample records from the source of a paused integration without storing them', async () => {
    const sample = await hub.request({
      method: 'POST',
      url: `/api/v1/integrations/${integrationId}/sample`,
      body: { entity: 'customer', limit: 3 },
    });
    expect(sample.status).toBe(200);
    expect(sample.body.items).toHaveLength(3);
    expect(sample.body.items[0].data.number).toBe(sandbox.data.customers[0]?.number);
    const stored = await hub.db.query('SELECT count(*)::int AS n FROM sync_runs WHERE integration_id = $1', [
      integrationId,
    ]);
    expect(stored.rows[0].n).toBe(0);
    const records = await hub.request({
      method: 'GET',
      url: `/api/v1/integrations/${integrationId}/records/customer`,
    });
    expect(records.body.items).toEqual([]);
  });

  it('refuses more than 20 sample records', async () => {
    const refused = await hub.request({
      method: 'POST',
      url: `/api/v1/integrations/${integrationId}/sample`,
      body: { entity: 'customer', limit: 21 },
    });
    expect(refused.status).toBe(400);
  });

  it('suggests canonical fields for German source fields', async () => {
    const suggested = await hub.request({
      method: 'POST',
      url: '/api/v1/mapping/suggest',
      body: {
        canonicalEntity: 'customer',
        sampleRecords: [{ Kundennummer: '10001', Firma: 'Muster GmbH', PLZ: '10115', Ort: 'Berlin' }],
      },
    });
    expect(suggested.status).toBe(200);
    const byTarget = Object.fromEntries(
      suggested.body.suggestions.map((s: { target: string; from: string }) => [s.target, s.from]),
    );
    expect(byTarget).toMatchObject({
      customerNumber: 'Kundennummer',
      name: 'Firma',
      'address.zip': 'PLZ',
      'address.city': 'Ort',
    });
  });

  it('previews a mapping on records and names what does not map', async () => {
    const preview = await hub.request({
      method: 'POST',
      url: '/api/v1/mapping/preview',
      body: {
        mapping: {
          target: 'customer',
          fields: {
            customerNumber: { from: 'Kundennummer', required: true },
            creditLimit: { from: 'Kreditlimit', transforms: [{ op: 'number', locale: 'de' }] },
          },
        },
        records: [{ Kundennummer: 'K1', Kreditlimit: '1.234,50' }, { Kreditlimit: '5' }],
      },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.results[0]).toEqual({
      ok: true,
      record: { customerNumber: 'K1', creditLimit: 1234.5 },
    });
    expect(preview.body.results[1].ok).toBe(false);

    const bad = await hub.request({
      method: 'POST',
      url: '/api/v1/mapping/preview',
      body: {
        mapping: { target: 'customer', fields: { name: { from: 'x', transforms: [{ op: 'nope' }] } } },
        records: [],
      },
    });
    expect(bad.status).toBe(400);
  });

  it('lists the canonical entities and gives connectors their default mapping', async () => {
    const entities = await hub.request({ method: 'GET', url: '/api/v1/mapping/canonical-entities' });
    expect(entities.body.items.map((item: { name: string }) => item.name)).toContain('customer');
    const xentral = await hub.request({ method: 'GET', url: '/api/v1/connectors/xentral' });
    expect(xentral.body.defaultMapping.customer.fields.customerNumber.from).toBe('number');
  });
});
