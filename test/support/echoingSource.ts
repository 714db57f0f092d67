// An external system that does what careless and hostile ones do with the credentials they are
// sent: echoes the Authorization header, the query string and every header back in error bodies
// and response headers, names the refresh token it refuses, and hands out OAuth tokens. If the hub
// writes down what it answers without scrubbing, the planted secrets show up in the run's output.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type SourceMood = 'ok' | 'echo-401' | 'echo-500';

export interface HostileSource {
  url: string;
  tokenUrl: string;
  /** What every request carried: the secret scan checks the secrets really went out. */
  received: string[];
  mood: SourceMood;
  close(): Promise<void>;
}

export interface OAuthGrant {
  clientSecret: string;
  refreshTokens: string[];
  accessTokens: string[];
}

export async function startHostileSource(grant: OAuthGrant): Promise<HostileSource> {
  let issued = 0;
  const source: HostileSource = { url: '', tokenUrl: '', received: [], mood: 'ok', close: async () => {} };
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const seen = `${request.method} ${request.url} ${JSON.stringify(request.headers)} ${body}`;
    source.received.push(seen);
    const echo = {
      detail: `refused: ${request.headers.authorization ?? 'no Authorization'} at ${request.url}`,
      headers: request.headers,
      body,
    };
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(payload));
    };
    if (request.url?.startsWith('/oauth/token')) {
      const form = new URLSearchParams(body);
      const presented = form.get('refresh_token') ?? '';
      const expected = grant.refreshTokens[issued] ?? '';
      if (form.get('client_secret') !== grant.clientSecret || presented !== expected) {
        return send(400, {
          error: 'invalid_grant',
          error_description: `refresh token ${presented} is not known for ${form.get('client_secret')}`,
        });
      }
      const accessToken = grant.accessTokens[issued] ?? grant.accessTokens.at(-1);
      issued++;
      return send(200, {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: grant.refreshTokens[issued] ?? presented,
      });
    }
    const echoed = {
      'www-authenticate': `Bearer realm="x", error="invalid_token", token="${request.headers.authorization ?? ''}"`,
      'x-echo-auth': String(request.headers.authorization ?? ''),
    };
    if (source.mood === 'echo-401') return send(401, echo, echoed);
    if (source.mood === 'echo-500') return send(500, echo, echoed);
    return send(
      200,
      { data: [{ nr: 'K-1', firma: 'Mensa Campus', note: 'ok' }], echo },
      { 'x-echo-auth': String(request.headers.authorization ?? '') },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  source.url = `http://127.0.0.1:${port}`;
  source.tokenUrl = `${source.url}/oauth/token`;
  source.close = () => new Promise((resolve) => server.close(() => resolve()));
  return source;
}
