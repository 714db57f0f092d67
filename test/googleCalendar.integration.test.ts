// Google Calendar against its sandbox: a full list ending in a sync token, changes and
// cancellations by sync token, 410 Gone answered with a full resync that sweeps what is gone,
// the OAuth refresh, and a revoked grant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleSandbox, startGoogleSandbox } from '../sandbox/google/server.ts';
import { allRecords, createIntegration, syncAndWait } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let google: GoogleSandbox;

beforeAll(async () => {
  hub = await startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' });
  google = await startGoogleSandbox({ events: 120 });
});

afterAll(async () => {
  await hub.close();
  await google.close();
});

const calendar = (refreshToken: string) => ({
  name: `Google ${Math.random().toString(16).slice(2, 8)}`,
  connector: 'google-calendar',
  config: {
    calendarId: google.calendarId,
    clientId: google.client.clientId,
    apiBaseUrl: google.url,
    tokenUrl: google.tokenUrl,
    pageSize: 50,
  },
  credentials: { clientSecret: google.client.clientSecret, refreshToken },
  schedule: { enabled: false },
});

describe('the Google Calendar connector', () => {
  it('lists everything, then follows changes by sync token, and resyncs fully on 410 Gone', async () => {
    const id = await createIntegration(hub, calendar(google.grant()));
    const tested = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/test` });
    expect(tested.body.ok).toBe(true);
    const first = await syncAndWait(hub, id);
    expect(first.counts).toMatchObject({ fetched: 120, created: 120, failed: 0 });
    const event = (await allRecords(hub, id, 'calendarEvent')).find(
      (record) => record.externalId === 'evt00003',
    );
    expect(event.data).toMatchObject({ title: 'Verkostung 4', start: google.events[3]?.start.dateTime });

    google.change('evt00005', { summary: 'Verkostung Wintergemüse' });
    google.change('evt00006', { status: 'cancelled' });
    const changes = await syncAndWait(hub, id);
    expect(changes.counts).toMatchObject({ fetched: 2, updated: 1, deleted: 1 });

    // The sync token expires while an event disappears for good: the 410 leads to a full list,
    // and the sweep after it removes what is no longer there.
    google.expireSyncTokens();
    google.events.splice(
      google.events.findIndex((item) => item.id === 'evt00010'),
      1,
    );
    const resync = await syncAndWait(hub, id);
    expect(resync.state).toBe('succeeded');
    expect(google.stats().gone).toBe(1);
    expect(resync.counts).toMatchObject({ fetched: 118, deleted: 1, created: 0 });
    const live = await allRecords(hub, id, 'calendarEvent');
    expect(live.map((record) => record.externalId).sort()).toEqual(
      google.events
        .filter((item) => item.status !== 'cancelled')
        .map((item) => item.id)
        .sort(),
    );
    expect(google.stats().refreshes).toBeGreaterThanOrEqual(2);
  });

  it('asks to reconnect when the grant was revoked', async () => {
    const id = await createIntegration(hub, calendar('1//revoked'));
    const tested = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/test` });
    expect(tested.body.ok).toBe(false);
    const run = await syncAndWait(hub, id);
    expect(run.errorKind).toBe('auth');
    const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(read.body.statusReason).toMatch(/reconnect/);
  });
});
