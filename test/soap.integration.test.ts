// The generic SOAP connector against PHP's SoapServer imitating an old ERP ("Warenwirtschaft"):
// customers by page with a "changed since" argument, articles by offset, a UsernameToken or HTTP
// basic auth, overload faults and a 503 with Retry-After, and an expired change log answered with
// a full pass that sweeps what is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SoapSandbox, startSoapSandbox } from '../sandbox/soap/server.ts';
import { expectWaitsForAPerson } from './support/authFailure.ts';
import { ensureDebianPackages } from './support/debianPackages.ts';
import { allRecords, createIntegration, eventCounts, syncAndWait } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let erp: SoapSandbox;

beforeAll(async () => {
  ensureDebianPackages('/usr/bin/php8.2', ['php8.2-cli', 'php8.2-soap']);
  hub = await startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' });
  erp = await startSoapSandbox({ kunden: 120, artikel: 45 });
});

afterAll(async () => {
  await hub?.close();
  await erp?.close();
});

const kundeMapping = {
  target: 'customer',
  fields: {
    customerNumber: { from: 'Kundennummer', transforms: [{ op: 'trim' }], required: true },
    name: { from: 'Firma', transforms: [{ op: 'trim' }], required: true },
    'address.street': { from: 'Strasse' },
    'address.zip': { from: 'PLZ' },
    'address.city': { from: 'Ort' },
    phone: { from: 'Telefon', transforms: [{ op: 'phone' }] },
  },
};

const artikelMapping = {
  target: 'product',
  fields: {
    sku: { from: 'Artikelnummer', required: true },
    name: { from: 'Bezeichnung', required: true },
    unit: { from: 'Einheit' },
    price: { from: 'Preis', transforms: [{ op: 'number' }] },
    category: { from: 'Warengruppe' },
    ean: { from: 'EAN' },
  },
};

function warenwirtschaft(
  options: { auth?: Record<string, unknown>; credentials?: Record<string, string> } = {},
) {
  return {
    name: `Warenwirtschaft ${Math.random().toString(16).slice(2, 8)}`,
    connector: 'soap',
    entities: ['customer', 'product'],
    config: {
      wsdlUrl: erp.wsdlUrl,
      auth: options.auth ?? { kind: 'wsSecurity' },
      timeoutMs: 5_000,
      faults: { rateLimit: ['Server.Ueberlastet'], resync: ['Client.AenderungsprotokollAbgelaufen'] },
      entities: {
        customer: {
          operation: 'GetKunden',
          paging: { style: 'page', pageArgument: 'page', sizeArgument: 'pageSize', pageSize: 50 },
          resultPath: 'Kunden.Kunde',
          totalPath: 'Gesamt',
          idField: 'Kundennummer',
          updatedField: 'GeaendertAm',
          changedSince: { argument: 'geaendertSeit', lookbackSeconds: 0 },
        },
        product: {
          operation: 'GetArtikel',
          paging: { style: 'offset', offsetArgument: 'offset', limitArgument: 'limit', pageSize: 20 },
          resultPath: 'ArtikelListe.Artikel',
          idField: 'Artikelnummer',
        },
      },
    },
    credentials: options.credentials ?? { username: erp.username, password: erp.password },
    retryPolicy: { maxAttempts: 5, initialDelayMs: 20, maxDelayMs: 300 },
    rateLimits: { requestsPerMinute: 100_000 },
    schedule: { enabled: false },
    mapping: { customer: kundeMapping, product: artikelMapping },
  };
}

const callsSince = async (count: number) => (await erp.calls()).slice(count);

