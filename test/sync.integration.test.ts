// The sync engine against a local paged source: full syncs through faults, every paging
// style, incremental syncs and deletions, and mapping failures. Rate limits, recovery, the
// proxy, conditional requests, health checks, the scheduler and bad requests are in
// syncOperations.integration.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RecordSource, startRecordSource } from '../sandbox/recordSource/index.ts';
import {
  allRecords,
  createIntegration,
  eventCounts,
  SOURCE_TOKEN,
  sourceIntegration,
  syncAndWait,
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

/** The store holds exactly the source's live records, each once, mapped. */
async function expectStoreMatchesSource(integrationId: string, origin: RecordSource) {
  const stored = await allRecords(hub, integrationId);
  const live = origin.records();
  expect(stored.length).toBe(live.length);
  const byId = new Map(stored.map((record) => [record.externalId, record]));
  expect(byId.size).toBe(live.length);
  for (const record of live) {
    const mine = byId.get(record.id);
    expect(mine, `record ${record.id}`).toBeDefined();
    expect(mine.data.customerNumber).toBe(record.kundennummer.trim());
    expect(mine.data.name).toBe(record.firma.trim());
  }
}

describe('a full sync', () => {
  it('lands every record once in canonical form, with one event each and the right counts', async () => {
    const origin = await source(2_500);
    const id = await createIntegration(hub, sourceIntegration(origin.url));
    const run = await syncAndWait(hub, id, { full: true });
    expect(run.state).toBe('succeeded');
    expect(run.counts).toEqual({
      fetched: 2_500,
      created: 2_500,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      failed: 0,
    });
    await expectStoreMatchesSource(id, origin);
    const sample = (await allRecords(hub, id))[0];
    expect(sample.canonicalType).toBe('customer');
    expect(typeof sample.data.creditLimit).toBe('number');
    expect(sample.data.customerSince).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sample.data.address.zip).toMatch(/^\d{5}$/);
    expect((await eventCounts(hub, id))['customer.created']).toBe(2_500);

    // Nothing changed: nothing is written and nothing is announced again.
    const again = await syncAndWait(hub, id, { full: true });
    expect(again.counts).toMatchObject({
      fetched: 2_500,
      created: 0,
      updated: 0,
      unchanged: 2_500,
      deleted: 0,
    });
    const events = await eventCounts(hub, id);
    expect(events['customer.created']).toBe(2_500);
    expect(events['customer.updated']).toBeUndefined();
    expect(events['integration.sync_started']).toBe(2);
    expect(events['integration.sync_completed']).toBe(2);

    const status = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/sync-status` });
    expect(status.body.entities[0]).toMatchObject({
      entity: 'customer',
      recordsSynced: 2_500,
      errorsCount: 0,
    });
    expect(status.body.entities[0].cursor.since).toMatch(/^\d{4}-/);
    const runs = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/sync-runs` });
    expect(runs.body.items.map((item: { id: string }) => item.id)).toEqual([again.id, run.id]);
    const metrics = (await hub.request({ method: 'GET', url: '/metrics', token: null })).raw;
    expect(metrics).toContain(`hub_sync_records_total{integration="${id}",outcome="created"} 2500`);
    expect(metrics).toContain(`hub_sync_records_total{integration="${id}",outcome="unchanged"} 2500`);
    expect(metrics).toContain(`hub_sync_runs_total{integration="${id}",state="succeeded"} 2`);
    expect(metrics).toMatch(
      new RegExp(`hub_source_request_duration_seconds_count\\{integration="${id}",status="200"\\} \\d+`),
    );
  });

  it('lands every record exactly once through 5xx, 429, timeouts, resets, malformed JSON and records changing between pages', async () => {
    const origin = await source(3_000);
    const id = await createIntegration(
      hub,
      sourceIntegration(origin.url, {
        pagination: { style: 'cursor', pageSize: 100, nextCursorPath: 'next_cursor' },
        tombstones: true,
        config: { timeoutMs: 500 },
        retryPolicy: { maxAttempts: 12, initialDelayMs: 10, maxDelayMs: 200 },
      }),
    );
    origin.setFaults({
      rate: 0.25,
      kinds: ['500', '503', '429', 'timeout', 'reset', 'malformed'],
      retryAfterSeconds: 1,
      timeoutMs: 5_000,
      seed: 42,
    });
    const ids = origin.records().map((record) => record.id);
    origin.onRequest(({ requestNumber }) => {
      // Between pages: an early record changes, one already synced is removed, a new one appears.
      if (requestNumber === 8) {
        origin.update(ids[3] ?? '', { firma: 'Kantine Süd GmbH' });
        origin.remove(ids[1] ?? '');
        origin.insert({ ...origin.records()[0]!, id: 'C999999', kundennummer: 'K-999999' });
      }
    });
    const run = await syncAndWait(hub, id, { full: true });
    origin.setFaults(null);
    expect(run.state).toBe('succeeded');
    const injected = origin.stats().faultsInjected;
    expect(Object.values(injected).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(5);
    // The next incremental sync picks up what changed behind the walk; the store then equals the source.
    const incremental = await syncAndWait(hub, id);
    expect(incremental.state).toBe('succeeded');
    expect(incremental.counts).toMatchObject({ updated: 1, deleted: 1 });
    const full = await syncAndWait(hub, id, { full: true });
    expect(full.counts).toMatchObject({
      fetched: 3_000,
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 3_000,
    });
    await expectStoreMatchesSource(id, origin);
    const changed = (await allRecords(hub, id)).find((record) => record.externalId === ids[3]);
    expect(changed.data.name).toBe('Kantine Süd GmbH');
    const created = await hub.db.query<{ n: number; subjects: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT subject)::int AS subjects FROM outbox_events
        WHERE integration_id = $1 AND type = 'customer.created'`,
      [id],
    );
    expect(created.rows[0]?.n).toBe(created.rows[0]?.subjects);
  }, 120_000);
});

describe('paging styles', () => {
  const styles: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['page number', { style: 'page', pageSize: 70, lastPagePath: 'meta.last_page' }, {}],
    ['offset', { style: 'offset', pageSize: 70, totalPath: 'total' }, {}],
    [
      'next URL',
      { style: 'nextUrl', nextUrlPath: 'next', limitParam: 'limit', pageSize: 70 },
      { query: { style: 'next' } },
    ],
    [
      'Link header',
      { style: 'linkHeader', pageParam: 'page', sizeParam: 'per_page', pageSize: 70 },
      { query: { style: 'link' }, recordsPath: '' },
    ],
  ];
  for (const [name, pagination, resource] of styles) {
    it(`walks every record once by ${name}`, async () => {
      const origin = await source(333);
      const id = await createIntegration(
        hub,
        sourceIntegration(origin.url, { pagination, resource, incremental: false }),
      );
      origin.resetStats();
      const run = await syncAndWait(hub, id);
      expect(run.counts).toMatchObject({ fetched: 333, created: 333, failed: 0 });
      expect(origin.stats().requests).toBeLessThanOrEqual(6);
      await expectStoreMatchesSource(id, origin);
    });
  }
});

describe('incremental syncs and deletions', () => {
  it('fetches only what changed, and applies tombstones as deletions', async () => {
    const origin = await source(1_000);
    const id = await createIntegration(hub, sourceIntegration(origin.url, { tombstones: true }));
    expect((await syncAndWait(hub, id)).counts.created).toBe(1_000);
    const [first, second] = origin.records();
    origin.update(first!.id, { firma: 'Hotel Bergblick' });
    origin.remove(second!.id);
    origin.resetStats();
    const run = await syncAndWait(hub, id);
    expect(run.mode).toBe('incremental');
    expect(run.counts).toMatchObject({ fetched: 2, created: 0, updated: 1, deleted: 1 });
    expect(origin.stats().requests).toBeLessThanOrEqual(2);
    await expectStoreMatchesSource(id, origin);
    const events = await eventCounts(hub, id);
    expect(events['customer.updated']).toBe(1);
    expect(events['customer.deleted']).toBe(1);
  });

  it('sweeps records a source without tombstones no longer has, on a full sync', async () => {
    const origin = await source(500);
    const id = await createIntegration(
      hub,
      sourceIntegration(origin.url, { incremental: false, pagination: { style: 'offset', pageSize: 50 } }),
    );
    expect((await syncAndWait(hub, id)).counts.created).toBe(500);
    for (const record of origin.records().slice(10, 13)) origin.remove(record.id);
    const run = await syncAndWait(hub, id);
    expect(run.mode).toBe('incremental');
    expect(run.counts).toMatchObject({ fetched: 497, deleted: 3, unchanged: 497 });
    await expectStoreMatchesSource(id, origin);
  });

  it('does not sweep a record the full pass skipped because one before it was deleted between pages', async () => {
    const origin = await source(300);
    const id = await createIntegration(
      hub,
      sourceIntegration(origin.url, { incremental: false, pagination: { style: 'offset', pageSize: 50 } }),
    );
    expect((await syncAndWait(hub, id)).counts.created).toBe(300);
    // While the pass asks for its third page, a record of its first page is deleted: every record
    // behind moves up a place, and the one that moves from the third page onto the second is skipped.
    const deleted = origin.records()[10]!.id;
    const skipped = origin.records()[100]!.id;
    origin.onRequest(({ query }) => {
      if (query.get('offset') === '100' && origin.records().some((record) => record.id === deleted)) {
        origin.remove(deleted);
      }
    });
    const run = await syncAndWait(hub, id);
    origin.onRequest(undefined);
    expect(run.state).toBe('succeeded');
    // The deleted record was on a page read before it went: this pass saw it, the next one will not.
    expect(run.counts).toMatchObject({ deleted: 0 });
    const kept = await hub.db.query(
      'SELECT deleted_at FROM synced_records WHERE integration_id = $1 AND external_id = $2',
      [id, skipped],
    );
    expect(kept.rows).toEqual([{ deleted_at: null }]);
    const next = await syncAndWait(hub, id);
    expect(next.counts).toMatchObject({ deleted: 1 });
    await expectStoreMatchesSource(id, origin);
    const deletions = await hub.db.query<{ subject: string }>(
      `SELECT subject FROM outbox_events WHERE integration_id = $1 AND type = 'customer.deleted'`,
      [id],
    );
    expect(deletions.rows).toEqual([{ subject: `customer/${deleted}` }]);
  });
});

describe('mapping failures', () => {
  it('keeps a record that cannot be mapped, with its reason, and lands the rest', async () => {
    const origin = await source(200);
    const broken = origin.records()[5]!;
    origin.update(broken.id, { kreditlimit: '12,34,5' });
    const id = await createIntegration(hub, sourceIntegration(origin.url));
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('succeeded');
    expect(run.counts).toMatchObject({ fetched: 200, created: 199, failed: 1 });
    const failures = await hub.request({ method: 'GET', url: `/api/v1/sync-runs/${run.id}/failures` });
    expect(failures.body.items).toHaveLength(1);
    expect(failures.body.items[0]).toMatchObject({ entity: 'customer', externalId: broken.id });
    expect(failures.body.items[0].errors[0].field).toBe('creditLimit');
    expect(failures.body.items[0].sourceData.kreditlimit).toBe('12,34,5');
  });
});
