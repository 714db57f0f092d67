// Salesforce: accounts and contacts through the REST API, with OAuth2.
import { checkConnection } from '../sdk/connectionCheck.ts';
import type { ConnectorDefinition } from '../sdk/connectorDefinition.ts';
import { createSalesforceAdapter } from './adapter.ts';
import {
  type SalesforceConfig,
  type SalesforceCredentials,
  salesforceConfigSchema,
  salesforceCredentialsSchema,
  salesforceEntities,
} from './config.ts';

export const salesforceConnector: ConnectorDefinition<SalesforceConfig, SalesforceCredentials> = {
  id: 'salesforce',
  name: 'Salesforce',
  type: 'REST',
  authKind: 'oauth2',
  description:
    'Accounts and contacts via the Salesforce REST API (SOQL), with OAuth2 and the daily API limit.',
  configSchema: salesforceConfigSchema,
  credentialsSchema: salesforceCredentialsSchema,
  entities: Object.keys(salesforceEntities),
  rateLimits: { requestsPerMinute: 600, requestsPerDay: null, concurrency: 4 },
  oauthAuthorization: (config) => ({
    authorizationUrl: `${config.loginUrl.replace(/\/$/, '')}/services/oauth2/authorize`,
    tokenUrl: `${config.loginUrl.replace(/\/$/, '')}/services/oauth2/token`,
    clientId: config.clientId,
    scopes: ['api', 'refresh_token'],
    clientAuth: 'post',
  }),
  // Without stored tokens a test can only check that the instance answers at all.
  testConnection: ({ config, network }) =>
    checkConnection(
      async () => {
        const response = await network.fetch(
          `${config.instanceUrl.replace(/\/$/, '')}/services/data/${config.apiVersion}/limits`,
          {
            signal: AbortSignal.timeout(config.timeoutMs),
          },
        );
        await response.body?.cancel();
        return {
          ok: response.status === 401 || response.ok,
          message: `the Salesforce instance answered (HTTP ${response.status})`,
          httpStatus: response.status,
        };
      },
      (error) => ({ message: `the instance could not be reached (${(error as Error).name})` }),
    ),
  createAdapter: createSalesforceAdapter,
  canonicalEntity: (entity) =>
    salesforceEntities[entity as keyof typeof salesforceEntities]?.canonical ?? entity,
  defaultMapping: {
    account: {
      target: 'customer',
      fields: {
        customerNumber: { from: 'AccountNumber' },
        name: { from: 'Name', required: true },
        'address.street': { from: 'BillingStreet' },
        'address.zip': { from: 'BillingPostalCode' },
        'address.city': { from: 'BillingCity' },
        'address.country': {
          from: 'BillingCountry',
          transforms: [
            { op: 'map', values: { Deutschland: 'DE', Österreich: 'AT', Schweiz: 'CH' }, otherwise: 'keep' },
          ],
        },
        phone: { from: 'Phone', transforms: [{ op: 'phone', defaultCountry: 'DE' }] },
      },
    },
    contact: {
      target: 'contact',
      fields: {
        firstName: { from: 'FirstName' },
        lastName: { from: 'LastName', required: true },
        email: { from: 'Email', transforms: [{ op: 'email' }] },
        customerNumber: { from: 'AccountId' },
      },
    },
  },
};
