// Klenty as a template of the REST connector, against the Klenty sandbox: prospects by offset,
// changes by last-updated day, the x-API-key header, a refused key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KlentySandbox, startKlentySandbox } from '../sandbox/klenty/server.ts';
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
  });
}

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
    expect(run.errorKind).toBe('auth');
  });
});
