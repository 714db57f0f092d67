// Settings of the generic REST connector: any JSON-over-HTTP system, described by data.
import { z } from 'zod';
import type { FieldProblem } from '../../errors.ts';

const relativePath = z.string().regex(/^\/[^\s]*$/, 'must be a path starting with /');

export const restConfigSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
  auth: z
    .strictObject({
      kind: z.enum(['none', 'apiKey', 'bearer', 'basic']),
      headerName: z
        .string()
        .regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name')
        .default('X-API-Key'),
    })
    .default({ kind: 'none', headerName: 'X-API-Key' }),
  healthCheckPath: relativePath.default('/'),
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name'), z.string())
    .default({}),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
});

export const restCredentialsSchema = z.strictObject({
  apiKey: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
});

export type RestConfig = z.infer<typeof restConfigSchema>;
export type RestCredentials = z.infer<typeof restCredentialsSchema>;

const requiredByAuthKind: Record<RestConfig['auth']['kind'], (keyof RestCredentials)[]> = {
  none: [],
  apiKey: ['apiKey'],
  bearer: ['token'],
  basic: ['username', 'password'],
};

export function checkRestCredentials(config: RestConfig, credentials: RestCredentials): FieldProblem[] {
  return requiredByAuthKind[config.auth.kind]
    .filter((field) => !credentials[field])
    .map((field) => ({
      field: `credentials.${field}`,
      message: `required for auth kind "${config.auth.kind}"`,
    }));
}
