// The event backbone of one hub process, put together: subscriptions and the schema registry
// (every process), in-process handlers, and, in worker processes, the relay with its transports.
import type { Pool } from '../db/pool.ts';
import type { OutboundNetwork } from '../network/outboundNetwork.ts';
import type { Logger } from '../observability/logger.ts';
import type { Vault } from '../vault/vault.ts';
import { EventRelay } from './relay/eventRelay.ts';
import { SchemaRegistry } from './schemas/schemaRegistry.ts';
import { SubscriptionService } from './subscriptions/subscriptionService.ts';
import { HttpTransport } from './transports/httpTransport.ts';
import { InProcessTransport } from './transports/inProcessTransport.ts';
import { NatsTransport } from './transports/natsTransport.ts';

export interface EventBackboneDependencies {
  pool: Pool;
  databaseUrl: string;
  vault: Vault;
  logger: Logger;
  natsUrl: string | undefined;
  deliveryTimeoutMs: number;
  relayPollMs: number;
  runsWorkers: boolean;
  network: OutboundNetwork;
}

export interface EventBackbone {
  subscriptions: SubscriptionService;
  handlers: InProcessTransport;
  schemas: SchemaRegistry;
  relay: EventRelay | undefined;
}

export async function createEventBackbone(deps: EventBackboneDependencies): Promise<EventBackbone> {
  const { pool, vault, logger } = deps;
  const handlers = new InProcessTransport();
  const relay = deps.runsWorkers
    ? new EventRelay(
        {
          pool,
          databaseUrl: deps.databaseUrl,
          vault,
          logger,
          transports: {
            http: new HttpTransport(deps.deliveryTimeoutMs, deps.network),
            nats: new NatsTransport(deps.natsUrl, logger),
            'in-process': handlers,
          },
          handlers: () => handlers.names(),
        },
        {
          lanes: 2,
          batchSize: 500,
          concurrency: 64,
          deliveryTimeoutMs: deps.deliveryTimeoutMs,
          pollIntervalMs: deps.relayPollMs,
        },
      )
    : undefined;
  const schemas = new SchemaRegistry({ pool, logger });
  await schemas.registerShipped();
  const subscriptions = new SubscriptionService({
    pool,
    vault,
    natsEnabled: deps.natsUrl !== undefined,
    network: deps.network,
  });
  return { subscriptions, handlers, schemas, relay };
}
