// monday.com as a template of the GraphQL connector, against the monday sandbox: items_page
// then next_items_page, complexity errors inside HTTP 200 treated as a rate limit, a refused token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MondaySandbox, startMondaySandbox } from '../sandbox/monday/server.ts';
import { allRecords, createIntegration, syncAndWait } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let monday: MondaySandbox;

beforeAll(async () => {
  hub = await startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' });
  monday = await startMondaySandbox({ items: 1_200 });
});

afterAll(async () => {
  await hub.close();
  await monday.close();
});

const board = (apiKey: string) => ({
  name: `monday ${Math.random().toString(16).slice(2, 8)}`,
  connector: 'graphql',
  template: 'monday',
  config: {
    endpoint: monday.endpoint,
    resources: { item: { variables: { boardId: [monday.boardId] } } },
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
    expect(run.errorKind).toBe('auth');
  });
});
