// The outbox relay and HTTP / in-process subscriptions: events written in a transaction reach a
// subscriber signed per Standard Webhooks, once each, in order per subject; a transaction that
// commits late is not skipped; a subscriber that is down gets everything after it is back; 410
// disables; dead letters and replays.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, type HubEvent } from '../src/events/outbox.ts';
import { type EventSink, startEventSink, waitUntil } from './support/eventSink.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let sink: EventSink;

beforeAll(async () => {
  hub = await startTestHub({ HUB_RELAY_POLL_MS: '100', HUB_DELIVERY_TIMEOUT_MS: '2000' });
  sink = await startEventSink();
});

afterAll(async () => {
  await hub.close();
  await sink.close();
});

/** A test's own event type prefix, so tests sharing the hub do not see each other's events. */
const prefix = () => `t${randomUUID().slice(0, 8)}`;

async function write(events: HubEvent[], client: pg.Pool | pg.PoolClient = hub.db): Promise<string[]> {
  return appendEvents(client, events);
}

const event = (type: string, subject: string, data: Record<string, unknown> = {}): HubEvent => ({
  type,
  source: 'urn:test',
  subject,
  data,
});

async function subscribe(body: Record<string, unknown>) {
  const created = await hub.request({
    method: 'POST',
    url: '/api/v1/subscriptions',
    body: { name: 'CRM', ...body },
  });
  expect(created.status).toBe(201);
  return created.body as { id: string; secret?: string };
}

const receivedOf = (type: string) => sink.received.filter((delivery) => delivery.event.type.startsWith(type));

