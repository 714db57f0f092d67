// The Salesforce connector against the Salesforce sandbox: SOQL batches, SystemModstamp
// increments, OAuth refresh on INVALID_SESSION_ID, the daily limit (403 REQUEST_LIMIT_EXCEEDED)
// as a wait rather than a failure, a query locator lost during that wait (the query runs again),
// and a revoked grant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SalesforceSandbox, startSalesforceSandbox } from '../sandbox/salesforce/server.ts';
import { expectWaitsForAPerson } from './support/authFailure.ts';
import { allRecords, createIntegration, startSync, syncAndWait, waitForRun } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
const sandboxes: SalesforceSandbox[] = [];

async function sandbox(options: Parameters<typeof startSalesforceSandbox>[0] = {}) {
  const started = await startSalesforceSandbox(options);
  sandboxes.push(started);
  return started;
}

function salesforce(target: SalesforceSandbox, refreshToken = target.grant()) {
  return {
    name: `Salesforce ${Math.random().toString(16).slice(2, 8)}`,
    connector: 'salesforce',
    config: {
      instanceUrl: target.url,
      loginUrl: target.url,
      clientId: target.client.clientId,
      batchSize: 200,
      lookbackSeconds: 0,
    },
    credentials: { clientSecret: target.client.clientSecret, refreshToken },
    schedule: { enabled: false },
    retryPolicy: { initialDelayMs: 20, maxDelayMs: 200 },
  };
}

beforeAll(async () => {
  hub = await startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' });
});

afterAll(async () => {
  await hub.close();
  await Promise.all(sandboxes.map((started) => started.close()));
});

