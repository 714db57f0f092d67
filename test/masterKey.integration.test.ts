// Master key rotation: data keys are re-wrapped under the new key; afterwards the old key can go.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { startHub } from '../src/hub.ts';
import { createLogger } from '../src/observability/logger.ts';
import { runCli } from './support/hubProcess.ts';
import { createTestDatabase, type TestDatabase } from './support/testDatabase.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

const token = 'hub_master_key_test_admin_0123456789';

async function hubWith(env: Record<string, string>) {
  const config = loadConfig({
    DATABASE_URL: database.url,
    HUB_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'hub-mk-')),
    HUB_ADMIN_TOKEN: token,
    ...env,
  });
  return startHub(config, { logger: createLogger('silent'), listen: false });
}

it('re-wraps every data key under the new master key, after which the old key is not needed', async () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  const before = await hubWith({ HUB_MASTER_KEY: oldKey });
  const created = await before.app.inject({
    method: 'POST',
    url: '/api/v1/integrations',
    headers: { authorization: `Bearer ${token}` },
    payload: {
      name: 'Gasthof',
      connector: 'rest',
      config: { baseUrl: 'https://g.example', auth: { kind: 'apiKey' } },
      credentials: { apiKey: 'gasthof-key-0123456789' },
    },
  });
  const { id } = created.json() as { id: string };
  await before.stop();

  const missingPrevious = await runCli(['keys', 'rotate-master'], {
    DATABASE_URL: database.url,
    HUB_MASTER_KEY: newKey,
  });
  expect(missingPrevious.code).toBe(1);
  expect(missingPrevious.output).toContain('HUB_MASTER_KEY_PREVIOUS');
  const rotated = await runCli(['keys', 'rotate-master'], {
    DATABASE_URL: database.url,
    HUB_MASTER_KEY: newKey,
    HUB_MASTER_KEY_PREVIOUS: oldKey,
  });
  expect(rotated.code).toBe(0);
  expect(rotated.output).toContain('re-wrapped 1 data keys');

  const after = await hubWith({ HUB_MASTER_KEY: newKey });
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  const row = await db.query('SELECT credentials_encrypted AS c FROM integration_configs WHERE id = $1', [
    id,
  ]);
  await db.end();
  const credentials = await after.context.vault.open<{ apiKey: string }>(
    row.rows[0].c,
    `integration_configs.credentials:${id}`,
  );
  expect(credentials.apiKey).toBe('gasthof-key-0123456789');
  await after.stop();
  await expect(hubWith({ HUB_MASTER_KEY: oldKey })).rejects.toThrow(/HUB_MASTER_KEY: does not match/);
});