describe('the generic SOAP connector', () => {
  it('reads customers and articles through the WSDL, then only the customers that changed', async () => {
    const id = await createIntegration(hub, warenwirtschaft());
    const before = (await erp.calls()).length;
    const first = await syncAndWait(hub, id);
    expect(first.state).toBe('succeeded');
    expect(first.progress.customer).toMatchObject({ fetched: 120, created: 120, failed: 0 });
    expect(first.progress.product).toMatchObject({ fetched: 45, created: 45, failed: 0 });
    const calls = await callsSince(before);
    // 120 customers in pages of 50 (the total ends it), 45 articles by 20 (the short page ends it).
    expect(calls.filter((call) => call.operation === 'GetKunden').map((call) => call.args?.page)).toEqual([
      1, 2, 3,
    ]);
    expect(calls.filter((call) => call.operation === 'GetArtikel').map((call) => call.args?.offset)).toEqual([
      0, 20, 40,
    ]);
    expect(calls.every((call) => call.auth === 'wsse')).toBe(true);

    const kunden = await erp.kunden();
    const kunde = kunden.find((item) => /[äöüß]/.test(item.Ort)) ?? kunden[0];
    const stored = (await allRecords(hub, id, 'customer')).find(
      (record) => record.externalId === kunde?.Kundennummer,
    );
    expect(stored.canonicalType).toBe('customer');
    expect(stored.data).toMatchObject({
      customerNumber: kunde?.Kundennummer,
      name: kunde?.Firma,
      address: { street: kunde?.Strasse, zip: kunde?.PLZ, city: kunde?.Ort },
    });
    expect(stored.data.phone).toMatch(/^\+49/);
    const artikel = (await allRecords(hub, id, 'product')).find((record) => record.externalId === 'A-20000');
    expect(artikel.data).toMatchObject({ sku: 'A-20000', name: 'Bergkäse, 6 Monate gereift', unit: 'kg' });
    expect(typeof artikel.data.price).toBe('number');

    const newestBefore = Math.max(...kunden.map((item) => Date.parse(item.GeaendertAm)));
    await erp.changeKunde('K-10003', { Firma: 'Gasthaus Zur Linde GmbH & Co. KG' });
    await erp.changeKunde('K-10050', { Ort: 'Fürth', PLZ: '90762' });
    const mark = (await erp.calls()).length;
    const incremental = await syncAndWait(hub, id);
    expect(incremental.state).toBe('succeeded');
    expect(incremental.progress.customer).toMatchObject({ fetched: 2, updated: 2, created: 0 });
    const asked = (await callsSince(mark)).filter((call) => call.operation === 'GetKunden');
    expect(asked).toHaveLength(1);
    expect(Date.parse(String(asked[0]?.args?.geaendertSeit))).toBe(newestBefore);
    const changed = (await allRecords(hub, id, 'customer')).filter((record) =>
      ['K-10003', 'K-10050'].includes(record.externalId),
    );
    expect(changed.map((record) => record.data.name)).toContain('Gasthaus Zur Linde GmbH & Co. KG');
    expect(changed.map((record) => record.data.address.city)).toContain('Fürth');

    // The UsernameToken's password travels in the envelope; the request log shows it redacted.
    const logs = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/logs?limit=100` });
    expect(logs.status).toBe(200);
    expect(logs.raw).toContain('UsernameToken');
    expect(logs.raw).not.toContain('Brot-2026');
  });

  it('waits out overload faults and a 503 with Retry-After, and the run still succeeds', async () => {
    const id = await createIntegration(hub, warenwirtschaft());
    const mark = (await erp.calls()).length;
    await erp.throttle(2, 1, 'ueberlastet');
    await erp.throttle(1, 1, 'wartung');
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('succeeded');
    expect(run.progress.customer).toMatchObject({ fetched: (await erp.kunden()).length, failed: 0 });
    expect(run.progress.product).toMatchObject({ fetched: 45 });
    const calls = await callsSince(mark);
    expect(calls.slice(0, 4).map((call) => call.answer)).toEqual([
      'ueberlastet',
      'ueberlastet',
      'wartung',
      'ok',
    ]);
    for (let index = 1; index < 4; index++) {
      const waited = (calls[index]?.at ?? 0) - (calls[index - 1]?.at ?? 0);
      expect(waited).toBeGreaterThanOrEqual(0.95);
    }
    expect((await eventCounts(hub, id))['integration.rate_limited']).toBeGreaterThanOrEqual(1);
  });

  it('signs in with basic auth or a UsernameToken, and names refused credentials', async () => {
    const basic = await createIntegration(hub, warenwirtschaft({ auth: { kind: 'basic' } }));
    const accepted = await hub.request({ method: 'POST', url: `/api/v1/integrations/${basic}/test` });
    expect(accepted.body).toMatchObject({ ok: true, message: expect.stringMatching(/^Get\w+ answered/) });

    const digest = await createIntegration(
      hub,
      warenwirtschaft({ auth: { kind: 'wsSecurity', passwordType: 'PasswordDigest' } }),
    );
    const digested = await hub.request({ method: 'POST', url: `/api/v1/integrations/${digest}/test` });
    expect(digested.body).toMatchObject({ ok: true });

    const wrongBasic = await createIntegration(
      hub,
      warenwirtschaft({
        auth: { kind: 'basic' },
        credentials: { username: erp.username, password: 'falsch-0000' },
      }),
    );
    const refused = await hub.request({ method: 'POST', url: `/api/v1/integrations/${wrongBasic}/test` });
    expect(refused.body).toMatchObject({ ok: false, httpStatus: 401 });
    const basicRun = await syncAndWait(hub, wrongBasic);
    await expectWaitsForAPerson(hub, wrongBasic, basicRun);

    const wrongToken = await createIntegration(
      hub,
      warenwirtschaft({ credentials: { username: erp.username, password: 'falsch-0000' } }),
    );
    const faulted = await hub.request({ method: 'POST', url: `/api/v1/integrations/${wrongToken}/test` });
    expect(faulted.body).toMatchObject({
      ok: false,
      message: expect.stringContaining('FailedAuthentication'),
    });
    const tokenRun = await syncAndWait(hub, wrongToken);
    expect(tokenRun.error).toContain('Kennwort ungültig');
    const refusedCalls = async () =>
      (await erp.calls()).filter((call) => call.auth === 'wsse-refused').length;
    // The connection test and the run: one call each, no retry.
    expect(await refusedCalls()).toBe(2);
    await expectWaitsForAPerson(hub, wrongToken, tokenRun, { sourceRequests: refusedCalls });
  });

  it('sweeps removed customers in a full pass, also when the change log no longer reaches back', async () => {
    const id = await createIntegration(hub, warenwirtschaft());
    expect((await syncAndWait(hub, id, { entities: ['customer'] })).state).toBe('succeeded');
    const count = (await erp.kunden()).length;

    await erp.removeKunde('K-10007');
    const full = await syncAndWait(hub, id, { entities: ['customer'], full: true });
    expect(full.progress.customer).toMatchObject({ fetched: count - 1, deleted: 1, created: 0 });

    await erp.removeKunde('K-10009');
    await erp.changeKunde('K-10010', { Telefon: '0621 4455667' });
    const incremental = await syncAndWait(hub, id, { entities: ['customer'] });
    expect(incremental.progress.customer).toMatchObject({ fetched: 1, updated: 1, deleted: 0 });

    await erp.expireChangeLog();
    const mark = (await erp.calls()).length;
    const resync = await syncAndWait(hub, id, { entities: ['customer'] });
    expect(resync.state).toBe('succeeded');
    expect(resync.progress.customer).toMatchObject({ fetched: count - 2, deleted: 1, created: 0 });
    expect((await callsSince(mark))[0]?.answer).toBe('Client.AenderungsprotokollAbgelaufen');
    const ids = (await allRecords(hub, id, 'customer')).map((record) => record.externalId);
    expect(ids).toHaveLength(count - 2);
    expect(ids).not.toContain('K-10009');
  });
});
