// The hub as a newcomer runs it: `npm start` on the embedded PostgreSQL, kept across restarts,
// a clean stop on SIGTERM, a restart after kill -9, and CLI key rotation beside the running hub.

import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type HubProcess, runCli, spawnHub, waitUntilReady } from './support/hubProcess.ts';

let dataDir: string;
let env: Record<string, string>;
const adminToken = 'hub_embedded_admin_token_0123456789abcdef';
let hub: HubProcess | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'hub-embedded-'));
  env = { HUB_DATA_DIR: dataDir, PORT: String(await freePort()), HUB_ADMIN_TOKEN: adminToken };
});
afterAll(async () => {
  if (hub && hub.child.exitCode === null) {
    hub.child.kill('SIGTERM');
    const stopped = await Promise.race([hub.exited.then(() => true), sleep(45_000).then(() => false)]);
    if (!stopped) {
      hub.child.kill('SIGKILL');
      throw new Error(`the hub did not stop within 45 s of SIGTERM:\n${hub.output()}`);
    }
  }
});

const api = (url: string, init: RequestInit = {}) =>
  fetch(url, {
    ...init,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', ...init.headers },
  });

describe('embedded PostgreSQL', () => {
  it('starts, keeps integrations across a restart, stops cleanly on SIGTERM, survives kill -9', async () => {
    hub = spawnHub(env);
    await waitUntilReady(hub);
    const created = await api(`${hub.url}/api/v1/integrations`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'Hotel Adler',
        connector: 'rest',
        config: { baseUrl: 'https://erp.example', auth: { kind: 'apiKey' } },
        credentials: { apiKey: 'adler-secret-key-123456' },
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const rotated = await runCli(['keys', 'rotate'], { HUB_DATA_DIR: dataDir });
    expect(rotated.output).toContain('re-encrypted 1 values');
    expect(rotated.code).toBe(0);
    expect((await api(`${hub.url}/api/v1/integrations/${id}`)).status).toBe(200);

    hub.child.kill('SIGTERM');
    expect(await hub.exited).toBe(0);
    expect(hub.output()).toContain('embedded PostgreSQL stopped');
    expect(existsSync(path.join(dataDir, 'db', 'postmaster.pid'))).toBe(false);

    hub = spawnHub(env);
    await waitUntilReady(hub);
    const again = await api(`${hub.url}/api/v1/integrations/${id}`);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { name: string }).name).toBe('Hotel Adler');
    const second = spawnHub({ ...env, PORT: String(await freePort()) });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('HUB_DATA_DIR');

    hub.child.kill('SIGKILL');
    await hub.exited;
    hub = spawnHub(env);
    await waitUntilReady(hub);
    expect((await api(`${hub.url}/api/v1/integrations/${id}`)).status).toBe(200);
  });
});
