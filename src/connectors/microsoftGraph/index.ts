// Microsoft Graph: Outlook calendar events and inbox mail of one mailbox, by delta query.
import { checkConnection } from '../sdk/connectionCheck.ts';
import type { ConnectorDefinition } from '../sdk/connectorDefinition.ts';
import { createGraphAdapter } from './adapter.ts';
import {
  type GraphConfig,
  type GraphCredentials,
  graphConfigSchema,
  graphCredentialsSchema,
} from './config.ts';
import { graphWebhooks } from './subscriptions.ts';

export const microsoftGraphConnector: ConnectorDefinition<GraphConfig, GraphCredentials> = {
  id: 'microsoft-graph',
  name: 'Outlook (Microsoft Graph)',
  type: 'REST',
  authKind: 'oauth2',
  description:
    'Outlook calendar and mail through Microsoft Graph delta queries; 410 Gone starts a full resync.',
  configSchema: graphConfigSchema,
  credentialsSchema: graphCredentialsSchema,
  entities: ['calendarEvent', 'email'],
  // Graph allows 4 concurrent requests per mailbox.
  rateLimits: { requestsPerMinute: 600, requestsPerDay: null, concurrency: 4 },
  // Graph rotates the refresh token on every use, so a test must not spend it: it checks the settings only.
  oauthAuthorization: (config) => {
    const base = `${config.loginUrl.replace(/\/$/, '')}/${config.tenant}/oauth2/v2.0`;
    return {
      authorizationUrl: `${base}/authorize`,
      tokenUrl: `${base}/token`,
      clientId: config.clientId,
      scopes: ['offline_access', 'Calendars.Read', 'Mail.Read'],
      clientAuth: 'post',
    };
  },
  testConnection: ({ config, network }) =>
    checkConnection(
      async () => {
        const response = await network.fetch(
          `${config.loginUrl.replace(/\/$/, '')}/${config.tenant}/oauth2/v2.0/token`,
          {
            method: 'POST',
            signal: AbortSignal.timeout(config.timeoutMs),
          },
        );
        await response.body?.cancel();
        return {
          ok: response.status < 500,
          message: `the Microsoft identity platform answered (HTTP ${response.status}); the mailbox is checked by the first sync`,
          httpStatus: response.status,
        };
      },
      (error) => ({ message: `the identity platform could not be reached (${(error as Error).name})` }),
    ),
  webhooks: graphWebhooks,
  createAdapter: createGraphAdapter,
  canonicalEntity: (entity) => entity,
  defaultMapping: {
    calendarEvent: {
      target: 'calendarEvent',
      fields: {
        title: { from: 'subject', default: '(ohne Betreff)' },
        start: { from: 'start.dateTime' },
        end: { from: 'end.dateTime' },
        location: { from: 'location.displayName' },
        attendees: { from: 'attendees[*].emailAddress.address' },
      },
    },
    email: {
      target: 'email',
      fields: {
        messageId: { from: 'internetMessageId' },
        from: { from: 'from.emailAddress.address', transforms: [{ op: 'email' }] },
        to: { from: 'toRecipients[*].emailAddress.address' },
        subject: { from: 'subject' },
        date: { from: 'receivedDateTime' },
        body: { from: 'bodyPreview' },
      },
    },
  },
};
