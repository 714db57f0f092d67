// What a connector declares about itself so the registry can validate, list and test it.
// A connector folder exports one ConnectorDefinition; nothing outside connectors/ knows vendors.
import type { z } from 'zod';
import type { FieldProblem } from '../../errors.ts';
import type { EntityMappingInput } from '../../mapping/index.ts';
import type { OutboundNetwork } from '../../network/outboundNetwork.ts';
import type { Logger } from '../../observability/logger.ts';
import type { IntegrationAdapter } from './adapter.ts';
import type { AuthProvider } from './auth/authProvider.ts';
import type { ConnectorErrorKind } from './connectorError.ts';
import type { ConnectorHttpClient, ResponseClassifier } from './httpClient.ts';
import type { HeaderBag, RateLimitHint } from './rateLimitHeaders.ts';
import type { WebhookReceiver } from './webhooks.ts';

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
  /** What a failed check met, in the error taxonomy: it decides whether the failure heals by itself. */
  kind?: ConnectorErrorKind;
}

export interface ConnectionTestInput<Config, Credentials> {
  config: Config;
  credentials: Credentials;
  signal: AbortSignal;
  /** The only way out of the hub: its fetch and host resolution refuse addresses the policy refuses. */
  network: OutboundNetwork;
}

export interface HttpClientSetup {
  baseUrl: string;
  auth: AuthProvider;
  timeoutMs?: number;
  headers?: Record<string, string>;
  rateLimitHint?: (headers: HeaderBag) => RateLimitHint | undefined;
  classify?: ResponseClassifier;
}

export interface OAuthClientSetup {
  tokenUrl: string;
  clientId: string;
  /** How the client secret is sent to the token endpoint. */
  clientAuth?: 'post' | 'basic';
}

export interface OAuthAuthorization {
  authorizationUrl: string;
  tokenUrl: string;
  clientId: string;
  scopes: string[];
  clientAuth?: 'post' | 'basic';
  /** Vendor parameters of the authorization request (Google's access_type=offline, prompt=consent). */
  extraParams?: Record<string, string>;
}

/** A known system described by data for a generic connector: settings and mapping, without the URL and secrets. */
export interface ConnectorTemplate {
  id: string;
  name: string;
  description: string;
  entities: string[];
  config: Record<string, unknown>;
  /** The credentials the user must give. */
  credentialFields: string[];
  mapping: Record<string, EntityMappingInput>;
}

/** What the hub hands a connector when it builds an adapter for one stored integration. */
export interface AdapterRuntime<Config, Credentials> {
  integrationId: string;
  config: Config;
  credentials: Credentials;
  logger: Logger;
  /**
   * The hub's way out for what does not go through `http()` (IMAP and SMTP sockets, token
   * endpoints): connections only to addresses the operator's policy allows.
   */
  network: OutboundNetwork;
  /** An HTTP client with auth, rate limit, retries, circuit breaker and request logging applied. */
  http(setup: HttpClientSetup): ConnectorHttpClient;
  /**
   * OAuth2 bearer auth from the credentials accessToken, refreshToken, expiresAt and clientSecret,
   * refreshed ahead of expiry under a lock shared by every hub process.
   */
  oauth2(setup: OAuthClientSetup): AuthProvider;
  /**
   * Takes one request from the integration's shared budget, for connectors that speak a protocol
   * other than HTTP through `http()` (IMAP, CalDAV, SOAP libraries); waits within the per-minute window.
   */
  rateLimit(signal?: AbortSignal): Promise<void>;
  /** CRM contacts and customers already in the hub whose email is one of these addresses (lower case). */
  findContacts(addresses: string[]): Promise<ContactMatch[]>;
  /** CRM contacts and customers already in the hub whose phone is one of these numbers (E.164). */
  findContactsByPhone(numbers: string[]): Promise<PhoneContactMatch[]>;
  /** The record of this integration as the hub stores it (canonical form); null when it has none. */
  storedRecord(entity: string, externalId: string): Promise<Record<string, unknown> | null>;
}

export type PhoneContactMatch = Omit<ContactMatch, 'email'> & { phone: string };

export interface ContactMatch {
  email: string;
  integrationId: string;
  entity: string;
  externalId: string;
  canonicalType: string;
  name: string | null;
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
  /**
   * For generic connectors, whose settings describe what each entity is read from: the entities
   * those settings (not yet validated) describe. An integration created without `entities` gets
   * these rather than every entity the connector could have.
   */
  configuredEntities?(config: Record<string, unknown>): string[];
  rateLimits: RateLimitDefaults;
  testConnection(input: ConnectionTestInput<Config, Credentials>): Promise<ConnectionResult>;
  createAdapter(runtime: AdapterRuntime<Config, Credentials>): IntegrationAdapter;
  /** The canonical entity an entity's records become when the integration has no mapping for it. */
  canonicalEntity?(entity: string): string;
  /** The mapping an entity gets when the integration brings none. */
  defaultMapping?: Record<string, EntityMappingInput>;
  /** Where a person grants the hub access (authorization code with PKCE), for OAuth2 connectors. */
  oauthAuthorization?(config: Config): OAuthAuthorization;
  /** Known systems this connector reaches with settings only. */
  templates?: ConnectorTemplate[];
  /** How the connector's webhooks are verified at `POST /webhooks/:integrationId`. */
  webhooks?: WebhookReceiver<Config, Credentials>;
}

// Connectors are stored side by side in one catalog whatever their config type.
// biome-ignore lint/suspicious/noExplicitAny: the catalog is heterogeneous by design
export type AnyConnectorDefinition = ConnectorDefinition<any, any>;

/** The keys of a settings object that describes entities (`resources`, `entities`); none when it is not one. */
export function describedEntities(value: unknown): string[] {
  return value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
}
