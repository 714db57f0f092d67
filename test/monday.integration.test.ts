// monday.com as a template of the GraphQL connector, against the monday sandbox: items_page
// then next_items_page, complexity errors inside HTTP 200 treated as a rate limit, a refused token,
// an expired cursor answered with a new pass, changes and removals found by re-reading the board;
// and monday's webhooks over real HTTP: the challenge echoed at create_webhook, an item change
// verified by its JWT and synced, a wrong secret or an expired JWT refused with nothing stored.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MondaySandbox, startMondaySandbox } from '../sandbox/monday/server.ts';
import { expectWaitsForAPerson } from './support/authFailure.ts';
import { allRecords, createIntegration, startSync, syncAndWait, waitForRun } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let monday: MondaySandbox;

beforeAll(async () => {
  hub = await startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' }, { listen: true });
  monday = await startMondaySandbox({ items: 1_200 });
});

afterAll(async () => {
  await hub.close();
  await monday.close();
});

const board = (apiKey: string, target = monday, pageSize = 500) => ({
  name: `monday ${Math.random().toString(16).slice(2, 8)}`,
  connector: 'graphql',
  template: 'monday',
  config: {
    endpoint: target.endpoint,
    resources: { item: { variables: { boardId: [target.boardId] }, pageSize } },
  },
  credentials: { apiKey },
  schedule: { enabled: false },
  retryPolicy: { initialDelayMs: 20, maxDelayMs: 200 },
});

describe('monday.com, as a template of the GraphQL connector', () => {
  it('syncs a board through items_page and next_items_page, waiting out a complexity error', async () => {
    const id = await createIntegration(hub, board(monday.token));
    monday.exhaustBudget(1);
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('succeeded');
    expect(run.counts).toMatchObject({ fetched: 1_200, created: 1_200, failed: 0 });
    expect(monday.stats().complexityErrors).toBeGreaterThanOrEqual(1);
    const item = (await allRecords(hub, id, 'item')).find(
      (record) => record.externalId === monday.items[0]?.id,
    );
    expect(item.canonicalType).toBe('customer');
    expect(item.data.name).toBe(monday.items[0]?.name.trim());
    expect(item.data.tags).toHaveLength(2);
    const again = await syncAndWait(hub, id);
    expect(again.counts).toMatchObject({ fetched: 1_200, unchanged: 1_200 });
  });

  it('sets error when the token is refused', async () => {
    const id = await createIntegration(hub, board('wrong-token'));
    const run = await syncAndWait(hub, id);
    await expectWaitsForAPerson(hub, id, run);
  });
});

