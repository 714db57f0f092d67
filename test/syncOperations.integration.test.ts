// The sync engine's operations against a local paged source: rate limits and quotas, outage
// and recovery, the outbound proxy and request logs, conditional requests, health checks and
// reports, the scheduler, and bad sync requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RecordSource, startRecordSource } from '../sandbox/recordSource/index.ts';
import {
  allRecords,
  createIntegration,
  eventCounts,
  SOURCE_TOKEN,
  sourceIntegration,
  startSync,
  syncAndWait,
  waitForRun,
} from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
const sources: RecordSource[] = [];

async function source(count: number, options: Record<string, unknown> = {}): Promise<RecordSource> {
  const started = await startRecordSource({
    count,
    seed: sources.length + 1,
    token: SOURCE_TOKEN,
    ...options,
  });
  sources.push(started);
  return started;
}

beforeAll(async () => {
  hub = await startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' });
});

afterAll(async () => {
  await hub.close();
  await Promise.all(sources.map((started) => started.close()));
});

describe('rate limits and quotas', () => {
  it('honours Retry-After and the source rate-limit headers', async () => {
    const origin = await source(600, { rateLimit: { limit: 4, windowMs: 1_000 } });
    const id = await createIntegration(
      hub,
      sourceIntegration(origin.url, {
        pagination: { style: 'cursor', pageSize: 50, nextCursorPath: 'next_cursor' },
      }),
    );
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('succeeded');
    expect(run.counts.created).toBe(600);
    expect(origin.stats().byStatus['429'] ?? 0).toBeLessThanOrEqual(2);
  });

  it('checkpoints when the daily quota is spent and resumes where it stopped when it refills', async () => {
    const origin = await source(500);
    const id = await createIntegration(
      hub,
      sourceIntegration(origin.url, {
        pagination: { style: 'cursor', pageSize: 100, nextCursorPath: 'next_cursor' },
        rateLimits: { requestsPerDay: 3 },
      }),
    );
    const runId = await startSync(hub, id);
    const waiting = await until(async () => {
      const run = await hub.request({ method: 'GET', url: `/api/v1/sync-runs/${runId}` });
      return run.body.state === 'waiting' ? run.body : undefined;
    });
    // Three requests a day: three pages landed (fewer if the minute's health check took one).
    const landed = waiting.counts.created as number;
    expect(landed).toBeGreaterThan(0);
    expect(landed % 100).toBe(0);
    expect(new Date(waiting.resumeAt).getTime()).toBeGreaterThan(Date.now() + 3_600_000);
    const events = await eventCounts(hub, id);
    expect(events['integration.rate_limited']).toBe(1);
    // The quota refills (a new day): the run picks up at its checkpoint.
    await hub.db.query(`DELETE FROM rate_limits WHERE key LIKE $1`, [`%${id}%`]);
    await hub.db.query(`UPDATE sync_runs SET resume_at = now() - interval '1 minute' WHERE id = $1`, [runId]);
    origin.resetStats();
    const run = await waitForRun(hub, runId);
    expect(run.state).toBe('succeeded');
    expect(run.counts).toMatchObject({ fetched: 500, created: 500 });
    expect(origin.stats().requests).toBe((500 - landed) / 100);
  });
});

describe('outage and recovery', () => {
  it('goes to error when the source is down and back to active by itself within 60 s of recovery', async () => {
    const origin = await source(100);
    const id = await createIntegration(
      hub,
      sourceIntegration(origin.url, { retryPolicy: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 } }),
    );
    expect((await syncAndWait(hub, id)).state).toBe('succeeded');
    origin.setOutage(true);
    const failed = await syncAndWait(hub, id);
    expect(failed.state).toBe('failed');
    expect(failed.errorKind).toBe('transient');
    const down = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(down.body.status).toBe('error');
    expect(down.body.statusReason).toMatch(/503/);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    origin.setOutage(false);
    const recovered = Date.now();
    await until(async () => {
      const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
      return read.body.status === 'active' ? true : undefined;
    }, 60_000);
    expect(Date.now() - recovered).toBeLessThan(60_000);
    const events = await eventCounts(hub, id);
    expect(events['integration.disconnected']).toBe(1);
    expect(events['integration.error']).toBe(1);
    expect(events['integration.connected']).toBe(1);
    const recovery = await hub.db.query(
      `SELECT state FROM sync_runs WHERE integration_id = $1 AND trigger = 'recovery'`,
      [id],
    );
    expect(recovery.rows).toHaveLength(1);
  }, 90_000);

  it('sets error with the reason when the credentials are refused, and does not probe', async () => {
    const origin = await source(10);
    const id = await createIntegration(
      hub,
      sourceIntegration(origin.url, { credentials: { token: 'wrong-token-abc' } }),
    );
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('failed');
    expect(run.errorKind).toBe('auth');
    const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(read.body.status).toBe('error');
    const row = await hub.db.query(
      `SELECT needs_attention, next_probe_at FROM integration_configs WHERE id = $1`,
      [id],
    );
    expect(row.rows[0]).toEqual({ needs_attention: true, next_probe_at: null });
    expect(
      JSON.stringify(await hub.db.query('SELECT * FROM integration_logs WHERE integration_id = $1', [id])),
    ).not.toContain('wrong-token-abc');
  });
});

