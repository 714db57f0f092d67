// Sources that push: the hub opens a Google watch channel and Graph subscriptions (with Graph's
// validation handshake), and their notifications, proven only by the channel's secret, start an
// incremental sync that brings the change. Forged notifications are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleSandbox, startGoogleSandbox } from '../sandbox/google/server.ts';
import { type GraphSandbox, startGraphSandbox } from '../sandbox/graph/server.ts';
import { systemPrincipal } from '../src/access/principal.ts';
import { allRecords, createIntegration, syncAndWait } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let google: GoogleSandbox;
let graph: GraphSandbox;

beforeAll(async () => {
  hub = await startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' }, { listen: true });
  google = await startGoogleSandbox({ events: 30 });
  graph = await startGraphSandbox({ events: 20, messages: 10 });
});

afterAll(async () => {
  await hub.close();
  await google.close();
  await graph.close();
});

async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const webhookRuns = async (id: string) => {
  const runs = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/sync-runs` });
  return (runs.body.items as { trigger: string; state: string }[]).filter((run) => run.trigger === 'webhook');
};

async function forged(id: string, headers: Record<string, string>, body = '') {
  return fetch(`${hub.hub.url}/webhooks/${id}`, { method: 'POST', headers, body: body || undefined });
}

describe('Google Calendar watch channels', () => {
  it('opens a channel, answers its sync message, and syncs when a notification arrives', async () => {
    const id = await createIntegration(hub, {
      name: 'Google Vertrieb',
      connector: 'google-calendar',
      config: {
        calendarId: google.calendarId,
        clientId: google.client.clientId,
        apiBaseUrl: google.url,
        tokenUrl: google.tokenUrl,
        authorizationUrl: google.authorizeUrl,
      },
      credentials: { clientSecret: google.client.clientSecret, refreshToken: google.grant() },
      schedule: { enabled: false },
    });
    expect((await syncAndWait(hub, id)).counts).toMatchObject({ created: 30 });

    const opened = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/push-channels` });
    expect(opened.status).toBe(201);
    expect(opened.body.address).toBe(`${hub.hub.url}/webhooks/${id}`);
    expect(opened.body.channels).toHaveLength(1);
    await google.channels.settled();
    expect(google.channels.deliveries).toEqual([
      { channelId: opened.body.channels[0].channelId, state: 'sync', status: 200 },
    ]);
    const listed = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/push-channels` });
    expect(listed.body.items[0]).toMatchObject({ channelId: opened.body.channels[0].channelId });
    expect(JSON.stringify(listed.body)).not.toContain('secret');

    google.change('evt00004', { summary: 'Verkostung Feldsalat' });
    await google.channels.settled();
    expect(google.channels.deliveries.at(-1)).toMatchObject({ state: 'exists', status: 202 });
    await waitFor(
      () => webhookRuns(id),
      (runs) => runs.some((run) => run.state === 'succeeded'),
    );
    const record = await waitFor(
      async () => (await allRecords(hub, id, 'calendarEvent')).find((item) => item.externalId === 'evt00004'),
      (item) => item?.data.title === 'Verkostung Feldsalat',
    );
    expect(record.data.title).toBe('Verkostung Feldsalat');

    const stored = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/webhooks` });
    expect(stored.body.items).toHaveLength(1);
    expect(stored.body.items[0].headers['x-goog-resource-state']).toBe('exists');
    expect(stored.body.items[0].headers['x-goog-channel-token']).toBeUndefined();

    const wrongToken = await forged(id, {
      'x-goog-channel-id': opened.body.channels[0].channelId,
      'x-goog-channel-token': 'guessed',
      'x-goog-resource-state': 'exists',
      'x-goog-message-number': '99',
    });
    expect(wrongToken.status).toBe(401);
    const unknownChannel = await forged(id, {
      'x-goog-channel-id': 'not-a-channel',
      'x-goog-resource-state': 'exists',
    });
    expect(unknownChannel.status).toBe(401);

    // A channel that ends within a day is replaced by a new one.
    await hub.db.query(
      `UPDATE push_channels SET expires_at = now() + interval '1 hour' WHERE integration_id = $1`,
      [id],
    );
    const renewed = await hub.hub.context.webhooks.service.renewExpiringPushChannels(
      systemPrincipal,
      AbortSignal.timeout(10_000),
    );
    expect(renewed).toEqual([id]);
    const after = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/push-channels` });
    expect(after.body.items).toHaveLength(1);
    expect(after.body.items[0].channelId).not.toBe(opened.body.channels[0].channelId);
    expect(Date.parse(after.body.items[0].expiresAt)).toBeGreaterThan(Date.now() + 2 * 86_400_000);
  });
});

describe('Microsoft Graph subscriptions', () => {
  it('passes the validation handshake, and syncs the entity a notification names', async () => {
    const id = await createIntegration(hub, {
      name: 'Outlook Vertrieb',
      connector: 'microsoft-graph',
      config: { clientId: graph.client.clientId, apiBaseUrl: graph.url, loginUrl: graph.url, pageSize: 25 },
      credentials: { clientSecret: graph.client.clientSecret, refreshToken: graph.grant() },
      schedule: { enabled: false },
    });
    expect((await syncAndWait(hub, id)).state).toBe('succeeded');

    const opened = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/push-channels` });
    expect(opened.status).toBe(201);
    expect(opened.body.channels.map((channel: { resourceId: string }) => channel.resourceId)).toEqual([
      'me/events',
      "me/mailFolders('inbox')/messages",
    ]);

    graph.change('events', 'AAMkEvt2', { subject: 'Liefertermin Weihnachtsmarkt' });
    await graph.subscriptions.settled();
    expect(graph.subscriptions.deliveries.at(-1)).toMatchObject({ changeType: 'updated', status: 202 });
    const runs = await waitFor(
      () => webhookRuns(id),
      (items) => items.some((run) => run.state === 'succeeded'),
    );
    expect(runs.length).toBe(1);
    const run = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/sync-runs` });
    expect(run.body.items[0].entities).toEqual(['calendarEvent']);
    const event = (await allRecords(hub, id, 'calendarEvent')).find((item) => item.externalId === 'AAMkEvt2');
    expect(JSON.stringify(event.data)).toContain('Weihnachtsmarkt');

    const forgedNotification = await forged(
      id,
      { 'content-type': 'application/json' },
      JSON.stringify({
        value: [
          {
            subscriptionId: opened.body.channels[0].channelId,
            clientState: 'guessed',
            changeType: 'updated',
          },
        ],
      }),
    );
    expect(forgedNotification.status).toBe(401);
    const stored = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/webhooks` });
    expect(stored.body.items).toHaveLength(1);
  });
});
