// CalDAV: the events of one calendar on any CalDAV server, incremental by sync-collection, with basic auth.
import type { ConnectorDefinition } from '../sdk/connectorDefinition.ts';
import { checkCalendar, createCaldavAdapter, plainFetch } from './adapter.ts';
import {
  type CaldavConfig,
  type CaldavCredentials,
  caldavConfigSchema,
  caldavCredentialsSchema,
} from './config.ts';

export const caldavConnector: ConnectorDefinition<CaldavConfig, CaldavCredentials> = {
  id: 'caldav',
  name: 'CalDAV',
  type: 'CalDAV',
  authKind: 'basic',
  description:
    'Events of one CalDAV calendar (Nextcloud, Radicale, mailbox.org, …), incremental with sync-collection; ' +
    'a refused sync token starts a full resync.',
  configSchema: caldavConfigSchema,
  credentialsSchema: caldavCredentialsSchema,
  entities: ['calendarEvent'],
  rateLimits: { requestsPerMinute: 120, requestsPerDay: null, concurrency: 2 },
  // The test has no runtime, so it goes straight to the server (without the integration's rate limit).
  testConnection: ({ config, credentials, signal, network }) =>
    checkCalendar(config, plainFetch(credentials, config.timeoutMs, signal, network.fetch)),
  createAdapter: createCaldavAdapter,
  canonicalEntity: () => 'calendarEvent',
  defaultMapping: {
    calendarEvent: {
      target: 'calendarEvent',
      fields: {
        uid: { from: 'uid' },
        title: { from: 'summary', default: '(ohne Titel)' },
        // ISO 8601: a time with its zone's offset, or a plain date for all-day events.
        start: { from: 'dtstart' },
        end: { from: 'dtend' },
        location: { from: 'location' },
        description: { from: 'description' },
        attendees: { from: 'attendees[*].email' },
      },
    },
  },
};
