// Connecting an OAuth2 integration through the hub, end to end against the Microsoft Graph
// sandbox's authorization server: authorization code with PKCE, a single-use state, refresh tokens
// rotated on every refresh, a revoked grant that asks for Reconnect, and the reconnect itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphSandbox, startGraphSandbox } from '../sandbox/graph/server.ts';
import { createIntegration, syncAndWait } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let graph: GraphSandbox;

beforeAll(async () => {
  hub = await startTestHub({ HUB_PUBLIC_URL: 'https://hub.frischeparadies.example' });
  graph = await startGraphSandbox({ events: 12, messages: 8 });
});

afterAll(async () => {
  await hub.close();
  await graph.close();
});

/** What a browser does: open the provider's URL, consent, and follow the redirect back to the hub. */
async function consent(authorizationUrl: string): Promise<string> {
  const response = await fetch(authorizationUrl, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const back = new URL(response.headers.get('location') ?? '');
  expect(`${back.origin}${back.pathname}`).toBe('https://hub.frischeparadies.example/api/v1/oauth/callback');
  return `${back.pathname}${back.search}`;
}

async function startConnect(id: string) {
  const started = await hub.request({
    method: 'POST',
    url: `/api/v1/integrations/${id}/oauth/authorize`,
    body: { returnTo: `/integrations/${id}` },
  });
  expect(started.status).toBe(200);
  return started.body.authorizationUrl as string;
}

describe('connecting with OAuth through the hub', () => {
  it('runs the authorization code flow with PKCE, rotates refresh tokens, and reconnects after a revoke', async () => {
    const id = await createIntegration(hub, {
      name: 'Outlook Einkauf',
      connector: 'microsoft-graph',
      config: { clientId: graph.client.clientId, apiBaseUrl: graph.url, loginUrl: graph.url },
      credentials: { clientSecret: graph.client.clientSecret },
      schedule: { enabled: false },
    });
    // Not connected yet: a sync is refused for want of authorization.
    const unconnected = await syncAndWait(hub, id);
    expect(unconnected.errorKind).toBe('auth');

    const authorizationUrl = await startConnect(id);
    const url = new URL(authorizationUrl);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('scope')).toBe('offline_access Calendars.Read Mail.Read');
    expect(url.searchParams.get('redirect_uri')).toBe(
      'https://hub.frischeparadies.example/api/v1/oauth/callback',
    );
    const callback = await consent(authorizationUrl);

    // A callback with a state the hub never issued is refused.
    const forged = await hub.request({
      method: 'GET',
      url: callback.replace(/state=[^&]+/, 'state=forged-state'),
      token: null,
    });
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('UNKNOWN_STATE');

    const landed = await hub.request({ method: 'GET', url: callback, token: null });
    expect(landed.status).toBe(303);
    expect(landed.headers.location).toBe(`/integrations/${id}`);
    expect(graph.oauth.stats.codeExchanges).toBe(1);
    // The state is spent: the same callback again does nothing.
    const replayed = await hub.request({ method: 'GET', url: callback, token: null });
    expect(replayed.status).toBe(400);
    expect(graph.oauth.stats.codeExchanges).toBe(1);

    const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(read.body.status).toBe('active');
    expect(JSON.stringify(read.body)).not.toMatch(/at-|rt-/);
    const first = await syncAndWait(hub, id);
    expect(first.state).toBe('succeeded');
    expect(first.progress.calendarEvent).toMatchObject({ created: 12 });

    // Access tokens expire twice; each refresh retires the refresh token presented, so the second
    // refresh only works if the hub stored the first one's successor.
    for (let round = 0; round < 2; round++) {
      graph.oauth.expireAccessTokens();
      expect((await syncAndWait(hub, id)).state).toBe('succeeded');
    }
    expect(graph.oauth.stats.refreshes).toBe(2);

    // The user revokes the app: the integration asks for a person to reconnect.
    graph.oauth.revokeAll();
    const revoked = await syncAndWait(hub, id);
    expect(revoked.errorKind).toBe('auth');
    const failing = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(failing.body.status).toBe('error');
    expect(failing.body.statusReason).toMatch(/reconnect/);

    // A declined consent leaves it as it is, with the reason on a page for the person.
    graph.oauth.declineNextConsent();
    const declined = await hub.request({
      method: 'GET',
      url: await consent(await startConnect(id)),
      token: null,
      headers: { accept: 'text/html' },
    });
    expect(declined.status).toBe(400);
    expect(declined.raw).toContain('access_denied');

    // Reconnect: the same flow, and the integration is active and syncing again.
    const reconnected = await hub.request({
      method: 'GET',
      url: await consent(await startConnect(id)),
      token: null,
    });
    expect(reconnected.status).toBe(303);
    const healthy = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(healthy.body).toMatchObject({ status: 'active', statusReason: null });
    expect((await syncAndWait(hub, id)).state).toBe('succeeded');
    const events = await hub.request({ method: 'GET', url: `/api/v1/events?type=integration.connected` });
    const connects = events.body.items.filter(
      (event: { subject: string; data: { via?: string } }) =>
        event.subject === id && event.data.via === 'oauth',
    );
    // Both connects healed an error: the sync before the first one failed for want of a token.
    expect(connects.map((event: { data: { reconnected: boolean } }) => event.data.reconnected)).toEqual([
      true,
      true,
    ]);
    expect(hub.logs.join('')).not.toMatch(/at-[A-Za-z0-9_-]{20}|rt-[A-Za-z0-9_-]{20}/);
  });

  it('refuses connectors without OAuth and return paths off the hub', async () => {
    const id = await createIntegration(hub, {
      name: 'REST ohne OAuth',
      connector: 'rest',
      config: { baseUrl: 'http://127.0.0.1:9', auth: { kind: 'none' }, resources: {} },
      credentials: {},
    });
    const notOauth = await hub.request({
      method: 'POST',
      url: `/api/v1/integrations/${id}/oauth/authorize`,
      body: {},
    });
    expect(notOauth.status).toBe(400);
    expect(notOauth.body.code).toBe('NOT_OAUTH');
    const offsite = await hub.request({
      method: 'POST',
      url: `/api/v1/integrations/${id}/oauth/authorize`,
      body: { returnTo: '//evil.example/steal' },
    });
    expect(offsite.status).toBe(400);
    expect(offsite.body.errors[0].field).toBe('returnTo');
  });
});