describe('HTTP subscriptions', () => {
  it('delivers matching events signed per Standard Webhooks, once each, in order per subject', async () => {
    const p = prefix();
    const subscription = await subscribe({ types: [`${p}.customer.*`], url: sink.url });
    expect(subscription.secret).toMatch(/^whsec_/);
    const read = await hub.request({ method: 'GET', url: `/api/v1/subscriptions/${subscription.id}` });
    expect(JSON.stringify(read.body)).not.toContain(subscription.secret);

    const ids: string[] = [];
    for (let round = 0; round < 5; round += 1) {
      ids.push(
        ...(await write([
          event(`${p}.customer.updated`, 'customer/1', { round }),
          event(`${p}.customer.updated`, 'customer/2', { round }),
          event(`${p}.order.created`, 'order/9', { round }),
        ])),
      );
    }
    await waitUntil(() => receivedOf(`${p}.customer`).length === 10, 10_000, 'ten deliveries');
    const received = receivedOf(`${p}.customer`);
    const verifier = new Webhook(subscription.secret ?? '');
    for (const delivery of received) {
      expect(() => verifier.verify(delivery.body, delivery.headers as Record<string, string>)).not.toThrow();
      expect(delivery.headers['webhook-id']).toBe(delivery.event.id);
    }
    for (const subject of ['customer/1', 'customer/2']) {
      const rounds = received.filter((d) => d.event.subject === subject).map((d) => d.event.data.round);
      expect(rounds).toEqual([0, 1, 2, 3, 4]);
    }
    expect(new Set(received.map((d) => d.event.id)).size).toBe(10);
    expect(receivedOf(`${p}.order`)).toHaveLength(0);

    // The relay records a batch's outcomes after its last delivery: the log shows them soon after.
    const deliveryLog = async () =>
      (
        await hub.request({
          method: 'GET',
          url: `/api/v1/subscriptions/${subscription.id}/deliveries`,
        })
      ).body.items as { state: string; attempts: number; lastStatus: number | null }[];
    await waitUntil(
      async () => (await deliveryLog()).every((item) => item.state === 'delivered'),
      5_000,
      'the delivery log to show every delivery as delivered',
    );
    const log = await deliveryLog();
    expect(log).toHaveLength(10);
    for (const item of log) expect(item).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 204 });
  });

  it('does not skip an event whose transaction commits after a later one', async () => {
    const p = prefix();
    await subscribe({ types: [`${p}.*`], url: sink.url });
    const slow = await hub.db.connect();
    try {
      await slow.query('BEGIN');
      await write([event(`${p}.early`, 'x/1')], slow);
      await write([event(`${p}.late`, 'x/2')]);
      await waitUntil(() => receivedOf(`${p}.late`).length === 1, 10_000, 'the committed event');
      await slow.query('COMMIT');
    } finally {
      slow.release();
    }
    await waitUntil(() => receivedOf(`${p}.early`).length === 1, 10_000, 'the late-committed event');
  });

  it('keeps delivering to a subscriber that was down, with backoff, until everything arrived', async () => {
    const p = prefix();
    const { id } = await subscribe({
      types: [`${p}.*`],
      url: sink.url,
      retrySchedule: [1, 1, 2, 2, 3, 3, 5],
    });
    let refused = 0;
    const downUntil = Date.now() + 2_500;
    sink.answer = () => {
      if (Date.now() < downUntil) {
        refused += 1;
        return { status: 503, headers: { 'retry-after': '1' } };
      }
      return { status: 200 };
    };
    try {
      await write(Array.from({ length: 20 }, (_, n) => event(`${p}.ping`, `s/${n % 4}`, { n })));
      await waitUntil(() => receivedOf(`${p}.ping`).length === 20, 20_000, 'all 20 after the outage');
    } finally {
      sink.answer = () => ({ status: 204 });
    }
    expect(refused).toBeGreaterThan(0);
    const ns = receivedOf(`${p}.ping`).map((d) => d.event.data.n as number);
    for (let subject = 0; subject < 4; subject += 1) {
      const inSubject = ns.filter((n) => n % 4 === subject);
      expect(inSubject).toEqual([...inSubject].sort((a, b) => a - b));
    }
    const read = await hub.request({ method: 'GET', url: `/api/v1/subscriptions/${id}` });
    expect(read.body).toMatchObject({ enabled: true, failingSince: null, deliveries: { delivered: 20 } });
  });

  it('disables an endpoint that answers 410, and delivers what waited once it is re-enabled', async () => {
    const p = prefix();
    const { id } = await subscribe({ types: [`${p}.*`], url: sink.url, retrySchedule: [1, 1, 1] });
    sink.answer = (delivery) => (delivery.event.type.startsWith(p) ? { status: 410 } : { status: 204 });
    await write([event(`${p}.one`, 'g/1'), event(`${p}.two`, 'g/2')]);
    await waitUntil(
      async () =>
        (await hub.request({ method: 'GET', url: `/api/v1/subscriptions/${id}` })).body.enabled === false,
      10_000,
      'the subscription to be disabled',
    );
    const disabled = await hub.request({ method: 'GET', url: `/api/v1/subscriptions/${id}` });
    expect(disabled.body.disabledReason).toMatch(/410/);
    sink.answer = () => ({ status: 204 });
    const enabled = await hub.request({
      method: 'PATCH',
      url: `/api/v1/subscriptions/${id}`,
      body: { enabled: true },
    });
    expect(enabled.body.enabled).toBe(true);
    await waitUntil(() => receivedOf(p).length === 2, 15_000, 'both events after re-enabling');
  });

  it('parks deliveries as dead letters after the last retry, and replays them and earlier events', async () => {
    const p = prefix();
    const { id } = await subscribe({ types: [`${p}.*`], url: sink.url, retrySchedule: [0, 0] });
    sink.answer = (delivery) => (delivery.event.type.startsWith(p) ? { status: 500 } : { status: 204 });
    const [first] = await write([event(`${p}.a`, 'd/1'), event(`${p}.b`, 'd/2')]);
    await waitUntil(
      async () =>
        (await hub.request({ method: 'GET', url: `/api/v1/subscriptions/${id}` })).body.deliveries.dead === 2,
      15_000,
      'two dead letters',
    );
    const dead = await hub.request({
      method: 'GET',
      url: `/api/v1/subscriptions/${id}/deliveries?state=dead`,
    });
    expect(dead.body.items[0]).toMatchObject({ attempts: 3, lastStatus: 500, lastError: 'HTTP 500' });

    sink.answer = () => ({ status: 204 });
    const replayed = await hub.request({
      method: 'POST',
      url: `/api/v1/subscriptions/${id}/replay`,
      body: { deadLetters: true },
    });
    expect(replayed.body).toEqual({ queued: 2 });
    await waitUntil(() => receivedOf(p).length === 2, 10_000, 'the replayed dead letters');

    const again = await hub.request({
      method: 'POST',
      url: `/api/v1/subscriptions/${id}/replay`,
      body: { afterEventId: first },
    });
    expect(again.body).toEqual({ queued: 1 });
    await waitUntil(() => receivedOf(p).length === 3, 10_000, 'the replay after an event id');
    expect(receivedOf(`${p}.b`).map((d) => d.event.id)).toHaveLength(2);
    expect(new Set(receivedOf(`${p}.b`).map((d) => d.event.id)).size).toBe(1);
  });

  it('disables an endpoint that failed without a success for longer than its limit', async () => {
    const p = prefix();
    const { id } = await subscribe({
      types: [`${p}.*`],
      url: sink.url,
      retrySchedule: [1, 1, 1, 1, 1, 1],
      disableAfterSeconds: 60,
    });
    sink.answer = (delivery) => (delivery.event.type.startsWith(p) ? { status: 500 } : { status: 204 });
    try {
      await write([event(`${p}.down`, 'f/1')]);
      await waitUntil(
        async () =>
          (await hub.request({ method: 'GET', url: `/api/v1/subscriptions/${id}` })).body.failingSince !==
          null,
        10_000,
        'the first failure',
      );
      // As if it had been failing for two minutes: the next failed attempt disables it.
      await hub.db.query(
        `UPDATE event_subscriptions SET failing_since = now() - interval '2 minutes' WHERE id = $1`,
        [id],
      );
      await waitUntil(
        async () =>
          (await hub.request({ method: 'GET', url: `/api/v1/subscriptions/${id}` })).body.enabled === false,
        10_000,
        'the subscription to be disabled',
      );
    } finally {
      sink.answer = () => ({ status: 204 });
    }
    const read = await hub.request({ method: 'GET', url: `/api/v1/subscriptions/${id}` });
    expect(read.body.disabledReason).toMatch(/failing without a success since/);
    expect(read.body.deliveries.pending).toBe(1);
  });

  it('replays everything from a point in time', async () => {
    const p = prefix();
    const { id } = await subscribe({ types: [`${p}.*`], url: sink.url });
    await write([event(`${p}.before`, 'r/1')]);
    await waitUntil(() => receivedOf(p).length === 1, 10_000, 'the first event');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const from = new Date().toISOString();
    await write([event(`${p}.after`, 'r/1'), event(`${p}.after`, 'r/2')]);
    await waitUntil(() => receivedOf(p).length === 3, 10_000, 'the later events');
    const replayed = await hub.request({
      method: 'POST',
      url: `/api/v1/subscriptions/${id}/replay`,
      body: { from },
    });
    expect(replayed.body).toEqual({ queued: 2 });
    await waitUntil(() => receivedOf(p).length === 5, 10_000, 'the replayed events');
    expect(receivedOf(`${p}.before`)).toHaveLength(1);
    expect(receivedOf(`${p}.after`)).toHaveLength(4);
  });

  it('starts no attempt its claim could not cover, so a slow subscriber never gets an event under an expired claim', async () => {
    const p = prefix();
    await subscribe({ types: [`${p}.*`], url: sink.url });
    // Claims last 9 s here (twice the 2 s delivery timeout plus 5 s); the subscriber takes 1 s an event.
    const held: Promise<boolean>[] = [];
    sink.answer = (delivery) => {
      if (delivery.event.type.startsWith(p))
        held.push(
          hub.db
            .query('SELECT locked_until > now() AS held FROM event_deliveries WHERE event_id = $1', [
              delivery.event.id,
            ])
            .then((result) => result.rows[0]?.held === true),
        );
      return { status: 204, delayMs: 1_000 };
    };
    try {
      await write(Array.from({ length: 11 }, (_, n) => event(`${p}.changed`, 'slow/1', { n })));
      await waitUntil(() => receivedOf(p).length === 11, 30_000, 'all eleven events');
      expect(receivedOf(p).map((delivery) => delivery.event.data.n)).toEqual([...Array(11).keys()]);
      expect(await Promise.all(held)).toEqual(held.map(() => true));
    } finally {
      sink.answer = () => ({ status: 204 });
    }
  }, 40_000);

  it('names what is wrong with a subscription', async () => {
    const refused = await hub.request({
      method: 'POST',
      url: '/api/v1/subscriptions',
      body: { name: 'x', kind: 'http', types: ['customer.*', 'bad pattern'] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['types.1']);
    const noUrl = await hub.request({
      method: 'POST',
      url: '/api/v1/subscriptions',
      body: { name: 'x', kind: 'http', types: ['customer.*'] },
    });
    expect(noUrl.body.errors).toEqual([{ field: 'url', message: 'required for kind "http"' }]);
    const noNats = await hub.request({
      method: 'POST',
      url: '/api/v1/subscriptions',
      body: { name: 'x', kind: 'nats', natsSubject: 'crm.events', types: ['*'] },
    });
    expect(noNats.status).toBe(422);
    expect(noNats.body.errors).toEqual([{ field: 'kind', message: 'NATS_URL is not set on this hub' }]);
  });
});

describe('in-process subscriptions', () => {
  it('calls a registered handler until it succeeds', async () => {
    const p = prefix();
    const seen: string[] = [];
    let failures = 1;
    hub.hub.context.events.handlers.register('credit-check', (delivered) => {
      if (failures-- > 0) throw new Error('not ready yet');
      seen.push(delivered.type);
    });
    await subscribe({
      kind: 'in-process',
      handler: 'credit-check',
      types: [`${p}.*`],
      retrySchedule: [0, 0],
    });
    await write([event(`${p}.credit.checked`, 'customer/7')]);
    await waitUntil(() => seen.length === 1, 10_000, 'the handler');
    expect(seen).toEqual([`${p}.credit.checked`]);
  });
});
