// Xentral (new API) through its own connector: customers in pages of 50, changes by an updatedAt
// filter, deletions only found by a full pass's sweep. Its personal access token has no refresh,
// so expiring it would wait for a person: the suite leaves the token alone.
import { randomBytes } from 'node:crypto';
import { startXentralSandbox } from '../../../sandbox/xentral/index.ts';
import { type ChaosSystem, pick, revised, sandboxAdmin } from './system.ts';

export async function xentralSystem(options: { customers: number }): Promise<ChaosSystem> {
  const token = `xentral_${randomBytes(12).toString('hex')}`;
  // Its own limit of 100 a minute stays: the connector paces itself to it.
  const sandbox = await startXentralSandbox({ customers: options.customers, seed: 5, token });
  const admin = sandboxAdmin(sandbox.url);
  const customers = sandbox.data.customers;
  let revision = 0;
  let nextId = 90_000;
  return {
    name: 'xentral',
    entity: 'customer',
    deletions: 'sweep',
    refreshesTokens: false,
    integration: () => ({
      name: 'Chaos Xentral',
      connector: 'xentral',
      entities: ['customer'],
      config: { baseUrl: sandbox.url, customerAddresses: false, timeoutMs: 2_000 },
      credentials: { token },
    }),
    secrets: () => [token],
    setFaults: admin.setFaults,
    expireTokens: async () => {},
    outage: admin.outage,
    change: (kind, random) => {
      revision += 1;
      if (kind === 'create') {
        const template = pick(customers, random);
        if (!template) return undefined;
        const id = String(nextId++);
        customers.push({ ...template, id, number: `9${id}`, name: revised(String(template.name), revision) });
        // Stamps updatedAt from the sandbox's clock, as Xentral does on every write.
        sandbox.updateCustomer(id, {});
        return `create ${id}`;
      }
      const target = pick(customers, random);
      if (!target) return undefined;
      if (kind === 'delete') {
        customers.splice(customers.indexOf(target), 1);
        return `delete ${target.id}`;
      }
      sandbox.updateCustomer(target.id, { name: revised(String(target.name), revision) });
      return `update ${target.id}`;
    },
    truth: () => new Map(customers.map((customer) => [customer.id, String(customer.name).trim()])),
    contentOf: (canonical) => String(canonical.name ?? ''),
    counters: admin.counters,
    close: () => sandbox.close(),
  };
}
