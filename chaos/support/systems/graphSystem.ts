// Outlook calendar through Microsoft Graph: delta queries, removed events as `@removed`, refresh
// tokens that rotate on every refresh. Expiring the access tokens is healed by the refresh.
import { startGraphSandbox } from '../../../sandbox/graph/server.ts';
import { type ChaosSystem, pick, revised, sandboxAdmin } from './system.ts';

export async function graphSystem(options: { events: number }): Promise<ChaosSystem> {
  const sandbox = await startGraphSandbox({ events: options.events, messages: 1 });
  const admin = sandboxAdmin(sandbox.url);
  const refreshToken = sandbox.grant();
  const live = () => sandbox.events.filter((event) => !event.removed);
  let revision = 0;
  let nextId = 70_000;
  return {
    name: 'outlook (graph)',
    entity: 'calendarEvent',
    deletions: 'feed',
    refreshesTokens: true,
    integration: () => ({
      name: 'Chaos Outlook',
      connector: 'microsoft-graph',
      entities: ['calendarEvent'],
      config: {
        clientId: sandbox.client.clientId,
        apiBaseUrl: sandbox.url,
        loginUrl: sandbox.url,
        pageSize: 50,
        timeoutMs: 2_000,
      },
      credentials: { clientSecret: sandbox.client.clientSecret, refreshToken },
    }),
    secrets: () => [sandbox.client.clientSecret, refreshToken],
    setFaults: admin.setFaults,
    expireTokens: admin.expireTokens,
    outage: admin.outage,
    change: (kind, random) => {
      revision += 1;
      if (kind === 'create') {
        const template = pick(live(), random);
        if (!template) return undefined;
        const id = `AAMkEvt${nextId++}`;
        sandbox.events.push({
          ...structuredClone(template),
          id,
          subject: revised(String(template.subject), revision),
        });
        sandbox.change('events', id, {});
        return `create ${id}`;
      }
      const target = pick(live(), random);
      if (!target) return undefined;
      if (kind === 'delete') {
        sandbox.remove('events', target.id);
        return `delete ${target.id}`;
      }
      sandbox.change('events', target.id, { subject: revised(String(target.subject), revision) });
      return `update ${target.id}`;
    },
    truth: () => new Map(live().map((event) => [event.id, String(event.subject)])),
    contentOf: (canonical) => String(canonical.title ?? ''),
    counters: admin.counters,
    close: () => sandbox.close(),
  };
}
