// Webhook intake of one hub process, put together: the receiver (every process), the API's
// service, and, in worker processes, the worker that processes stored webhooks.
import { systemPrincipal } from '../access/principal.ts';
import type { ConnectorCatalog } from '../connectors/catalog.ts';
import type { ConnectorRuntime } from '../connectors/runtime/connectorRuntime.ts';
import type { Pool } from '../db/pool.ts';
import type { Logger } from '../observability/logger.ts';
import type { SyncQueue } from '../sync/syncQueue.ts';
import type { Vault } from '../vault/vault.ts';
import { WebhookProcessor } from './webhookProcessor.ts';
import { WebhookReceiver } from './webhookReceiver.ts';
import { WebhookService } from './webhookService.ts';
import { WebhookWorker } from './webhookWorker.ts';

export interface WebhookIntakeDependencies {
  pool: Pool;
  databaseUrl: string;
  vault: Vault;
  catalog: ConnectorCatalog;
  runtime: ConnectorRuntime;
  queue: SyncQueue;
  logger: Logger;
  publicUrl: string;
  runsWorkers: boolean;
}

export interface WebhookIntake {
  receiver: WebhookReceiver;
  service: WebhookService;
  worker: WebhookWorker | undefined;
}

export function createWebhookIntake(deps: WebhookIntakeDependencies): WebhookIntake {
  const { pool, runtime, catalog, queue, logger } = deps;
  const receiver = new WebhookReceiver({
    pool,
    vault: deps.vault,
    catalog,
    logger,
    publicUrl: deps.publicUrl,
  });
  const service = new WebhookService({ pool, runtime, logger, webhookUrl: (id) => receiver.webhookUrl(id) });
  const worker = deps.runsWorkers
    ? new WebhookWorker({
        pool,
        databaseUrl: deps.databaseUrl,
        queue,
        processor: new WebhookProcessor({ pool, runtime, catalog, queue, logger }),
        logger,
        renewPushChannels: (signal) => service.renewExpiringPushChannels(systemPrincipal, signal),
      })
    : undefined;
  return { receiver, service, worker };
}
