// An imitation of Microsoft Graph for Outlook calendar and mail (VENDORS.md): the v2.0 token
// endpoint, where every refresh returns a new refresh token and retires the old one; delta
// queries for /me/calendarView/delta and /me/mailFolders/inbox/messages/delta paged by
// @odata.nextLink and ended by @odata.deltaLink, removed items as "@removed"; an expired delta
// token answers 410 Gone; throttling answers 429 with Retry-After. Injected faults answer with
// Graph's {"error":{"code","message","innerError"}}.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxAuthorizationServer } from '../oauth/authorizationServer.ts';
import { SandboxAdmin } from '../shared/adminRoutes.ts';
import type { VendorFaultAnswers } from '../shared/faultInjection.ts';
import { readJsonBody, readTextBody } from '../shared/readJsonBody.ts';
import { GraphSubscriptions } from './subscriptions.ts';

type Item = Record<string, unknown> & { id: string; lastModifiedDateTime: string; removed?: boolean };

export interface GraphSandbox {
  url: string;
  tokenUrl: string;
  authorizeUrl: string;
  oauth: SandboxAuthorizationServer;
  client: { clientId: string; clientSecret: string };
  grant(): string;
  events: Item[];
  messages: Item[];
  change(kind: 'events' | 'messages', id: string, patch: Record<string, unknown>): void;
  remove(kind: 'events' | 'messages', id: string): void;
  expireDeltaTokens(): void;
  /** Change-notification subscriptions, and what was sent to them. */
  subscriptions: GraphSubscriptions;
  /** The next `count` API requests are throttled with 429 and Retry-After: 1. */
  throttle(count: number): void;
  stats(): { refreshes: number; throttled: number; gone: number };
  close(): Promise<void>;
}

