// Vendor templates of the generic REST connector: a known system described by data only. A
// template gives the settings and the mapping; the user adds the base URL and credentials.
import type { EntityMappingInput } from '../../mapping/index.ts';
import type { ConnectorTemplate } from '../sdk/connectorDefinition.ts';

const xentralLegacyCustomer: EntityMappingInput = {
  target: 'customer',
  fields: {
    customerNumber: { from: 'kundennummer', required: true },
    name: { from: 'name', transforms: [{ op: 'trim' }], required: true },
    'address.street': { from: 'strasse' },
    'address.houseNumber': { from: 'hausnummer' },
    'address.zip': { from: 'plz' },
    'address.city': { from: 'ort' },
    'address.country': { from: 'land', transforms: [{ op: 'uppercase' }] },
    phone: { from: 'telefon', transforms: [{ op: 'phone', defaultCountry: 'DE' }] },
    email: { from: 'email', transforms: [{ op: 'email' }] },
    vatId: { from: 'ustid' },
  },
};

export const restTemplates: ConnectorTemplate[] = [
  {
    id: 'xentral-legacy',
    name: 'Xentral (legacy API)',
    description: 'Older Xentral installations: /api/v1/adressen with German fields and HTTP Digest auth.',
    entities: ['customer'],
    config: {
      auth: { kind: 'digest' },
      healthCheckPath: '/api/v1/adressen?items=1',
      resources: {
        customer: {
          path: '/api/v1/adressen',
          recordsPath: 'data',
          idField: 'id',
          pagination: {
            style: 'page',
            pageParam: 'page',
            sizeParam: 'items',
            pageSize: 1000,
            lastPagePath: 'pagination.page_last',
          },
          deletions: 'sweep',
        },
      },
    },
    credentialFields: ['username', 'password'],
    mapping: { customer: xentralLegacyCustomer },
  },
];
