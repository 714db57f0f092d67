// A hub in the test process on its own database, with every log line captured for inspection.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { type RunningHub, startHub } from '../../src/hub.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { freePort } from './hubProcess.ts';
import { createTestDatabase } from './testDatabase.ts';

export interface TestHub {
  hub: RunningHub;
  adminToken: string;
  logs: string[];
  databaseUrl: string;
  /** A separate connection to the hub's database, for looking behind the API. */
  db: pg.Pool;
  request(options: {
    method: string;
    url: string;
    token?: string | null;
    body?: unknown;
    headers?: Record<string, string>;
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies of every shape
  }): Promise<{ status: number; headers: Record<string, unknown>; body: any; raw: string }>;
  close(): Promise<void>;
}

/** What the tests' hubs may call besides the internet: loopback, where every sandbox listens. */
export const loopback = '127.0.0.0/8,::1/128';

/** `listen: true` serves HTTP on a free loopback port (HUB_PUBLIC_URL set to it), for systems that call the hub. */
export async function startTestHub(
  env: Record<string, string> = {},
  options: { listen?: boolean } = {},
): Promise<TestHub> {
  const database = await createTestDatabase();
  const adminToken = `hub_test_admin_${randomBytes(16).toString('hex')}`;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const config = loadConfig({
    DATABASE_URL: database.url,
    HUB_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'hub-test-')),
    HUB_MASTER_KEY: randomBytes(32).toString('base64'),
    HUB_ADMIN_TOKEN: adminToken,
    HUB_LOG_LEVEL: 'debug',
    // The sandboxes, subscribers and servers of the tests live on loopback.
    HUB_ALLOWED_NETWORKS: loopback,
    // Tests check on request; a minute's check of every integration would add requests they count.
    HUB_HEALTH_CHECK_CRON: 'off',
    ...(options.listen ? await listenEnv() : {}),
    ...env,
  });
  const hub = await startHub(config, {
    logger: createLogger('debug', sink),
    listen: options.listen === true,
  });
  const db = new pg.Pool({ connectionString: database.url, max: 2 });
  return {
    hub,
    adminToken,
    logs,
    databaseUrl: database.url,
    db,
    async request({ method, url, token, body, headers = {} }) {
      const response = await hub.app.inject({
        method: method as 'GET',
        url,
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token ?? adminToken}` }),
          ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      let parsed: unknown;
      try {
        parsed = JSON.parse(response.body);
      } catch {
        parsed = undefined;
      }
      return { status: response.statusCode, headers: response.headers, body: parsed, raw: response.body };
    },
    async close() {
      await db.end();
      await hub.stop();
      await database.drop();
    },
  };
}

export const restIntegration = (overrides: Record<string, unknown> = {}) => ({
  name: `Xentral ${randomBytes(3).toString('hex')}`,
  connector: 'rest',
  config: { baseUrl: 'https://erp.example.org/api', auth: { kind: 'apiKey' } },
  credentials: { apiKey: 'key-0123456789abcdef' },
  ...overrides,
});

async function listenEnv(): Promise<Record<string, string>> {
  const port = await freePort();
  return { PORT: String(port), HOST: '127.0.0.1', HUB_PUBLIC_URL: `http://127.0.0.1:${port}` };
}
