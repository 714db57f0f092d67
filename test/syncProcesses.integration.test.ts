// The sync engine across real hub processes on one PostgreSQL: a worker killed with SIGKILL in
// the middle of a run, and an API process with two workers sharing schedules and an integration's
// rate limit. The longer measurements are `npm run chaos -- scale-out`.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RecordSource, startRecordSource } from '../sandbox/recordSource/index.ts';
import { freePort, type HubProcess, spawnHub, waitUntilReady } from './support/hubProcess.ts';
import { SOURCE_TOKEN, sourceIntegration } from './support/syncSupport.ts';
import { createTestDatabase, type TestDatabase } from './support/testDatabase.ts';

const adminToken = `hub_test_admin_${randomBytes(16).toString('hex')}`;
const masterKey = randomBytes(32).toString('base64');

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

async function startProcess(extra: Record<string, string> = {}): Promise<HubProcess> {
  const hub = spawnHub({
    DATABASE_URL: database.url,
    PORT: String(await freePort()),
    HUB_MASTER_KEY: masterKey,
    HUB_ADMIN_TOKEN: adminToken,
    HUB_SCHEDULER_INTERVAL_MS: '300',
    HUB_LOG_LEVEL: 'warn',
    ...extra,
  });
  hubs.push(hub);
  await waitUntilReady(hub);
  return hub;
}

async function api(
  hub: HubProcess,
  method: string,
  url: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: API bodies of every shape
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${hub.url}${url}`, {
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

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a worker killed with SIGKILL in the middle of a run', () => {
  let source: RecordSource;
  beforeAll(async () => {
    source = await startRecordSource({ count: 12_000, seed: 7, token: SOURCE_TOKEN });
  });
  afterAll(() => source.close());

  it('resumes on the next process from the last committed page: nothing lost, nothing twice', async () => {
    const first = await startProcess();
    const created = await api(
      first,
      'POST',
      '/api/v1/integrations',
      sourceIntegration(source.url, {
        pagination: { style: 'cursor', pageSize: 100, nextCursorPath: 'next_cursor' },
      }),
    );
    expect(created.status).toBe(201);
    const integrationId = created.body.id as string;
    // Slow pages, so the kill lands in the middle of the run.
    source.onRequest(() => new Promise((resolve) => setTimeout(resolve, 15)));
    const started = await api(first, 'POST', `/api/v1/integrations/${integrationId}/sync`, { full: true });
    expect(started.status).toBe(202);
    const runId = started.body.id as string;
    await until(
      'a third of the records',
      async () =>
        (await api(first, 'GET', `/api/v1/sync-runs/${runId}`)).body.counts.created >= 4_000
          ? true
          : undefined,
      30_000,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = (await db.query('SELECT count(*)::int AS n FROM synced_records')).rows[0].n as number;
    expect(atKill).toBeGreaterThanOrEqual(4_000);
    expect(atKill).toBeLessThan(12_000);

    const second = await startProcess();
    const run = await until(
      'the run to finish on the second process',
      async () => {
        const read = await api(second, 'GET', `/api/v1/sync-runs/${runId}`);
        return ['succeeded', 'partial', 'failed'].includes(read.body.state) ? read.body : undefined;
      },
      90_000,
    );
    expect(run.state).toBe('succeeded');
    expect(run.attempts).toBeGreaterThanOrEqual(2);
    expect(run.counts).toMatchObject({ fetched: 12_000, created: 12_000, updated: 0, failed: 0 });

    const stored = await db.query<{ id: string }>(
      `SELECT external_id AS id FROM synced_records WHERE integration_id = $1 AND deleted_at IS NULL`,
      [integrationId],
    );
    const expected = new Set(source.records().map((record) => record.id));
    expect(stored.rows.length).toBe(expected.size);
    expect(new Set(stored.rows.map((row) => row.id))).toEqual(expected);
    const events = await db.query<{ n: number; distinctSubjects: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT subject)::int AS "distinctSubjects" FROM outbox_events
        WHERE integration_id = $1 AND type = 'customer.created'`,
      [integrationId],
    );
    expect(events.rows[0]).toEqual({ n: 12_000, distinctSubjects: 12_000 });
    second.child.kill('SIGTERM');
    await second.exited;
  }, 150_000);
});

