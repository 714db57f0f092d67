// What a connector declares about itself so the registry can validate, list and test it.
// A connector folder exports one ConnectorDefinition; nothing outside connectors/ knows vendors.
import type { z } from 'zod';
import type { FieldProblem } from '../../errors.ts';

export const integrationTypes = ['REST', 'GraphQL', 'SOAP', 'Webhook', 'IMAP', 'CalDAV'] as const;
export type IntegrationType = (typeof integrationTypes)[number];

export const authKinds = ['none', 'apiKey', 'bearer', 'basic', 'digest', 'oauth2'] as const;
export type AuthKind = (typeof authKinds)[number];

export interface RateLimitDefaults {
  requestsPerMinute: number;
  requestsPerDay: number | null;
  concurrency: number;
}

export interface ConnectionResult {
  ok: boolean;
  /** One sentence a person can act on; never carries a secret. */
  message: string;
  latencyMs: number;
  httpStatus?: number;
}

export interface ConnectionTestInput<Config, Credentials> {
  config: Config;
  credentials: Credentials;
  signal: AbortSignal;
}

export interface ConnectorDefinition<Config = unknown, Credentials = unknown> {
  id: string;
  name: string;
  type: IntegrationType;
  authKind: AuthKind;
  description: string;
  configSchema: z.ZodType<Config>;
  credentialsSchema: z.ZodType<Credentials>;
  /** Checks that need config and credentials together (e.g. the credential fields an auth kind needs). */
  checkCredentials?(config: Config, credentials: Credentials): FieldProblem[];
  entities: string[];
  rateLimits: RateLimitDefaults;
  testConnection(input: ConnectionTestInput<Config, Credentials>): Promise<ConnectionResult>;
}

// Connectors are stored side by side in one catalog whatever their config type.
// biome-ignore lint/suspicious/noExplicitAny: the catalog is heterogeneous by design
export type AnyConnectorDefinition = ConnectorDefinition<any, any>;
