// A hub process whose database connections are all cut while a sync runs, webhooks are processed
// and events are delivered: this test's database only (pg_terminate_backend), which is what a
// restarting server does to every connection. The hub stays up and ready, listens again, and
// finishes everything without counting the loss as a failure of the run or of a webhook.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { type RecordSource, startRecordSource } from '../sandbox/recordSource/index.ts';
import { checkDeliveries, outboxEvents } from './support/deliveryChecks.ts';
import { type EventSink, startEventSink, waitUntil } from './support/eventSink.ts';
import { freePort, type HubProcess, spawnHub, waitUntilReady } from './support/hubProcess.ts';
import { orderWebhookIntegration, signedOrderWebhook, webhookSecret } from './support/signedWebhooks.ts';
import { SOURCE_TOKEN, sourceIntegration } from './support/syncSupport.ts';
import { createTestDatabase, type TestDatabase } from './support/testDatabase.ts';

const adminToken = `hub_test_admin_${randomBytes(16).toString('hex')}`;
const secret = webhookSecret();
const RECORDS = 6_000;
const WEBHOOKS = 60;

let database: TestDatabase;
let db: pg.Pool;
let sink: EventSink;
let source: RecordSource;
let hub: HubProcess;

beforeAll(async () => {
  database = await createTestDatabase();
  db = new pg.Pool({ connectionString: database.url, max: 2 });
  db.on('error', () => {});
  sink = await startEventSink();
  source = await startRecordSource({ count: RECORDS, seed: 21, token: SOURCE_TOKEN });
});

afterAll(async () => {
  if (hub && hub.child.exitCode === null) hub.child.kill('SIGKILL');
  await hub?.exited;
  await source.close();
  await sink.close();
  await db.end();
  await database.drop();
});

