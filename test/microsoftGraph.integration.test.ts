// Outlook through Microsoft Graph against its sandbox: delta queries for calendar and mail,
// "@removed" deletions, 410 Gone answered with a full resync, 429 with Retry-After, and refresh
// tokens that Graph retires on every use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphSandbox, startGraphSandbox } from '../sandbox/graph/server.ts';
import { expectWaitsForAPerson } from './support/authFailure.ts';
import { allRecords, createIntegration, syncAndWait } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let graph: GraphSandbox;

beforeAll(async () => {
  hub = await startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' });
  graph = await startGraphSandbox({ events: 80, messages: 60 });
});

afterAll(async () => {
  await hub.close();
  await graph.close();
});

const mailbox = (refreshToken: string) => ({
  name: `Outlook ${Math.random().toString(16).slice(2, 8)}`,
  connector: 'microsoft-graph',
  config: { clientId: graph.client.clientId, apiBaseUrl: graph.url, loginUrl: graph.url, pageSize: 25 },
  credentials: { clientSecret: graph.client.clientSecret, refreshToken },
  schedule: { enabled: false },
  retryPolicy: { initialDelayMs: 20, maxDelayMs: 200 },
});

describe('the Microsoft Graph connector', () => {
  it('follows delta links for calendar and mail, through throttling and an expired delta state', async () => {
    const granted = graph.grant();
    const id = await createIntegration(hub, mailbox(granted));
    graph.throttle(2);
    const first = await syncAndWait(hub, id);
    expect(first.state).toBe('succeeded');
    expect(first.progress.calendarEvent).toMatchObject({ fetched: 80, created: 80 });
    expect(first.progress.email).toMatchObject({ fetched: 60, created: 60 });
    expect(graph.stats().throttled).toBe(2);
    const mail = (await allRecords(hub, id, 'email')).find((record) => record.externalId === 'AAMkMsg3');
    expect(mail.data).toMatchObject({
      from: 'kueche3@gasthaus.example',
      subject: graph.messages[3]?.subject,
    });

    // The refresh token was used once and retired; the hub stored its successor.
    const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(read.body.credentials.refreshToken).not.toBe(`••••${granted.slice(-4)}`);

    graph.change('events', 'AAMkEvt4', { subject: 'Liefertermin verschoben' });
    graph.remove('messages', 'AAMkMsg7');
    const delta = await syncAndWait(hub, id);
    expect(delta.progress.calendarEvent).toMatchObject({ fetched: 1, updated: 1 });
    expect(delta.progress.email).toMatchObject({ fetched: 1, deleted: 1 });

    graph.expireDeltaTokens();
    graph.remove('events', 'AAMkEvt9');
    const resync = await syncAndWait(hub, id);
    expect(resync.state).toBe('succeeded');
    expect(graph.stats().gone).toBe(2);
    expect(resync.progress.calendarEvent).toMatchObject({ fetched: 79, deleted: 1, created: 0 });
    expect((await allRecords(hub, id, 'calendarEvent')).length).toBe(79);
  });

  it('asks to reconnect when the refresh token was already spent', async () => {
    const spent = graph.grant();
    const first = await createIntegration(hub, mailbox(spent));
    expect((await syncAndWait(hub, first, { entities: ['email'] })).state).toBe('succeeded');
    const second = await createIntegration(hub, mailbox(spent));
    const run = await syncAndWait(hub, second);
    await expectWaitsForAPerson(hub, second, run, { sourceRequests: () => graph.oauth.stats.refused });
    const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${second}` });
    expect(read.body.statusReason).toMatch(/reconnect/);
  });
});
