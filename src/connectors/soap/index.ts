// The generic SOAP connector: any SOAP service with a WSDL joins with configuration only.
import { checkConnection } from '../sdk/connectionCheck.ts';
import { type ConnectorDefinition, describedEntities } from '../sdk/connectorDefinition.ts';
import { createSoapAdapter, probeSoap, soapFailure } from './adapter.ts';
import { fetchTransport, openSoapSession } from './client.ts';
import {
  checkSoapCredentials,
  type SoapConfig,
  type SoapCredentials,
  soapConfigSchema,
  soapCredentialsSchema,
} from './config.ts';

export const soapConnector: ConnectorDefinition<SoapConfig, SoapCredentials> = {
  id: 'soap',
  name: 'Generic SOAP service',
  type: 'SOAP',
  authKind: 'basic',
  description:
    'Any SOAP service with a WSDL, configured by data: operation per entity, paging and "changed since" arguments, result paths, fault codes.',
  configSchema: soapConfigSchema,
  credentialsSchema: soapCredentialsSchema,
  checkCredentials: checkSoapCredentials,
  entities: ['customer', 'contact', 'address', 'invoice', 'order', 'product', 'item'],
  configuredEntities: (config) => describedEntities(config.entities),
  rateLimits: { requestsPerMinute: 120, requestsPerDay: null, concurrency: 1 },
  testConnection: ({ config, credentials, signal, network }) =>
    checkConnection(
      () =>
        probeSoap(
          config,
          openSoapSession(
            config,
            credentials,
            fetchTransport(config, credentials, signal, network.fetch),
            signal,
          ),
          signal,
        ),
      soapFailure,
    ),
  createAdapter: createSoapAdapter,
  canonicalEntity: (entity) => entity,
};
