// Google Calendar: the events of one calendar, incremental by sync token, with OAuth2.
import { checkConnection } from '../sdk/connectionCheck.ts';
import type { ConnectorDefinition } from '../sdk/connectorDefinition.ts';
import { createGoogleCalendarAdapter } from './adapter.ts';
import {
  type GoogleCalendarConfig,
  type GoogleCalendarCredentials,
  googleCalendarConfigSchema,
  googleCalendarCredentialsSchema,
} from './config.ts';
import { googleWebhooks } from './pushNotifications.ts';

export const googleCalendarConnector: ConnectorDefinition<GoogleCalendarConfig, GoogleCalendarCredentials> = {
  id: 'google-calendar',
  name: 'Google Calendar',
  type: 'REST',
  authKind: 'oauth2',
  description:
    'Events of one Google calendar, incremental with sync tokens; a 410 Gone starts a full resync.',
  configSchema: googleCalendarConfigSchema,
  credentialsSchema: googleCalendarCredentialsSchema,
  entities: ['calendarEvent'],
  rateLimits: { requestsPerMinute: 300, requestsPerDay: null, concurrency: 2 },
  // Google does not rotate refresh tokens, so asking for an access token is a harmless test.
  oauthAuthorization: (config) => ({
    authorizationUrl: config.authorizationUrl,
    tokenUrl: config.tokenUrl,
    clientId: config.clientId,
    scopes: ['https://www.googleapis.com/auth/calendar.readonly'],
    clientAuth: 'post',
    // Google hands out a refresh token only for offline access, and again only after a new consent.
    extraParams: { access_type: 'offline', prompt: 'consent' },
  }),
  testConnection: async ({ config, credentials, signal, network }) => {
    const { refreshToken } = credentials;
    if (!refreshToken) {
      return { ok: false, message: 'not connected yet: connect the integration to Google', latencyMs: 0 };
    }
    return checkConnection(
      async () => {
        const response = await network.fetch(config.tokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: refreshToken,
            client_id: config.clientId,
            client_secret: credentials.clientSecret,
          }),
          signal: AbortSignal.any([signal, AbortSignal.timeout(config.timeoutMs)]),
        });
        await response.body?.cancel();
        return response.ok
          ? { message: 'Google accepted the authorization', httpStatus: response.status }
          : {
              ok: false,
              message: `Google refused the authorization (HTTP ${response.status}): reconnect`,
              httpStatus: response.status,
            };
      },
      (error) => ({ message: `the token endpoint could not be reached (${(error as Error).name})` }),
    );
  },
  createAdapter: createGoogleCalendarAdapter,
  webhooks: googleWebhooks,
  canonicalEntity: () => 'calendarEvent',
  defaultMapping: {
    calendarEvent: {
      target: 'calendarEvent',
      fields: {
        title: { from: 'summary', default: '(ohne Titel)' },
        // Timed events have dateTime, all-day events date: whichever is there.
        start: { from: ['start.dateTime', 'start.date'], transforms: [{ op: 'join', separator: '' }] },
        end: { from: ['end.dateTime', 'end.date'], transforms: [{ op: 'join', separator: '' }] },
        location: { from: 'location' },
        description: { from: 'description' },
        attendees: { from: 'attendees[*].email' },
      },
    },
  },
};
