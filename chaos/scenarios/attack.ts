// Attack and bad input against real hub processes: the authorization matrix over every route and
// role, thousands of fuzzed requests and webhooks (no 5xx, no crash, no partial writes, no forged
// webhook stored), then a worker processing whatever the fuzzing got stored, and the size, rate
// and refused-attempt limits on two processes sharing the database.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createFuzzFixtures } from '../../test/support/attack/fuzzFixtures.ts';
import { hubTables } from '../../test/support/attack/hubTables.ts';
import { checkAuthorizationMatrix, routesOf } from '../../test/support/authorizationMatrix.ts';
import type { Figure } from '../figures.ts';
import type { ChaosScenario, ScenarioContext } from '../scenario.ts';
import { type ChaosHub, startCluster, until } from '../support/chaosHub.ts';
import { runFuzzing } from './attack/fuzzRun.ts';
import {
  checkBodyLimits,
  checkFailureLimits,
  checkRateLimit,
  LIMITS,
  tokenSupply,
} from './attack/limitChecks.ts';

const API_CASES = 2_000;
const WEBHOOK_CASES = 1_000;
const FUZZ_BODY_LIMIT = 262_144;

export const attack: ChaosScenario = {
  name: 'attack',
  description: 'authorization matrix, fuzzed API and webhooks, size, rate and refused-attempt limits',
  async run(context) {
    const cluster = await startCluster(context, 'attack');
    const db = new pg.Pool({ connectionString: cluster.database.url, max: 2 });
    try {
      // An api process: nothing but the request being checked writes to the database.
      const fuzzed = await cluster.start('fuzz', {
        HUB_ROLE: 'api',
        HUB_API_RATE_LIMIT: '100000000',
        HUB_AUTH_FAILURE_LIMIT: '100000000',
        HUB_BODY_LIMIT: String(FUZZ_BODY_LIMIT),
      });
      const figures: Omit<Figure, 'scenario'>[] = await matrixFigures(context, fuzzed, cluster.adminToken);
      context.progress(`authorization matrix: ${figures[0]?.value} checks`);
      const fixtures = await createFuzzFixtures((method, url, body) => fuzzed.api(method, url, body));
      for (const secret of fixtures.credentials) context.output.plant(secret);
      const seed = Date.now() % 2 ** 31;
      // Said before the run, so a run that breaks off can be replayed too.
      context.progress(`fuzz seed ${seed}`);
      const tally = await runFuzzing(context, {
        baseUrl: fuzzed.url,
        adminToken: cluster.adminToken,
        bodyLimit: FUZZ_BODY_LIMIT,
        fixtures,
        tables: await hubTables(db),
        apiCases: API_CASES,
        webhookCases: WEBHOOK_CASES,
        seed,
      });
      const hubLog = readLines(context.output.file('attack-fuzz.log'));
      for (const example of tally.examples) {
        context.progress(`violation: ${example.slice(0, 400)}`);
        // What the hub logged about a failed request, found by its trace id.
        const traceId = /"traceId":"([\da-f]{32})"/.exec(example)?.[1];
        const logged = traceId
          ? hubLog.filter((line) => line.includes(traceId) && line.includes('"level":50'))
          : [];
        context.output.append('attack-violations.log', [example, ...logged].join('\n'));
      }
      const fuzzAlive = await alive(fuzzed);

      // A worker takes what the fuzzing got stored (webhooks, sync runs) and must live through it.
      const worker = await cluster.start('worker', { HUB_ROLE: 'worker', HUB_SCHEDULER_INTERVAL_MS: '500' });
      const settled = await until(
        'the fuzzed webhooks to be processed',
        async () => {
          const { rows } = await db.query<{ waiting: number }>(
            `SELECT count(*)::int AS waiting FROM inbound_webhooks WHERE state = 'received'`,
          );
          return rows[0]!.waiting === 0 ? true : undefined;
        },
        60_000,
      ).catch(() => false);
      const workerAlive = await alive(worker);
      await worker.stop();

      const limitsA = await cluster.start('limits-a', limitEnv);
      const limitsB = await cluster.start('limits-b', limitEnv);
      const nextToken = tokenSupply(fuzzed, LIMITS.rate - 5, (token) => context.output.plant(token));
      const routes = routesOf((await fuzzed.api('GET', '/api/v1/openapi.json')).body);
      const shop = fixtures.webhooks.find((target) => target.scheme === 'standard-webhooks');
      if (!shop) throw new Error('no Standard Webhooks fixture');
      figures.push(...(await checkBodyLimits(limitsA, routes, nextToken, shop)));
      figures.push(...(await checkRateLimit([limitsA, limitsB], routes, await freshToken(context, fuzzed))));
      figures.push(...(await checkFailureLimits(limitsA, await freshToken(context, fuzzed), shop)));
      const crashes = [fuzzAlive, workerAlive, await alive(limitsA), await alive(limitsB)].filter(
        (ok) => !ok,
      ).length;

      const violations = tally.violations;
      figures.push(
        {
          figure: 'fuzz cases run (API, webhooks, raw sockets)',
          value: tally.cases,
          unit: `cases (seed ${seed})`,
        },
        {
          figure: 'fuzz cases that got no answer',
          value: tally.unanswered,
          goal: '0',
          pass: tally.unanswered === 0,
        },
        {
          figure: '5xx answers to fuzzed requests',
          value: violations['5xx'],
          goal: '0',
          pass: violations['5xx'] === 0,
        },
        {
          figure: '4xx answers that were not problem+json',
          value: violations['not problem+json'],
          goal: '0',
          pass: violations['not problem+json'] === 0,
        },
        {
          figure: 'partial writes by refused requests',
          value: violations['partial write'],
          goal: '0',
          pass: violations['partial write'] === 0,
        },
        {
          figure: 'forged webhooks stored',
          value: violations['forged webhook stored'],
          goal: '0',
          pass: violations['forged webhook stored'] === 0,
        },
        {
          figure: 'correctly signed fuzzed webhooks accepted',
          value: tally.acceptedWebhooks,
          unit: 'webhooks',
        },
        {
          figure: 'fuzzed webhooks left unprocessed by the worker after 60 s',
          value: settled ? 0 : 'some',
          goal: '0',
          pass: settled === true,
        },
        { figure: 'hub processes crashed or not ready', value: crashes, goal: '0', pass: crashes === 0 },
      );
      return figures;
    } finally {
      await db.end();
      await cluster.close();
    }
  },
};