describe('the outbound proxy and request logs', () => {
  it('forwards a call with the integration auth, and logs it without the secret', async () => {
    const origin = await source(30);
    const id = await createIntegration(hub, sourceIntegration(origin.url));
    const answer = await hub.request({ method: 'GET', url: `/api/v1/proxy/${id}/customers?limit=5&cursor=` });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toHaveLength(5);
    const missing = await hub.request({ method: 'GET', url: `/api/v1/proxy/${id}/nothing-here` });
    expect(missing.status).toBe(404);
    const logs = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/logs` });
    expect(logs.status).toBe(200);
    expect(logs.body.items.length).toBeGreaterThanOrEqual(2);
    const entry = logs.body.items.find((item: { httpStatus: number }) => item.httpStatus === 200);
    expect(entry).toMatchObject({ method: 'GET', status: 'success' });
    expect(entry.url).toContain('/customers');
    expect(entry.requestData.headers.authorization).toBe('[redacted]');
    expect(typeof entry.durationMs).toBe('number');
    expect(logs.raw).not.toContain(SOURCE_TOKEN);
  });

  it('answers 429 with Retry-After when the integration budget is spent', async () => {
    const origin = await source(5);
    const id = await createIntegration(
      hub,
      sourceIntegration(origin.url, { rateLimits: { requestsPerMinute: 2 } }),
    );
    const statuses: number[] = [];
    let retryAfter: unknown;
    for (let i = 0; i < 3; i++) {
      const answer = await hub.request({ method: 'GET', url: `/api/v1/proxy/${id}/health` });
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter = answer.headers['retry-after'];
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  }, 20_000);
});

describe('conditional requests', () => {
  it('reuses an unchanged page on 304, and skips mapping it only when that is safe', async () => {
    const origin = await source(300);
    const body = sourceIntegration(origin.url, {
      conditional: true,
      incremental: false,
      pagination: { style: 'page', pageSize: 100 },
    });
    const id = await createIntegration(hub, body);
    expect((await syncAndWait(hub, id)).counts.created).toBe(300);

    // Stored answers younger than the last complete sync may come from a run that crashed before
    // its page committed: a 304 for them is processed like any page.
    origin.resetStats();
    const fresh = await syncAndWait(hub, id, { full: true });
    expect(fresh.counts).toMatchObject({ fetched: 300, unchanged: 300, created: 0 });
    expect(fresh.progress.customer.notModifiedPages).toBe(0);
    expect(origin.stats().byStatus['304']).toBeGreaterThanOrEqual(3);

    // Answers stored well before the last complete sync, with the same mapping: not even mapped.
    await hub.db.query(
      `UPDATE http_cache SET stored_at = stored_at - interval '10 minutes' WHERE integration_id = $1`,
      [id],
    );
    const skipped = await syncAndWait(hub, id, { full: true });
    expect(skipped.counts).toMatchObject({
      fetched: 300,
      unchanged: 300,
      created: 0,
      updated: 0,
      deleted: 0,
    });
    expect(skipped.progress.customer.notModifiedPages).toBe(3);

    // A changed mapping makes every page count again, 304 or not.
    const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    const remapped = await hub.request({
      method: 'PATCH',
      url: `/api/v1/integrations/${id}`,
      headers: { 'if-match': `"${read.body.version}"`, 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({
        mapping: { customer: { fields: { name: { transforms: [{ op: 'uppercase' }] } } } },
      }),
    });
    expect(remapped.status).toBe(200);
    await hub.db.query(
      `UPDATE http_cache SET stored_at = stored_at - interval '10 minutes' WHERE integration_id = $1`,
      [id],
    );
    const after = await syncAndWait(hub, id, { full: true });
    expect(after.progress.customer.notModifiedPages).toBe(0);
    expect(after.counts).toMatchObject({ fetched: 300, updated: 300 });
    const sample = (await allRecords(hub, id))[0];
    expect(sample.data.name).toBe(sample.data.name.toLocaleUpperCase('de-DE'));
  });
});

describe('health checks and reports', () => {
  it('checks every integration in parallel and reports per integration and day', async () => {
    const origin = await source(20);
    const id = await createIntegration(hub, sourceIntegration(origin.url));
    await syncAndWait(hub, id);
    const checked = await hub.request({ method: 'POST', url: '/api/v1/integrations/health-check' });
    expect(checked.status).toBe(200);
    const mine = checked.body.items.find((item: { integrationId: string }) => item.integrationId === id);
    expect(mine).toMatchObject({ ok: true, status: 'active' });

    const reports = await hub.request({ method: 'POST', url: '/api/v1/reports/daily', body: {} });
    expect(reports.status).toBe(200);
    const report = reports.body.items.find((item: { integrationId: string }) => item.integrationId === id);
    expect(report).toMatchObject({ runs: 1, succeeded: 1, failed: 0, successRate: 1 });
    expect(report.records.created).toBe(20);
    const listed = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/reports` });
    expect(listed.body.items[0].day).toBe(report.day);
    expect((await eventCounts(hub, id))['integration.daily_report']).toBe(1);
  });
});

