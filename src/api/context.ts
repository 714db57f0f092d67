// What the HTTP layer is handed at start: one object, built in hub.ts, passed to every plugin.
import type { FailedAttempts } from '../access/failedAttempts.ts';
import type { OidcVerifier } from '../access/oidc.ts';
import type { HubConfig } from '../config.ts';
import type { ConnectorCatalog } from '../connectors/catalog.ts';
import type { ConnectorRuntime } from '../connectors/runtime/connectorRuntime.ts';
import type { Migration } from '../db/migrate.ts';
import type { Pool } from '../db/pool.ts';
import type { SchemaRegistry } from '../events/schemas/schemaRegistry.ts';
import type { SubscriptionService } from '../events/subscriptions/subscriptionService.ts';
import type { InProcessTransport } from '../events/transports/inProcessTransport.ts';
import type { OutboundNetwork } from '../network/outboundNetwork.ts';
import type { Logger } from '../observability/logger.ts';
import type { HubMetrics } from '../observability/metrics.ts';
import type { IntegrationService } from '../registry/integrationService.ts';
import type { SyncService } from '../sync/syncService.ts';
import type { Vault } from '../vault/vault.ts';
import type { WebhookReceiver } from '../webhooks/webhookReceiver.ts';
import type { WebhookService } from '../webhooks/webhookService.ts';

export interface HubContext {
  config: HubConfig;
  pool: Pool;
  /** For connections of their own, such as LISTEN. */
  databaseUrl: string;
  logger: Logger;
  vault: Vault;
  catalog: ConnectorCatalog;
  integrations: IntegrationService;
  runtime: ConnectorRuntime;
  sync: SyncService;
  webhooks: { receiver: WebhookReceiver; service: WebhookService };
  schemas: SchemaRegistry;
  /** Subscriptions, and the in-process handlers this process serves (register before start). */
  events: { subscriptions: SubscriptionService; handlers: InProcessTransport };
  metrics: HubMetrics;
  /** The way out of the hub: connections only to addresses the operator's policy allows. */
  network: OutboundNetwork;
  migrations: Migration[];
  oidc: OidcVerifier | undefined;
  /** Refused attempts per client address on the routes anyone can reach (tokens, webhooks, OAuth). */
  failedAttempts: FailedAttempts;
}
