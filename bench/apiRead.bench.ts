// Authenticated reads of one integration over HTTP (token check, rate limit, query, masking),
// against the unauthenticated /healthz route of the same server as the ceiling.
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config.ts';
import { startHub } from '../src/hub.ts';
import { createLogger } from '../src/observability/logger.ts';
import { benchDatabase, httpLoad } from './support.ts';

export async function apiReadBenchmark() {
  const database = await benchDatabase();
  const token = `hub_bench_${randomBytes(16).toString('hex')}`;
  const hub = await startHub(
    loadConfig({
      DATABASE_URL: database.url,
      // The bench's sources and subscribers listen on loopback.
      HUB_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128',
      HUB_MASTER_KEY: randomBytes(32).toString('base64'),
      HUB_ADMIN_TOKEN: token,
      HUB_API_RATE_LIMIT: '100000000',
      PORT: '0',
    }),
    { logger: createLogger('warn') },
  );
  try {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${hub.url}/api/v1/integrations`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: 'Bench ERP',
        connector: 'rest',
        config: { baseUrl: 'https://erp.example', auth: { kind: 'apiKey' } },
        credentials: { apiKey: 'bench-key-0123456789abcdef' },
      }),
    }).then((r) => r.json() as Promise<{ id: string }>);
    const ceiling = await httpLoad(`${hub.url}/healthz`, {});
    const read = await httpLoad(`${hub.url}/api/v1/integrations/${created.id}`, headers);
    return [
      {
        bench: 'api-read-integration',
        requestsPerSecond: read.requestsPerSecond,
        p50Ms: read.p50Ms,
        p99Ms: read.p99Ms,
        ceiling: ceiling.requestsPerSecond,
        ceilingWhat: 'GET /healthz on the same server',
        ratio: Math.round((read.requestsPerSecond / ceiling.requestsPerSecond) * 100) / 100,
      },
    ];
  } finally {
    await hub.stop();
    await database.close();
  }
}
