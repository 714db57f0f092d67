// A webhook the hub answered 2xx survives a crash right after: the first process (API only, so it
// cannot have processed anything) is killed with SIGKILL the moment it answers; a new process
// finds every acknowledged webhook and lands its records.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from './support/eventSink.ts';
import { freePort, type HubProcess, spawnHub, waitUntilReady } from './support/hubProcess.ts';
import { orderWebhookIntegration, signedOrderWebhook, webhookSecret } from './support/signedWebhooks.ts';
import { createTestDatabase, type TestDatabase } from './support/testDatabase.ts';

const adminToken = `hub_test_admin_${randomBytes(16).toString('hex')}`;
const masterKey = randomBytes(32).toString('base64');
const secret = webhookSecret();

let database: TestDatabase;
let db: pg.Pool;
const hubs: HubProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = new pg.Pool({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  for (const hub of hubs) if (hub.child.exitCode === null) hub.child.kill('SIGKILL');
  await Promise.all(hubs.map((hub) => hub.exited));
  await db.end();
  await database.drop();
});

async function startProcess(role: string): Promise<HubProcess> {
  const hub = spawnHub({
    DATABASE_URL: database.url,
    PORT: String(await freePort()),
    HUB_MASTER_KEY: masterKey,
    HUB_ADMIN_TOKEN: adminToken,
    HUB_ROLE: role,
    HUB_LOG_LEVEL: 'warn',
  });
  hubs.push(hub);
  await waitUntilReady(hub);
  return hub;
}

describe('inbound webhooks and a crash', () => {
  it('keeps every webhook it acknowledged when killed right after the 2xx', { timeout: 60_000 }, async () => {
    const api = await startProcess('api');
    const created = await fetch(`${api.url}/api/v1/integrations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(orderWebhookIntegration(secret)),
    }).then((response) => response.json() as Promise<{ id: string }>);

    const orders = Array.from({ length: 25 }, (_, n) => `K-${n}`);
    const answers = await Promise.all(
      orders.map((orderNo) => {
        const { body, headers } = signedOrderWebhook(secret, orderNo);
        return fetch(`${api.url}/webhooks/${created.id}`, { method: 'POST', body, headers }).then(
          (r) => r.status,
        );
      }),
    );
    api.child.kill('SIGKILL');
    await api.exited;
    expect(answers.every((status) => status === 202)).toBe(true);

    await startProcess('all');
    await waitUntil(
      async () => {
        const { rows } = await db.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM synced_records WHERE integration_id = $1 AND entity = 'order'`,
          [created.id],
        );
        return rows[0]?.count === orders.length;
      },
      30_000,
      'every acknowledged order',
    ).catch(async (error) => {
      const jobs = await db.query('SELECT name, state, count(*)::int FROM pgboss.job GROUP BY 1, 2');
      const hooks = await db.query('SELECT state, attempts, last_error FROM inbound_webhooks LIMIT 3');
      throw new Error(
        `${error} ${JSON.stringify(jobs.rows)} ${JSON.stringify(hooks.rows)} ${hubs.at(-1)?.output()}`,
      );
    });
    const { rows } = await db.query<{ state: string; count: number }>(
      'SELECT state, count(*)::int AS count FROM inbound_webhooks GROUP BY state',
    );
    expect(rows).toEqual([{ state: 'processed', count: orders.length }]);
  });
});
