// Salesforce through its connector: accounts by SOQL in batches, changes by SystemModstamp,
// deletions only found by a full pass's sweep. Expiring the sessions is healed by the
// connector's OAuth refresh on INVALID_SESSION_ID.
import { startSalesforceSandbox } from '../../../sandbox/salesforce/server.ts';
import { type ChaosSystem, pick, revised, sandboxAdmin } from './system.ts';

export async function salesforceSystem(options: { accounts: number }): Promise<ChaosSystem> {
  const sandbox = await startSalesforceSandbox({ accounts: options.accounts, seed: 8, batchSize: 200 });
  const admin = sandboxAdmin(sandbox.url);
  const refreshToken = sandbox.grant();
  const accounts = sandbox.accounts;
  let revision = 0;
  let nextId = 500_000;
  return {
    name: 'salesforce',
    entity: 'account',
    deletions: 'sweep',
    refreshesTokens: true,
    integration: () => ({
      name: 'Chaos Salesforce',
      connector: 'salesforce',
      entities: ['account'],
      config: {
        instanceUrl: sandbox.url,
        loginUrl: sandbox.url,
        clientId: sandbox.client.clientId,
        batchSize: 200,
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
        const template = pick(accounts, random);
        if (!template) return undefined;
        const id = `001${String(nextId++).padStart(15, '0')}`;
        accounts.push({ ...template, Id: id, Name: revised(String(template.Name), revision) });
        sandbox.updateAccount(id, {});
        return `create ${id}`;
      }
      const target = pick(accounts, random);
      if (!target) return undefined;
      if (kind === 'delete') {
        accounts.splice(accounts.indexOf(target), 1);
        return `delete ${target.Id}`;
      }
      sandbox.updateAccount(target.Id, { Name: revised(String(target.Name), revision) });
      return `update ${target.Id}`;
    },
    truth: () => new Map(accounts.map((account) => [account.Id, String(account.Name)])),
    contentOf: (canonical) => String(canonical.name ?? ''),
    counters: admin.counters,
    close: () => sandbox.close(),
  };
}
