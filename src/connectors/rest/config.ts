// Settings of the generic REST connector: any JSON-over-HTTP system, described by data.
import { z } from 'zod';
import type { FieldProblem } from '../../errors.ts';
import { paginationSchema } from '../sdk/pagination.ts';
import { configuredWebhooksSchema } from '../sdk/signatures/configuredWebhooks.ts';

export const timeFormats = ['iso', 'unix', 'unixMs', 'YYYY-MM-DD', 'YYYY/MM/DD'] as const;
export type TimeFormat = (typeof timeFormats)[number];

const relativePath = z.string().regex(/^\/[^\s]*$/, 'must be a path starting with /');
const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name');

export const restResourceSchema = z.strictObject({
  path: relativePath,
  /** Where the records are in the body ("data", "result.items"); "" for a bare array. */
  recordsPath: z.string().default('data'),
  idField: z.string().min(1).default('id'),
  query: z.record(z.string(), z.string()).default({}),
  pagination: paginationSchema.default({ style: 'none' }),
  incremental: z
    .strictObject({
      /** The query parameter that asks for changes after a time, e.g. updated_since. */
      param: z.string().min(1),
      /** The record field holding its change time. */
      updatedField: z.string().min(1),
      /** How the filter value is written; date-only formats re-read the whole day (harmless: unchanged records are skipped). */
      format: z.enum(timeFormats).default('iso'),
      lookbackSeconds: z.number().int().min(0).max(86_400).default(300),
    })
    .optional(),
  /** A record field that marks a tombstone (true = deleted). */
  deletedField: z.string().optional(),
  /** How deletions are found when the feed carries no tombstones. */
  deletions: z.enum(['tombstones', 'sweep', 'none']).optional(),
  /** Send If-None-Match / If-Modified-Since and reuse unchanged pages. */
  conditional: z.boolean().default(false),
});
export type RestResource = z.output<typeof restResourceSchema>;

export const restConfigSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
  auth: z
    .strictObject({
      kind: z.enum(['none', 'apiKey', 'bearer', 'basic', 'digest', 'oauth2']),
      headerName: headerName.default('X-API-Key'),
      /** Send the API key as this query parameter instead of a header. */
      queryParam: z.string().min(1).optional(),
      tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
      clientId: z.string().min(1).optional(),
      clientAuth: z.enum(['post', 'basic']).default('post'),
    })
    .default({ kind: 'none', headerName: 'X-API-Key', clientAuth: 'post' }),
  healthCheckPath: relativePath.default('/'),
  headers: z.record(headerName, z.string()).default({}),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /** What each entity is read from. */
  resources: z.record(z.string().min(1).max(50), restResourceSchema).default({}),
  /** Webhooks the system sends: each one starts an incremental sync of the integration's entities. */
  webhooks: configuredWebhooksSchema.optional(),
});

export const restCredentialsSchema = z.strictObject({
  apiKey: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  accessToken: z.string().min(1).optional(),
  refreshToken: z.string().min(1).optional(),
  expiresAt: z.string().min(1).optional(),
  /** The secret the system signs its webhooks with. */
  webhookSecret: z.string().min(8, 'must be at least 8 characters').optional(),
});

export type RestConfig = z.output<typeof restConfigSchema>;
export type RestCredentials = z.infer<typeof restCredentialsSchema>;

const requiredByAuthKind: Record<RestConfig['auth']['kind'], (keyof RestCredentials)[]> = {
  none: [],
  apiKey: ['apiKey'],
  bearer: ['token'],
  basic: ['username', 'password'],
  digest: ['username', 'password'],
  oauth2: ['clientSecret', 'refreshToken'],
};

export function checkRestCredentials(config: RestConfig, credentials: RestCredentials): FieldProblem[] {
  const problems = requiredByAuthKind[config.auth.kind]
    .filter((field) => !credentials[field])
    .map((field) => ({
      field: `credentials.${field}`,
      message: `required for auth kind "${config.auth.kind}"`,
    }));
  if (config.auth.kind === 'oauth2') {
    if (!config.auth.tokenUrl)
      problems.push({ field: 'config.auth.tokenUrl', message: 'required for oauth2' });
    if (!config.auth.clientId)
      problems.push({ field: 'config.auth.clientId', message: 'required for oauth2' });
  }
  if (config.webhooks && !credentials.webhookSecret) {
    problems.push({ field: 'credentials.webhookSecret', message: 'required when config.webhooks is set' });
  }
  return problems;
}
