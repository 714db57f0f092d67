// The CalDAV adapter (RFC 4791, sync by RFC 6578 sync-collection), built on tsdav. A full pass
// asks sync-collection without a token: the href of every object and a sync token. Later syncs
// send that token and get the hrefs that changed and those removed (404 in the answer: deletions).
// Changed objects are read in calendar-multiget chunks. When the server refuses the token
// (DAV:valid-sync-token, 403 or 409), a full pass starts at once, which the engine ends with a
// sweep. tsdav's requests go through the SDK's HTTP client (its fetch hook), so the integration's
// rate limit, retries, circuit breaker and request log apply as to any other connector.
import {
  createAccount,
  DAVNamespace,
  type DAVResponse,
  davRequest,
  getDAVAttribute,
  propfind,
  syncCollection,
} from 'tsdav';
import type {
  EntityCapabilities,
  IntegrationAdapter,
  SourceRecord,
  SyncBatch,
  SyncRequest,
} from '../sdk/adapter.ts';
import { basicAuth } from '../sdk/auth/authProvider.ts';
import type { AdapterRuntime, ConnectionResult } from '../sdk/connectorDefinition.ts';
import { ConnectorError, kindOfHttpStatus, toConnectorError } from '../sdk/connectorError.ts';
import type { ConnectorHttpClient, ResponseClassifier } from '../sdk/httpClient.ts';
import type { CaldavConfig, CaldavCredentials } from './config.ts';
import { parseCalendarObject } from './ical.ts';

type DavFetch = typeof fetch;

interface CalendarState {
  syncToken?: string;
  /** The pass under way; a pass cut short restarts from the token of the last complete sync. */
  pass?: 'full' | 'incremental';
}

interface Listing {
  token: string;
  changed: string[];
  removed: string[];
  /** The server sent part of the changes (507 on the collection): ask again with the new token. */
  truncated: boolean;
}

/** The server's precondition DAV:valid-sync-token failed: the token is unknown or expired. */
class SyncTokenRejected extends ConnectorError {}

const classify: ResponseClassifier = (response) => {
  if (response.status !== 403 && response.status !== 409) return undefined;
  const body = response.text();
  if (body.includes('valid-sync-token')) {
    return new SyncTokenRejected('permanent', 'the server no longer accepts the sync token', {
      httpStatus: response.status,
    });
  }
  if (body.includes('supported-report')) {
    return new ConnectorError(
      'config',
      'the URL is not a calendar collection with sync-collection reports: check serverUrl and calendarPath',
      { httpStatus: response.status },
    );
  }
  return undefined;
};

const readOnlyMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PROPFIND', 'REPORT']);

/** A fetch for tsdav that sends through the SDK's client, which throws a ConnectorError on 4xx and 5xx. */
function clientFetch(
  http: ConnectorHttpClient,
  options: { signal: AbortSignal; maxWaitMs?: number; retry?: boolean },
): DavFetch {
  return async (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    delete headers.authorization;
    const response = await http.request({
      method,
      path: input instanceof Request ? input.url : String(input),
      headers,
      ...(typeof init?.body === 'string' ? { body: init.body } : {}),
      retry: options.retry ?? readOnlyMethods.has(method),
      signal: options.signal,
      ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
    });
    const answer = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      for (const item of Array.isArray(value) ? value : [value])
        if (item !== undefined) answer.append(name, item);
    }
    const empty = [101, 204, 205, 304].includes(response.status);
    return new Response(empty ? null : response.text(), { status: response.status, headers: answer });
  };
}

