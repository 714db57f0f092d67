// While the hub's database refuses connections (a restart, a failover), requests are answered
// 503 with Retry-After, so clients and webhook senders come back; afterwards they succeed again.
// Simulated for this test's database only: it stops accepting connections and its backends end.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { orderWebhookIntegration, signedOrderWebhook, webhookSecret } from './support/signedWebhooks.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let t: TestHub;
let admin: pg.Client;

beforeAll(async () => {
  t = await startTestHub();
  admin = new pg.Client({ connectionString: t.databaseUrl.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
});

afterAll(async () => {
  await setConnections(true);
  await admin.end();
  await t.close();
});

const databaseName = () => new URL(t.databaseUrl).pathname.slice(1);

async function setConnections(allowed: boolean): Promise<void> {
  await admin.query(`ALTER DATABASE ${databaseName()} WITH ALLOW_CONNECTIONS ${allowed}`);
  if (!allowed) {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
      databaseName(),
    ]);
  }
}

it('answers 503 with Retry-After while the database is gone, and serves again once it is back', async () => {
  const secret = webhookSecret();
  const created = await t.request({
    method: 'POST',
    url: '/api/v1/integrations',
    body: orderWebhookIntegration(secret),
  });
  expect(created.status).toBe(201);
  const webhook = signedOrderWebhook(secret, 'B-1');
  const accepted = await t.request({
    method: 'POST',
    url: `/webhooks/${created.body.id}`,
    token: null,
    headers: webhook.headers,
    body: webhook.body,
  });
  expect(accepted.status).toBe(202);

  await setConnections(false);
  const list = await t.request({ method: 'GET', url: '/api/v1/integrations' });
  expect(list.status).toBe(503);
  expect(list.headers['retry-after']).toBe('5');
  expect(list.headers['content-type']).toContain('application/problem+json');
  expect(list.body.code).toBe('DATABASE_UNAVAILABLE');
  const second = signedOrderWebhook(secret, 'B-2');
  const refused = await t.request({
    method: 'POST',
    url: `/webhooks/${created.body.id}`,
    token: null,
    headers: second.headers,
    body: second.body,
  });
  expect(refused.status).toBe(503);
  expect(refused.headers['retry-after']).toBe('5');
  expect(t.logs.join('')).not.toContain('"level":50');

  await setConnections(true);
  const again = await t.request({ method: 'GET', url: '/api/v1/integrations' });
  expect(again.status).toBe(200);
  const retried = await t.request({
    method: 'POST',
    url: `/webhooks/${created.body.id}`,
    token: null,
    headers: second.headers,
    body: second.body,
  });
  expect(retried.status).toBe(202);
});
