// Google Calendar through its connector: a full list ending in a sync token, then changes by
// sync token; a deleted event arrives as `status: "cancelled"`. Expiring the access tokens is
// healed by the OAuth refresh.
import { type CalendarEvent, startGoogleSandbox } from '../../../sandbox/google/server.ts';
import { type ChaosSystem, pick, revised, sandboxAdmin } from './system.ts';

export async function googleSystem(options: { events: number }): Promise<ChaosSystem> {
  const sandbox = await startGoogleSandbox({ events: options.events });
  const admin = sandboxAdmin(sandbox.url);
  const refreshToken = sandbox.grant();
  const live = () => sandbox.events.filter((event) => event.status !== 'cancelled');
  let revision = 0;
  let nextId = 50_000;
  return {
    name: 'google calendar',
    entity: 'calendarEvent',
    deletions: 'feed',
    refreshesTokens: true,
    integration: () => ({
      name: 'Chaos Google Calendar',
      connector: 'google-calendar',
      config: {
        calendarId: sandbox.calendarId,
        clientId: sandbox.client.clientId,
        apiBaseUrl: sandbox.url,
        tokenUrl: sandbox.tokenUrl,
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
        const id = `evt${nextId++}`;
        const event: CalendarEvent = {
          ...structuredClone(template),
          id,
          summary: revised(template.summary, revision),
        };
        sandbox.events.push(event);
        sandbox.change(id, {});
        return `create ${id}`;
      }
      const target = pick(live(), random);
      if (!target) return undefined;
      if (kind === 'delete') {
        sandbox.change(target.id, { status: 'cancelled' });
        return `delete ${target.id}`;
      }
      sandbox.change(target.id, { summary: revised(target.summary, revision) });
      return `update ${target.id}`;
    },
    truth: () => new Map(live().map((event) => [event.id, event.summary])),
    contentOf: (canonical) => String(canonical.title ?? ''),
    counters: admin.counters,
    close: () => sandbox.close(),
  };
}
