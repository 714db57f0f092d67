// An imitation of Google Calendar v3 and Google's OAuth token endpoint (VENDORS.md): events
// paged by pageToken/nextPageToken (maxResults ≤ 2500), nextSyncToken on the last page of a
// full list, syncToken for changes (cancelled events come with status "cancelled"), 410 Gone
// when a sync token has expired, access tokens that live an hour.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

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
  client: { clientId: string; clientSecret: string };
  calendarId: string;
  grant(): string;
  events: CalendarEvent[];
  change(id: string, patch: Partial<CalendarEvent>): void;
  /** Invalidates every sync token handed out so far: the next incremental sync gets 410 Gone. */
  expireSyncTokens(): void;
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
  const refreshTokens = new Set<string>();
  const accessTokens = new Map<string, number>();
  const syncTokens = new Map<string, number>();
  const pageTokens = new Map<string, { offset: number; since: number | undefined; at: number }>();
  const stats = { refreshes: 0, gone: 0, requests: 0 };
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

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://google.local');
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(JSON.stringify(body));
    };
    const fail = (status: number, reason: string, message: string) =>
      send(status, { error: { code: status, message, errors: [{ domain: 'global', reason, message }] } });

    if (url.pathname === '/token' && request.method === 'POST') {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const form = new URLSearchParams(body);
        if (form.get('client_id') !== client.clientId || form.get('client_secret') !== client.clientSecret) {
          return send(401, { error: 'invalid_client' });
        }
        if (!refreshTokens.has(form.get('refresh_token') ?? ''))
          return send(400, {
            error: 'invalid_grant',
            error_description: 'Token has been expired or revoked.',
          });
        stats.refreshes += 1;
        const access = `ya29.${randomBytes(24).toString('base64url')}`;
        accessTokens.set(access, Date.now() + 3_600_000);
        send(200, {
          access_token: access,
          expires_in: 3599,
          token_type: 'Bearer',
          scope: 'https://www.googleapis.com/auth/calendar.readonly',
        });
      });
      return;
    }
    stats.requests += 1;
    const token = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if ((accessTokens.get(token) ?? 0) < Date.now()) return fail(401, 'authError', 'Invalid Credentials');
    if (url.pathname !== `/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events`)
      return fail(404, 'notFound', 'Not Found');

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
      syncTokens.set(next, Math.max(...events.map((event) => Date.parse(event.updated))));
      body.nextSyncToken = next;
    }
    send(200, body);
  });

  const port = await new Promise<number>((resolve) =>
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    tokenUrl: `${url}/token`,
    client,
    calendarId,
    grant: () => {
      const token = `1//${randomBytes(24).toString('base64url')}`;
      refreshTokens.add(token);
      return token;
    },
    events,
    change: (id, patch) => {
      const event = events.find((item) => item.id === id);
      if (!event) throw new Error(`no event ${id}`);
      clock = Math.max(Date.now(), clock + 1000);
      Object.assign(event, patch, { updated: new Date(clock).toISOString() });
    },
    expireSyncTokens: () => {
      syncTokens.clear();
      generation += 1;
    },
    stats: () => ({ ...stats }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
