// GET /api/v1/monitoring: hourly buckets over the window, computed from sync_runs and
// integration_logs — records synced and failed runs, request latency percentiles and 429s —
// for all integrations or one, readable by a viewer.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXentralSandbox, type XentralSandbox } from '../sandbox/xentral/index.ts';
import { createIntegration, syncAndWait } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let sandbox: XentralSandbox;
let synced: string;
let quiet: string;

const xentral = (name: string) => ({
  name,
  connector: 'xentral',
  entities: ['customer'],
  config: { baseUrl: sandbox.url, lookbackSeconds: 0, customerAddresses: false },
  credentials: { token: sandbox.token },
  schedule: { enabled: false },
  retryPolicy: { maxAttempts: 1, initialDelayMs: 20, maxDelayMs: 100 },
});

beforeAll(async () => {
  [hub, sandbox] = await Promise.all([startTestHub(), startXentralSandbox({ customers: 120 })]);
  synced = await createIntegration(hub, xentral('Xentral Monitoring'));
  quiet = await createIntegration(hub, xentral('Xentral Ruhig'));
  const run = await syncAndWait(hub, synced);
  expect(run.state).toBe('succeeded');

  // Two hours ago: a failed run and five requests, two of them refused with 429.
  const twoHoursAgo = "date_trunc('hour', now()) - interval '2 hours' + interval '10 minutes'";
  await hub.db.query(
    `INSERT INTO sync_runs (id, integration_id, trigger, mode, entities, state, created, updated, failed,
                            error, queued_at, finished_at)
     VALUES ($1, $2, 'manual', 'incremental', '["customer"]', 'failed', 3, 1, 2, 'boom',
             ${twoHoursAgo}, ${twoHoursAgo})`,
    [randomUUID(), synced],
  );
  for (const [status, duration] of [
    [200, 100],
    [200, 200],
    [200, 300],
    [429, 400],
    [429, 500],
  ]) {
    await hub.db.query(
      `INSERT INTO integration_logs (id, integration_id, event_type, status, method, url, http_status,
                                     duration_ms, created_at)
       VALUES ($1, $2, 'request', $3, 'GET', 'https://example.test/x', $4, $5, ${twoHoursAgo})`,
      [randomUUID(), synced, status === 200 ? 'success' : 'error', status, duration],
    );
  }
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
  await hub?.close();
});

const get = (query: string, token?: string) =>
  hub.request({ method: 'GET', url: `/api/v1/monitoring${query}`, ...(token ? { token } : {}) });

describe('GET /api/v1/monitoring', () => {
  it('answers one bucket per hour, oldest first, with the sync and the logged requests', async () => {
    const response = await get('?hours=6');
    expect(response.status).toBe(200);
    const { buckets } = response.body;
    expect(buckets).toHaveLength(6);
    const hours = buckets.map((bucket: { hour: string }) => Date.parse(bucket.hour));
    for (let index = 1; index < hours.length; index += 1) {
      expect(hours[index] - hours[index - 1]).toBe(3_600_000);
    }

    const current = buckets.at(-1);
    expect(current.runs).toBe(1);
    expect(current.failedRuns).toBe(0);
    expect(current.recordsSynced).toBe(120);
    expect(current.requests).toBeGreaterThan(0);
    expect(current.latencyP50Ms).not.toBeNull();

    const earlier = buckets.at(-3);
    expect(earlier).toMatchObject({
      runs: 1,
      failedRuns: 1,
      recordsSynced: 4,
      recordsFailed: 2,
      requests: 5,
      requestErrors: 2,
      rateLimited: 2,
      latencyP50Ms: 300,
      latencyP95Ms: 480,
    });
    expect(buckets.at(0)).toMatchObject({ runs: 0, requests: 0, rateLimited: 0, latencyP50Ms: null });
  });

  it('narrows to one integration', async () => {
    const own = await get(`?hours=3&integrationId=${synced}`);
    expect(own.status).toBe(200);
    expect(own.body.integrationId).toBe(synced);
    expect(own.body.buckets[0].rateLimited).toBe(2);

    const other = await get(`?hours=3&integrationId=${quiet}`);
    expect(other.status).toBe(200);
    for (const bucket of other.body.buckets) {
      expect(bucket).toMatchObject({ runs: 0, recordsSynced: 0, requests: 0, rateLimited: 0 });
    }
  });

  it('is readable by a viewer and refuses a bad window or id', async () => {
    const viewer = await hub.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      body: { name: 'monitoring viewer', role: 'viewer' },
    });
    expect(viewer.status).toBe(201);
    const read = await get('', viewer.body.token);
    expect(read.status).toBe(200);
    expect(read.body.hours).toBe(24);
    expect(read.body.buckets).toHaveLength(24);

    expect((await get('?hours=0')).status).toBe(400);
    expect((await get('?hours=9999')).status).toBe(400);
    expect((await get('?integrationId=nope')).status).toBe(400);
    expect((await hub.request({ method: 'GET', url: '/api/v1/monitoring', token: null })).status).toBe(401);
  });
});
