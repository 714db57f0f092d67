// A source that echoes the credentials it is sent (in bodies, headers, error messages) must not
// make the hub show them: not through the outbound proxy to the operator calling it, not in the
// request log, a failed run or the integration's status reason. Found by the chaos suite's
// secret scan, which drives the same source.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HostileSource, startHostileSource } from './support/echoingSource.ts';
import { createIntegration, syncAndWait } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

const TOKEN = 'echoed-bearer-token-5e1f0c2a9b7d';
const API_KEY = 'echoed-api-key-77a3c1d09e2b4f';

let hub: TestHub;
let source: HostileSource;

beforeAll(async () => {
  [hub, source] = await Promise.all([
    startTestHub(),
    startHostileSource({ clientSecret: 'unused-client-secret', refreshTokens: [], accessTokens: [] }),
  ]);
});

afterAll(async () => {
  await Promise.all([hub.close(), source.close()]);
});

const integration = (name: string, auth: Record<string, unknown>, credentials: Record<string, string>) => ({
  name,
  connector: 'rest',
  entities: ['customer'],
  config: {
    baseUrl: source.url,
    auth,
    timeoutMs: 2_000,
    resources: { customer: { path: '/customers', recordsPath: 'data' } },
  },
  credentials,
  retryPolicy: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 10 },
  schedule: { enabled: false },
});

describe('a source that echoes credentials', () => {
  it('has them replaced in what the proxy hands back, body and headers', async () => {
    const id = await createIntegration(hub, integration('Echo bearer', { kind: 'bearer' }, { token: TOKEN }));
    source.mood = 'ok';
    const proxied = await hub.request({ method: 'GET', url: `/api/v1/proxy/${id}/customers` });
    expect(proxied.status).toBe(200);
    expect(source.received.at(-1)).toContain(TOKEN);
    expect(proxied.raw).toContain('Bearer [redacted]');
    expect(proxied.raw).not.toContain(TOKEN);
    source.mood = 'echo-401';
    const refused = await hub.request({ method: 'GET', url: `/api/v1/proxy/${id}/customers` });
    expect(JSON.stringify(refused)).not.toContain(TOKEN);
  });

  it('keeps them out of the request log, the failed run and the status reason', async () => {
    const id = await createIntegration(
      hub,
      integration('Echo key', { kind: 'apiKey', queryParam: 'api_key' }, { apiKey: API_KEY }),
    );
    source.mood = 'echo-500';
    const run = await syncAndWait(hub, id, { full: true });
    expect(run.state).toBe('failed');
    expect(source.received.at(-1)).toContain(API_KEY);
    source.mood = 'echo-401';
    await syncAndWait(hub, id, { full: true });
    const shown = [
      run,
      (await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` })).body,
      (await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/logs` })).body,
      (await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/sync-runs` })).body,
    ];
    const text = JSON.stringify(shown);
    expect(text).toContain('[redacted]');
    expect(text).not.toContain(API_KEY);
    expect(hub.logs.join('')).not.toContain(API_KEY);
  });
});
