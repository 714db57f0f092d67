// Bad configuration stops the start with one clear line naming what is wrong.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { startHub } from '../src/hub.ts';
import { createLogger } from '../src/observability/logger.ts';
import { freePort, spawnHub } from './support/hubProcess.ts';
import { createTestDatabase, type TestDatabase } from './support/testDatabase.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

async function failedStart(env: Record<string, string>): Promise<string> {
  const hub = spawnHub({ DATABASE_URL: database.url, PORT: String(await freePort()), ...env });
  expect(await hub.exited).toBe(1);
  const lines = hub
    .output()
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('integration-hub:'));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('start-up errors', () => {
  it('names a bad variable', async () => {
    expect(await failedStart({ HUB_MASTER_KEY: 'too-short' })).toContain('HUB_MASTER_KEY');
    expect(await failedStart({ PORT: 'eighty' })).toContain('PORT');
    expect(await failedStart({ HUB_ROLE: 'boss' })).toContain('HUB_ROLE');
  });

  it('names an unreachable DATABASE_URL without its password', async () => {
    const line = await failedStart({ DATABASE_URL: 'postgres://hub:topsecretpw@127.0.0.1:1/hub' });
    expect(line).toContain('DATABASE_URL: cannot connect');
    expect(line).not.toContain('topsecretpw');
  });

  it('names a port in use', async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port)),
    );
    const line = await failedStart({
      PORT: String(port),
      HUB_MASTER_KEY: randomBytes(32).toString('base64'),
    });
    blocker.close();
    expect(line).toContain(`PORT: 127.0.0.1:${port} is already in use`);
  });

  it('refuses a master key that does not match the stored credentials', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hub-keys-'));
    const key = randomBytes(32).toString('base64');
    const config = loadConfig({
      DATABASE_URL: database.url,
      HUB_DATA_DIR: dataDir,
      HUB_MASTER_KEY: key,
      HUB_ADMIN_TOKEN: 'hub_startup_admin_token_0123456789',
    });
    const hub = await startHub(config, { logger: createLogger('silent'), listen: false });
    const created = await hub.app.inject({
      method: 'POST',
      url: '/api/v1/integrations',
      headers: { authorization: 'Bearer hub_startup_admin_token_0123456789' },
      payload: {
        name: 'Caterer',
        connector: 'rest',
        config: { baseUrl: 'https://c.example', auth: { kind: 'apiKey' } },
        credentials: { apiKey: 'caterer-key-0123456789' },
      },
    });
    expect(created.statusCode).toBe(201);
    await hub.stop();
    const line = await failedStart({
      HUB_MASTER_KEY: randomBytes(32).toString('base64'),
      HUB_DATA_DIR: dataDir,
    });
    expect(line).toContain('HUB_MASTER_KEY: does not match');
  });
});
