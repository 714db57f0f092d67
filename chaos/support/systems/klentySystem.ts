// Klenty through the REST connector's template: prospects by offset, changes by last-updated
// day. Klenty cannot say that a prospect was deleted, and its API key has no refresh: the suite
// only creates and changes prospects there.
import { startKlentySandbox } from '../../../sandbox/klenty/server.ts';
import { type ChaosSystem, pick, revised, sandboxAdmin } from './system.ts';

export async function klentySystem(options: { prospects: number }): Promise<ChaosSystem> {
  const sandbox = await startKlentySandbox({ prospects: options.prospects });
  const admin = sandboxAdmin(sandbox.url);
  const prospects = sandbox.prospects;
  let revision = 0;
  return {
    name: 'klenty',
    entity: 'contact',
    deletions: 'none',
    refreshesTokens: false,
    integration: () => ({
      name: 'Chaos Klenty',
      connector: 'rest',
      template: 'klenty',
      config: { baseUrl: sandbox.baseUrl, timeoutMs: 2_000 },
      credentials: { apiKey: sandbox.apiKey },
    }),
    secrets: () => [sandbox.apiKey],
    setFaults: admin.setFaults,
    expireTokens: async () => {},
    outage: admin.outage,
    change: (kind, random) => {
      if (kind === 'delete') return undefined;
      revision += 1;
      const template = pick(prospects, random);
      if (!template) return undefined;
      if (kind === 'create') {
        const email = `chaos.${revision}@kunde${revision}.example`;
        prospects.push({ ...template, Email: email, Company: revised(template.Company ?? '', revision) });
        sandbox.updateProspect(email, {});
        return `create ${email}`;
      }
      sandbox.updateProspect(template.Email ?? '', { Company: revised(template.Company ?? '', revision) });
      return `update ${template.Email}`;
    },
    truth: () => new Map(prospects.map((prospect) => [prospect.Email ?? '', prospect.Company ?? ''])),
    contentOf: (canonical) => String(canonical.company ?? ''),
    counters: admin.counters,
    close: () => sandbox.close(),
  };
}
