// The generic paged record source (sandbox/recordSource) through the REST connector: keyset
// paging, changes by updated_since with tombstones. It has no admin routes; its faults and its
// outage (the port closed, connections refused) are switched in this process.
import { randomBytes } from 'node:crypto';
import { generateCustomers, startRecordSource } from '../../../sandbox/recordSource/index.ts';
import type { SandboxFaultSettings } from '../../../sandbox/shared/faultInjection.ts';
import { customerMapping } from '../../../test/support/syncSupport.ts';
import { type ChaosSystem, pick, revised } from './system.ts';

export async function recordSourceSystem(options: { records: number }): Promise<ChaosSystem> {
  const token = `rs_${randomBytes(12).toString('hex')}`;
  const source = await startRecordSource({ count: options.records, seed: 21, token });
  let revision = 0;
  let nextId = 900_000;
  return {
    name: 'record source',
    entity: 'customer',
    deletions: 'feed',
    refreshesTokens: false,
    integration: () => ({
      name: 'Chaos record source',
      connector: 'rest',
      entities: ['customer'],
      config: {
        baseUrl: source.url,
        auth: { kind: 'bearer' },
        healthCheckPath: '/health',
        timeoutMs: 2_000,
        resources: {
          customer: {
            path: '/customers',
            recordsPath: 'data',
            pagination: { style: 'cursor', pageSize: 100, nextCursorPath: 'next_cursor' },
            incremental: { param: 'updated_since', updatedField: 'updated_at' },
            deletedField: 'deleted',
          },
        },
      },
      credentials: { token },
      mapping: { customer: customerMapping },
    }),
    secrets: () => [token],
    setFaults: async (settings: SandboxFaultSettings | null) => {
      // The record source knows the kinds the shared injector adds (quota, latency) not; none are asked for.
      source.setFaults(settings as Parameters<typeof source.setFaults>[0]);
    },
    // A static API token: nothing to expire that the hub could renew by itself.
    expireTokens: async () => {},
    outage: async () => {
      await source.setOutage('refuse');
      return { how: 'stopped: connections refused', end: () => source.setOutage(false) };
    },
    change: (kind, random) => {
      revision += 1;
      if (kind === 'create') {
        const [template] = generateCustomers(1, revision + 1000);
        if (!template) return undefined;
        const id = `C${nextId++}`;
        source.insert({ ...template, id, firma: revised(template.firma, revision) });
        return `create ${id}`;
      }
      const target = pick(source.records(), random);
      if (!target) return undefined;
      if (kind === 'delete') {
        source.remove(target.id);
        return `delete ${target.id}`;
      }
      source.update(target.id, { firma: revised(target.firma, revision) });
      return `update ${target.id}`;
    },
    truth: () => new Map(source.records().map((record) => [record.id, record.firma.trim()])),
    contentOf: (canonical) => String(canonical.name ?? ''),
    counters: async () => {
      const stats = source.stats();
      return {
        requests: stats.requests,
        faultsInjected: { ...stats.faultsInjected } as Record<string, number>,
      };
    },
    close: () => source.close(),
  };
}
