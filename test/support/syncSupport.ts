// Helpers for sync tests: an integration of the generic REST connector pointed at the record
// source, a German-field mapping to canonical customers, and waiting for runs to finish.
import { randomBytes } from 'node:crypto';
import type { TestHub } from './testHub.ts';

export const SOURCE_TOKEN = 'src-token-7d0c2b6e9a4f4e1c';

/** Xentral-like German fields → the canonical customer. */
export const customerMapping = {
  target: 'customer',
  fields: {
    customerNumber: { from: 'kundennummer', transforms: [{ op: 'trim' }], required: true },
    name: { from: 'firma', transforms: [{ op: 'trim' }], required: true },
    'contact.name': {
      from: ['ansprechpartner.vorname', 'ansprechpartner.nachname'],
      transforms: [{ op: 'join', separator: ' ' }],
    },
    email: { from: 'ansprechpartner.email', transforms: [{ op: 'email' }] },
    'address.street': { from: 'adresse.strasse' },
    'address.houseNumber': { from: 'adresse.hausnummer' },
    'address.zip': { from: 'adresse.plz' },
    'address.city': { from: 'adresse.ort' },
    'address.country': {
      from: 'adresse.land',
      transforms: [
        { op: 'map', values: { Deutschland: 'DE', Österreich: 'AT', Schweiz: 'CH' }, otherwise: 'keep' },
      ],
    },
    creditLimit: { from: 'kreditlimit', transforms: [{ op: 'number', locale: 'de' }] },
    customerSince: { from: 'kunde_seit', transforms: [{ op: 'date', format: 'DD.MM.YYYY' }] },
    tags: { from: 'tags[*].name' },
  },
};

export interface SourceIntegrationOptions {
  pagination?: Record<string, unknown>;
  incremental?: boolean;
  tombstones?: boolean;
  conditional?: boolean;
  mapping?: boolean;
  config?: Record<string, unknown>;
  resource?: Record<string, unknown>;
  rateLimits?: Record<string, unknown>;
  retryPolicy?: Record<string, unknown>;
  schedule?: Record<string, unknown>;
  credentials?: Record<string, string>;
}

export function sourceIntegration(sourceUrl: string, options: SourceIntegrationOptions = {}) {
  return {
    name: `ERP ${randomBytes(3).toString('hex')}`,
    connector: 'rest',
    entities: ['customer'],
    config: {
      baseUrl: sourceUrl,
      auth: { kind: 'bearer' },
      healthCheckPath: '/health',
      timeoutMs: 2_000,
      resources: {
        customer: {
          path: '/customers',
          recordsPath: 'data',
          pagination: options.pagination ?? { style: 'cursor', pageSize: 200, nextCursorPath: 'next_cursor' },
          ...(options.incremental === false
            ? {}
            : { incremental: { param: 'updated_since', updatedField: 'updated_at', lookbackSeconds: 0 } }),
          ...(options.tombstones ? { deletedField: 'deleted' } : {}),
          ...(options.conditional ? { conditional: true } : {}),
          ...options.resource,
        },
      },
      ...options.config,
    },
    credentials: options.credentials ?? { token: SOURCE_TOKEN },
    retryPolicy: { maxAttempts: 8, initialDelayMs: 20, maxDelayMs: 300, ...options.retryPolicy },
    rateLimits: { requestsPerMinute: 100_000, ...options.rateLimits },
    schedule: { enabled: false, ...options.schedule },
    ...(options.mapping === false ? {} : { mapping: { customer: customerMapping } }),
  };
}

export async function createIntegration(hub: TestHub, body: unknown): Promise<string> {
  const created = await hub.request({ method: 'POST', url: '/api/v1/integrations', body });
  if (created.status !== 201) throw new Error(`integration not created: ${created.raw}`);
  return created.body.id as string;
}

export async function startSync(hub: TestHub, integrationId: string, body: Record<string, unknown> = {}) {
  const started = await hub.request({
    method: 'POST',
    url: `/api/v1/integrations/${integrationId}/sync`,
    body,
  });
  if (started.status !== 202) throw new Error(`sync not started: ${started.raw}`);
  return started.body.id as string;
}

const finished = new Set(['succeeded', 'partial', 'failed']);

// biome-ignore lint/suspicious/noExplicitAny: the run as the API returns it
export async function waitForRun(hub: TestHub, runId: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await hub.request({ method: 'GET', url: `/api/v1/sync-runs/${runId}` });
    if (finished.has(run.body?.state)) return run.body;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not finish: ${run.raw}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function syncAndWait(hub: TestHub, integrationId: string, body: Record<string, unknown> = {}) {
  return waitForRun(hub, await startSync(hub, integrationId, body));
}

/** Every live record of an entity, through the records route. */
// biome-ignore lint/suspicious/noExplicitAny: records as the API returns them
export async function allRecords(hub: TestHub, integrationId: string, entity = 'customer'): Promise<any[]> {
  // biome-ignore lint/suspicious/noExplicitAny: records as the API returns them
  const records: any[] = [];
  let cursor: string | null = null;
  do {
    const page = await hub.request({
      method: 'GET',
      url: `/api/v1/integrations/${integrationId}/records/${entity}?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
    });
    if (page.status !== 200) throw new Error(page.raw);
    records.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return records;
}

export async function eventCounts(hub: TestHub, integrationId: string): Promise<Record<string, number>> {
  const result = await hub.db.query<{ type: string; count: number }>(
    'SELECT type, count(*)::int AS count FROM outbox_events WHERE integration_id = $1 GROUP BY type',
    [integrationId],
  );
  return Object.fromEntries(result.rows.map((row) => [row.type, row.count]));
}
