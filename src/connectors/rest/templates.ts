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

const klentyContact: EntityMappingInput = {
  target: 'contact',
  fields: {
    email: { from: 'Email', transforms: [{ op: 'email' }], required: true },
    firstName: { from: 'FirstName' },
    lastName: { from: 'LastName' },
    phone: { from: 'Phone', transforms: [{ op: 'phone', defaultCountry: 'DE' }] },
    position: { from: 'Title' },
    company: { from: 'Company' },
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
  {
    id: 'klenty',
    name: 'Klenty',
    description:
      'Prospects from Klenty: x-API-key, offset paging, changes by last-updated day. Base URL: …/apis/v1/user/<account email>.',
    entities: ['contact'],
    config: {
      auth: { kind: 'apiKey', headerName: 'x-API-key' },
      healthCheckPath: '/cadences',
      resources: {
        contact: {
          path: '/prospects',
          recordsPath: '',
          idField: 'Email',
          pagination: { style: 'offset', offsetParam: 'start', limitParam: 'limit', pageSize: 100 },
          incremental: {
            param: 'lastUpdatedDateStart',
            updatedField: 'LastUpdated',
            format: 'YYYY/MM/DD',
            lookbackSeconds: 0,
          },
          deletions: 'none',
        },
      },
    },
    credentialFields: ['apiKey'],
    mapping: { contact: klentyContact },
  },
];