describe('monday.com cursors and changes', () => {
  let sandbox: MondaySandbox;
  let id: string;

  beforeAll(async () => {
    sandbox = await startMondaySandbox({ items: 600 });
    id = await createIntegration(hub, board(sandbox.token, sandbox, 100));
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('starts the pass again when a resumed run finds its cursor expired, and loses no item', async () => {
    // Three pages are answered, then the complexity budget is gone for an hour: the run waits.
    sandbox.exhaustBudget(3_600, 3);
    const runId = await startSync(hub, id);
    let run = (await hub.request({ method: 'GET', url: `/api/v1/sync-runs/${runId}` })).body;
    for (let tries = 0; tries < 100 && run.state !== 'waiting'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = (await hub.request({ method: 'GET', url: `/api/v1/sync-runs/${runId}` })).body;
    }
    expect(run.state).toBe('waiting');
    expect(run.counts.created).toBe(300);

    // An hour later the budget is back, and the checkpoint's cursor is older than its 60 minutes.
    sandbox.refillBudget();
    sandbox.expireCursors();
    await hub.db.query(`UPDATE sync_runs SET resume_at = now() - interval '1 minute' WHERE id = $1`, [runId]);
    const resumed = await waitForRun(hub, runId);
    expect(resumed.state).toBe('succeeded');
    expect(sandbox.stats().expiredCursors).toBe(1);
    // The new pass read the first three pages again and found them unchanged.
    expect(resumed.counts).toMatchObject({ fetched: 900, created: 600, unchanged: 300, failed: 0 });
    const stored = await allRecords(hub, id, 'item');
    expect(stored.map((record) => record.externalId).sort()).toEqual(
      sandbox.items.map((item) => item.id).sort(),
    );
    expect(hub.logs.join('')).toContain('the cursor expired');
  });

  it('re-reads the board for an incremental sync: lands the change, sweeps the removed item', async () => {
    const [renamed, , removed] = sandbox.items.slice(250);
    if (!renamed || !removed) throw new Error('the board has too few items');
    await sandbox.renameItem(renamed.id, 'Kantine Hafen Süd');
    sandbox.items.splice(sandbox.items.indexOf(removed), 1);
    const run = await syncAndWait(hub, id);
    expect(run).toMatchObject({ mode: 'incremental', state: 'succeeded' });
    expect(run.counts).toMatchObject({ fetched: 599, created: 0, updated: 1, deleted: 1, unchanged: 598 });
    const stored = await allRecords(hub, id, 'item');
    expect(stored).toHaveLength(599);
    expect(stored.find((record) => record.externalId === renamed.id)?.data.name).toBe('Kantine Hafen Süd');
    expect(stored.some((record) => record.externalId === removed.id)).toBe(false);
  });
});

describe('monday.com webhooks, from the sandbox to the hub over HTTP', () => {
  let sandbox: MondaySandbox;

  beforeAll(async () => {
    sandbox = await startMondaySandbox({ items: 30 });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  const graphql = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(sandbox.endpoint, {
      method: 'POST',
      headers: { authorization: sandbox.token, 'content-type': 'application/json', 'API-Version': '2025-04' },
      body: JSON.stringify({ query, variables }),
    });
    expect(response.status).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: GraphQL answers of every shape
    return (await response.json()) as any;
  };
  const createWebhook = (url: string, event = 'change_column_value') =>
    graphql(
      'mutation ($board: ID!, $url: String!, $event: WebhookEventType!) { create_webhook(board_id: $board, url: $url, event: $event) { id board_id } }',
      { board: sandbox.boardId, url, event },
    );
  const hooked = (name: string) => ({
    name: `monday ${name} ${randomBytes(3).toString('hex')}`,
    connector: 'graphql',
    template: 'monday',
    config: {
      endpoint: sandbox.endpoint,
      resources: { item: { variables: { boardId: [sandbox.boardId] } } },
      webhooks: { signature: { scheme: 'jwt' }, challenge: true },
    },
    credentials: { apiKey: sandbox.token, webhookSecret: sandbox.signingSecret },
    schedule: { enabled: false },
  });
  const stored = async (id: string) =>
    (await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/webhooks` })).body;

  async function waitForProcessed(id: string, count: number) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const list = await stored(id);
      if (list.counts.processed === count) return list.items;
      if (Date.now() > deadline) throw new Error(`webhooks of ${id}: ${JSON.stringify(list.counts)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('answers the challenge, then syncs the item a verified webhook names', async () => {
    const id = await createIntegration(hub, hooked('webhooks'));
    expect((await syncAndWait(hub, id)).counts).toMatchObject({ created: 30 });
    const webhookUrl = `${hub.hub.url}/webhooks/${id}`;

    const unverified = await createWebhook(`${hub.hub.url}/webhooks/00000000-0000-4000-8000-000000000000`);
    expect(unverified.data).toEqual({ create_webhook: null });
    expect(unverified.errors[0].message).toMatch(/verify/);
    const created = await createWebhook(webhookUrl);
    expect(created).toEqual({
      data: { create_webhook: { id: expect.any(String), board_id: sandbox.boardId } },
    });
    expect(sandbox.deliveries().at(-1)).toMatchObject({ type: 'challenge', status: 200, url: webhookUrl });
    expect((await stored(id)).items).toHaveLength(0);

    const item = sandbox.items[3];
    if (!item) throw new Error('the board has no fourth item');
    const deliveries = await sandbox.changeColumnValue(item.id, 'stadt', 'Lübeck');
    expect(deliveries).toEqual([
      {
        webhookId: created.data.create_webhook.id,
        url: webhookUrl,
        type: 'update_column_value',
        status: 202,
      },
    ]);
    const [webhook] = await waitForProcessed(id, 1);
    expect(webhook.headers.authorization).toBeUndefined();
    expect(JSON.parse(webhook.body).event).toMatchObject({
      type: 'update_column_value',
      boardId: Number(sandbox.boardId),
      pulseId: Number(item.id),
      columnId: 'stadt',
      value: { value: 'Lübeck' },
      subscriptionId: Number(created.data.create_webhook.id),
    });
    expect(webhook.outcome.synced).toEqual(['item']);
    const run = await waitForRun(hub, webhook.outcome.runId);
    expect(run).toMatchObject({ trigger: 'webhook', state: 'succeeded' });
    expect(run.counts).toMatchObject({ updated: 1 });
    const record = (await allRecords(hub, id, 'item')).find((entry) => entry.externalId === item.id);
    expect(record.data.tags).toContain('Lübeck');

    // A rename is another event: this webhook is not subscribed to it.
    expect(await sandbox.renameItem(item.id, 'Kantine Lübeck')).toEqual([]);
  });

  it('refuses a JWT signed with another secret and an expired one with 401, storing nothing', async () => {
    const id = await createIntegration(hub, hooked('refused'));
    const created = await createWebhook(`${hub.hub.url}/webhooks/${id}`, 'change_name');
    const item = sandbox.items[5];
    if (!item) throw new Error('the board has no sixth item');
    const wrong = await sandbox.renameItem(item.id, 'Mensa Süd', { secret: 'not-the-signing-secret' });
    expect(wrong.map((delivery) => delivery.status)).toEqual([401]);
    const expired = await sandbox.renameItem(item.id, 'Mensa Süd II', {
      issuedAt: new Date(Date.now() - 3_600_000),
    });
    expect(expired.map((delivery) => delivery.status)).toEqual([401]);
    expect((await stored(id)).items).toHaveLength(0);

    const deleted = await graphql('mutation ($id: ID!) { delete_webhook(id: $id) { id board_id } }', {
      id: created.data.create_webhook.id,
    });
    expect(deleted.data.delete_webhook).toEqual(created.data.create_webhook);
    expect(await sandbox.renameItem(item.id, 'Mensa Süd III')).toEqual([]);
  });
});
