// Klenty as a template of the REST connector, against the Klenty sandbox: prospects by offset,
// changes by last-updated day, a full pass as the resync (no date filter), 429 with Retry-After
// waited out, the x-API-key header, a refused key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KlentySandbox, startKlentySandbox } from '../sandbox/klenty/server.ts';
import { expectWaitsForAPerson } from './support/authFailure.ts';
import { allRecords, createIntegration, syncAndWait } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let klenty: KlentySandbox;

beforeAll(async () => {
  hub = await startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' });
  klenty = await startKlentySandbox({ prospects: 150 });
});

afterAll(async () => {
  await hub.close();
  await klenty.close();
});

/** As a user would: the template by its id, plus the account's base URL and key. */
function fromTemplate(apiKey: string) {
  return createIntegration(hub, {
    name: `Klenty ${Math.random().toString(16).slice(2, 8)}`,
    connector: 'rest',
    template: 'klenty',
    config: { baseUrl: klenty.baseUrl },
    credentials: { apiKey },
    schedule: { enabled: false },
    retryPolicy: { maxAttempts: 6, initialDelayMs: 20, maxDelayMs: 200 },
  });
}

const setFaults = (settings: unknown) =>
  fetch(`${klenty.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(settings) });

describe('Klenty, as a template of the REST connector', () => {
  it('syncs prospects as contacts, then picks up a change by its last-updated day', async () => {
    const id = await fromTemplate(klenty.apiKey);
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('succeeded');
    expect(run.counts).toMatchObject({ fetched: 150, created: 150, failed: 0 });
    const prospect = klenty.prospects[3];
    const stored = (await allRecords(hub, id, 'contact')).find(
      (record) => record.externalId === prospect?.Email,
    );
    expect(stored.canonicalType).toBe('contact');
    expect(stored.data).toMatchObject({ email: prospect?.Email?.toLowerCase(), position: 'Küchenchef' });
    expect(stored.data.phone).toMatch(/^\+49/);

    klenty.updateProspect(prospect?.Email ?? '', { Title: 'Einkaufsleitung' });
    const incremental = await syncAndWait(hub, id);
    expect(incremental.state).toBe('succeeded');
    expect(incremental.counts).toMatchObject({ created: 0, updated: 1 });
    const changed = (await allRecords(hub, id, 'contact')).find(
      (record) => record.externalId === prospect?.Email,
    );
    expect(changed.data.position).toBe('Einkaufsleitung');
  });

  it('names an unknown template', async () => {
    const refused = await hub.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: { name: 'Nope', connector: 'rest', template: 'klenti', config: { baseUrl: klenty.baseUrl } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ field: 'template', message: 'unknown template "klenti"' }]);
  });

  it('sets error when the API key is refused', async () => {
    const id = await fromTemplate('wrong-key-0000');
    const tested = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/test` });
    expect(tested.body).toMatchObject({ ok: false, httpStatus: 401 });
    const run = await syncAndWait(hub, id);
    await expectWaitsForAPerson(hub, id, run, { sourceRequests: () => klenty.requests() });
  });

  it('resyncs with a full pass that reads every prospect, also changes the date filter cannot see', async () => {
    const id = await fromTemplate(klenty.apiKey);
    expect((await syncAndWait(hub, id)).counts).toMatchObject({ created: klenty.prospects.length });
    // Changed without moving LastUpdated (an import that kept its date): no day filter finds it.
    const prospect = klenty.prospects[10];
    if (!prospect) throw new Error('too few prospects');
    prospect.Title = 'Geschäftsführung';
    let mark = klenty.requestLog().length;
    const incremental = await syncAndWait(hub, id);
    expect(incremental.counts).toMatchObject({ updated: 0 });
    expect(klenty.requestLog().slice(mark)[0]).toContain('lastUpdatedDateStart=');

    mark = klenty.requestLog().length;
    const full = await syncAndWait(hub, id, { full: true });
    expect(full).toMatchObject({ mode: 'full', state: 'succeeded' });
    expect(full.counts).toMatchObject({ fetched: klenty.prospects.length, updated: 1, created: 0 });
    const asked = klenty.requestLog().slice(mark);
    expect(asked.map((request) => new URL(request, klenty.url).searchParams.get('start'))).toEqual([
      '0',
      '100',
    ]);
    expect(asked.some((request) => request.includes('lastUpdatedDateStart'))).toBe(false);
    const stored = (await allRecords(hub, id, 'contact')).find(
      (record) => record.externalId === prospect.Email,
    );
    expect(stored.data.position).toBe('Geschäftsführung');
  });

  it('waits out 429 with Retry-After and loses no prospect', async () => {
    const id = await fromTemplate(klenty.apiKey);
    const mark = klenty.requestLog().length;
    // Seeded: the first two requests are refused with Retry-After: 1, the rest answered.
    await setFaults({ rate: 0.5, kinds: ['429'], retryAfterSeconds: 1, seed: 9 });
    try {
      const run = await syncAndWait(hub, id);
      expect(run.state).toBe('succeeded');
      expect(run.counts).toMatchObject({
        fetched: klenty.prospects.length,
        created: klenty.prospects.length,
      });
    } finally {
      await setFaults(null);
    }
    expect(klenty.requestLog().length - mark).toBe(4);
    await hub.hub.context.runtime.requestLog.flush();
    const requests = await hub.db.query<{ status: number; at: Date }>(
      'SELECT http_status AS status, created_at AS at FROM integration_logs WHERE integration_id = $1 ORDER BY created_at',
      [id],
    );
    expect(requests.rows.map((row) => row.status)).toEqual([429, 429, 200, 200]);
    for (const index of [1, 2]) {
      const waited = requests.rows[index]!.at.getTime() - requests.rows[index - 1]!.at.getTime();
      expect(waited).toBeGreaterThanOrEqual(950);
    }
  });
});
