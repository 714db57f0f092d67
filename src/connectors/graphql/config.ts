// Settings of the generic GraphQL connector: per entity a query for the first page and, where
// the API pages with a different field (monday.com's next_items_page), a query for the next ones.
import { z } from 'zod';
import type { FieldProblem } from '../../errors.ts';
import { configuredWebhooksSchema } from '../sdk/signatures/configuredWebhooks.ts';

const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name');

export const graphqlResourceSchema = z.strictObject({
  /** The first page. May use $limit. */
  query: z.string().min(1).max(20_000),
  /** The following pages, given $cursor (and $limit); the first query is reused when absent. */
  nextQuery: z.string().min(1).max(20_000).optional(),
  variables: z.record(z.string(), z.unknown()).default({}),
  pageSize: z.number().int().min(1).max(10_000).default(100),
  /** Where the records and the next cursor are in the first answer's `data`. */
  recordsPath: z.string().min(1),
  cursorPath: z.string().min(1),
  /** The same in the answers to nextQuery; default: as in the first answer. */
  nextRecordsPath: z.string().min(1).optional(),
  nextCursorPath: z.string().min(1).optional(),
  idField: z.string().min(1).default('id'),
});
export type GraphqlResource = z.output<typeof graphqlResourceSchema>;

export const graphqlConfigSchema = z.strictObject({
  endpoint: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
  auth: z
    .strictObject({
      kind: z.enum(['none', 'apiKey', 'bearer']),
      headerName: headerName.default('Authorization'),
    })
    .default({ kind: 'none', headerName: 'Authorization' }),
  headers: z.record(headerName, z.string()).default({}),
  timeoutMs: z.number().int().min(100).max(120_000).default(30_000),
  /** Error codes inside an HTTP 200 answer that mean "slow down" (e.g. ComplexityException). */
  rateLimitCodes: z.array(z.string().min(1)).default(['ComplexityException', 'RATE_LIMITED']),
  /** Error codes that mean the cursor is gone (monday.com's live 60 minutes): the pass starts again. */
  cursorExpiredCodes: z.array(z.string().min(1)).default(['CursorExpiredError']),
  resources: z.record(z.string().min(1).max(50), graphqlResourceSchema).default({}),
  /** Webhooks the system sends: each one starts an incremental sync of the integration's entities. */
  webhooks: configuredWebhooksSchema.optional(),
});

export const graphqlCredentialsSchema = z.strictObject({
  apiKey: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  /** The secret the system signs its webhooks with (monday.com: the app's signing secret). */
  webhookSecret: z.string().min(8, 'must be at least 8 characters').optional(),
});

export type GraphqlConfig = z.output<typeof graphqlConfigSchema>;
export type GraphqlCredentials = z.infer<typeof graphqlCredentialsSchema>;

export function checkGraphqlCredentials(
  config: GraphqlConfig,
  credentials: GraphqlCredentials,
): FieldProblem[] {
  if (config.auth.kind === 'apiKey' && !credentials.apiKey) {
    return [{ field: 'credentials.apiKey', message: 'required for auth kind "apiKey"' }];
  }
  if (config.auth.kind === 'bearer' && !credentials.token) {
    return [{ field: 'credentials.token', message: 'required for auth kind "bearer"' }];
  }
  if (config.webhooks && !credentials.webhookSecret) {
    return [{ field: 'credentials.webhookSecret', message: 'required when config.webhooks is set' }];
  }
  return [];
}
