// Inbound webhooks: verified (Standard Webhooks) and durably stored with their processing job,
// under load from a second process, beside GET /healthz of the same server as the ceiling.
// Processing is paused for the measurement (HUB_ROLE=api), so the figure is the intake alone.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { startHub } from '../src/hub.ts';
import { createLogger } from '../src/observability/logger.ts';
import { benchDatabase } from './support.ts';

const run = promisify(execFile);
const SECONDS = 8;
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
      HUB_MASTER_KEY: randomBytes(32).toString('base64'),
      HUB_ADMIN_TOKEN: token,
      HUB_ROLE: 'api',
      HUB_DB_POOL_SIZE: '20',
      PORT: '0',
    }),
    { logger: createLogger('warn') },
  );
  try {
    const created = await fetch(`${hub.url}/api/v1/integrations`, {
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
    const ceiling = await load({
      url: `${hub.url}/healthz`,
      method: 'GET',
      seconds: SECONDS,
      connections: CONNECTIONS,
    });
    const intake = await load({
      url: `${hub.url}/webhooks/${created.id}`,
      method: 'POST',
      seconds: SECONDS,
      connections: CONNECTIONS,
      secret,
    });
    const stored = await database.pool.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM inbound_webhooks',
    );
    return [
      {
        bench: 'webhook-intake',
        webhooksPerSecond: intake.requestsPerSecond,
        p50Ms: intake.p50Ms,
        p99Ms: intake.p99Ms,
        refused: intake.non2xx,
        stored: stored.rows[0]?.count ?? 0,
        answered: intake.total - intake.non2xx,
        ceiling: ceiling.requestsPerSecond,
        ceilingWhat: 'GET /healthz on the same server, same load generator',
        ratio: Math.round((intake.requestsPerSecond / ceiling.requestsPerSecond) * 100) / 100,
        goal: '>= 3000/s, ratio >= 0.3',
      },
    ];
  } finally {
    await hub.stop();
    await database.close();
  }
}
