// An imitation of Google Calendar v3 and Google's OAuth endpoints (VENDORS.md): events paged by
// pageToken/nextPageToken (maxResults ≤ 2500), nextSyncToken on the last page of a full list,
// syncToken for changes (cancelled events come with status "cancelled"), 410 Gone when a sync
// token has expired, access tokens that live an hour and refresh tokens that stay. Injected
// faults answer as Google does: 5xx backendError, 429 and 403 with the usageLimits domain.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxAuthorizationServer } from '../oauth/authorizationServer.ts';
import { SandboxAdmin } from '../shared/adminRoutes.ts';
import type { VendorFaultAnswers } from '../shared/faultInjection.ts';
import { readJsonBody, readTextBody } from '../shared/readJsonBody.ts';
import { WatchChannels } from './watchChannels.ts';

export interface CalendarEvent {
  id: string;
  status: 'confirmed' | 'cancelled';
  summary: string;
  location: string;
  start: { dateTime: string };
  end: { dateTime: string };
  updated: string;
}

export interface GoogleSandbox {
  url: string;
  tokenUrl: string;
  authorizeUrl: string;
  oauth: SandboxAuthorizationServer;
  client: { clientId: string; clientSecret: string };
  calendarId: string;
  grant(): string;
  events: CalendarEvent[];
  change(id: string, patch: Partial<CalendarEvent>): void;
  /** Invalidates every sync token handed out so far: the next incremental sync gets 410 Gone. */
  expireSyncTokens(): void;
  /** Watch channels opened on the calendar, and the notifications sent to them. */
  channels: WatchChannels;
  stats(): { refreshes: number; gone: number; requests: number };
  close(): Promise<void>;
}

const places = [
  'Küche Hotel Adler, München',
  'Kantine Werk 2, Stuttgart',
  'Restaurant Zum Löwen, Köln',
  'Catering-Lager, Hamburg',
];

