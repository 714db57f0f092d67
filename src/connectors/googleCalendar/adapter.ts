// The Google Calendar adapter: a full list in pages (pageToken) ends with a nextSyncToken; later
// syncs ask for changes with that syncToken (cancelled events are deletions). When Google answers
// 410 Gone, the sync token has expired and the adapter starts a full pass at once, which the
// engine ends with a sweep of events no longer there. Google's rate and quota limits arrive as
// 403 (or 429) with the usageLimits domain: they are waited out, they are not refused credentials.

import type { EntityCapabilities, IntegrationAdapter, SyncBatch, SyncRequest } from '../sdk/adapter.ts';
import { checkConnection } from '../sdk/connectionCheck.ts';
import type { AdapterRuntime } from '../sdk/connectorDefinition.ts';
import { ConnectorError } from '../sdk/connectorError.ts';
import type { HttpResponse } from '../sdk/httpClient.ts';
import { retryAfterMs } from '../sdk/rateLimitHeaders.ts';
import type { GoogleCalendarConfig, GoogleCalendarCredentials } from './config.ts';
import { openWatchChannel } from './pushNotifications.ts';

interface EventsPage {
  items?: { id: string; status?: string }[];
  nextPageToken?: string;
  nextSyncToken?: string;
}

interface CalendarState {
  syncToken?: string;
  pageToken?: string;
  /** The pass under way: full (after a first sync or a 410), or changes since syncToken. */
  pass?: 'full' | 'incremental';
}

export function createGoogleCalendarAdapter(
  runtime: AdapterRuntime<GoogleCalendarConfig, GoogleCalendarCredentials>,
): IntegrationAdapter {
  const { config } = runtime;
  const http = runtime.http({
    baseUrl: config.apiBaseUrl,
    auth: runtime.oauth2({ tokenUrl: config.tokenUrl, clientId: config.clientId, clientAuth: 'post' }),
    timeoutMs: config.timeoutMs,
    classify: usageLimits,
  });
  const path = `/calendar/v3/calendars/${encodeURIComponent(config.calendarId)}/events`;

  const list = (query: Record<string, string | number>, signal: AbortSignal) =>
    http
      .request({ path, query: { maxResults: config.pageSize, ...query }, signal, parseJson: true })
      .then((response) => response.json<EventsPage>());

  async function* sync(request: SyncRequest): AsyncGenerator<SyncBatch> {
    let state = request.state as CalendarState;
    if (request.mode === 'full' && !state.pageToken) state = {};
    let pass: 'full' | 'incremental' = state.pass ?? (state.syncToken ? 'incremental' : 'full');
    let pageToken = state.pageToken;
    for (;;) {
      let page: EventsPage;
      try {
        page = await list(
          pageToken
            ? { pageToken }
            : pass === 'incremental' && state.syncToken
              ? { syncToken: state.syncToken }
              : {},
          request.signal,
        );
      } catch (error) {
        if (error instanceof ConnectorError && error.httpStatus === 410 && pass === 'incremental') {
          // Google's resync signal: drop the token and list everything again.
          runtime.logger.info('sync token expired (410 Gone); starting a full sync');
          pass = 'full';
          pageToken = undefined;
          state = {};
          continue;
        }
        throw error;
      }
      pageToken = page.nextPageToken;
      const done = !pageToken;
      const next: CalendarState = done
        ? { ...(page.nextSyncToken ? { syncToken: page.nextSyncToken } : {}) }
        : { ...(state.syncToken ? { syncToken: state.syncToken } : {}), pageToken, pass };
      yield {
        records: (page.items ?? []).map((event) => ({
          externalId: event.id,
          data: event,
          ...(event.status === 'cancelled' ? { deleted: true } : {}),
        })),
        state: next as Record<string, unknown>,
        pass,
        fullPassComplete: done && pass === 'full',
        final: done,
      };
      if (done) return;
    }
  }

  return {
    http,
    connect: async () => {},
    disconnect: async () => {},
    healthCheck: (signal) =>
      checkConnection(async () => {
        await list({ maxResults: 1 }, signal);
        return 'Google Calendar answered';
      }),
    capabilities: (entity): EntityCapabilities => {
      if (entity !== 'calendarEvent')
        throw new ConnectorError('config', `Google Calendar has no entity "${entity}"`);
      return { incremental: true, deletions: 'sweep' };
    },
    sync,
    // A notification says only that something changed: the sync token tells what.
    handleWebhook: async () => ({ sync: ['calendarEvent'] }),
    openPushChannels: (request) => openWatchChannel(http, path, request),
  };
}

const limitReasons = new Set([
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'quotaExceeded',
  'dailyLimitExceeded',
]);

/** A 403 that names a usage limit is a rate limit (back off exponentially), not an auth failure. */
function usageLimits(response: HttpResponse): ConnectorError | undefined {
  if (response.status !== 403) return undefined;
  let errors: { domain?: string; reason?: string }[] | undefined;
  try {
    errors = response.json<{ error?: { errors?: { domain?: string; reason?: string }[] } }>().error?.errors;
  } catch {
    return undefined;
  }
  const limit = errors?.find(
    (error) => error.domain === 'usageLimits' || limitReasons.has(error.reason ?? ''),
  );
  if (!limit) return undefined;
  return new ConnectorError('rate_limited', `Google Calendar: HTTP 403 (${limit.reason ?? 'usageLimits'})`, {
    httpStatus: 403,
    retryAfterMs: retryAfterMs(response.headers),
  });
}
