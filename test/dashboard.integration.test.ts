// What the dashboard needs from the hub, without a browser: the page at `/` with its caching and
// client-route fallback (never for the API's paths), the 503 page when no build exists, who the
// caller is, the overview read, and the event stream (live, resumable, filtered, heartbeat-free
// shutdown).
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRoutes } from '../src/api/routes/dashboard.ts';
import { appendEvents, integrationSource } from '../src/events/outbox.ts';
import { createIntegration } from './support/syncSupport.ts';
import { restIntegration, startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let hubClosed = false;

beforeAll(async () => {
  hub = await startTestHub({}, { listen: true });
});

afterAll(async () => {
  if (!hubClosed) await hub.close();
});

async function pageServer(distDir: string): Promise<FastifyInstance> {
  const app = Fastify();
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ code: 'ROUTE_NOT_FOUND' }));
  await dashboardRoutes(app, distDir);
  return app;
}

describe('serving the dashboard', () => {
  it('answers index.html for / and client routes, uncached, and hashed assets cached for a year', async () => {
    const dist = await mkdtemp(path.join(tmpdir(), 'hub-web-'));
    await mkdir(path.join(dist, 'assets'));
    await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>Integration Hub</title>');
    await writeFile(path.join(dist, 'assets', 'index-Ab12Cd34.js'), 'console.log(1)');
    await writeFile(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    const app = await pageServer(dist);
    try {
      for (const url of ['/', '/integrations/new?connector=xentral', '/integrations/0b9c/credentials']) {
        const page = await app.inject({ method: 'GET', url });
        expect(page.statusCode, url).toBe(200);
        expect(page.headers['content-type']).toContain('text/html');
        expect(page.headers['cache-control']).toBe('no-cache');
        expect(page.headers['content-security-policy']).toContain("script-src 'self'");
        expect(page.body).toContain('Integration Hub');
      }
      const asset = await app.inject({ method: 'GET', url: '/assets/index-Ab12Cd34.js' });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
      expect(icon.headers['cache-control']).toBe('public, max-age=86400');
      expect((await app.inject({ method: 'GET', url: '/assets/missing-0000.js' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('explains how to build it (503) when there is no build', async () => {
    const app = await pageServer(path.join(tmpdir(), 'hub-web-never-built'));
    try {
      for (const url of ['/', '/integrations/new']) {
        const page = await app.inject({ method: 'GET', url });
        expect(page.statusCode).toBe(503);
        expect(page.headers['content-type']).toContain('text/html');
        expect(page.body).toContain('npm run build:web');
      }
    } finally {
      await app.close();
    }
  });

  it('never answers the page for paths of the API, webhooks, health or metrics', async () => {
    for (const url of ['/api', '/api/v1/no-such-route', '/webhooks', '/healthz/deep', '/metrics/x']) {
      const response = await hub.request({ method: 'GET', url, token: null });
      expect(response.status, url).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.code).toBe('ROUTE_NOT_FOUND');
    }
    expect((await hub.request({ method: 'GET', url: '/healthz', token: null })).status).toBe(200);
  });
});

describe('the reads behind the overview', () => {
  it('tells who the caller is', async () => {
    const me = await hub.request({ method: 'GET', url: '/api/v1/me' });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ kind: 'token', role: 'admin' });
    expect((await hub.request({ method: 'GET', url: '/api/v1/me', token: null })).status).toBe(401);
  });

  it('lists every integration with status, records and reconnect kind, and counts issues', async () => {
    const id = await createIntegration(hub, restIntegration({ name: 'ERP Übersicht' }));
    await hub.db.query(
      `UPDATE integration_configs SET status = 'error', status_reason = 'token refused', error_kind = 'auth'
        WHERE id = $1`,
      [id],
    );
    const overview = await hub.request({ method: 'GET', url: '/api/v1/overview' });
    expect(overview.status).toBe(200);
    const entry = overview.body.integrations.find((item: { id: string }) => item.id === id);
    expect(entry).toMatchObject({
      name: 'ERP Übersicht',
      connectorName: 'Generic REST API',
      status: 'error',
      statusReason: 'token refused',
      errorKind: 'auth',
      records: 0,
      lastSyncAt: null,
      lastRun: null,
      reconnect: 'credentials',
    });
    expect(overview.body.counts).toMatchObject({ error: 1, openConflicts: 0, issues: 1 });
  });
});

describe('the event stream', () => {
  const base = () => hub.hub.url;
  const auth = () => ({ authorization: `Bearer ${hub.adminToken}` });

  async function report(day: string) {
    const integrationId = '00000000-0000-4000-8000-000000000001';
    await appendEvents(hub.db, [
      {
        type: 'integration.daily_report',
        source: integrationSource(integrationId),
        data: { integrationId, day, runs: 1 },
      },
    ]);
  }

  /** Reads messages from an open stream until `count` events arrived. */
  function reader(response: Response) {
    const lines = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    return async (count: number, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      const events: { id: number; data: { type: string; data: { day?: string } } }[] = [];
      while (events.length < count) {
        if (Date.now() > deadline) throw new Error(`only ${events.length} of ${count} events arrived`);
        const { value, done } = await lines.read();
        if (done) throw new Error('the stream ended');
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id && data) events.push({ id: Number(id), data: JSON.parse(data) });
          end = buffer.indexOf('\n\n');
        }
      }
      return events;
    };
  }

  it('needs a token in the Authorization header', async () => {
    const refused = await hub.request({ method: 'GET', url: '/api/v1/events/stream', token: null });
    expect(refused.status).toBe(401);
    // Never in the URL, where proxies' logs and browser histories would keep it.
    const inQuery = await hub.request({
      method: 'GET',
      url: `/api/v1/events/stream?access_token=${hub.adminToken}`,
      token: null,
    });
    expect(inQuery.status).toBe(401);
  });

  it('streams committed events live, filtered by type, and resumes after Last-Event-ID', async () => {
    await report('2026-11-01');
    const abort = new AbortController();
    const response = await fetch(`${base()}/api/v1/events/stream?type=integration.daily_report&backlog=1`, {
      headers: auth(),
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    const next = reader(response);
    const [backlog] = await next(1);
    expect(backlog?.data.data.day).toBe('2026-11-01');

    await appendEvents(hub.db, [{ type: 'customer.created', source: 'urn:test', data: {} }]);
    await report('2026-11-02');
    await report('2026-11-03');
    const live = await next(2);
    expect(live.map((event) => event.data.data.day)).toEqual(['2026-11-02', '2026-11-03']);
    expect(live.every((event) => event.data.type === 'integration.daily_report')).toBe(true);
    abort.abort();

    const resume = new AbortController();
    const resumed = await fetch(`${base()}/api/v1/events/stream?type=integration.daily_report`, {
      headers: { ...auth(), 'last-event-id': String(live[0]?.id) },
      signal: resume.signal,
    });
    const [again] = await reader(resumed)(1);
    expect(again?.data.data.day).toBe('2026-11-03');
    resume.abort();
  });

  it('lets the hub stop while a stream is open', async () => {
    const response = await fetch(`${base()}/api/v1/events/stream`, { headers: auth() });
    expect(response.status).toBe(200);
    const started = Date.now();
    await hub.close();
    hubClosed = true;
    expect(Date.now() - started).toBeLessThan(10_000);
    const rest = await response.text();
    expect(rest).toContain('retry: 3000');
  });
});
