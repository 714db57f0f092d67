// One business flow can be followed across modules: the W3C trace of a module's request, or of a
// webhook, travels into the outbox event and out again as the `traceparent` of the delivery.
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmEvents } from './support/crmEventSamples.ts';
import { type EventSink, startEventSink, waitUntil } from './support/eventSink.ts';
import { createIntegration } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let sink: EventSink;

beforeAll(async () => {
  hub = await startTestHub({ HUB_RELAY_POLL_MS: '100' });
  sink = await startEventSink();
});

afterAll(async () => {
  await hub.close();
  await sink.close();
});

const traceparent = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
const traceOf = (header: unknown) => String(header ?? '').split('-')[1];

describe('trace context', () => {
  it('carries a published event’s trace to the subscriber', async () => {
    await hub.request({
      method: 'POST',
      url: '/api/v1/subscriptions',
      body: { name: 'Credit module', types: ['credit.checked'], url: sink.url },
    });
    const incoming = traceparent();
    const published = await hub.request({
      method: 'POST',
      url: '/api/v1/events',
      headers: { traceparent: incoming },
      body: { type: 'credit.checked', subject: 'customer/cust-1001', data: crmEvents['credit.checked'] },
    });
    expect(published.status).toBe(201);
    expect(published.headers['x-trace-id']).toBe(traceOf(incoming));
    await waitUntil(
      () => sink.received.some((d) => d.event.id === published.body.id),
      10_000,
      'the delivery',
    );
    const delivery = sink.received.find((d) => d.event.id === published.body.id);
    expect(traceOf(delivery?.headers.traceparent)).toBe(traceOf(incoming));
    // A new span of the same trace: the parent id is the hub's, not the caller's.
    expect(delivery?.headers.traceparent).not.toBe(incoming);
    expect(delivery?.event.dataschema).toMatch(/\/schemas\/credit\.checked\/versions\/1$/);
  });

  it('carries a webhook’s trace through processing into the record event’s delivery', async () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const id = await createIntegration(hub, {
      name: 'Shop',
      connector: 'webhook',
      config: { signature: { scheme: 'standard-webhooks' }, entities: { order: { idField: 'orderNo' } } },
      credentials: { webhookSecret: secret },
      entities: ['order'],
      schedule: { enabled: false },
    });
    await hub.request({
      method: 'POST',
      url: '/api/v1/subscriptions',
      body: { name: 'Order module', types: ['order.*'], url: sink.url },
    });
    const incoming = traceparent();
    const body = JSON.stringify({ orderNo: `T-${randomUUID().slice(0, 6)}`, total: 88.4 });
    const messageId = `msg_${randomUUID()}`;
    const at = new Date();
    const accepted = await hub.request({
      method: 'POST',
      url: `/webhooks/${id}`,
      token: null,
      body,
      headers: {
        'content-type': 'application/json',
        traceparent: incoming,
        'webhook-id': messageId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(messageId, at, body),
      },
    });
    expect(accepted.status).toBe(202);
    await waitUntil(
      () => sink.received.some((d) => d.event.type === 'order.created'),
      15_000,
      'the order event',
    );
    const delivery = sink.received.find((d) => d.event.type === 'order.created');
    expect(traceOf(delivery?.headers.traceparent)).toBe(traceOf(incoming));
  });
});