const limitEnv = {
  HUB_ROLE: 'api',
  HUB_BODY_LIMIT: String(LIMITS.body),
  HUB_API_RATE_LIMIT: String(LIMITS.rate),
  HUB_AUTH_FAILURE_LIMIT: String(LIMITS.failures),
};

async function matrixFigures(context: ScenarioContext, hub: ChaosHub, adminToken: string) {
  const tokens = { admin: adminToken, viewer: '', operator: '' };
  for (const role of ['viewer', 'operator'] as const) {
    const created = await hub.api('POST', '/api/v1/api-keys', { name: `matrix ${role}`, role }, undefined, {
      shownOnce: true,
    });
    tokens[role] = created.body.token;
    context.output.plant(tokens[role]);
  }
  const routes = routesOf((await hub.api('GET', '/api/v1/openapi.json')).body);
  const result = await checkAuthorizationMatrix(
    routes,
    tokens,
    async ({ method, url, token, body, headers }) => {
      const response = await fetch(`${hub.url}${url}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      await response.body?.cancel();
      return response.status;
    },
  );
  for (const violation of result.violations.slice(0, 10)) context.progress(`matrix: ${violation}`);
  return [
    {
      figure: 'authorization matrix: routes × callers checked',
      value: result.checks,
      unit: `(${result.routes} routes)`,
    },
    {
      figure: 'authorization matrix violations',
      value: result.violations.length,
      goal: '0',
      pass: result.violations.length === 0,
    },
  ];
}

async function freshToken(context: ScenarioContext, hub: ChaosHub): Promise<string> {
  const created = await hub.api(
    'POST',
    '/api/v1/api-keys',
    { name: `fresh ${Date.now()}-${Math.random()}`, role: 'viewer' },
    undefined,
    { shownOnce: true },
  );
  context.output.plant(created.body.token);
  return created.body.token;
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch {
    return [];
  }
}

async function alive(hub: ChaosHub): Promise<boolean> {
  if (hub.process.child.exitCode !== null) return false;
  return fetch(`${hub.url}/readyz`).then(
    (response) => response.status === 200,
    () => false,
  );
}
