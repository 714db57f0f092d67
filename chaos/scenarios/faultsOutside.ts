// Faults from outside: seven integrations on one hub, scheduled every two seconds, against
// sandboxes that fail 20 % of requests (5xx, 429 with Retry-After, timeouts, resets), whose
// access tokens expire, whose data changes all the time, and two of which go down for 30 s.
// Afterwards the hub's records are checked against each sandbox's own data.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { seededRandom } from '../../sandbox/recordSource/customers.ts';
import type { SandboxFaultSettings } from '../../sandbox/shared/faultInjection.ts';
import type { ChaosScenario, ScenarioContext } from '../scenario.ts';
import { type ChaosHub, startCluster, until } from '../support/chaosHub.ts';
import { createIntegration, describeIntegration, fullSync, nextGoodRun } from '../support/hubSyncs.ts';
import {
  type ChaosSystem,
  googleSystem,
  graphSystem,
  klentySystem,
  mondaySystem,
  recordSourceSystem,
  salesforceSystem,
  xentralSystem,
} from '../support/systems/index.ts';
import { type Outage, summarise, type Tested } from './faultsOutsideFigures.ts';

/** How long the sandboxes misbehave. */
const CHAOS_MS = 150_000;
const OUTAGE_MS = 30_000;
/** Which systems go down, and when (after the chaos starts). */
const OUTAGES = [
  { system: 'record source', atMs: 25_000 },
  { system: 'xentral', atMs: 85_000 },
];
const CHANGE_EVERY_MS = 600;
const TOKENS_EXPIRE_EVERY_MS = 20_000;
const SCHEDULE = { enabled: true, cron: '*/2 * * * * *', timezone: 'Europe/Berlin' };
const RETRY_POLICY = {
  maxAttempts: 5,
  initialDelayMs: 250,
  maxDelayMs: 4_000,
  backoffMultiplier: 2,
  jitter: true,
};
const FAULTS: SandboxFaultSettings = {
  rate: 0.2,
  kinds: ['500', '503', '429', 'timeout', 'reset'],
  retryAfterSeconds: 1,
  // Longer than the integrations' 2 s timeout: the hub gives up first, as it would on a hung server.
  timeoutMs: 5_000,
};

export const faultsOutside: ChaosScenario = {
  name: 'faults-outside',
  description: `7 integrations scheduled every 2 s for ${CHAOS_MS / 1000} s against sandboxes failing 20 % of requests, with outages`,
  async run(context) {
    const systems = await Promise.all([
      recordSourceSystem({ records: 300 }),
      xentralSystem({ customers: 150 }),
      salesforceSystem({ accounts: 200 }),
      googleSystem({ events: 150 }),
      graphSystem({ events: 150 }),
      mondaySystem({ items: 200 }),
      klentySystem({ prospects: 150 }),
    ]);
    const cluster = await startCluster(context, 'faults-outside');
    const db = new pg.Pool({ connectionString: cluster.database.url, max: 2 });
    try {
      for (const system of systems) for (const secret of system.secrets()) context.output.plant(secret);
      const hub = await cluster.start('hub', { HUB_SCHEDULER_INTERVAL_MS: '250' });
      const tested = await connect(context, hub, systems);
      const outcome = await misbehave(context, hub, tested);
      return await settleAndCheck(context, hub, db, tested, outcome);
    } finally {
      await db.end();
      await cluster.close();
      await Promise.all(systems.map((system) => system.close()));
    }
  },
};

async function connect(context: ScenarioContext, hub: ChaosHub, systems: ChaosSystem[]): Promise<Tested[]> {
  const tested: Tested[] = [];
  for (const system of systems) {
    const id = await createIntegration(hub, {
      ...system.integration(),
      schedule: SCHEDULE,
      retryPolicy: RETRY_POLICY,
    });
    tested.push({
      system,
      integrationId: id,
      deleted: new Set(),
      changes: { create: 0, update: 0, delete: 0 },
    });
  }
  // The first scheduled run of each lands everything, before anything breaks.
  const since = new Date(0);
  await Promise.all(tested.map((item) => nextGoodRun(hub, item.integrationId, since, 60_000)));
  context.progress(`${tested.length} integrations synced in full; the sandboxes start failing`);
  return tested;
}

