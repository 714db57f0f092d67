// Google Calendar against its sandbox: a full list ending in a sync token, changes and
// cancellations by sync token, 410 Gone answered with a full resync that sweeps what is gone,
// the OAuth refresh, usage limits (429 and 403 usageLimits) waited out, and a revoked grant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleSandbox, startGoogleSandbox } from '../sandbox/google/server.ts';
import { expectWaitsForAPerson } from './support/authFailure.ts';
import { allRecords, createIntegration, eventCounts, syncAndWait } from './support/syncSupport.ts';
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
  retryPolicy: { maxAttempts: 10, initialDelayMs: 20, maxDelayMs: 200 },
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
    await expectWaitsForAPerson(hub, id, run, {
      sourceRequests: () => google.stats().requests + google.oauth.stats.refused,
    });
    const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(read.body.statusReason).toMatch(/reconnect/);
  });

  it('backs off on usage limits (429 and 403 usageLimits) and loses no event', async () => {
    const id = await createIntegration(hub, calendar(google.grant()));
    const live = google.events.filter((event) => event.status !== 'cancelled');
    // Seeded: the first requests meet a 403 quotaExceeded and a 429 rateLimitExceeded.
    await fetch(`${google.url}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ rate: 0.5, kinds: ['quota', '429'], retryAfterSeconds: 0, seed: 4 }),
    });
    try {
      const run = await syncAndWait(hub, id);
      expect(run.state).toBe('succeeded');
      expect(run.counts).toMatchObject({ fetched: live.length, created: live.length, failed: 0 });
    } finally {
      await fetch(`${google.url}/__sandbox/faults`, { method: 'POST', body: 'null' });
    }
    expect((await allRecords(hub, id, 'calendarEvent')).length).toBe(live.length);
    await hub.hub.context.runtime.requestLog.flush();
    const limited = await hub.db.query<{ status: number }>(
      'SELECT DISTINCT http_status AS status FROM integration_logs WHERE integration_id = $1 AND http_status IN (403, 429)',
      [id],
    );
    expect(limited.rows.map((row) => row.status).sort()).toEqual([403, 429]);
    const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(read.body.status).toBe('active');
    expect((await eventCounts(hub, id))['integration.rate_limited']).toBe(1);
  });
});
