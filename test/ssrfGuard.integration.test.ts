// The SSRF guard end to end: integration and subscriber URLs that point into the hub's own network
// (loopback, link-local and cloud metadata, private ranges, names resolving there) are refused
// with a 400 naming the field and nothing written, unless HUB_ALLOWED_NETWORKS allows them; a URL
// that slips past the first check (changed behind the API, or DNS answering differently later) is
// refused when the connection is made, as a config error without retries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RecordSource, startRecordSource } from '../sandbox/recordSource/index.ts';
import { crmEvents } from './support/crmEventSamples.ts';
import { type EventSink, startEventSink } from './support/eventSink.ts';
import { createIntegration, SOURCE_TOKEN, sourceIntegration, syncAndWait } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let strict: TestHub;
let allowing: TestHub;
let source: RecordSource;
let sink: EventSink;

beforeAll(async () => {
  [strict, allowing, source, sink] = await Promise.all([
    startTestHub({ HUB_ALLOWED_NETWORKS: '' }),
    startTestHub({ HUB_ALLOWED_NETWORKS: '127.0.0.1/32' }),
    startRecordSource({ count: 30, token: SOURCE_TOKEN }),
    startEventSink(),
  ]);
});

afterAll(async () => {
  await Promise.all([strict.close(), allowing.close(), source.close(), sink.close()]);
});

async function rowCounts(hub: TestHub) {
  const { rows } = await hub.db.query<{ integrations: number; subscriptions: number; audit: number }>(
    `SELECT (SELECT count(*)::int FROM integration_configs) AS integrations,
            (SELECT count(*)::int FROM event_subscriptions) AS subscriptions,
            (SELECT count(*)::int FROM audit_log) AS audit`,
  );
  return rows[0];
}

const sourcePort = () => new URL(source.url).port;

describe('saving a URL into the hub’s own network', () => {
  const refused = [
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a cloud metadata address/],
    ['http://10.0.0.1/api', /10\.0\.0\.1 is a private \(RFC 1918\) address/],
    ['http://[::1]:8080/api', /::1 is a loopback address/],
    ['http://[::ffff:127.0.0.1]/api', /is a loopback address/],
    ['http://0x7f.1/api', /127\.0\.0\.1 is a loopback address/],
    ['http://100.64.1.2/api', /carrier-grade NAT/],
    ['http://metadata.google.internal/computeMetadata/v1/', /cloud metadata/],
  ] as const;

  it('refuses integrations with such a base URL, naming config.baseUrl, and writes nothing', async () => {
    const before = await rowCounts(strict);
    for (const [url, message] of refused) {
      const response = await strict.request({
        method: 'POST',
        url: '/api/v1/integrations',
        body: sourceIntegration(url),
      });
      expect(response.status, url).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors, url).toEqual([
        { field: 'config.baseUrl', message: expect.stringMatching(message) },
      ]);
      expect(response.body.detail).toContain('HUB_ALLOWED_NETWORKS');
    }
    expect(await rowCounts(strict)).toEqual(before);
  });

  it('refuses a host name that resolves only to loopback (localhost)', async () => {
    const response = await strict.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: sourceIntegration(source.url.replace('127.0.0.1', 'localhost')),
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        field: 'config.baseUrl',
        message: expect.stringMatching(/^localhost \(127\.0\.0\.1\) is a loopback address/),
      },
    ]);
  });

  it('names the field wherever the URL or host sits: token endpoints, mail servers', async () => {
    const oauth = await strict.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: sourceIntegration('https://erp.example.org/api', {
        config: { auth: { kind: 'oauth2', tokenUrl: 'http://169.254.169.254/token', clientId: 'hub' } },
        credentials: { clientSecret: 'client-secret-0123456789', refreshToken: 'refresh-token-0123456789' },
      }),
    });
    expect(oauth.status).toBe(400);
    expect(oauth.body.errors.map((e: { field: string }) => e.field)).toEqual(['config.auth.tokenUrl']);
    const mail = await strict.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: {
        name: 'Mailbox',
        connector: 'email',
        config: { imap: { host: '192.168.10.5', port: 993, secure: true } },
        credentials: { username: 'anna', password: 'mail-password-0123' },
      },
    });
    expect(mail.status).toBe(400);
    expect(mail.body.errors.map((e: { field: string }) => e.field)).toContain('config.imap.host');
  });

  it('refuses a PATCH moving an integration there, and keeps it as it was', async () => {
    const id = await createIntegration(strict, sourceIntegration('https://erp.example.org/api'));
    const patched = await strict.request({
      method: 'PATCH',
      url: `/api/v1/integrations/${id}`,
      headers: { 'if-match': '"1"' },
      body: { config: { baseUrl: 'http://169.254.169.254/' } },
    });
    expect(patched.status).toBe(400);
    expect(patched.body.errors[0].field).toBe('config.baseUrl');
    const after = await strict.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(after.body.config.baseUrl).toBe('https://erp.example.org/api');
    expect(after.body.version).toBe(1);
  });

  it('refuses subscriber URLs there, on create and on PATCH, naming url', async () => {
    const before = await rowCounts(strict);
    for (const url of [
      'http://169.254.169.254/hook',
      'http://10.0.0.1/hook',
      'http://[::1]/hook',
      sink.url,
    ]) {
      const response = await strict.request({
        method: 'POST',
        url: '/api/v1/subscriptions',
        body: { name: 'crm', types: ['credit.*'], url },
      });
      expect(response.status, url).toBe(400);
      expect(response.body.errors, url).toEqual([
        { field: 'url', message: expect.stringContaining('address') },
      ]);
    }
    expect(await rowCounts(strict)).toEqual(before);
    const created = await strict.request({
      method: 'POST',
      url: '/api/v1/subscriptions',
      body: { name: 'public', types: ['credit.*'], url: 'https://crm.example.org/hook' },
    });
    expect(created.status).toBe(201);
    const moved = await strict.request({
      method: 'PATCH',
      url: `/api/v1/subscriptions/${created.body.id}`,
      body: { url: `http://localhost:${new URL(sink.url).port}/hook` },
    });
    expect(moved.status).toBe(400);
    expect(moved.body.errors[0].field).toBe('url');
  });
});