export async function startGraphSandbox(
  options: { events?: number; messages?: number; port?: number } = {},
): Promise<GraphSandbox> {
  const client = { clientId: '00000000-hub-sandbox', clientSecret: 'graph-sandbox-secret-0000' };
  const oauth = new SandboxAuthorizationServer({
    client,
    rotateRefreshTokens: true,
    scope: 'Calendars.Read Mail.Read offline_access',
    invalidGrantDescription: 'AADSTS70000: The refresh token has expired or was already used.',
  });
  const admin = new SandboxAdmin({ answers: graphFaults, expireTokens: () => oauth.expireAccessTokens() });
  const deltaTokens = new Map<string, { kind: 'events' | 'messages'; since: number }>();
  const pages = new Map<string, { kind: 'events' | 'messages'; since: number | undefined; offset: number }>();
  const stats = { throttled: 0, gone: 0 };
  const subscriptions = new GraphSubscriptions();
  let throttleNext = 0;
  let clock = Date.parse('2026-11-01T07:00:00.000Z');
  const tick = () => {
    clock = Math.max(Date.now(), clock + 1000);
    return new Date(clock).toISOString();
  };
  const events: Item[] = Array.from({ length: options.events ?? 80 }, (_, index) => ({
    id: `AAMkEvt${index}`,
    subject: `Liefertermin ${index + 1}`,
    start: {
      dateTime: new Date(Date.parse('2026-11-24T07:00:00Z') + index * 7_200_000).toISOString(),
      timeZone: 'UTC',
    },
    end: {
      dateTime: new Date(Date.parse('2026-11-24T08:00:00Z') + index * 7_200_000).toISOString(),
      timeZone: 'UTC',
    },
    location: { displayName: 'Großmarkt Hamburg' },
    lastModifiedDateTime: tick(),
  }));
  const messages: Item[] = Array.from({ length: options.messages ?? 60 }, (_, index) => ({
    id: `AAMkMsg${index}`,
    internetMessageId: `<msg${index}@gasthaus.example>`,
    subject: `Bestellung KW ${48 + (index % 4)}`,
    from: { emailAddress: { address: `kueche${index}@gasthaus.example`, name: 'Küche' } },
    receivedDateTime: new Date(Date.parse('2026-11-20T06:00:00Z') + index * 60_000).toISOString(),
    bodyPreview: 'Bitte liefern Sie zusätzlich 5 kg Kartoffeln.',
    lastModifiedDateTime: tick(),
  }));
  const collections = { events, messages };
  const pathKind: Record<string, 'events' | 'messages'> = {
    '/v1.0/me/calendarView/delta': 'events',
    '/v1.0/me/mailFolders/inbox/messages/delta': 'messages',
  };

  const server = http.createServer(admin.listener(handle));

  async function handle(request: http.IncomingMessage, response: http.ServerResponse, url: URL) {
    const base = `http://${request.headers.host}`;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': graphFaults.contentType, ...headers });
      response.end(JSON.stringify(body));
    };
    const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
      send(status, graphError(code, message), headers);

    if (url.pathname.endsWith('/oauth2/v2.0/authorize') && request.method === 'GET') {
      return oauth.authorize(url, response);
    }
    if (url.pathname.endsWith('/oauth2/v2.0/token') && request.method === 'POST') {
      const form = new URLSearchParams(await readTextBody(request));
      return oauth.token(form, request.headers.authorization, response);
    }
    if (await admin.intercept(request, response)) return;
    if (!oauth.accessTokenValid(request.headers.authorization)) {
      return fail(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
    }
    if (throttleNext > 0) {
      throttleNext -= 1;
      stats.throttled += 1;
      return fail(429, 'TooManyRequests', 'Too many requests', { 'retry-after': '1' });
    }
    if (url.pathname === '/v1.0/subscriptions' && request.method === 'POST') {
      const created = await subscriptions.create(
        ((await readJsonBody(request)) ?? {}) as Record<string, unknown>,
      );
      return send(created.status, created.body);
    }
    const kind = pathKind[url.pathname];
    if (!kind) return fail(404, 'ResourceNotFound', 'Resource not found');
    const maxPage = Number(
      /odata\.maxpagesize=(\d+)/.exec(String(request.headers.prefer ?? ''))?.[1] ?? '10',
    );
    let since: number | undefined;
    let offset = 0;
    const skip = url.searchParams.get('$skiptoken');
    const delta = url.searchParams.get('$deltatoken');
    if (skip) {
      const state = pages.get(skip);
      if (!state) return fail(400, 'BadRequest', 'invalid skip token');
      ({ since, offset } = state);
    } else if (delta) {
      const state = deltaTokens.get(delta);
      if (!state) {
        stats.gone += 1;
        return fail(
          410,
          'SyncStateNotFound',
          'The sync state is no longer valid; start over without a delta token.',
        );
      }
      since = state.since;
    }
    const changed = collections[kind]
      .filter((item) => (since === undefined ? !item.removed : Date.parse(item.lastModifiedDateTime) > since))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const slice = changed.slice(offset, offset + maxPage);
    const value = slice.map(({ removed, ...item }) =>
      removed ? { id: item.id, '@removed': { reason: 'deleted' } } : item,
    );
    const body: Record<string, unknown> = { '@odata.context': `${base}/v1.0/$metadata`, value };
    if (offset + slice.length < changed.length) {
      const token = randomBytes(10).toString('hex');
      pages.set(token, { kind, since, offset: offset + slice.length });
      body['@odata.nextLink'] = `${base}${url.pathname}?$skiptoken=${token}`;
    } else {
      const token = randomBytes(10).toString('hex');
      deltaTokens.set(token, {
        kind,
        since: collections[kind].reduce(
          (latest, item) => Math.max(latest, Date.parse(item.lastModifiedDateTime)),
          0,
        ),
      });
      body['@odata.deltaLink'] = `${base}${url.pathname}?$deltatoken=${token}`;
    }
    send(200, body);
  }

  const port = await new Promise<number>((resolve) =>
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    tokenUrl: `${url}/common/oauth2/v2.0/token`,
    client,
    authorizeUrl: `${url}/common/oauth2/v2.0/authorize`,
    oauth,
    grant: () => oauth.grant(),
    events,
    messages,
    change: (kind, id, patch) => {
      const item = collections[kind].find((candidate) => candidate.id === id);
      if (!item) throw new Error(`no ${kind} ${id}`);
      Object.assign(item, patch, { lastModifiedDateTime: tick() });
      subscriptions.notify(subscribedResource[kind], 'updated', id);
    },
    remove: (kind, id) => {
      const item = collections[kind].find((candidate) => candidate.id === id);
      if (!item) throw new Error(`no ${kind} ${id}`);
      Object.assign(item, { removed: true, lastModifiedDateTime: tick() });
      subscriptions.notify(subscribedResource[kind], 'deleted', id);
    },
    subscriptions,
    expireDeltaTokens: () => deltaTokens.clear(),
    throttle: (count) => {
      throttleNext = count;
    },
    stats: () => ({ ...stats, refreshes: oauth.stats.refreshes }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const subscribedResource = { events: 'me/events', messages: "me/mailFolders('inbox')/messages" } as const;

const graphError = (code: string, message: string) => ({
  error: {
    code,
    message,
    innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID() },
  },
});

const graphFaults: VendorFaultAnswers = {
  contentType: 'application/json',
  serverError: (status, retryAfter) =>
    status === 503
      ? {
          status,
          headers: { 'retry-after': String(retryAfter) },
          body: graphError('serviceNotAvailable', 'The service is temporarily unavailable. Try again later.'),
        }
      : { status, body: graphError('generalException', 'An unspecified error has occurred.') },
  throttled: (retryAfter) => ({
    status: 429,
    headers: { 'retry-after': String(retryAfter) },
    body: graphError('TooManyRequests', 'Too many requests'),
  }),
};
