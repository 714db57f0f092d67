// The generic REST connector: a system that speaks JSON over HTTP joins with configuration only.
import { type ConnectorDefinition, describedEntities } from '../sdk/connectorDefinition.ts';
import { configuredWebhookReceiver } from '../sdk/signatures/configuredWebhooks.ts';
import { createRestAdapter } from './adapter.ts';
import {
  checkRestCredentials,
  type RestConfig,
  type RestCredentials,
  restConfigSchema,
  restCredentialsSchema,
} from './config.ts';
import { restTemplates } from './templates.ts';
import { testRestConnection } from './testConnection.ts';

export const restConnector: ConnectorDefinition<RestConfig, RestCredentials> = {
  id: 'rest',
  name: 'Generic REST API',
  type: 'REST',
  authKind: 'apiKey',
  description: 'Any JSON-over-HTTP system, configured by data: base URL, auth kind and endpoints.',
  configSchema: restConfigSchema,
  credentialsSchema: restCredentialsSchema,
  checkCredentials: checkRestCredentials,
  entities: ['customer', 'contact', 'address', 'invoice', 'order', 'product'],
  configuredEntities: (config) => describedEntities(config.resources),
  rateLimits: { requestsPerMinute: 600, requestsPerDay: null, concurrency: 4 },
  webhooks: configuredWebhookReceiver(),
  testConnection: testRestConnection,
  createAdapter: createRestAdapter,
  canonicalEntity: (entity) => entity,
  templates: restTemplates,
};