interface ChaosOutcome {
  startedAt: Date;
  healedAt: Date;
  outages: Outage[];
  tokenExpiries: number;
}

async function misbehave(context: ScenarioContext, hub: ChaosHub, tested: Tested[]): Promise<ChaosOutcome> {
  const random = seededRandom(77);
  await Promise.all(tested.map((item, index) => item.system.setFaults({ ...FAULTS, seed: 100 + index })));
  const startedAt = new Date();
  const stopAt = startedAt.getTime() + CHAOS_MS;
  let tokenExpiries = 0;

  const changing = (async () => {
    while (Date.now() < stopAt) {
      const target = tested[Math.floor(random() * tested.length)] as Tested;
      const roll = random();
      const kind = roll < 0.25 ? 'create' : roll < 0.8 ? 'update' : 'delete';
      const done =
        target.system.deletions === 'none' && kind === 'delete'
          ? undefined
          : target.system.change(kind, random);
      if (done) {
        target.changes[kind] += 1;
        if (kind === 'delete') target.deleted.add(done.slice('delete '.length));
      }
      await sleep(CHANGE_EVERY_MS);
    }
  })();
  const expiring = (async () => {
    for (;;) {
      await sleep(TOKENS_EXPIRE_EVERY_MS);
      if (Date.now() >= stopAt) return;
      for (const item of tested.filter((candidate) => candidate.system.refreshesTokens)) {
        await item.system.expireTokens();
        tokenExpiries += 1;
      }
    }
  })();
  const outages = OUTAGES.map(async ({ system, atMs }): Promise<Outage> => {
    const item = tested.find((candidate) => candidate.system.name === system);
    if (!item) throw new Error(`no system ${system}`);
    await sleep(atMs);
    const down = await item.system.outage();
    const from = new Date();
    context.progress(`${system} down (${down.how})`);
    await sleep(OUTAGE_MS);
    await down.end();
    const to = new Date();
    context.progress(`${system} back`);
    const active = await until(
      `${system} to be active again`,
      async () => {
        const read = await hub.api('GET', `/api/v1/integrations/${item.integrationId}`);
        return read.body?.status === 'active' ? new Date() : undefined;
      },
      120_000,
    ).catch(() => undefined);
    return { integrationId: item.integrationId, system, how: down.how, from, to, activeAt: active };
  });

  await Promise.all([changing, expiring]);
  const ended = await Promise.all(outages);
  await Promise.all(tested.map((item) => item.system.setFaults(null)));
  const healedAt = new Date();
  context.progress('the sandboxes are healed; waiting for each integration to catch up');
  return { startedAt, healedAt, outages: ended, tokenExpiries };
}

async function settleAndCheck(
  context: ScenarioContext,
  hub: ChaosHub,
  db: pg.Pool,
  tested: Tested[],
  outcome: ChaosOutcome,
) {
  // A scheduled run queued after the last change and the heal, to its end, for every integration.
  await Promise.all(
    tested.map((item) =>
      nextGoodRun(hub, item.integrationId, outcome.healedAt, 90_000).catch(async (error: Error) => {
        throw new Error(`${error.message}; ${await describeIntegration(hub, item.integrationId)}`);
      }),
    ),
  );
  const incremental = await summarise.audit(hub, tested);
  // Sources without a deletion feed tell deletions only to a full pass.
  await Promise.all(
    tested
      .filter((item) => item.system.deletions === 'sweep')
      .map((item) => fullSync(hub, item.integrationId, 90_000)),
  );
  const afterFullPass = await summarise.audit(hub, tested);
  context.progress('records checked against the sandboxes');
  return summarise.figures({ db, tested, ...outcome, incremental, afterFullPass });
}
