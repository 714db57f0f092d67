// HTTP subscribers that take batches: events go out as JSON arrays in CloudEvents' batched mode,
// signed per Standard Webhooks, at most `batchSize` to a request, each event once and in order
// per subject; a failed batch is tried again as a whole and holds back what follows it.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, type HubEvent } from '../src/events/outbox.ts';
import { startSpan, withSpan } from '../src/observability/tracing.ts';
import { waitUntil } from './support/eventSink.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

interface BatchedEvent {
  specversion: string;
  id: string;
  type: string;
  subject: string;
  data: { n: number };
  traceparent?: string;
}

interface BatchRequest {
  headers: IncomingHttpHeaders;
  body: string;
  events: BatchedEvent[];
  status: number;
}

/** Records every request with how it was answered: `fail` many 503s first, then 204. */
async function startBatchReceiver() {
  const receiver = { url: '', requests: [] as BatchRequest[], fail: 0, close: async () => {} };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const status = receiver.fail > 0 ? 503 : 204;
    if (status === 503) receiver.fail -= 1;
    receiver.requests.push({ headers: request.headers, body, events: JSON.parse(body), status });
    response.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/batches`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

let hub: TestHub;
let receiver: Awaited<ReturnType<typeof startBatchReceiver>>;

beforeAll(async () => {
  hub = await startTestHub({ HUB_RELAY_POLL_MS: '100', HUB_DELIVERY_TIMEOUT_MS: '2000' });
  receiver = await startBatchReceiver();
});

afterAll(async () => {
  await hub.close();
  await receiver.close();
});

async function subscribe(types: string[], extra: Record<string, unknown> = {}) {
  const created = await hub.request({
    method: 'POST',
    url: '/api/v1/subscriptions',
    body: { name: 'Batching module', types, url: receiver.url, batchSize: 25, ...extra },
  });
  expect(created.status).toBe(201);
  expect(created.body.batchSize).toBe(25);
  return created.body as { id: string; secret: string };
}

const numbered = (type: string, count: number, subjects: number, from = 0): HubEvent[] =>
  Array.from({ length: count }, (_, k) => ({
    type,
    source: 'urn:test',
    subject: `order/${k % subjects}`,
    data: { n: from + k },
  }));

const delivered = (type: string) =>
  receiver.requests
    .filter((request) => request.status === 204)
    .flatMap((request) => request.events)
    .filter((event) => event.type === type);

function expectOrderPerSubject(events: BatchedEvent[]) {
  const bySubject = new Map<string, number[]>();
  for (const event of events)
    bySubject.set(event.subject, [...(bySubject.get(event.subject) ?? []), event.data.n]);
  for (const numbers of bySubject.values()) expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
}

describe('an HTTP subscription with a batch size', () => {
  it('receives its events as signed CloudEvents batches, each event once, in order per subject', async () => {
    const type = `t${randomUUID().slice(0, 8)}.order.synced`;
    const subscription = await subscribe([type]);
    const ids: string[] = [];
    const span = startSpan('test.write');
    const traceId = span.spanContext().traceId;
    for (let part = 0; part < 3; part += 1) {
      const events = numbered(type, 40, 4, part * 40).map((event) => ({ ...event, traceId }));
      ids.push(...(await withSpan(span, () => appendEvents(hub.db, events))));
    }
    span.end();
    await waitUntil(() => delivered(type).length >= 120, 15_000, 'all 120 events');

    const requests = receiver.requests.filter((request) => request.events[0]?.type === type);
    const verifier = new Webhook(subscription.secret);
    for (const request of requests) {
      expect(request.headers['content-type']).toBe('application/cloudevents-batch+json');
      expect(request.headers['webhook-id']).toMatch(/^batch_[0-9a-f]{32}$/);
      expect(() => verifier.verify(request.body, request.headers as Record<string, string>)).not.toThrow();
      expect(request.events.length).toBeGreaterThan(0);
      expect(request.events.length).toBeLessThanOrEqual(25);
    }
    // Batches, not one request per event: at most 120/25 rounded up per lane and write.
    expect(requests.length).toBeLessThan(40);
    const events = delivered(type);
    expect(events.map((event) => event.id).sort()).toEqual([...ids].sort());
    expectOrderPerSubject(events);
    const stored = await hub.db.query<{ traceparent: string }>(
      'SELECT DISTINCT traceparent FROM outbox_events WHERE id = ANY($1::uuid[])',
      [ids],
    );
    expect(stored.rows).toHaveLength(1);
    for (const event of events) {
      expect(event.specversion).toBe('1.0');
      expect(event.traceparent).toBe(stored.rows[0]?.traceparent);
    }
    await waitUntil(
      async () => {
        const log = await hub.request({
          method: 'GET',
          url: `/api/v1/subscriptions/${subscription.id}/deliveries?limit=500`,
        });
        return (
          log.body.items.length === 120 &&
          log.body.items.every((item: { state: string }) => item.state === 'delivered')
        );
      },
      5_000,
      'the delivery log to show all 120 delivered',
    );
  });

  it('tries a failed batch again as a whole and holds back the rest, so nothing is lost or reordered', async () => {
    const type = `t${randomUUID().slice(0, 8)}.order.synced`;
    const subscription = await subscribe([type], { retrySchedule: [1, 1, 1] });
    const before = receiver.requests.length;
    receiver.fail = 2;
    const ids = await appendEvents(hub.db, numbered(type, 60, 3));
    await waitUntil(() => delivered(type).length >= 60, 20_000, 'all 60 events after the failures');

    const requests = receiver.requests.slice(before).filter((request) => request.events[0]?.type === type);
    const failed = requests.filter((request) => request.status === 503);
    const succeeded = requests.filter((request) => request.status === 204);
    expect(failed).toHaveLength(2);
    // The same events, in the same order, come again under the same webhook-id.
    const succeededIds = new Set(succeeded.map((request) => request.headers['webhook-id']));
    for (const request of failed) expect(succeededIds.has(request.headers['webhook-id'])).toBe(true);
    const events = delivered(type);
    expect(events.map((event) => event.id).sort()).toEqual([...ids].sort());
    expect(new Set(events.map((event) => event.id)).size).toBe(60);
    expectOrderPerSubject(events);

    const retried = new Set(failed.flatMap((request) => request.events.map((event) => event.id)));
    await waitUntil(
      async () => {
        const log = await hub.request({
          method: 'GET',
          url: `/api/v1/subscriptions/${subscription.id}/deliveries?limit=500`,
        });
        const items = log.body.items as { eventId: string; state: string; attempts: number }[];
        return (
          items.length === 60 &&
          items.every(
            (item) => item.state === 'delivered' && item.attempts === (retried.has(item.eventId) ? 2 : 1),
          )
        );
      },
      5_000,
      'the delivery log to show the failed batches delivered on their second attempt',
    );
  });

  it('refuses a batch size that is out of range or for a subscriber that cannot take batches', async () => {
    const refused = async (method: 'POST' | 'PATCH', url: string, body: Record<string, unknown>) => {
      const response = await hub.request({ method, url, body });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      const fields = response.body.errors.map((error: { field: string }) => error.field);
      expect(fields.some((field: string) => field.endsWith('batchSize'))).toBe(true);
    };
    const base = { name: 'Module', types: ['customer.*'] };
    for (const batchSize of [0, 501, 2.5, '10']) {
      await refused('POST', '/api/v1/subscriptions', { ...base, url: receiver.url, batchSize });
    }
    await refused('POST', '/api/v1/subscriptions', {
      ...base,
      kind: 'in-process',
      handler: 'crm.customers',
      batchSize: 10,
    });
    const count = await hub.db.query('SELECT count(*)::int AS n FROM event_subscriptions WHERE name = $1', [
      'Module',
    ]);
    expect(count.rows[0].n).toBe(0);

    const handler = await hub.request({
      method: 'POST',
      url: '/api/v1/subscriptions',
      body: { ...base, name: 'Handler', kind: 'in-process', handler: 'crm.customers' },
    });
    expect(handler.body.batchSize).toBe(1);
    await refused('PATCH', `/api/v1/subscriptions/${handler.body.id}`, { batchSize: 5 });

    const plain = await hub.request({
      method: 'POST',
      url: '/api/v1/subscriptions',
      body: { ...base, name: 'Plain', url: receiver.url },
    });
    expect(plain.body.batchSize).toBe(1);
    const changed = await hub.request({
      method: 'PATCH',
      url: `/api/v1/subscriptions/${plain.body.id}`,
      body: { batchSize: 50 },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.batchSize).toBe(50);
  });
});