async function api(
  method: string,
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: API bodies of every shape
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminToken}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Cuts every connection to this test's database but our own, as a restarting server does. */
async function cutConnections(): Promise<number> {
  const { rows } = await db.query<{ cut: number }>(
    `SELECT count(pg_terminate_backend(pid))::int AS cut FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return rows[0]?.cut ?? 0;
}

async function hubConnections(): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return rows[0]?.count ?? 0;
}

/** Sends a webhook until the hub acknowledges it (2xx), as a Standard Webhooks sender retries. */
async function deliverWebhook(integrationId: string, orderNo: string): Promise<number[]> {
  const message = signedOrderWebhook(secret, orderNo);
  const answers: number[] = [];
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const status = await fetch(`${hub.url}/webhooks/${integrationId}`, {
      method: 'POST',
      body: message.body,
      headers: message.headers,
    }).then(
      (response) => response.status,
      () => 0,
    );
    answers.push(status);
    if (status >= 200 && status < 300) return answers;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`webhook ${orderNo} never acknowledged: ${answers.join(', ')}`);
}

describe('a hub process that loses its database connections', () => {
  it('reconnects by itself and finishes the sync, the webhooks and the deliveries', {
    timeout: 90_000,
  }, async () => {
    onTestFailed(async () => {
      const webhooks = await db
        .query('SELECT state, attempts, count(*)::int AS count FROM inbound_webhooks GROUP BY 1, 2')
        .then((result) => result.rows, String);
      const runs = await db
        .query('SELECT id, state, attempts, error FROM sync_runs')
        .then((r) => r.rows, String);
      const sessions = await db
        .query(
          `SELECT application_name, state, wait_event, left(query, 120) AS query FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        )
        .then((r) => r.rows, String);
      console.error({ webhooks, runs, sessions }, `hub output:\n${hub?.output().slice(-12_000)}`);
    });
    hub = spawnHub({
      DATABASE_URL: database.url,
      PORT: String(await freePort()),
      HUB_MASTER_KEY: randomBytes(32).toString('base64'),
      HUB_ADMIN_TOKEN: adminToken,
      HUB_SCHEDULER_INTERVAL_MS: '500',
      HUB_DELIVERY_TIMEOUT_MS: '2000',
      HUB_LOG_LEVEL: 'warn',
    });
    await waitUntilReady(hub);
    expect(
      (
        await api('POST', '/api/v1/subscriptions', {
          name: 'CRM',
          types: ['customer.*', 'order.*'],
          url: sink.url,
        })
      ).status,
    ).toBe(201);
    const shop = (await api('POST', '/api/v1/integrations', orderWebhookIntegration(secret))).body
      .id as string;
    const erp = (
      await api(
        'POST',
        '/api/v1/integrations',
        sourceIntegration(source.url, {
          pagination: { style: 'cursor', pageSize: 100, nextCursorPath: 'next_cursor' },
        }),
      )
    ).body.id as string;
    source.onRequest(() => new Promise((resolve) => setTimeout(resolve, 10)));
    const runId = (await api('POST', `/api/v1/integrations/${erp}/sync`, { full: true })).body.id as string;
    await waitUntil(
      async () => (await api('GET', `/api/v1/sync-runs/${runId}`)).body.counts.created >= 1_000,
      30_000,
      'the sync to be under way',
    );

    const webhooks = Promise.all(Array.from({ length: WEBHOOKS }, (_, n) => deliverWebhook(shop, `W-${n}`)));
    for (let cut = 0; cut < 3; cut += 1) {
      // Each cut finds the hub connected again (on a loaded machine that can take longer than the pause).
      await waitUntil(async () => (await hubConnections()) > 0, 10_000, 'the hub to connect again');
      expect(await cutConnections()).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    await webhooks;

    expect(hub.child.exitCode).toBeNull();
    await waitUntil(
      async () => (await fetch(`${hub.url}/readyz`)).status === 200,
      10_000,
      'the hub to be ready again',
    );
    const run = await waitUntil(
      async () =>
        ['succeeded', 'partial', 'failed'].includes(
          (await api('GET', `/api/v1/sync-runs/${runId}`)).body.state,
        ),
      60_000,
      'the run to finish',
    ).then(async () => (await api('GET', `/api/v1/sync-runs/${runId}`)).body);
    expect(run.state).toBe('succeeded');
    expect(run.counts).toMatchObject({ created: RECORDS, updated: 0, failed: 0 });
    expect((await api('GET', `/api/v1/integrations/${erp}`)).body.status).toBe('active');
    const stored = await db.query<{ id: string }>(
      'SELECT external_id AS id FROM synced_records WHERE integration_id = $1',
      [erp],
    );
    expect(new Set(stored.rows.map((row) => row.id))).toEqual(
      new Set(source.records().map((record) => record.id)),
    );
    expect(stored.rows).toHaveLength(RECORDS);

    // Every webhook processed once: a lost database counts no attempt against it.
    await waitUntil(
      async () =>
        (
          await db.query("SELECT 1 FROM inbound_webhooks WHERE integration_id = $1 AND state = 'processed'", [
            shop,
          ])
        ).rowCount === WEBHOOKS,
      30_000,
      'every webhook processed',
    );
    const attempts = await db.query<{ attempts: number; count: number }>(
      'SELECT attempts, count(*)::int AS count FROM inbound_webhooks WHERE integration_id = $1 GROUP BY attempts',
      [shop],
    );
    expect(attempts.rows).toEqual([{ attempts: 1, count: WEBHOOKS }]);

    // Every event of the run and the webhooks reached the subscriber once or more, in order.
    const events = await outboxEvents(db, ['customer.%', 'order.%']);
    expect(events.size).toBe(RECORDS + WEBHOOKS);
    await waitUntil(() => checkDeliveries(sink.received, events).lost === 0, 30_000, 'every event delivered');
    expect(checkDeliveries(sink.received, events)).toMatchObject({
      lost: 0,
      unexpected: 0,
      subjectsOutOfOrder: 0,
    });

    // The relay and the inbox listen again (the job queue has its own listener).
    const listening = await db.query<{ name: string }>(
      `SELECT application_name AS name FROM pg_stat_activity
        WHERE datname = current_database() AND query LIKE 'LISTEN %' ORDER BY 1`,
    );
    expect(listening.rows.map((row) => row.name)).toEqual(
      expect.arrayContaining(['integration-hub-inbox', 'integration-hub-relay']),
    );
    expect(hub.child.exitCode).toBeNull();
  });
});
