// The attack scenario's fuzzing: the test suite's fuzz cases (test/support/attack), many more of
// them, sent over real HTTP to a hub process, each checked for a 5xx, a 4xx that is not
// problem+json, a write by a refused request and a forged webhook stored. Every case runs; the
// violations are counted (with a few examples kept) rather than stopping at the first.
import fc from 'fast-check';
import { apiFuzzCases } from '../../../test/support/attack/apiFuzzCases.ts';
import {
  checkFuzzRequest,
  type FuzzRequest,
  type SendRaw,
  type Violation,
} from '../../../test/support/attack/fuzzCheck.ts';
import type { FuzzFixtures } from '../../../test/support/attack/fuzzFixtures.ts';
import type { Fingerprint, HubTables } from '../../../test/support/attack/hubTables.ts';
import { httpSender, sendOverSocket, socketCases } from '../../../test/support/attack/rawHttp.ts';
import { webhookFuzzCases } from '../../../test/support/attack/webhookFuzzCases.ts';
import type { ScenarioContext } from '../../scenario.ts';

export interface FuzzTally {
  cases: number;
  /** Cases undici would not send (a header it refuses): nothing reached the hub. */
  unsent: number;
  /** Requests that got no answer at all (a reset, a timeout). */
  unanswered: number;
  violations: Record<Violation['kind'], number>;
  examples: string[];
  acceptedWebhooks: number;
}

export interface FuzzPlan {
  baseUrl: string;
  adminToken: string;
  bodyLimit: number;
  fixtures: FuzzFixtures;
  tables: HubTables;
  apiCases: number;
  webhookCases: number;
  seed: number;
}

export async function runFuzzing(context: ScenarioContext, plan: FuzzPlan): Promise<FuzzTally> {
  const tally: FuzzTally = {
    cases: 0,
    unsent: 0,
    unanswered: 0,
    violations: { '5xx': 0, 'not problem+json': 0, 'partial write': 0, 'forged webhook stored': 0 },
    examples: [],
    acceptedWebhooks: 0,
  };
  const http = httpSender(plan.baseUrl);
  // Every answer goes to the run's output, where the secret scan reads it.
  const send: SendRaw = async (request) => {
    const response = await http(request);
    context.output.append(
      'attack-fuzz-responses.log',
      `${request.method} ${request.url.slice(0, 300)} ${response.status} ${response.text.slice(0, 2_000)}`,
    );
    return response;
  };
  const asAdmin = (request: FuzzRequest): FuzzRequest =>
    request.url.startsWith('/webhooks/') || request.headers.authorization !== undefined
      ? request
      : { ...request, headers: { ...request.headers, authorization: `Bearer ${plan.adminToken}` } };

  // Only the request being checked writes (an api process): one case's after is the next one's before.
  let last: Fingerprint | undefined;
  const check = async (request: FuzzRequest) => {
    tally.cases++;
    try {
      const { response, violations, after } = await checkFuzzRequest(send, plan.tables, request, last);
      last = after;
      if (response.status === 0) tally.unsent++;
      if (!request.forged && request.url.startsWith('/webhooks/') && response.status === 202)
        tally.acceptedWebhooks++;
      for (const violation of violations) {
        tally.violations[violation.kind]++;
        if (tally.examples.length < 10) tally.examples.push(`${violation.kind}: ${violation.detail}`);
      }
    } catch (error) {
      last = undefined;
      tally.unanswered++;
      if (tally.examples.length < 10)
        tally.examples.push(`no answer: ${request.label}: ${(error as Error).message}`);
    }
  };

  const apiRequests = fc.sample(apiFuzzCases(plan.fixtures), { numRuns: plan.apiCases, seed: plan.seed });
  for (const [index, request] of apiRequests.entries()) {
    await check(asAdmin(request));
    if ((index + 1) % 1000 === 0) context.progress(`${index + 1} API cases`);
  }
  const webhookBuilders = fc.sample(webhookFuzzCases(plan.fixtures), {
    numRuns: plan.webhookCases,
    seed: plan.seed + 1,
  });
  for (const build of webhookBuilders) await check(await build());
  context.progress(`${plan.webhookCases} webhook cases`);

  // What only a socket can send: each must get its problem+json status, and nothing written.
  for (const entry of socketCases) {
    tally.cases++;
    const before = await plan.tables.fingerprint();
    const answer = await sendOverSocket(
      plan.baseUrl,
      entry.bytes({ bodyLimit: plan.bodyLimit }),
      `Bearer ${plan.adminToken}`,
    );
    context.output.append(
      'attack-fuzz-responses.log',
      `socket ${entry.label} ${answer.status} ${answer.text.slice(0, 500)}`,
    );
    const problem = String(answer.headers['content-type'] ?? '').startsWith('application/problem+json');
    if (answer.status !== entry.expectStatus || !problem) {
      tally.violations['not problem+json']++;
      tally.examples.push(
        `socket ${entry.label}: ${answer.status} ${String(answer.headers['content-type'])}`,
      );
    }
    if (JSON.stringify(before) !== JSON.stringify(await plan.tables.fingerprint())) {
      tally.violations['partial write']++;
      tally.examples.push(`socket ${entry.label}: wrote to the database`);
    }
  }
  return tally;
}
