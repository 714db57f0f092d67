// The integrations resource: create, list, read, update, delete, validation and concurrency.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restIntegration, startTestHub, type TestHub } from './support/testHub.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t.close());

const count = async (table: string) =>
  (await t.db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

describe('integrations', () => {
  it('creates with defaults, reads it back with an ETag, and lists it', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: restIntegration({ name: 'ERP Nord' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.body).toMatchObject({
      name: 'ERP Nord',
      type: 'REST',
      status: 'active',
      credentials: { apiKey: '••••cdef' },
      rateLimits: { requestsPerMinute: 600 },
      retryPolicy: { maxAttempts: 5 },
      schedule: { cron: '*/15 * * * *', enabled: true },
      config: { auth: { kind: 'apiKey', headerName: 'X-API-Key' } },
    });
    const read = await t.request({ method: 'GET', url: `/api/v1/integrations/${created.body.id}` });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    const listed = await t.request({
      method: 'GET',
      url: '/api/v1/integrations?connector=rest&status=active',
    });
    expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(created.body.id);
    const none = await t.request({ method: 'GET', url: '/api/v1/integrations?status=error' });
    expect(none.body.items).toEqual([]);
  });

  it('pages through the list with a cursor', async () => {
    for (const name of ['Page A', 'Page B', 'Page C']) {
      await t.request({
        method: 'POST',
        url: '/api/v1/integrations',
        body: restIntegration({ name, status: 'inactive' }),
      });
    }
    const first = await t.request({ method: 'GET', url: '/api/v1/integrations?status=inactive&limit=2' });
    expect(first.body.items.map((i: { name: string }) => i.name)).toEqual(['Page A', 'Page B']);
    const second = await t.request({
      method: 'GET',
      url: `/api/v1/integrations?status=inactive&limit=2&cursor=${first.body.nextCursor}`,
    });
    expect(second.body.items.map((i: { name: string }) => i.name)).toEqual(['Page C']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('refuses a duplicate name (any case) with 409 naming the field', async () => {
    await t.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: restIntegration({ name: 'Unique One' }),
    });
    const dup = await t.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: restIntegration({ name: 'unique one' }),
    });
    expect(dup.status).toBe(409);
    expect(dup.headers['content-type']).toContain('application/problem+json');
    expect(dup.body.errors).toEqual([{ field: 'name', message: 'is already taken' }]);
  });

  it('validates against the connector schema and writes nothing on failure', async () => {
    const before = [
      await count('integration_configs'),
      await count('audit_log'),
      await count('vault_data_keys'),
    ];
    const cases: [unknown, string][] = [
      [restIntegration({ config: { baseUrl: 'ftp://x', auth: { kind: 'apiKey' } } }), 'config.baseUrl'],
      [
        restIntegration({ config: { baseUrl: 'https://x', auth: { kind: 'basic' } } }),
        'credentials.username',
      ],
      [restIntegration({ credentials: { apiKey: 'k', secretThing: 'x' } }), 'credentials.secretThing'],
      [restIntegration({ config: { baseUrl: 'https://x', extra: 1 } }), 'config.extra'],
      [restIntegration({ connector: 'nope' }), 'connector'],
      [restIntegration({ entities: ['customer', 'spaceship'] }), 'entities.1'],
      [restIntegration({ unknownField: true }), 'unknownField'],
      [restIntegration({ name: 42 }), 'name'],
      [restIntegration({ schedule: { cron: 'every day' } }), 'schedule.cron'],
      [restIntegration({ schedule: { timezone: 'Mars/Olympus' } }), 'schedule.timezone'],
      [restIntegration({ retryPolicy: { initialDelayMs: 5000, maxDelayMs: 10 } }), 'retryPolicy.maxDelayMs'],
      [restIntegration({ rateLimits: { requestsPerMinute: -1 } }), 'rateLimits.requestsPerMinute'],
    ];
    for (const [body, field] of cases) {
      const response = await t.request({ method: 'POST', url: '/api/v1/integrations', body });
      expect(response.status, field).toBe(400);
      expect(
        response.body.errors.map((e: { field: string }) => e.field),
        field,
      ).toContain(field);
      expect(response.body.detail).toContain(field);
    }
    expect([
      await count('integration_configs'),
      await count('audit_log'),
      await count('vault_data_keys'),
    ]).toEqual(before);
  });

  it('answers malformed JSON, wrong media types, oversized bodies and unknown ids with problem+json', async () => {
    const malformed = await t.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('MALFORMED_JSON');
    const media = await t.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: 'name=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(media.status).toBe(415);
    const huge = await t.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: restIntegration({ mapping: { blob: 'x'.repeat(1_100_000) } }),
    });
    expect(huge.status).toBe(413);
    const unknown = await t.request({
      method: 'GET',
      url: '/api/v1/integrations/6f1c1f5e-8f7a-4c39-9d0e-1d6f3f3b2a10',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 404, title: 'Not Found', code: 'NOT_FOUND' });
    const badId = await t.request({ method: 'GET', url: '/api/v1/integrations/not-a-uuid' });
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0].field).toBe('params.id');
    const route = await t.request({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(route.status).toBe(404);
    expect(route.body.traceId).toBe(route.headers['x-trace-id']);
  });

  it('updates with If-Match; a stale or missing version is refused', async () => {
    const created = await t.request({ method: 'POST', url: '/api/v1/integrations', body: restIntegration() });
    const url = `/api/v1/integrations/${created.body.id}`;
    const missing = await t.request({ method: 'PATCH', url, body: { name: 'No Match' } });
    expect(missing.status).toBe(428);
    const first = await t.request({
      method: 'PATCH',
      url,
      body: { name: 'Admin One', schedule: { cron: '0 * * * *' } },
      headers: { 'if-match': '"1"' },
    });
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBe('"2"');
    expect(first.body.schedule).toEqual({ enabled: true, cron: '0 * * * *', timezone: 'Europe/Berlin' });
    const second = await t.request({
      method: 'PATCH',
      url,
      body: { name: 'Admin Two' },
      headers: { 'if-match': '"1"' },
    });
    expect(second.status).toBe(412);
    expect(second.body.code).toBe('VERSION_MISMATCH');
    expect((await t.request({ method: 'GET', url })).body.name).toBe('Admin One');
  });

  it('merges credentials (null removes) and config as a JSON merge patch', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: restIntegration({
        config: { baseUrl: 'https://a.example', auth: { kind: 'basic' } },
        credentials: { username: 'koch', password: 'very-secret-password-1' },
      }),
    });
    const url = `/api/v1/integrations/${created.body.id}`;
    const patched = await t.request({
      method: 'PATCH',
      url,
      body: { credentials: { password: 'another-secret-pass-2' }, config: { timeoutMs: 5000 } },
      headers: { 'if-match': '"1"', 'content-type': 'application/merge-patch+json' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.credentials).toEqual({ username: '••••', password: '••••ss-2' });
    expect(patched.body.config).toMatchObject({
      baseUrl: 'https://a.example',
      timeoutMs: 5000,
      auth: { kind: 'basic' },
    });
    const removed = await t.request({
      method: 'PATCH',
      url,
      body: { credentials: { password: null } },
      headers: { 'if-match': '"2"' },
    });
    expect(removed.status).toBe(400);
    expect(removed.body.errors[0].field).toBe('credentials.password');
  });

  it("takes a generic connector's entities from the endpoints its settings describe, and follows them", async () => {
    const resource = (path: string) => ({ path, recordsPath: 'data' });
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: restIntegration({
        name: 'ERP entities',
        config: { baseUrl: 'https://erp.example', auth: { kind: 'apiKey' }, resources: {} },
      }),
    });
    expect(created.status).toBe(201);
    // Nothing described yet: every entity the connector has.
    expect(created.body.entities).toEqual(['customer', 'contact', 'address', 'invoice', 'order', 'product']);
    const url = `/api/v1/integrations/${created.body.id}`;
    const described = await t.request({
      method: 'PATCH',
      url,
      body: { config: { resources: { customer: resource('/customers'), order: resource('/orders') } } },
      headers: { 'if-match': '"1"' },
    });
    expect(described.status).toBe(200);
    expect(described.body.entities).toEqual(['customer', 'order']);
    const more = await t.request({
      method: 'PATCH',
      url,
      body: { config: { resources: { product: resource('/products') } } },
      headers: { 'if-match': '"2"' },
    });
    expect(more.body.entities).toEqual(['customer', 'order', 'product']);
    // Entities chosen by hand are kept when the settings change.
    const chosen = await t.request({
      method: 'PATCH',
      url,
      body: { entities: ['customer'] },
      headers: { 'if-match': '"3"' },
    });
    expect(chosen.body.entities).toEqual(['customer']);
    const kept = await t.request({
      method: 'PATCH',
      url,
      body: { config: { resources: { invoice: resource('/invoices') } } },
      headers: { 'if-match': '"4"' },
    });
    expect(kept.body.entities).toEqual(['customer']);
    const explicit = await t.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: restIntegration({
        name: 'ERP explicit',
        entities: ['contact'],
        config: {
          baseUrl: 'https://erp.example',
          auth: { kind: 'apiKey' },
          resources: { customer: resource('/c') },
        },
      }),
    });
    expect(explicit.body.entities).toEqual(['contact']);
  });

  it('deletes, and a deleted integration is gone', async () => {
    const created = await t.request({ method: 'POST', url: '/api/v1/integrations', body: restIntegration() });
    const url = `/api/v1/integrations/${created.body.id}`;
    expect((await t.request({ method: 'DELETE', url, headers: { 'if-match': '"7"' } })).status).toBe(412);
    expect((await t.request({ method: 'DELETE', url })).status).toBe(204);
    expect((await t.request({ method: 'GET', url })).status).toBe(404);
    expect((await t.request({ method: 'DELETE', url })).status).toBe(404);
  });

  it('tests a connection with the stored credentials without saving anything', async () => {
    const server: Server = createServer((request, response) => {
      response.statusCode = request.headers['x-api-key'] === 'right-key-0123456789' ? 200 : 401;
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const make = async (apiKey: string) =>
      t.request({
        method: 'POST',
        url: '/api/v1/integrations',
        body: restIntegration({
          config: {
            baseUrl: `http://127.0.0.1:${port}`,
            auth: { kind: 'apiKey' },
            healthCheckPath: '/health',
          },
          credentials: { apiKey },
        }),
      });
    const good = await make('right-key-0123456789');
    const bad = await make('wrong-key-0123456789');
    const okResult = await t.request({ method: 'POST', url: `/api/v1/integrations/${good.body.id}/test` });
    expect(okResult.body).toMatchObject({ ok: true, httpStatus: 200 });
    const badResult = await t.request({ method: 'POST', url: `/api/v1/integrations/${bad.body.id}/test` });
    expect(badResult.body).toMatchObject({ ok: false, httpStatus: 401 });
    expect(badResult.body.message).toContain('credentials were refused');
    expect(
      (await t.request({ method: 'GET', url: `/api/v1/integrations/${good.body.id}` })).body.version,
    ).toBe(1);
    server.close();
  });

  it('lists connectors with their JSON Schemas', async () => {
    const response = await t.request({ method: 'GET', url: '/api/v1/connectors' });
    const rest = response.body.items.find((c: { id: string }) => c.id === 'rest');
    expect(rest).toMatchObject({ type: 'REST', entities: expect.arrayContaining(['customer']) });
    expect(rest.configSchema.required).toContain('baseUrl');
  });
});