/** A fetch with basic auth straight to the server, for the connection test (which has no runtime). */
export function plainFetch(
  credentials: CaldavCredentials,
  timeoutMs: number,
  signal: AbortSignal,
  fetch: DavFetch,
): DavFetch {
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  return async (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers);
    headers.set('authorization', authorization);
    let response: Response;
    try {
      response = await fetch(input, {
        ...init,
        headers,
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (error) {
      throw toConnectorError(error, `${method} request`);
    }
    const kind = kindOfHttpStatus(response.status);
    if (kind) {
      await response.body?.cancel();
      throw new ConnectorError(kind, `${method} answered HTTP ${response.status}`, {
        httpStatus: response.status,
      });
    }
    return response;
  };
}

/** The calendar collection's URL: given, or found by display name in the user's calendar home. */
export async function locateCalendar(config: CaldavConfig, davFetch: DavFetch): Promise<string> {
  if (config.calendarPath) return withSlash(new URL(config.calendarPath, config.serverUrl).href);
  if (!config.calendarName) return withSlash(config.serverUrl);
  let calendars: { url: string; name: string }[];
  try {
    const account = await createAccount({
      account: { serverUrl: config.serverUrl, accountType: 'caldav' },
      fetch: davFetch,
    });
    const homeUrl = account.homeUrl ?? config.serverUrl;
    const listed = await propfind({
      url: homeUrl,
      props: { 'd:displayname': {}, 'd:resourcetype': {} },
      depth: '1',
      fetch: davFetch,
    });
    calendars = listed
      .filter((entry) => entry.href && isCalendar(entry))
      .map((entry) => ({ url: new URL(String(entry.href), homeUrl).href, name: displayName(entry) }));
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    // tsdav's own errors say the server answered, but not like a CalDAV server.
    throw new ConnectorError('config', `the calendar home could not be found: ${(error as Error).message}`);
  }
  const wanted = config.calendarName.trim().toLowerCase();
  const found = calendars.find((calendar) => calendar.name.trim().toLowerCase() === wanted);
  if (!found) {
    const names = calendars.map((calendar) => `"${calendar.name}"`).join(', ');
    throw new ConnectorError(
      'config',
      `no calendar is named "${config.calendarName}" (found: ${names || 'none'})`,
    );
  }
  return withSlash(found.url);
}

/** PROPFIND on the calendar: for the connection test and the health check. */
export async function checkCalendar(config: CaldavConfig, davFetch: DavFetch): Promise<ConnectionResult> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  try {
    const url = await locateCalendar(config, davFetch);
    const [entry] = await propfind({
      url,
      props: { 'd:displayname': {}, 'd:resourcetype': {} },
      depth: '0',
      fetch: davFetch,
    });
    if (!entry || !isCalendar(entry)) {
      return {
        ok: false,
        message: 'the URL is not a calendar collection: set calendarPath or calendarName',
        latencyMs: latencyMs(),
      };
    }
    return { ok: true, message: `the calendar "${displayName(entry)}" answered`, latencyMs: latencyMs() };
  } catch (error) {
    const failure = toConnectorError(error, 'CalDAV');
    return {
      ok: false,
      message:
        failure.httpStatus === 401
          ? 'the server refused the user name or password (HTTP 401)'
          : failure.message,
      latencyMs: latencyMs(),
      ...(failure.httpStatus ? { httpStatus: failure.httpStatus } : {}),
      ...(failure.kind ? { kind: failure.kind } : {}),
    };
  }
}

export function createCaldavAdapter(
  runtime: AdapterRuntime<CaldavConfig, CaldavCredentials>,
): IntegrationAdapter {
  const { config, credentials } = runtime;
  const http = runtime.http({
    baseUrl: config.serverUrl,
    auth: basicAuth(credentials.username, credentials.password),
    timeoutMs: config.timeoutMs,
    headers: { accept: 'application/xml, text/xml' },
    classify,
  });
  let located: Promise<string> | undefined;
  const calendarUrl = (signal: AbortSignal) => {
    located ??= locateCalendar(config, clientFetch(http, { signal })).catch((error: unknown) => {
      located = undefined;
      throw error;
    });
    return located;
  };

  async function listChanges(url: string, token: string | undefined, signal: AbortSignal): Promise<Listing> {
    const answer = await syncCollection({
      url,
      props: { 'd:getetag': {} },
      syncLevel: 1,
      // An empty token asks for everything (RFC 6578 3.3).
      syncToken: token ?? '',
      fetch: clientFetch(http, { signal }),
    });
    const listing: Listing = { token: '', changed: [], removed: [], truncated: false };
    for (const entry of answer) {
      const syncToken = entry.raw?.multistatus?.syncToken;
      if (syncToken !== undefined && syncToken !== null) listing.token = String(syncToken);
      if (!entry.href) continue;
      const href = String(entry.href);
      if (hrefKey(href, url).replace(/\/$/, '') === hrefKey(url, url).replace(/\/$/, '')) {
        if (entry.status === 507) listing.truncated = true;
      } else if (entry.status === 404) listing.removed.push(href);
      else if (entry.status < 400) listing.changed.push(href);
    }
    if (!listing.token) throw new ConnectorError('permanent', 'the server answered without a sync token');
    return listing;
  }

  async function readObjects(
    url: string,
    hrefs: string[],
    pass: 'full' | 'incremental',
    signal: AbortSignal,
  ): Promise<SourceRecord[]> {
    // tsdav's calendarMultiGet throws on any 404 entry; an object deleted since the listing is a deletion.
    const answer: DAVResponse[] = await davRequest({
      url,
      init: {
        method: 'REPORT',
        namespace: 'c',
        headers: { depth: '1' },
        body: {
          'calendar-multiget': {
            _attributes: getDAVAttribute([DAVNamespace.DAV, DAVNamespace.CALDAV]),
            'd:prop': { 'd:getetag': {}, 'c:calendar-data': {} },
            'd:href': hrefs,
          },
        },
      },
      fetch: clientFetch(http, { signal }),
    });
    const records: SourceRecord[] = [];
    for (const entry of answer) {
      if (!entry.href) continue;
      const href = hrefKey(String(entry.href), url);
      const data = entry.props?.calendarData?._cdata ?? entry.props?.calendarData;
      const event = entry.status !== 404 && typeof data === 'string' ? parseCalendarObject(data) : undefined;
      if (event) {
        const etag = entry.props?.getetag;
        records.push({
          externalId: href,
          data: { href, ...(etag === undefined ? {} : { etag: String(etag) }), ...event },
        });
      } else if (entry.status === 404 || pass === 'incremental') {
        // Gone, or no longer an event (a task, say): either way not an event the hub should keep.
        records.push({ externalId: href, data: { href }, deleted: true });
      }
    }
    return records;
  }

  async function* sync(request: SyncRequest): AsyncGenerator<SyncBatch> {
    const state = request.state as CalendarState;
    let pass: 'full' | 'incremental' =
      request.mode === 'incremental' && state.syncToken && state.pass !== 'full' ? 'incremental' : 'full';
    let token = pass === 'incremental' ? state.syncToken : undefined;
    const url = await calendarUrl(request.signal);
    for (;;) {
      let listing: Listing;
      try {
        listing = await listChanges(url, token, request.signal);
      } catch (error) {
        if (error instanceof SyncTokenRejected && token !== undefined) {
          runtime.logger.info(
            { httpStatus: error.httpStatus },
            'the CalDAV server rejected the sync token; starting a full sync',
          );
          pass = 'full';
          token = undefined;
          continue;
        }
        throw error;
      }
      const resume: CalendarState = { ...(state.syncToken ? { syncToken: state.syncToken } : {}), pass };
      const chunks: string[][] = [];
      for (let index = 0; index < listing.changed.length; index += config.pageSize) {
        chunks.push(listing.changed.slice(index, index + config.pageSize));
      }
      if (chunks.length === 0) chunks.push([]);
      for (const [index, hrefs] of chunks.entries()) {
        const records =
          hrefs.length > 0 ? await readObjects(url, hrefs, pass, request.signal) : ([] as SourceRecord[]);
        const last = index === chunks.length - 1;
        // Radicale lists deleted objects (404) even without a token; a full pass leaves them to the sweep.
        if (last && token !== undefined) {
          for (const removed of listing.removed) {
            const href = hrefKey(removed, url);
            records.push({ externalId: href, data: { href }, deleted: true });
          }
        }
        const done = last && !listing.truncated;
        yield {
          records,
          state: (done ? { syncToken: listing.token } : resume) as Record<string, unknown>,
          pass,
          fullPassComplete: done && pass === 'full',
          final: done,
        };
      }
      if (!listing.truncated) return;
      token = listing.token;
    }
  }

  return {
    http,
    connect: async () => {},
    disconnect: async () => {},
    healthCheck: (signal) =>
      checkCalendar(config, clientFetch(http, { signal, retry: false, maxWaitMs: 5_000 })),
    capabilities: (entity): EntityCapabilities => {
      if (entity !== 'calendarEvent') throw new ConnectorError('config', `CalDAV has no entity "${entity}"`);
      return { incremental: true, deletions: 'sweep' };
    },
    sync,
  };
}

/** An object's href as the hub keeps it: the decoded path, however the server spelled it. */
function hrefKey(href: string, base: string): string {
  const path = new URL(href, base).pathname;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function isCalendar(entry: DAVResponse): boolean {
  const type = entry.props?.resourcetype;
  return typeof type === 'object' && type !== null && 'calendar' in type;
}

function displayName(entry: DAVResponse): string {
  const name = entry.props?.displayname?._cdata ?? entry.props?.displayname;
  return name === undefined || name === null || typeof name === 'object'
    ? hrefKey(String(entry.href ?? ''), 'http://localhost/')
        .replace(/\/$/, '')
        .split('/')
        .at(-1)!
    : String(name);
}