export async function startGoogleSandbox(
  options: { events?: number; port?: number } = {},
): Promise<GoogleSandbox> {
  const client = {
    clientId: 'hub-sandbox.apps.googleusercontent.com',
    clientSecret: 'google-sandbox-secret-0000',
  };
  const calendarId = 'vertrieb@frischdienst.example';
  const oauth = new SandboxAuthorizationServer({
    client,
    rotateRefreshTokens: false,
    scope: 'https://www.googleapis.com/auth/calendar.readonly',
  });
  const admin = new SandboxAdmin({ answers: googleFaults, expireTokens: () => oauth.expireAccessTokens() });
  const syncTokens = new Map<string, number>();
  const pageTokens = new Map<string, { offset: number; since: number | undefined; at: number }>();
  const stats = { gone: 0, requests: 0 };
  let clock = Date.parse('2026-11-01T07:00:00.000Z');
  let generation = 0;
  const events: CalendarEvent[] = Array.from({ length: options.events ?? 120 }, (_, index) => {
    const start = new Date(Date.parse('2026-11-23T08:00:00.000Z') + index * 3_600_000);
    clock += 1000;
    return {
      id: `evt${String(index).padStart(5, '0')}`,
      status: 'confirmed',
      summary: `Verkostung ${index + 1}`,
      location: places[index % places.length] ?? '',
      start: { dateTime: start.toISOString() },
      end: { dateTime: new Date(start.getTime() + 3_600_000).toISOString() },
      updated: new Date(clock).toISOString(),
    };
  });

  const eventsPath = `/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events`;
  const channels = new WatchChannels(`https://www.googleapis.com${eventsPath}?alt=json`);
  const server = http.createServer(admin.listener(handle));

  async function handle(request: http.IncomingMessage, response: http.ServerResponse, url: URL) {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': googleFaults.contentType });
      response.end(JSON.stringify(body));
    };
    const fail = (status: number, reason: string, message: string) =>
      send(status, googleError(status, 'global', reason, message));

    if (url.pathname === AUTHORIZE_PATH && request.method === 'GET') return oauth.authorize(url, response);
    if (url.pathname === TOKEN_PATH && request.method === 'POST') {
      const form = new URLSearchParams(await readTextBody(request));
      return oauth.token(form, request.headers.authorization, response);
    }
    stats.requests += 1;
    if (await admin.intercept(request, response)) return;
    if (!oauth.accessTokenValid(request.headers.authorization))
      return fail(401, 'authError', 'Invalid Credentials');
    if (url.pathname === `${eventsPath}/watch` && request.method === 'POST') {
      const opened = channels.open(((await readJsonBody(request)) ?? {}) as Record<string, unknown>);
      return 'error' in opened
        ? fail(400, 'push.webhookUrlNotHttps', opened.error)
        : send(200, opened.channel);
    }
    if (url.pathname === '/calendar/v3/channels/stop' && request.method === 'POST') {
      const stopped = channels.stop(((await readJsonBody(request)) ?? {}) as Record<string, unknown>);
      if (!stopped) return fail(404, 'notFound', 'Channel not found');
      response.writeHead(204).end();
      return;
    }
    if (url.pathname !== eventsPath) return fail(404, 'notFound', 'Not Found');
    listEvents(url, send, fail);
  }

  function listEvents(
    url: URL,
    send: (status: number, body: unknown) => void,
    fail: (status: number, reason: string, message: string) => void,
  ) {
    const maxResults = Math.min(2500, Number(url.searchParams.get('maxResults') ?? '250'));
    const pageToken = url.searchParams.get('pageToken');
    const syncToken = url.searchParams.get('syncToken');
    let offset = 0;
    let since: number | undefined;
    if (pageToken) {
      const state = pageTokens.get(pageToken);
      if (!state) return fail(400, 'invalid', 'Invalid page token');
      ({ offset, since } = state);
    } else if (syncToken) {
      const issued = syncTokens.get(syncToken);
      if (issued === undefined) {
        stats.gone += 1;
        return fail(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.');
      }
      since = issued;
    }
    // A full list leaves out cancelled events; a change list includes them.
    const listed = events
      .filter((event) =>
        since === undefined ? event.status !== 'cancelled' : Date.parse(event.updated) > since,
      )
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const items = listed.slice(offset, offset + maxResults);
    const body: Record<string, unknown> = { kind: 'calendar#events', summary: calendarId, items };
    if (offset + items.length < listed.length) {
      const next = randomBytes(10).toString('hex');
      pageTokens.set(next, { offset: offset + items.length, since, at: Date.now() });
      body.nextPageToken = next;
    } else {
      const next = `${generation}-${randomBytes(10).toString('hex')}`;
      const latest = events.reduce((max, event) => Math.max(max, Date.parse(event.updated)), 0);
      syncTokens.set(next, latest);
      body.nextSyncToken = next;
    }
    send(200, body);
  }

  const port = await new Promise<number>((resolve) =>
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    tokenUrl: `${url}${TOKEN_PATH}`,
    authorizeUrl: `${url}${AUTHORIZE_PATH}`,
    oauth,
    client,
    calendarId,
    grant: () => oauth.grant(),
    events,
    change: (id, patch) => {
      const event = events.find((item) => item.id === id);
      if (!event) throw new Error(`no event ${id}`);
      clock = Math.max(Date.now(), clock + 1000);
      Object.assign(event, patch, { updated: new Date(clock).toISOString() });
      channels.notify();
    },
    channels,
    expireSyncTokens: () => {
      syncTokens.clear();
      generation += 1;
    },
    stats: () => ({ ...stats, refreshes: oauth.stats.refreshes }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// oauth2.googleapis.com/token and accounts.google.com/o/oauth2/v2/auth, on one host here.
const TOKEN_PATH = '/token';
const AUTHORIZE_PATH = '/o/oauth2/v2/auth';

const googleError = (status: number, domain: string, reason: string, message: string) => ({
  error: { code: status, message, errors: [{ domain, reason, message }] },
});

const googleFaults: VendorFaultAnswers = {
  contentType: 'application/json; charset=UTF-8',
  serverError: (status) => ({ status, body: googleError(status, 'global', 'backendError', 'Backend Error') }),
  // Google's guide asks for exponential backoff and names no Retry-After; the sandbox sends one anyway.
  throttled: (retryAfter) => ({
    status: 429,
    headers: { 'retry-after': String(retryAfter) },
    body: googleError(429, 'usageLimits', 'rateLimitExceeded', 'Rate Limit Exceeded'),
  }),
  quotaExceeded: () => ({
    status: 403,
    body: googleError(403, 'usageLimits', 'quotaExceeded', 'Calendar usage limits exceeded.'),
  }),
};
