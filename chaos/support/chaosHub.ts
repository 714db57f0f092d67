// Hub processes for the reliability suite: `node src/main.ts` as `npm start` runs it, on a
// database of the machine's PostgreSQL, every line it prints kept in the run's output, and an
// API client whose responses are kept there too (the secret scan reads both).
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { freePort, type HubProcess, spawnHub, waitUntilReady } from '../../test/support/hubProcess.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/testDatabase.ts';
import type { ScenarioContext } from '../scenario.ts';

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: API bodies of every shape
  body: any;
  text: string;
}

export interface ChaosHub {
  label: string;
  url: string;
  process: HubProcess;
  /** Calls the hub as the admin (or with `token`); the response is kept in the run's output. */
  api(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
    options?: { shownOnce?: boolean },
  ): Promise<ApiResponse>;
  /** SIGKILL: no clean-up, no hand-back of runs. */
  kill(): Promise<void>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** What every hub of a scenario shares: one database, one master key, one admin token. */
export interface ChaosCluster {
  database: TestDatabase;
  adminToken: string;
  masterKey: string;
  /** Starts a hub process (`HUB_ROLE` and more in `env`) and waits until it is ready. */
  start(label: string, env?: Record<string, string>): Promise<ChaosHub>;
  /** Kills whatever still runs and drops the database. */
  close(): Promise<void>;
}

/** Loopback is where the sandboxes and subscribers of the suite live. */
const allowLoopback = { HUB_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128' };

export async function startCluster(context: ScenarioContext, scenario: string): Promise<ChaosCluster> {
  const database = await createTestDatabase();
  const adminToken = `hub_chaos_${randomBytes(16).toString('hex')}`;
  const masterKey = randomBytes(32).toString('base64');
  context.output.plant(adminToken);
  context.output.plant(masterKey);
  const hubs: ChaosHub[] = [];
  return {
    database,
    adminToken,
    masterKey,
    async start(label, env = {}) {
      const port = String(await freePort());
      const process = spawnHub({
        DATABASE_URL: database.url,
        PORT: port,
        HUB_PUBLIC_URL: `http://127.0.0.1:${port}`,
        HUB_MASTER_KEY: masterKey,
        HUB_ADMIN_TOKEN: adminToken,
        HUB_LOG_LEVEL: 'info',
        ...allowLoopback,
        ...env,
      });
      const name = `${scenario}-${label}`;
      const log = createWriteStream(context.output.file(`${name}.log`), { flags: 'a' });
      process.child.stdout?.pipe(log);
      process.child.stderr?.pipe(log);
      await waitUntilReady(process);
      const hub = makeHub(context, name, process, adminToken);
      hubs.push(hub);
      return hub;
    },
    async close() {
      for (const hub of hubs) if (hub.process.child.exitCode === null) hub.process.child.kill('SIGKILL');
      await Promise.all(hubs.map((hub) => hub.process.exited));
      await database.drop();
    },
  };
}

function makeHub(context: ScenarioContext, label: string, process: HubProcess, adminToken: string): ChaosHub {
  return {
    label,
    url: process.url,
    process,
    // `shownOnce`: the answer hands out a secret by design (a subscription's signing secret, a
    // new token), so it is not kept; the secret scan then proves the hub never says it again.
    async api(method, path, body, token, options = {}) {
      const bearer = token === undefined ? adminToken : token;
      const response = await fetch(`${process.url}${path}`, {
        method,
        headers: {
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      context.output.append(
        `${label}-responses.log`,
        `${method} ${path} ${response.status} ${options.shownOnce ? '(shows a secret once; not kept)' : text}`,
      );
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    async kill() {
      if (process.child.exitCode === null) process.child.kill('SIGKILL');
      await process.exited;
    },
    async stop() {
      if (process.child.exitCode === null) process.child.kill('SIGTERM');
      await process.exited;
    },
  };
}

/** Polls until `probe` returns a value; throws naming `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