describe('at connection time', () => {
  it('refuses a sync whose stored URL points into the network, as a config error, without retries', async () => {
    const id = await createIntegration(strict, sourceIntegration('https://erp.example.org/api'));
    // Behind the API's back, as DNS rebinding or an older hub would leave it.
    await strict.db.query(
      `UPDATE integration_configs SET config = jsonb_set(config, '{baseUrl}', to_jsonb($2::text)) WHERE id = $1`,
      [id, source.url],
    );
    source.resetStats();
    const started = Date.now();
    const run = await syncAndWait(strict, id, { full: true });
    expect(run.state).toBe('failed');
    expect(run.errorKind).toBe('config');
    expect(run.error).toMatch(/127\.0\.0\.1 is a loopback address/);
    // 8 attempts with backoff would take longer; a config error is not retried.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(source.stats().requests).toBe(0);
    const integration = await strict.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(integration.body.status).toBe('error');
    expect(integration.body.statusReason).toMatch(/loopback/);
    const proxied = await strict.request({ method: 'GET', url: `/api/v1/proxy/${id}/customers` });
    expect(proxied.status).toBe(422);
    expect(proxied.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(proxied.body.detail).toMatch(/loopback address/);
    expect(source.stats().requests).toBe(0);
  });

  it('does not deliver to a subscriber URL that points into the network', async () => {
    const created = await strict.request({
      method: 'POST',
      url: '/api/v1/subscriptions',
      body: { name: 'rebound', types: ['credit.*'], url: 'https://crm.example.org/rebound' },
    });
    expect(created.status).toBe(201);
    await strict.db.query('UPDATE event_subscriptions SET url = $2 WHERE id = $1', [
      created.body.id,
      sink.url,
    ]);
    sink.received.length = 0;
    const published = await strict.request({
      method: 'POST',
      url: '/api/v1/events',
      body: { type: 'credit.checked', data: crmEvents['credit.checked'] },
    });
    expect(published.status).toBe(201);
    const deadline = Date.now() + 15_000;
    let attempt: { lastError: string | null; attempts: number } | undefined;
    while (Date.now() < deadline) {
      const deliveries = await strict.request({
        method: 'GET',
        url: `/api/v1/subscriptions/${created.body.id}/deliveries`,
      });
      attempt = deliveries.body.items?.find((item: { attempts: number }) => item.attempts > 0);
      if (attempt) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(attempt?.lastError).toMatch(/^refused: 127\.0\.0\.1 is a loopback address/);
    expect(sink.received).toEqual([]);
  });
});

describe('where the operator allowed it', () => {
  it('syncs from and delivers to an allowed address, and still refuses the rest of loopback', async () => {
    const id = await createIntegration(allowing, sourceIntegration(source.url));
    const run = await syncAndWait(allowing, id, { full: true });
    expect(run.state).toBe('succeeded');
    expect(run.counts).toMatchObject({ fetched: 30, created: 30 });
    const subscription = await allowing.request({
      method: 'POST',
      url: '/api/v1/subscriptions',
      body: { name: 'crm', types: ['credit.*'], url: sink.url },
    });
    expect(subscription.status).toBe(201);
    sink.received.length = 0;
    await allowing.request({
      method: 'POST',
      url: '/api/v1/events',
      body: { type: 'credit.checked', data: crmEvents['credit.checked'] },
    });
    const deadline = Date.now() + 15_000;
    while (sink.received.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sink.received.map((delivery) => delivery.event.type)).toEqual(['credit.checked']);
    const elsewhere = await allowing.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: sourceIntegration(`http://127.0.0.2:${sourcePort()}`),
    });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.errors[0].message).toMatch(/127\.0\.0\.2 is a loopback address/);
  });
});
