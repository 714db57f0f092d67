// A planted secret is searched for in every table, every response and the whole log: nowhere in plain text.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { restIntegration, startTestHub, type TestHub } from './support/testHub.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t.close());

const SECRET = 'PLANTED-s3cr3t-Kuechenchef-4711';
const SECOND = 'PLANTED-second-Einkauf-0815-xyz';

it('never shows a credential in the database, a response or a log line', async () => {
  const responses: string[] = [];
  const call = async (options: Parameters<TestHub['request']>[0]) => {
    const response = await t.request(options);
    responses.push(response.raw, JSON.stringify(response.headers));
    return response;
  };
  const created = await call({
    method: 'POST',
    url: '/api/v1/integrations',
    body: restIntegration({
      config: { baseUrl: 'https://x.example', auth: { kind: 'basic' } },
      credentials: { username: 'einkauf', password: SECRET },
    }),
  });
  const url = `/api/v1/integrations/${created.body.id}`;
  await call({ method: 'GET', url });
  await call({ method: 'GET', url: '/api/v1/integrations' });
  await call({
    method: 'PATCH',
    url,
    body: { credentials: { password: SECOND } },
    headers: { 'if-match': '"1"' },
  });
  await call({
    method: 'PATCH',
    url,
    body: { credentials: { password: 7 } },
    headers: { 'if-match': '"2"' },
  });
  await call({
    method: 'PATCH',
    url,
    body: { credentials: { nonsense: SECRET } },
    headers: { 'if-match': '"2"' },
  });
  await call({
    method: 'POST',
    url: '/api/v1/integrations',
    body: { ...restIntegration(), credentials: { apiKey: SECRET }, extra: SECRET },
  });
  await call({ method: 'POST', url: `${url}/test` });
  await call({ method: 'GET', url: '/api/v1/audit' });
  await call({ method: 'POST', url: '/api/v1/keys/rotate' });
  await call({ method: 'GET', url: '/api/v1/keys' });
  await call({ method: 'GET', url: '/metrics', token: null });
  await call({ method: 'GET', url: '/api/v1/integrations', token: SECRET });

  const tables = (await t.db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).rows.map(
    (r) => r.tablename as string,
  );
  expect(tables).toEqual(
    expect.arrayContaining(['integration_configs', 'audit_log', 'api_tokens', 'vault_data_keys']),
  );
  const dump: string[] = [];
  for (const table of tables) {
    const rows = await t.db.query(`SELECT t::text AS row FROM ${table} t`);
    dump.push(...rows.rows.map((r) => r.row as string));
  }
  expect(dump.join('\n')).toContain(created.body.id);
  for (const secret of [SECRET, SECOND]) {
    expect(dump.join('\n')).not.toContain(secret);
    expect(responses.join('\n')).not.toContain(secret);
    expect(t.logs.join('')).not.toContain(secret);
  }
  expect(t.logs.length).toBeGreaterThan(5);
});
