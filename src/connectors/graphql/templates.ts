// Templates of the GraphQL connector. monday.com: board items through items_page and
// next_items_page (a cursor lives 60 minutes), API-Version header, token in Authorization.
import type { ConnectorTemplate } from '../sdk/connectorDefinition.ts';

export const graphqlTemplates: ConnectorTemplate[] = [
  {
    id: 'monday',
    name: 'monday.com',
    description: 'Items of one board. Set config.resources.item.variables.boardId to the board id.',
    entities: ['item'],
    config: {
      endpoint: 'https://api.monday.com/v2',
      auth: { kind: 'apiKey', headerName: 'Authorization' },
      headers: { 'API-Version': '2025-04' },
      rateLimitCodes: ['ComplexityException', 'RATE_LIMITED', 'DAILY_LIMIT_EXCEEDED'],
      resources: {
        item: {
          query:
            'query ($boardId: [ID!], $limit: Int!) { boards(ids: $boardId) { items_page(limit: $limit) { cursor items { id name updated_at column_values { id text } } } } }',
          nextQuery:
            'query ($cursor: String!, $limit: Int!) { next_items_page(cursor: $cursor, limit: $limit) { cursor items { id name updated_at column_values { id text } } } }',
          pageSize: 500,
          recordsPath: 'boards.0.items_page.items',
          cursorPath: 'boards.0.items_page.cursor',
          nextRecordsPath: 'next_items_page.items',
          nextCursorPath: 'next_items_page.cursor',
          idField: 'id',
        },
      },
    },
    credentialFields: ['apiKey'],
    mapping: {
      item: {
        target: 'customer',
        fields: {
          name: { from: 'name', transforms: [{ op: 'trim' }], required: true },
          tags: { from: 'column_values[*].text' },
        },
      },
    },
  },
];
