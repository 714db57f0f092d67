// OAuth2 with rotating refresh tokens: an expired access token is refreshed transparently, the
// rotated refresh token is stored before it is used, concurrent refreshes of one integration
// produce exactly one call to the token endpoint, and a revoked grant sets a clear error.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RecordSource, startRecordSource } from '../sandbox/recordSource/index.ts';
import { createIntegration, sourceIntegration, syncAndWait } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

/** A token endpoint that rotates refresh tokens: each may be used once. */
class TokenServer {
  readonly server: http.Server;
  url = '';
  refreshCalls = 0;
  live = new Set<string>();
  readonly issued: string[] = [];
  onAccessToken: (token: string) => void = () => {};

  constructor() {
    this.server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const form = new URLSearchParams(body);
        const answer = (status: number, json: unknown) => {
          response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          response.end(JSON.stringify(json));
        };
        if (
          form.get('grant_type') !== 'refresh_token' ||
          form.get('client_secret') !== 'client-secret-123456'
        ) {
          return answer(401, { error: 'invalid_client' });
        }
        this.refreshCalls += 1;
        const presented = form.get('refresh_token') ?? '';
        if (!this.live.delete(presented)) return answer(400, { error: 'invalid_grant' });
        const access = `access-${randomBytes(12).toString('hex')}`;
        const refresh = this.mint();
        this.onAccessToken(access);
        // A slow token endpoint widens the window in which a second refresh could slip in.
        setTimeout(
          () =>
            answer(200, {
              access_token: access,
              token_type: 'Bearer',
              expires_in: 3600,
              refresh_token: refresh,
            }),
          200,
        );
      });
    });
  }

  mint(): string {
    const token = `refresh-${randomBytes(12).toString('hex')}`;
    this.live.add(token);
    this.issued.push(token);
    return token;
  }

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/token`;
  }
}

let hub: TestHub;
let tokens: TokenServer;
let source: RecordSource;

beforeAll(async () => {
  hub = await startTestHub({ HUB_SCHEDULER_INTERVAL_MS: '200' });
  tokens = new TokenServer();
  await tokens.start();
  source = await startRecordSource({ count: 300, seed: 5, token: 'no-token-issued-yet' });
  tokens.onAccessToken = (token) => source.setToken(token);
});

afterAll(async () => {
  await hub.close();
  await source.close();
  tokens.server.close();
});

function oauthIntegration(refreshToken: string) {
  return sourceIntegration(source.url, {
    config: { auth: { kind: 'oauth2', tokenUrl: tokens.url, clientId: 'integration-hub' } },
    credentials: {
      clientSecret: 'client-secret-123456',
      refreshToken,
      accessToken: 'access-expired-0000000000',
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    },
  });
}

describe('OAuth2 with rotating refresh tokens', () => {
  it('refreshes an expired token before the first request and stores the rotated refresh token', async () => {
    const first = tokens.mint();
    const id = await createIntegration(hub, oauthIntegration(first));
    const calls = tokens.refreshCalls;
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('succeeded');
    expect(run.counts.created).toBe(300);
    expect(tokens.refreshCalls - calls).toBe(1);
    // The stored refresh token is the rotated one (its last four characters show in the mask).
    const rotated = tokens.issued.at(-1) ?? '';
    const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(read.body.credentials.refreshToken).toBe(`••••${rotated.slice(-4)}`);
    expect(read.body.version).toBe(1);
    // A second run uses the stored access token: no refresh.
    await syncAndWait(hub, id);
    expect(tokens.refreshCalls - calls).toBe(1);
    const logs = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}/logs?limit=500` });
    for (const secret of [first, rotated, 'client-secret-123456']) expect(logs.raw).not.toContain(secret);
  });

  it('refreshes once when several callers find the token expired at the same time', async () => {
    const id = await createIntegration(hub, oauthIntegration(tokens.mint()));
    const calls = tokens.refreshCalls;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        hub.request({ method: 'GET', url: `/api/v1/proxy/${id}/customers?limit=1` }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    expect(tokens.refreshCalls - calls).toBe(1);
  });

  it('sets error with "reconnect" when the refresh token was revoked', async () => {
    const revoked = tokens.mint();
    tokens.live.delete(revoked);
    const id = await createIntegration(hub, oauthIntegration(revoked));
    const run = await syncAndWait(hub, id);
    expect(run.state).toBe('failed');
    expect(run.errorKind).toBe('auth');
    const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    expect(read.body.status).toBe('error');
    expect(read.body.statusReason).toMatch(/reconnect/);
    const events = await hub.db.query(
      `SELECT data FROM outbox_events WHERE integration_id = $1 AND type = 'integration.error'`,
      [id],
    );
    expect(events.rows).toHaveLength(1);
    expect(events.rows[0].data.needsAttention).toBe(true);
  });
});
