// Credential vault: rotation while the API serves, tampered and moved ciphertext, secrets nowhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restIntegration, startTestHub, type TestHub } from './support/testHub.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t.close());

const openCredentials = (id: string) =>
  t.db
    .query('SELECT credentials_encrypted FROM integration_configs WHERE id = $1', [id])
    .then((r) =>
      t.hub.context.vault.open<Record<string, string>>(
        r.rows[0].credentials_encrypted,
        `integration_configs.credentials:${id}`,
      ),
    );

/** The hub's error log lines, to show why a request failed; the logger redacts secrets. */
const hubErrors = () => t.logs.filter((line) => line.includes('"level":"error"')).join('');

describe('vault', () => {
  it('rotates the data key while the API keeps serving; the old key is removed and every credential decrypts', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 250; i++) {
      const created = await t.request({
        method: 'POST',
        url: '/api/v1/integrations',
        body: restIntegration({
          name: `Kantine ${i}`,
          credentials: { apiKey: `kantine-secret-${i}-abcdefgh` },
        }),
      });
      ids.push(created.body.id);
    }
    const oldKeys = (await t.db.query('SELECT id FROM vault_data_keys')).rows.map((r) => r.id);
    expect(oldKeys).toHaveLength(1);

    let running = true;
    const statuses: number[] = [];
    const traffic = (async () => {
      let n = 0;
      while (running) {
        const id = ids[n++ % ids.length]!;
        const read = await t.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
        statuses.push(read.status);
        const patch = await t.request({
          method: 'PATCH',
          url: `/api/v1/integrations/${id}`,
          body: { credentials: { apiKey: `rotated-while-running-${n}-xyz` } },
          headers: { 'if-match': read.headers.etag as string },
        });
        statuses.push(patch.status);
      }
    })();
    const rotation = await t.request({ method: 'POST', url: '/api/v1/keys/rotate' });
    running = false;
    await traffic;

    expect(rotation.status, hubErrors()).toBe(200);
    expect(rotation.body.removedKeyIds).toEqual(oldKeys);
    expect(statuses.length).toBeGreaterThan(2);
    expect(
      statuses.filter((s) => s !== 200),
      hubErrors(),
    ).toEqual([]);
    const remaining = (await t.db.query('SELECT id, state FROM vault_data_keys')).rows;
    expect(remaining).toEqual([{ id: rotation.body.keyId, state: 'active' }]);
    const stillOld = await t.db.query(
      'SELECT count(*)::int AS n FROM integration_configs WHERE credentials_key_id = ANY($1)',
      [oldKeys],
    );
    expect(stillOld.rows[0].n).toBe(0);
    for (const id of ids) {
      const credentials = await openCredentials(id);
      expect(credentials.apiKey).toMatch(/^(kantine-secret-\d+-abcdefgh|rotated-while-running-\d+-xyz)$/);
    }
    const status = await t.request({ method: 'GET', url: '/api/v1/keys' });
    expect(status.body.dataKeys[0]).toMatchObject({ id: rotation.body.keyId, sealedValues: 250 });
    const audit = await t.request({ method: 'GET', url: '/api/v1/audit?action=keys.rotate' });
    expect(audit.body.items[0].changes.reencrypted).toBeGreaterThan(0);
    // Saving 250 integrations checks each base URL's address; the test resolver now and then takes
    // the check's full 3 s for an unresolvable name, which took this test close to 30 s.
  }, 60_000);

  it('refuses a tampered ciphertext with a clear error instead of garbage', async () => {
    const created = await t.request({ method: 'POST', url: '/api/v1/integrations', body: restIntegration() });
    const row = await t.db.query('SELECT credentials_encrypted AS c FROM integration_configs WHERE id = $1', [
      created.body.id,
    ]);
    const parts = (row.rows[0].c as string).split('.');
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    parts[3] = flipped.toString('base64url');
    await t.db.query('UPDATE integration_configs SET credentials_encrypted = $2 WHERE id = $1', [
      created.body.id,
      parts.join('.'),
    ]);
    const test = await t.request({ method: 'POST', url: `/api/v1/integrations/${created.body.id}/test` });
    expect(test.status).toBe(500);
    expect(test.body.code).toBe('VAULT_TAMPERED');
    expect(test.body.detail).toContain('failed authentication');
  });

  it('refuses a ciphertext copied to another integration (bound to its row)', async () => {
    const a = await t.request({ method: 'POST', url: '/api/v1/integrations', body: restIntegration() });
    const b = await t.request({ method: 'POST', url: '/api/v1/integrations', body: restIntegration() });
    await t.db.query(
      `UPDATE integration_configs SET credentials_encrypted = (SELECT credentials_encrypted FROM integration_configs WHERE id = $1) WHERE id = $2`,
      [a.body.id, b.body.id],
    );
    const test = await t.request({ method: 'POST', url: `/api/v1/integrations/${b.body.id}/test` });
    expect(test.body.code).toBe('VAULT_TAMPERED');
  });
});
