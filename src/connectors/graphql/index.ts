// The generic GraphQL connector: any GraphQL API, configured by data (queries, paths).
import { checkConnection } from '../sdk/connectionCheck.ts';
import { type ConnectorDefinition, describedEntities } from '../sdk/connectorDefinition.ts';
import { configuredWebhookReceiver } from '../sdk/signatures/configuredWebhooks.ts';
import { createGraphqlAdapter } from './adapter.ts';
import {
  checkGraphqlCredentials,
  type GraphqlConfig,
  type GraphqlCredentials,
  graphqlConfigSchema,
  graphqlCredentialsSchema,
} from './config.ts';
import { graphqlTemplates } from './templates.ts';

export const graphqlConnector: ConnectorDefinition<GraphqlConfig, GraphqlCredentials> = {
  id: 'graphql',
  name: 'Generic GraphQL API',
  type: 'GraphQL',
  authKind: 'apiKey',
  description: 'Any GraphQL API, configured by data: endpoint, queries per entity, record and cursor paths.',
  configSchema: graphqlConfigSchema,
  credentialsSchema: graphqlCredentialsSchema,
  checkCredentials: checkGraphqlCredentials,
  entities: ['customer', 'contact', 'order', 'product', 'item'],
  configuredEntities: (config) => describedEntities(config.resources),
  rateLimits: { requestsPerMinute: 300, requestsPerDay: null, concurrency: 2 },
  webhooks: configuredWebhookReceiver(),
  testConnection: async ({ config, credentials, signal, network }) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...config.headers };
    if (config.auth.kind === 'apiKey') headers[config.auth.headerName] = credentials.apiKey ?? '';
    if (config.auth.kind === 'bearer') headers.authorization = `Bearer ${credentials.token ?? ''}`;
    return checkConnection(
      async () => {
        const response = await network.fetch(config.endpoint, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query: '{ __typename }' }),
          signal: AbortSignal.any([signal, AbortSignal.timeout(config.timeoutMs)]),
        });
        const body = (await response.json().catch(() => ({}))) as { errors?: unknown[] };
        const ok = response.ok && !body.errors?.length;
        return {
          ok,
          message: ok
            ? `reached ${new URL(config.endpoint).host}`
            : `the endpoint answered HTTP ${response.status}${body.errors?.length ? ' with errors' : ''}`,
          httpStatus: response.status,
        };
      },
      (error) => ({ message: `the endpoint could not be reached (${(error as Error).name})` }),
    );
  },
  createAdapter: createGraphqlAdapter,
  canonicalEntity: (entity) => entity,
  templates: graphqlTemplates,
};