describe('the Salesforce connector', () => {
  it('syncs accounts and contacts in SOQL batches, then only what changed by SystemModstamp', async () => {
    const target = await sandbox({ accounts: 450 });
    const id = await createIntegration(hub, salesforce(target));
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('succeeded');
    expect(run.progress.account).toMatchObject({ fetched: 450, created: 450, failed: 0 });
    expect(run.progress.contact).toMatchObject({ fetched: 50, created: 50 });
    expect(target.stats().refreshes).toBe(1);
    const accounts = await allRecords(hub, id, 'account');
    const first = accounts.find((record) => record.externalId === target.accounts[0]?.Id);
    expect(first.canonicalType).toBe('customer');
    expect(first.data).toMatchObject({
      name: target.accounts[0]?.Name,
      address: { zip: target.accounts[0]?.BillingPostalCode },
    });

    target.updateAccount(target.accounts[7]?.Id ?? '', { Name: 'Hotel Seeblick GmbH' });
    const incremental = await syncAndWait(hub, id);
    expect(incremental.progress.account).toMatchObject({ fetched: 1, updated: 1 });
    expect(incremental.progress.contact).toMatchObject({ fetched: 0 });
  });

  it('refreshes the session when Salesforce answers INVALID_SESSION_ID, and carries on', async () => {
    const target = await sandbox({ accounts: 30 });
    const id = await createIntegration(hub, salesforce(target));
    expect((await syncAndWait(hub, id)).state).toBe('succeeded');
    target.expireSessions();
    const run = await syncAndWait(hub, id, { full: true });
    expect(run.state).toBe('succeeded');
    expect(target.stats().refreshes).toBe(2);
    expect(target.stats().byStatus['401']).toBe(1);
  });

  it('waits out a spent daily limit (403 REQUEST_LIMIT_EXCEEDED), then runs its expired query again', async () => {
    const target = await sandbox({ accounts: 1_000, dailyLimit: 3 });
    const id = await createIntegration(hub, salesforce(target));
    const runId = await startSync(hub, id);
    let run: { state: string; resumeAt: string | null; counts: { created: number } } | undefined;
    for (let i = 0; i < 100 && run?.state !== 'waiting'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = (await hub.request({ method: 'GET', url: `/api/v1/sync-runs/${runId}` })).body;
    }
    expect(run?.state).toBe('waiting');
    expect(run?.counts.created).toBe(600);
    expect(new Date(run?.resumeAt ?? 0).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(read.body.status).toBe('active');

    // The next day: the checkpoint's nextRecordsUrl has long been dropped by Salesforce.
    target.newDay(100);
    target.expireQueryLocators();
    await hub.db.query(`UPDATE sync_runs SET resume_at = now() - interval '1 minute' WHERE id = $1`, [runId]);
    const resumed = await waitForRun(hub, runId);
    expect(resumed.state).toBe('succeeded');
    expect(target.stats().byStatus['400']).toBe(1);
    expect(resumed.progress.account).toMatchObject({ created: 1_000, failed: 0 });
    expect(resumed.progress.contact).toMatchObject({ created: 50 });
    const accounts = await allRecords(hub, id, 'account');
    expect(accounts.map((record) => record.externalId).sort()).toEqual(
      target.accounts.map((account) => account.Id).sort(),
    );
    expect(hub.logs.join('')).toContain('INVALID_QUERY_LOCATOR');
  });

  it('retries 403 REQUEST_LIMIT_EXCEEDED for concurrent requests instead of waiting for the daily limit', async () => {
    const target = await sandbox({ accounts: 450 });
    const id = await createIntegration(hub, {
      ...salesforce(target),
      retryPolicy: { maxAttempts: 10, initialDelayMs: 20, maxDelayMs: 200 },
    });
    // The sandbox's throttle is Salesforce's: 403 "ConcurrentPerOrgLongTxn Limit exceeded".
    await fetch(`${target.url}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ rate: 0.5, kinds: ['429'], seed: 4 }),
    });
    const runId = await startSync(hub, id);
    const settled = new Set(['succeeded', 'partial', 'failed', 'waiting']);
    let run: { state: string; progress: Record<string, { created: number }> } | undefined;
    for (let i = 0; i < 200 && !settled.has(run?.state ?? ''); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = (await hub.request({ method: 'GET', url: `/api/v1/sync-runs/${runId}` })).body;
    }
    const stats = (await (await fetch(`${target.url}/__sandbox/stats`)).json()) as {
      faultsInjected: Record<string, number>;
    };
    expect(stats.faultsInjected['429']).toBeGreaterThan(0);
    expect(run?.state).toBe('succeeded');
    expect(run?.progress.account).toMatchObject({ created: 450 });
  });

  it('takes a health check refused by the concurrent request limit for a limit that heals, not for refused credentials', async () => {
    const target = await sandbox({ accounts: 5 });
    const id = await createIntegration(hub, salesforce(target));
    expect((await syncAndWait(hub, id)).state).toBe('succeeded');
    await fetch(`${target.url}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ rate: 1, kinds: ['429'] }),
    });
    const checked = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/health-check` });
    expect(checked.body).toMatchObject({ ok: false, status: 'error', kind: 'rate_limited' });
    const row = await hub.db.query(
      'SELECT error_kind, needs_attention FROM integration_configs WHERE id = $1',
      [id],
    );
    expect(row.rows[0]).toEqual({ error_kind: 'rate_limited', needs_attention: false });
    // The probes see it healed, without a person.
    await fetch(`${target.url}/__sandbox/faults`, { method: 'POST', body: 'null' });
    for (let i = 0; i < 60; i++) {
      const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
      if (read.body.status === 'active') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect((await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` })).body.status).toBe(
      'active',
    );
  });

  it('sets error asking to reconnect when the refresh token is revoked', async () => {
    const target = await sandbox({ accounts: 5 });
    const id = await createIntegration(hub, salesforce(target, 'revoked-refresh-token'));
    const run = await syncAndWait(hub, id);
    await expectWaitsForAPerson(hub, id, run, { sourceRequests: () => target.stats().requests });
    const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(read.body.statusReason).toMatch(/reconnect/);
  });
});
