// Inbound webhooks: verified (Standard Webhooks) and durably stored, under load from a second
// process. The ceiling is a bare route of the same server taking the same signed requests (same
// body parser, hooks and tracing) and answering 202 without verifying or storing; GET /healthz
// is printed beside it. Processing is paused for the measurement (HUB_ROLE=api), so the figure is
// the intake alone.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.ts';
import { startHub } from '../src/hub.ts';
import { createLogger } from '../src/observability/logger.ts';
import { benchDatabase } from './support.ts';

const run = promisify(execFile);
const SECONDS = 5;
const ROUNDS = 3;
const CONNECTIONS = 64;

interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  total: number;
}

async function load(task: Record<string, unknown>): Promise<LoadResult> {
  const script = path.join(import.meta.dirname, 'load/httpLoad.ts');
  const { stdout } = await run(process.execPath, [script, JSON.stringify(task)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as LoadResult;
}

export async function webhookIntakeBenchmark() {
  const database = await benchDatabase();
  const token = `hub_bench_${randomBytes(16).toString('hex')}`;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const hub = await startHub(
    loadConfig({
      DATABASE_URL: database.url,
      // The bench's sources and subscribers listen on loopback.
      HUB_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128',
      HUB_MASTER_KEY: randomBytes(32).toString('base64'),
      HUB_ADMIN_TOKEN: token,
      HUB_ROLE: 'api',
      HUB_DB_POOL_SIZE: '20',
      PORT: '0',
    }),
    { logger: createLogger('warn'), listen: false },
  );
  try {
    registerBareRoute(hub.app);
    const url = await hub.app.listen({ port: 0, host: '127.0.0.1' });
    const created = await fetch(`${url}/api/v1/integrations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Bench shop',
        connector: 'webhook',
        config: {
          signature: { scheme: 'standard-webhooks' },
          entities: { order: { recordsPath: 'data', idField: 'orderNo' } },
        },
        credentials: { webhookSecret: secret },
        entities: ['order'],
        schedule: { enabled: false },
      }),
    }).then((response) => response.json() as Promise<{ id: string }>);
    const healthz = await load({
      url: `${url}/healthz`,
      method: 'GET',
      seconds: SECONDS,
      connections: CONNECTIONS,
    });
    // The ceiling and the intake take turns, so a passing disturbance of the machine falls on
    // both; each figure is the median of its rounds.
    const ceilings: LoadResult[] = [];
    const intakes: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const signed = { method: 'POST' as const, seconds: SECONDS, connections: CONNECTIONS, secret };
      ceilings.push(await load({ ...signed, url: `${url}/bench/bare-webhook` }));
      intakes.push(await load({ ...signed, url: `${url}/webhooks/${created.id}` }));
    }
    const ceiling = median(ceilings);
    const intake = median(intakes);
    const answered = intakes.reduce((sum, result) => sum + result.total - result.non2xx, 0);
    const refused = intakes.reduce((sum, result) => sum + result.non2xx, 0);
    const stored = await database.pool.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM inbound_webhooks',
    );
    return [
      {
        bench: 'webhook-intake',
        webhooksPerSecond: intake.requestsPerSecond,
        p50Ms: intake.p50Ms,
        p99Ms: intake.p99Ms,
        rounds: intakes.map((result) => result.requestsPerSecond),
        refused,
        stored: stored.rows[0]?.count ?? 0,
        answered,
        ceiling: ceiling.requestsPerSecond,
        ceilingRounds: ceilings.map((result) => result.requestsPerSecond),
        ceilingWhat: 'a bare POST route of the same server, same signed requests and load generator',
        healthz: healthz.requestsPerSecond,
        ratio: Math.round((intake.requestsPerSecond / ceiling.requestsPerSecond) * 100) / 100,
        goal: '>= 3000/s, ratio >= 0.3',
      },
    ];
  } finally {
    await hub.stop();
    await database.close();
  }
}

/** Reads the body as the webhook route does (raw bytes), answers as it does, and does nothing else. */
function registerBareRoute(app: FastifyInstance): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post('/bench/bare-webhook', async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      return reply
        .code(202)
        .type('application/json')
        .send(JSON.stringify({ bytes: body.length, duplicate: false }));
    });
  });
}

/** The round with the median throughput (its latencies with it). */
function median(results: LoadResult[]): LoadResult {
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)]!;
}
