// One business flow can be followed across modules: the W3C trace of a module's request, or of a
// webhook, travels into the outbox event and out again as the `traceparent` of the delivery. The
// spans on the way (OpenTelemetry) form one trace, each the child of the step before it.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RecordSource, startRecordSource } from '../sandbox/recordSource/index.ts';
import { addSpanProcessor } from '../src/observability/tracing.ts';
import { crmEvents } from './support/crmEventSamples.ts';
import { type EventSink, startEventSink, waitUntil } from './support/eventSink.ts';
import { freePort, spawnHub, waitUntilReady } from './support/hubProcess.ts';
import { createIntegration, SOURCE_TOKEN, sourceIntegration, waitForRun } from './support/syncSupport.ts';
import { createTestDatabase } from './support/testDatabase.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let sink: EventSink;
let source: RecordSource;
const exporter = new InMemorySpanExporter();
let removeExporter: () => void;

beforeAll(async () => {
  removeExporter = addSpanProcessor(new SimpleSpanProcessor({ exporter }));
  hub = await startTestHub({ HUB_RELAY_POLL_MS: '100' });
  sink = await startEventSink();
  source = await startRecordSource({ count: 3, seed: 1, token: SOURCE_TOKEN });
});

afterAll(async () => {
  await hub.close();
  await sink.close();
  await source.close();
  removeExporter();
});

const traceparent = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
const traceOf = (header: unknown) => String(header ?? '').split('-')[1] ?? '';
const parentOf = (header: unknown) => String(header ?? '').split('-')[2] ?? '';

/** The finished span of the trace with that name (and attributes), once there is one. */
async function span(traceId: string, name: string, attributes: Record<string, unknown> = {}) {
  const find = () =>
    exporter
      .getFinishedSpans()
      .find(
        (candidate) =>
          candidate.spanContext().traceId === traceId &&
          candidate.name === name &&
          Object.entries(attributes).every(([key, value]) => candidate.attributes[key] === value),
      );
  await waitUntil(() => find() !== undefined, 10_000, `the ${name} span`);
  return find() as ReadableSpan;
}

const idOf = (child: ReadableSpan) => child.spanContext().spanId;
const parentIdOf = (child: ReadableSpan) => child.parentSpanContext?.spanId;

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

    const trace = traceOf(incoming);
    const request = await span(trace, 'POST /api/v1/events');
    expect(request.kind).toBe(SpanKind.SERVER);
    expect(parentIdOf(request)).toBe(parentOf(incoming));
    expect(request.attributes['http.response.status_code']).toBe(201);
    const deliver = await span(trace, 'event.deliver', { 'cloudevents.event_id': published.body.id });
    expect(parentIdOf(deliver)).toBe(idOf(request));
    expect(deliver.attributes).toMatchObject({
      'cloudevents.event_type': 'credit.checked',
      'hub.subscription.kind': 'http',
      'hub.delivery.attempt': 1,
      'hub.delivery.status': 204,
      'hub.delivery.outcome': 'delivered',
    });
    expect(parentOf(delivery?.headers.traceparent)).toBe(idOf(deliver));
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

    const trace = traceOf(incoming);
    const request = await span(trace, 'POST /webhooks/:integrationId');
    expect(parentIdOf(request)).toBe(parentOf(incoming));
    const receive = await span(trace, 'webhook.receive');
    expect(parentIdOf(receive)).toBe(idOf(request));
    expect(receive.attributes).toMatchObject({
      'hub.integration.id': id,
      'hub.connector': 'webhook',
      'hub.webhook.verdict': 'accept',
      'hub.webhook.id': accepted.body.id,
    });
    const processing = await span(trace, 'webhook.process');
    expect(parentIdOf(processing)).toBe(idOf(receive));
    expect(processing.attributes['hub.webhook.outcome']).toBe('processed');
    const deliver = await span(trace, 'event.deliver', { 'cloudevents.event_type': 'order.created' });
    expect(parentIdOf(deliver)).toBe(idOf(processing));
    expect(parentOf(delivery?.headers.traceparent)).toBe(idOf(deliver));
    // Nothing of the flow escaped into a trace of its own.
    for (const step of [request, receive, processing, deliver])
      expect(step.spanContext().traceId).toBe(trace);
  });

  it('runs a requested sync in a span of the request’s trace, the parent of its record events’ deliveries', async () => {
    const id = await createIntegration(hub, sourceIntegration(source.url));
    await hub.request({
      method: 'POST',
      url: '/api/v1/subscriptions',
      body: { name: 'Customer module', types: ['customer.created'], url: sink.url },
    });
    const incoming = traceparent();
    const started = await hub.request({
      method: 'POST',
      url: `/api/v1/integrations/${id}/sync`,
      headers: { traceparent: incoming },
      body: {},
    });
    expect(started.status).toBe(202);
    expect((await waitForRun(hub, started.body.id)).state).toBe('succeeded');
    const stored = await hub.db.query('SELECT trace_id FROM sync_runs WHERE id = $1', [started.body.id]);
    expect(stored.rows[0]?.trace_id).toBe(traceOf(incoming));

    const trace = traceOf(incoming);
    const request = await span(trace, 'POST /api/v1/integrations/:id/sync');
    const run = await span(trace, 'sync.run', { 'hub.sync.run_id': started.body.id });
    expect(parentIdOf(run)).toBe(idOf(request));
    expect(run.attributes).toMatchObject({ 'hub.sync.trigger': 'manual', 'hub.sync.outcome': 'succeeded' });
    const deliver = await span(trace, 'event.deliver', { 'cloudevents.event_type': 'customer.created' });
    expect(parentIdOf(deliver)).toBe(idOf(run));
    await waitUntil(
      () => sink.received.some((d) => parentOf(d.headers.traceparent) === idOf(deliver)),
      10_000,
      'the customer event carrying the delivery span',
    );
  });

  it('sends spans to the OTLP endpoint named by OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const posts: { path: string | undefined; contentType: string | undefined; body: string }[] = [];
    const collector = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      posts.push({
        path: request.url,
        contentType: request.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const database = await createTestDatabase();
    const spawned = spawnHub({
      DATABASE_URL: database.url,
      HUB_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'hub-otlp-')),
      HUB_MASTER_KEY: randomBytes(32).toString('base64'),
      PORT: String(await freePort()),
      OTEL_SERVICE_NAME: 'hub-under-test',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
    });
    try {
      await waitUntilReady(spawned);
      // Ready means this process has started (not another test's hub that took the port meanwhile).
      const deadline = Date.now() + 30_000;
      while (!spawned.output().includes('hub listening') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Spans wait in the batch until the stop flushes them.
      spawned.child.kill('SIGTERM');
      expect(await spawned.exited).toBe(0);
      const traces = posts.filter((post) => post.path === '/v1/traces');
      expect(traces.length).toBeGreaterThan(0);
      expect(traces[0]?.contentType).toMatch(/^application\/json/);
      const sent = traces.map((post) => post.body).join('\n');
      expect(sent).toContain('hub-under-test');
      expect(sent).toContain('GET /readyz');
    } finally {
      if (spawned.child.exitCode === null) spawned.child.kill('SIGKILL');
      collector.close();
      await database.drop();
    }
  });
});
