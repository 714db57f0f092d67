// Xentral ERP, new API: customers with their addresses, products, sales orders and invoices.
import { checkConnection } from '../sdk/connectionCheck.ts';
import type { ConnectorDefinition } from '../sdk/connectorDefinition.ts';
import { createXentralAdapter } from './adapter.ts';
import {
  XENTRAL_MEDIA_TYPE,
  type XentralConfig,
  type XentralCredentials,
  xentralConfigSchema,
  xentralCredentialsSchema,
  xentralEntities,
} from './config.ts';
import { xentralDefaultMapping } from './defaultMapping.ts';

export const xentralConnector: ConnectorDefinition<XentralConfig, XentralCredentials> = {
  id: 'xentral',
  name: 'Xentral ERP',
  type: 'REST',
  authKind: 'bearer',
  description:
    'Customers with their addresses, products, sales orders and invoices from Xentral (new API, personal access token).',
  configSchema: xentralConfigSchema,
  credentialsSchema: xentralCredentialsSchema,
  entities: Object.keys(xentralEntities),
  rateLimits: { requestsPerMinute: 100, requestsPerDay: null, concurrency: 1 },
  testConnection: async ({ config, credentials, signal, network }) => {
    const url = new URL(`${config.baseUrl.replace(/\/$/, '')}${xentralEntities.customer.path}?page[size]=1`);
    return checkConnection(
      async () => {
        const response = await network.fetch(url, {
          headers: { accept: XENTRAL_MEDIA_TYPE, authorization: `Bearer ${credentials.token}` },
          signal: AbortSignal.any([signal, AbortSignal.timeout(config.timeoutMs)]),
        });
        await response.body?.cancel();
        if (response.ok) return { message: `reached Xentral at ${url.host}`, httpStatus: response.status };
        const reason =
          response.status === 401
            ? 'the access token was refused (expired or revoked?)'
            : `HTTP ${response.status}`;
        return { ok: false, message: `Xentral at ${url.host}: ${reason}`, httpStatus: response.status };
      },
      (error) => {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
        return { message: `${url.host} could not be reached (${cause})` };
      },
    );
  },
  createAdapter: createXentralAdapter,
  canonicalEntity: (entity) => xentralEntities[entity as keyof typeof xentralEntities]?.canonical ?? entity,
  defaultMapping: xentralDefaultMapping,
};
