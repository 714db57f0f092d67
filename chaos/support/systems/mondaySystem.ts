// A monday.com board through the GraphQL connector's template: items_page and next_items_page,
// every run a full pass (monday has no change filter), so deletions are swept on every run. The
// API token has no refresh: the suite leaves it alone.
import { startMondaySandbox } from '../../../sandbox/monday/server.ts';
import { type ChaosSystem, pick, revised, sandboxAdmin } from './system.ts';

export async function mondaySystem(options: { items: number }): Promise<ChaosSystem> {
  const sandbox = await startMondaySandbox({ items: options.items });
  const admin = sandboxAdmin(sandbox.url);
  const items = sandbox.items;
  let revision = 0;
  let nextId = 990_000;
  return {
    name: 'monday',
    entity: 'item',
    deletions: 'sweep',
    refreshesTokens: false,
    integration: () => ({
      name: 'Chaos monday',
      connector: 'graphql',
      template: 'monday',
      config: {
        endpoint: sandbox.endpoint,
        timeoutMs: 2_000,
        resources: { item: { variables: { boardId: [sandbox.boardId] }, pageSize: 100 } },
      },
      credentials: { apiKey: sandbox.token },
    }),
    secrets: () => [sandbox.token],
    setFaults: admin.setFaults,
    expireTokens: async () => {},
    outage: admin.outage,
    change: (kind, random) => {
      revision += 1;
      if (kind === 'create') {
        const template = pick(items, random);
        if (!template) return undefined;
        const id = String(nextId++);
        items.push({ ...structuredClone(template), id, updated_at: new Date().toISOString() });
        void sandbox.renameItem(id, revised(template.name, revision));
        return `create ${id}`;
      }
      const target = pick(items, random);
      if (!target) return undefined;
      if (kind === 'delete') {
        items.splice(items.indexOf(target), 1);
        return `delete ${target.id}`;
      }
      void sandbox.renameItem(target.id, revised(target.name, revision));
      return `update ${target.id}`;
    },
    truth: () => new Map(items.map((item) => [item.id, item.name.trim()])),
    contentOf: (canonical) => String(canonical.name ?? ''),
    counters: admin.counters,
    close: () => sandbox.close(),
  };
}
