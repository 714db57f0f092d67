// The IntegrationConfig resource: what a client may send, and the defaults it gets.
import { z } from 'zod';

export const integrationStatuses = ['active', 'inactive', 'error'] as const;

export const rateLimitsSchema = z.strictObject({
  requestsPerMinute: z.number().int().positive().max(1_000_000),
  requestsPerDay: z.number().int().positive().nullable(),
  concurrency: z.number().int().min(1).max(64),
});

export const retryPolicySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(20),
  initialDelayMs: z.number().int().min(0).max(600_000),
  maxDelayMs: z.number().int().min(0).max(3_600_000),
  backoffMultiplier: z.number().min(1).max(10),
  jitter: z.boolean(),
});

export const defaultRetryPolicy: z.infer<typeof retryPolicySchema> = {
  maxAttempts: 5,
  initialDelayMs: 500,
  maxDelayMs: 60_000,
  backoffMultiplier: 2,
  jitter: true,
};

const cronField = String.raw`(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*`;
const cronExpression = new RegExp(`^${cronField}( ${cronField}){4,5}$`);

export const scheduleSchema = z.strictObject({
  enabled: z.boolean(),
  cron: z.string().regex(cronExpression, 'must be a cron expression of 5 or 6 fields, e.g. "*/15 * * * *"'),
  timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin'),
});

export const defaultSchedule: z.infer<typeof scheduleSchema> = {
  enabled: true,
  cron: '*/15 * * * *',
  timezone: 'Europe/Berlin',
};

export const endpointSchema = z.strictObject({
  entity: z.string().min(1).max(50),
  path: z.string().min(1).max(2000),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
});

export const twoWaySchema = z.strictObject({
  /** Changes made in the hub (PATCH on a record) are written back to the source. */
  enabled: z.boolean(),
  conflictPolicy: z.enum(['external_wins', 'hub_wins', 'newest_wins', 'field_merge', 'manual'], {
    error: 'must be one of external_wins, hub_wins, newest_wins, field_merge, manual',
  }),
});

export const defaultTwoWay: z.infer<typeof twoWaySchema> = { enabled: false, conflictPolicy: 'manual' };

const name = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const credentialsInput = z.record(z.string(), z.string().max(16_384));
const entityName = z.string().min(1).max(50);

export const createIntegrationSchema = z.strictObject({
  name,
  connector: z.string().min(1),
  /** A template of the connector (GET /api/v1/connectors/:id): its settings and mapping, under what is given here. */
  template: z.string().min(1).max(100).optional(),
  status: z.enum(['active', 'inactive']).default('active'),
  config: z.record(z.string(), z.unknown()).default({}),
  credentials: credentialsInput.default({}),
  endpoints: z.array(endpointSchema).max(200).default([]),
  rateLimits: rateLimitsSchema.partial().default({}),
  retryPolicy: retryPolicySchema.partial().default({}),
  schedule: scheduleSchema.partial().default({}),
  twoWay: twoWaySchema.partial().default({}),
  entities: z.array(entityName).max(50).optional(),
  mapping: z.record(z.string(), z.unknown()).optional(),
});

/** PATCH is a JSON merge patch (RFC 7396): objects merge, `null` removes a key, arrays replace. */
export const updateIntegrationSchema = z.strictObject({
  name: name.optional(),
  status: z.enum(['active', 'inactive']).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  credentials: z.record(z.string(), z.string().max(16_384).nullable()).optional(),
  endpoints: z.array(endpointSchema).max(200).optional(),
  rateLimits: rateLimitsSchema.partial().optional(),
  retryPolicy: retryPolicySchema.partial().optional(),
  schedule: scheduleSchema.partial().optional(),
  twoWay: twoWaySchema.partial().optional(),
  entities: z.array(entityName).max(50).optional(),
  mapping: z.record(z.string(), z.unknown()).optional(),
});

export type CreateIntegrationInput = z.input<typeof createIntegrationSchema>;
export type UpdateIntegrationInput = z.infer<typeof updateIntegrationSchema>;
export type RateLimits = z.infer<typeof rateLimitsSchema>;
export type RetryPolicy = z.infer<typeof retryPolicySchema>;
export type Schedule = z.infer<typeof scheduleSchema>;
export type TwoWay = z.infer<typeof twoWaySchema>;
export type Endpoint = z.infer<typeof endpointSchema>;

export const integrationViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  connector: z.string(),
  type: z.string(),
  status: z.enum(integrationStatuses),
  statusReason: z.string().nullable(),
  config: z.record(z.string(), z.unknown()),
  credentials: z.record(z.string(), z.string()).describe('masked; credentials are write-only'),
  endpoints: z.array(endpointSchema),
  rateLimits: rateLimitsSchema,
  retryPolicy: retryPolicySchema,
  schedule: scheduleSchema,
  twoWay: twoWaySchema,
  entities: z.array(z.string()),
  mapping: z.record(z.string(), z.unknown()),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type IntegrationView = z.infer<typeof integrationViewSchema>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