describe('a worker stopped with SIGTERM in the middle of a run', () => {
  let source: RecordSource;
  beforeAll(async () => {
    source = await startRecordSource({ count: 6_000, seed: 9, token: SOURCE_TOKEN });
  });
  afterAll(() => source.close());

  it('hands the run back at its checkpoint, and the next worker finishes it without waiting out the lease', async () => {
    const first = await startProcess();
    const created = await api(
      first,
      'POST',
      '/api/v1/integrations',
      sourceIntegration(source.url, {
        pagination: { style: 'cursor', pageSize: 100, nextCursorPath: 'next_cursor' },
      }),
    );
    const integrationId = created.body.id as string;
    source.onRequest(() => new Promise((resolve) => setTimeout(resolve, 15)));
    const runId = (await api(first, 'POST', `/api/v1/integrations/${integrationId}/sync`, { full: true }))
      .body.id;
    await until(
      'some records',
      async () =>
        (await api(first, 'GET', `/api/v1/sync-runs/${runId}`)).body.counts.created >= 1_000
          ? true
          : undefined,
      30_000,
    );
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const released = await db.query('SELECT state, lease_token FROM sync_runs WHERE id = $1', [runId]);
    expect(released.rows[0]).toEqual({ state: 'queued', lease_token: null });

    const second = await startProcess();
    const resumedAt = Date.now();
    const run = await until(
      'the run to finish on the second process',
      async () => {
        const read = await api(second, 'GET', `/api/v1/sync-runs/${runId}`);
        return read.body.state === 'succeeded' ? read.body : undefined;
      },
      60_000,
    );
    expect(Date.now() - resumedAt).toBeLessThan(15_000);
    expect(run.counts).toMatchObject({ fetched: 6_000, created: 6_000 });
    const stored = await db.query('SELECT count(*)::int AS n FROM synced_records WHERE integration_id = $1', [
      integrationId,
    ]);
    expect(stored.rows[0].n).toBe(6_000);
    second.child.kill('SIGTERM');
    await second.exited;
  }, 120_000);
});

describe('an API process and two workers on one database', () => {
  let source: RecordSource;
  let limitedSource: RecordSource;
  beforeAll(async () => {
    source = await startRecordSource({ count: 3_000, seed: 11, token: SOURCE_TOKEN });
    limitedSource = await startRecordSource({ count: 1_000, seed: 12, token: SOURCE_TOKEN });
  });
  afterAll(async () => {
    await source.close();
    await limitedSource.close();
  });

  it('fire each scheduled run once, and hold one integration rate limit between them', async () => {
    const [front] = await Promise.all([
      startProcess({ HUB_ROLE: 'api' }),
      startProcess({ HUB_ROLE: 'worker' }),
      startProcess({ HUB_ROLE: 'worker' }),
    ]);
    if (!front) throw new Error('processes did not start');

    // A schedule every 2 seconds on two workers ticking every 300 ms (the API process does not tick).
    const scheduled = await api(
      front,
      'POST',
      '/api/v1/integrations',
      sourceIntegration(source.url, { schedule: { enabled: true, cron: '*/2 * * * * *' } }),
    );
    expect(scheduled.status).toBe(201);
    const createdAt = new Date(scheduled.body.createdAt);
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const runs = await db.query<{ queuedAt: Date; trigger: string }>(
      `SELECT queued_at AS "queuedAt", trigger FROM sync_runs
        WHERE integration_id = $1 AND queued_at < $2 ORDER BY queued_at`,
      [scheduled.body.id, new Date(createdAt.getTime() + 11_000)],
    );
    expect(runs.rows.every((row) => row.trigger === 'schedule')).toBe(true);
    // 11 s of a 2-second schedule: one run per slot at most, never two for one slot.
    expect(runs.rows.length).toBeGreaterThanOrEqual(3);
    expect(runs.rows.length).toBeLessThanOrEqual(7);
    const slots = runs.rows.map((row) => Math.floor(row.queuedAt.getTime() / 2000));
    expect(new Set(slots).size).toBe(slots.length);

    // Rate limit: 25 requests a minute for one integration, used by a sync on a worker and the
    // proxy on the API process at the same time. The source counts what reaches it.
    const limited = await api(
      front,
      'POST',
      '/api/v1/integrations',
      sourceIntegration(limitedSource.url, {
        pagination: { style: 'page', pageSize: 10, pageParam: 'page', sizeParam: 'per_page' },
        rateLimits: { requestsPerMinute: 25 },
      }),
    );
    const limitedId = limited.body.id as string;
    limitedSource.resetStats();
    const windowStarted = Date.now();
    await api(front, 'POST', `/api/v1/integrations/${limitedId}/sync`, { full: true });
    const proxied: number[] = [];
    while (Date.now() - windowStarted < 10_000) {
      const answer = await fetch(`${front.url}/api/v1/proxy/${limitedId}/customers?page=1&per_page=1`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      proxied.push(answer.status);
      await answer.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seen = limitedSource.stats().requests;
    expect(Date.now() - windowStarted).toBeLessThan(60_000);
    expect(seen).toBeLessThanOrEqual(25);
    expect(seen).toBeGreaterThanOrEqual(20);
    // The proxy said so plainly when the shared budget was spent.
    expect(proxied).toContain(429);
  }, 90_000);
});
