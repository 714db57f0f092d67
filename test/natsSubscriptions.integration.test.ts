// Subscriptions to a NATS JetStream subject, against the machine's NATS server: events arrive
// in the stream with the event id as message id, so a replay within the duplicate window is
// dropped by JetStream itself.
import { randomUUID } from 'node:crypto';
import { AckPolicy, connect, type JetStreamManager, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents } from '../src/events/outbox.ts';
import { waitUntil } from './support/eventSink.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

const natsUrl = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const stream = `HUBTEST_${randomUUID().slice(0, 8).toUpperCase()}`;
const subjectRoot = stream.toLowerCase();

let hub: TestHub;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  hub = await startTestHub({ NATS_URL: natsUrl, HUB_RELAY_POLL_MS: '100' });
  nc = await connect({ servers: natsUrl });
  jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: stream, subjects: [`${subjectRoot}.>`], duplicate_window: 60_000_000_000 });
});

afterAll(async () => {
  await jsm.streams.delete(stream).catch(() => {});
  await nc.drain();
  await hub.close();
});

async function streamMessages(): Promise<
  {
    id: string | undefined;
    traceparent: string | undefined;
    type: string;
    subject?: string;
    data: { n: number };
  }[]
> {
  const name = `reader_${randomUUID().slice(0, 8)}`;
  await jsm.consumers.add(stream, { durable_name: name, ack_policy: AckPolicy.None });
  const consumer = await nc.jetstream().consumers.get(stream, name);
  const info = await jsm.streams.info(stream);
  const messages = [];
  if (info.state.messages > 0) {
    const batch = await consumer.fetch({ max_messages: info.state.messages, expires: 2_000 });
    for await (const message of batch) {
      messages.push({
        ...(message.json() as { type: string; subject?: string; data: { n: number } }),
        id: message.headers?.get('Nats-Msg-Id'),
        traceparent: message.headers?.get('traceparent'),
      });
      if (messages.length === info.state.messages) break;
    }
  }
  await jsm.consumers.delete(stream, name);
  return messages;
}

describe('NATS JetStream subscriptions', () => {
  it('publishes matching events to the subject, and JetStream drops a replayed one', async () => {
    const created = await hub.request({
      method: 'POST',
      url: '/api/v1/subscriptions',
      body: {
        name: 'Order module',
        kind: 'nats',
        natsSubject: `${subjectRoot}.orders`,
        types: ['nats.order.*'],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toBeUndefined();
    const ids = await appendEvents(
      hub.db,
      Array.from({ length: 12 }, (_, n) => ({
        type: n % 3 === 0 ? 'nats.invoice.created' : 'nats.order.synced',
        source: 'urn:test',
        subject: `order/${n % 2}`,
        data: { n },
      })),
    );
    await waitUntil(
      async () => (await jsm.streams.info(stream)).state.messages === 8,
      15_000,
      'eight messages',
    );
    const messages = await streamMessages();
    expect(messages.map((message) => message.type)).toEqual(Array(8).fill('nats.order.synced'));
    // In order per subject; subjects interleave as their deliveries run side by side.
    const inSubject = (subject: string) =>
      messages.filter((message) => message.subject === subject).map((message) => message.data.n);
    expect(inSubject('order/0')).toEqual([2, 4, 8, 10]);
    expect(inSubject('order/1')).toEqual([1, 5, 7, 11]);
    expect(messages.every((message) => message.id && ids.includes(message.id))).toBe(true);
    // Each publish is an `event.deliver` span of its own, carried in the W3C header.
    const traceparents = messages.map((message) => message.traceparent ?? '');
    expect(traceparents.every((header) => /^00-[\da-f]{32}-[\da-f]{16}-01$/.test(header))).toBe(true);
    expect(new Set(traceparents).size).toBe(messages.length);

    const replay = await hub.request({
      method: 'POST',
      url: `/api/v1/subscriptions/${created.body.id}/replay`,
      body: { afterEventId: ids[6] },
    });
    expect(replay.body.queued).toBe(4);
    await waitUntil(
      async () =>
        (await hub.request({ method: 'GET', url: `/api/v1/subscriptions/${created.body.id}` })).body
          .deliveries.pending === 0,
      15_000,
      'the replay to be delivered',
    );
    expect((await jsm.streams.info(stream)).state.messages).toBe(8);
  });
});