describe('a health check that meets one failed request', () => {
  it('checks again before it sets an active integration to error', async () => {
    const origin = await source(20);
    const id = await createIntegration(
      hub,
      sourceIntegration(origin.url, { config: { healthCheckPath: '/customers?limit=1' } }),
    );
    await syncAndWait(hub, id);
    // Seeded: the first request after this is answered 503, the next one properly.
    origin.setFaults({ rate: 0.5, kinds: ['503'], seed: 7 });
    origin.resetStats();
    const checked = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/health-check` });
    expect(checked.body).toMatchObject({ ok: true, status: 'active' });
    expect(origin.stats()).toMatchObject({ requests: 2, faultsInjected: { '503': 1 } });
    expect((await eventCounts(hub, id))['integration.disconnected']).toBeUndefined();

    // A failure that holds still counts, three checks a second apart.
    origin.setFaults({ rate: 1, kinds: ['503'] });
    origin.resetStats();
    const failing = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/health-check` });
    expect(failing.body).toMatchObject({ ok: false, status: 'error', kind: 'transient' });
    expect(origin.stats().requests).toBe(3);
    origin.setFaults(null);
  });
});

describe('the scheduler', () => {
  it('runs a new active integration at once and then on its cron', async () => {
    const origin = await source(50);
    const id = await createIntegration(hub, sourceIntegration(origin.url, { schedule: { enabled: true } }));
    const run = await until(async () => {
      const runs = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/sync-runs` });
      const first = runs.body.items[0];
      return first && ['succeeded', 'failed'].includes(first.state) ? first : undefined;
    });
    expect(run).toMatchObject({ trigger: 'schedule', state: 'succeeded' });
    const status = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/sync-status` });
    const next = new Date(status.body.entities[0].nextSyncAt);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getUTCMinutes() % 15).toBe(0);
  });
});

describe('the scheduler after downtime', () => {
  it('catches up missed runs with one run, not one per missed slot', async () => {
    const origin = await source(20);
    const id = await createIntegration(
      hub,
      sourceIntegration(origin.url, { schedule: { enabled: false, cron: '* * * * *' } }),
    );
    // As if the hub had been down for three hours of a once-a-minute schedule.
    await hub.db.query(
      `INSERT INTO sync_status (id, integration_id, entity_type, next_sync_at)
       VALUES (gen_random_uuid(), $1, 'customer', now() - interval '3 hours')
       ON CONFLICT (integration_id, entity_type) DO UPDATE SET next_sync_at = excluded.next_sync_at`,
      [id],
    );
    await hub.db.query(
      `UPDATE integration_configs SET schedule = schedule || '{"enabled": true}' WHERE id = $1`,
      [id],
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const runs = await hub.db.query(`SELECT trigger FROM sync_runs WHERE integration_id = $1`, [id]);
    expect(runs.rows).toEqual([{ trigger: 'schedule' }]);
    const next = await hub.db.query(`SELECT next_sync_at FROM sync_status WHERE integration_id = $1`, [id]);
    expect(next.rows[0].next_sync_at.getTime()).toBeGreaterThan(Date.now());
  });
});

describe('bad sync requests', () => {
  it('refuses a mapping with a bad transform or an entity it does not sync, naming the place', async () => {
    const origin = await source(5);
    const body = sourceIntegration(origin.url);
    const before = await hub.db.query('SELECT count(*)::int AS n FROM integration_configs');
    const refused = await hub.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: {
        ...body,
        mapping: {
          customer: {
            target: 'customer',
            fields: { creditLimit: { from: 'kreditlimit', transforms: [{ op: 'numbr' }] } },
          },
          invoice: { target: 'invoice', fields: { invoiceNumber: { from: 'nr' } } },
        },
      },
    });
    expect(refused.status).toBe(400);
    const fields = refused.body.errors.map((error: { field: string }) => error.field);
    expect(fields).toContain('mapping.customer.fields.creditLimit.transforms.0.op');
    expect(fields).toContain('mapping.invoice');
    const after = await hub.db.query('SELECT count(*)::int AS n FROM integration_configs');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('names the field of an unknown entity and refuses a paused integration', async () => {
    const origin = await source(5);
    const id = await createIntegration(hub, sourceIntegration(origin.url));
    const unknown = await hub.request({
      method: 'POST',
      url: `/api/v1/integrations/${id}/sync`,
      body: { entities: ['invoice'] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('entities.0');
    const before = await hub.db.query('SELECT count(*)::int AS n FROM sync_runs WHERE integration_id = $1', [
      id,
    ]);
    expect(before.rows[0].n).toBe(0);
  });
});

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
