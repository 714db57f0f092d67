// Health, readiness, metrics, trace ids in errors, the OpenAPI document, and the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restIntegration, startTestHub, type TestHub } from './support/testHub.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t.close());

describe('operability', () => {
  it('answers health, readiness and metrics without a token', async () => {
    expect((await t.request({ method: 'GET', url: '/healthz', token: null })).status).toBe(200);
    const ready = await t.request({ method: 'GET', url: '/readyz', token: null });
    expect(ready.body).toEqual({ status: 'ready', checks: { database: true, migrations: true } });
    await t.request({ method: 'GET', url: '/api/v1/connectors' });
    const metrics = await t.request({ method: 'GET', url: '/metrics', token: null });
    expect(metrics.raw).toContain(
      'hub_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/connectors",status_code="200"}',
    );
    expect(metrics.raw).toMatch(/hub_db_pool_connections \d+/);
  });

  it('carries the W3C trace id into the response header and the problem', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await t.request({
      method: 'GET',
      url: '/api/v1/integrations/6f1c1f5e-8f7a-4c39-9d0e-1d6f3f3b2a10',
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(response.headers['x-trace-id']).toBe(traceId);
    expect(response.body.traceId).toBe(traceId);
    expect(t.logs.some((line) => line.includes(traceId))).toBe(true);
  });

  it('publishes the OpenAPI document and the docs page', async () => {
    const spec = await t.request({ method: 'GET', url: '/api/v1/openapi.json', token: null });
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/integrations', '/api/v1/integrations/{id}', '/api/v1/audit']),
    );
    expect(
      spec.body.paths['/api/v1/integrations'].post.requestBody.content['application/json'].schema.required,
    ).toContain('name');
    expect((await t.request({ method: 'GET', url: '/api/v1/docs/', token: null })).status).toBe(200);
  });

  it('audits every change with who and what, secrets redacted, append-only, filtered and paged', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: restIntegration({ credentials: { apiKey: 'audit-secret-value-123' } }),
    });
    const id = created.body.id;
    await t.request({
      method: 'PATCH',
      url: `/api/v1/integrations/${id}`,
      body: { status: 'inactive', credentials: { apiKey: 'audit-secret-value-456' } },
      headers: { 'if-match': '"1"' },
    });
    await t.request({ method: 'DELETE', url: `/api/v1/integrations/${id}` });
    const trail = await t.request({
      method: 'GET',
      url: `/api/v1/audit?targetType=integration&targetId=${id}`,
    });
    expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual([
      'integration.delete',
      'integration.update',
      'integration.create',
    ]);
    const update = trail.body.items[1];
    expect(update.actor).toMatchObject({ type: 'token', name: 'bootstrap-admin' });
    expect(update.changes).toMatchObject({
      before: { status: 'active' },
      after: { status: 'inactive' },
      credentials: { set: ['apiKey'], removed: [] },
    });
    expect(JSON.stringify(trail.body)).not.toContain('audit-secret-value');
    const firstPage = await t.request({ method: 'GET', url: '/api/v1/audit?limit=1' });
    const nextPage = await t.request({
      method: 'GET',
      url: `/api/v1/audit?limit=1&before=${firstPage.body.nextBefore}`,
    });
    expect(nextPage.body.items[0].id).toBeLessThan(firstPage.body.items[0].id);
    await expect(t.db.query('UPDATE audit_log SET action = $1', ['forged'])).rejects.toThrow(/append-only/);
    await expect(t.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    const bad = await t.request({ method: 'GET', url: '/api/v1/audit?since=yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('querystring.since');
  });
});
