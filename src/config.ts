// The hub's whole configuration, read from the environment once at start and passed down.
// Nothing else in the code reads process.env.
import path from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { AddressPolicy } from './network/addressPolicy.ts';

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const base64Key = optionalString.refine(
  (value) => value === undefined || Buffer.from(value, 'base64').length === 32,
  'must be base64 of exactly 32 bytes (generate one with: openssl rand -base64 32)',
);

const httpUrl = optionalString.refine(
  (value) => value === undefined || /^https?:\/\/[^/]+/.test(value),
  'must be an http or https URL',
);

const positiveInt = (fallback: number) =>
  z.coerce.number().int('must be a whole number').positive('must be greater than 0').default(fallback);

const environmentSchema = z.object({
  PORT: z.coerce
    .number()
    .int('must be a whole number')
    .min(0)
    .max(65535, 'must be a port number')
    .default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: optionalString.refine(
    (value) => value === undefined || /^postgres(ql)?:\/\//.test(value),
    'must be a postgres:// or postgresql:// URL',
  ),
  HUB_DATA_DIR: z.string().min(1).default('./data'),
  HUB_MASTER_KEY: base64Key,
  HUB_MASTER_KEY_PREVIOUS: base64Key,
  HUB_ADMIN_TOKEN: optionalString.refine(
    (value) => value === undefined || value.length >= 24,
    'must be at least 24 characters long',
  ),
  HUB_ROLE: z.enum(['all', 'api', 'worker'], { error: 'must be one of all, api, worker' }).default('all'),
  NATS_URL: optionalString,
  HUB_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  HUB_API_RATE_LIMIT: positiveInt(1200),
  HUB_BODY_LIMIT: positiveInt(1024 * 1024),
  HUB_AUTH_FAILURE_LIMIT: positiveInt(100),
  HUB_DB_POOL_SIZE: positiveInt(10),
  HUB_WORKER_CONCURRENCY: positiveInt(4),
  HUB_SCHEDULER_INTERVAL_MS: positiveInt(5000),
  HUB_DELIVERY_TIMEOUT_MS: positiveInt(10_000),
  HUB_RELAY_POLL_MS: positiveInt(1000),
  HUB_RETENTION_DAYS: positiveInt(30),
  HUB_HEALTH_CHECK_CRON: z
    .string()
    .trim()
    .default('* * * * *')
    .refine(
      (cron) => cron === 'off' || isCronExpression(cron),
      'must be a cron expression such as */5 * * * *, or off',
    ),
  HUB_REPORT_TIMEZONE: z
    .string()
    .refine((zone) => isTimeZone(zone), 'must be an IANA time zone such as Europe/Berlin')
    .default('Europe/Berlin'),
  HUB_PUBLIC_URL: httpUrl,
  HUB_ALLOWED_NETWORKS: z
    .string()
    .optional()
    .superRefine((value, context) => {
      try {
        AddressPolicy.parse(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  HUB_OIDC_ISSUER: optionalString.refine(
    (value) => value === undefined || isProviderUrl(value),
    'must be an https URL (http only on a loopback address such as 127.0.0.1)',
  ),
  HUB_OIDC_AUDIENCE: optionalString,
  HUB_OIDC_JWKS_URL: optionalString.refine(
    (value) => value === undefined || isProviderUrl(value),
    'must be an https URL (http only on a loopback address such as 127.0.0.1)',
  ),
  HUB_OIDC_ROLE_CLAIM: z.string().min(1).default('realm_access.roles'),
  HUB_OIDC_CLIENT_ID: optionalString,
  HUB_OIDC_SCOPE: optionalString.refine(
    (scope) => scope === undefined || scope.split(/\s+/).includes('openid'),
    'must contain openid, e.g. "openid profile"',
  ),
  HUB_OIDC_RESOURCE: optionalString.refine(
    (value) => value === undefined || (URL.canParse(value) && !value.includes('#')),
    'must be an absolute URI without a fragment (RFC 8707)',
  ),
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('integration-hub'),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl,
});

export interface OidcConfig {
  issuer: string;
  audience: string;
  /** Where the provider's signing keys are; undefined: its discovery document's `jwks_uri`. */
  jwksUrl: string | undefined;
  roleClaim: string;
  /** The dashboard's sign-in at the provider; undefined: the dashboard takes API tokens only. */
  browserLogin: OidcBrowserLogin | undefined;
}

export interface OidcBrowserLogin {
  /** The dashboard's public client (authorization code with PKCE, no secret). */
  clientId: string;
  scope: string;
  /** Sent as `resource` (RFC 8707) to providers that issue access tokens per resource. */
  resource: string | undefined;
}

export interface HubConfig {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  masterKey: Buffer | undefined;
  previousMasterKey: Buffer | undefined;
  adminToken: string | undefined;
  role: 'all' | 'api' | 'worker';
  natsUrl: string | undefined;
  workerConcurrency: number;
  schedulerIntervalMs: number;
  /** How long a subscriber may take to answer one delivery. */
  deliveryTimeoutMs: number;
  /** How often the event relay looks for work when no notification woke it. */
  relayPollMs: number;
  /** When every active integration is checked; null: only on request and by the recovery probes. */
  healthCheckCron: string | null;
  /** Delivered events, processed webhooks and integration logs older than this are deleted each night. */
  retentionDays: number;
  reportTimezone: string;
  publicUrl: string;
  /** Special-purpose networks (loopback, private, …) the hub may call out to anyway. */
  allowedNetworks: AddressPolicy;
  logLevel: string;
  apiRateLimitPerMinute: number;
  bodyLimitBytes: number;
  /** Refused tokens, webhook signatures and OAuth states a client address may send a minute. */
  authFailureLimitPerMinute: number;
  dbPoolSize: number;
  oidc: OidcConfig | undefined;
  tracing: TracingConfig;
}

export interface TracingConfig {
  serviceName: string;
  /** Where spans are sent (OTLP over HTTP); undefined: spans are made but not sent. */
  otlpTracesUrl: string | undefined;
}

/** Raised for bad configuration; main prints its message as the one line a person reads. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.HUB_DATA_DIR),
    masterKey: e.HUB_MASTER_KEY ? Buffer.from(e.HUB_MASTER_KEY, 'base64') : undefined,
    previousMasterKey: e.HUB_MASTER_KEY_PREVIOUS
      ? Buffer.from(e.HUB_MASTER_KEY_PREVIOUS, 'base64')
      : undefined,
    adminToken: e.HUB_ADMIN_TOKEN,
    role: e.HUB_ROLE,
    natsUrl: e.NATS_URL,
    logLevel: e.HUB_LOG_LEVEL,
    apiRateLimitPerMinute: e.HUB_API_RATE_LIMIT,
    bodyLimitBytes: e.HUB_BODY_LIMIT,
    authFailureLimitPerMinute: e.HUB_AUTH_FAILURE_LIMIT,
    dbPoolSize: e.HUB_DB_POOL_SIZE,
    workerConcurrency: e.HUB_WORKER_CONCURRENCY,
    schedulerIntervalMs: e.HUB_SCHEDULER_INTERVAL_MS,
    deliveryTimeoutMs: e.HUB_DELIVERY_TIMEOUT_MS,
    relayPollMs: e.HUB_RELAY_POLL_MS,
    retentionDays: e.HUB_RETENTION_DAYS,
    healthCheckCron: e.HUB_HEALTH_CHECK_CRON === 'off' ? null : e.HUB_HEALTH_CHECK_CRON,
    reportTimezone: e.HUB_REPORT_TIMEZONE,
    // Where browsers reach the hub: OAuth providers send the user back to its callback route.
    publicUrl: (e.HUB_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    allowedNetworks: AddressPolicy.parse(e.HUB_ALLOWED_NETWORKS),
    oidc: oidcFrom(e),
    tracing: {
      serviceName: e.OTEL_SERVICE_NAME,
      otlpTracesUrl: otlpTracesUrl(e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, e.OTEL_EXPORTER_OTLP_ENDPOINT),
    },
  };
}

/** As the OTLP exporter spec reads them: the traces endpoint as it is, the base one plus /v1/traces. */
function otlpTracesUrl(traces: string | undefined, base: string | undefined): string | undefined {
  if (traces) return traces;
  return base ? `${base.replace(/\/$/, '')}/v1/traces` : undefined;
}

function oidcFrom(e: z.infer<typeof environmentSchema>): OidcConfig | undefined {
  if (!e.HUB_OIDC_ISSUER) {
    if (e.HUB_OIDC_CLIENT_ID)
      throw new ConfigError('invalid configuration: HUB_OIDC_CLIENT_ID: needs HUB_OIDC_ISSUER as well');
    return undefined;
  }
  if (!e.HUB_OIDC_AUDIENCE)
    throw new ConfigError('invalid configuration: HUB_OIDC_AUDIENCE: required when HUB_OIDC_ISSUER is set');
  return {
    issuer: e.HUB_OIDC_ISSUER.replace(/\/$/, ''),
    audience: e.HUB_OIDC_AUDIENCE,
    jwksUrl: e.HUB_OIDC_JWKS_URL,
    roleClaim: e.HUB_OIDC_ROLE_CLAIM,
    browserLogin: e.HUB_OIDC_CLIENT_ID
      ? {
          clientId: e.HUB_OIDC_CLIENT_ID,
          scope: e.HUB_OIDC_SCOPE?.split(/\s+/).join(' ') ?? 'openid profile',
          resource: e.HUB_OIDC_RESOURCE,
        }
      : undefined,
  };
}

/** Tokens travel to and from the provider: plain HTTP only where they never leave the machine. */
function isProviderUrl(value: string): boolean {
  const url = URL.parse(value);
  if (!url) return false;
  if (url.protocol === 'https:') return true;
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\./.test(url.hostname);
  return url.protocol === 'http:' && loopback;
}

/** Five fields, minute to weekday: what the queue's scheduler runs. */
function isCronExpression(cron: string): boolean {
  if (cron.split(/\s+/).length !== 5) return false;
  try {
    CronExpressionParser.parse(cron, { strict: false });
    return true;
  } catch {
    return false;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
