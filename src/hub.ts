// Starts and stops one hub process: database (embedded or external), migrations, vault,
// bootstrap admin token, the sync engine, webhook intake, the event backbone, HTTP server.
// Tests start hubs through here as main.ts does.
import type { FastifyInstance } from 'fastify';
import { bootstrapAdminToken } from './access/bootstrapAdmin.ts';
import { FailedAttempts } from './access/failedAttempts.ts';
import { createOidcVerifier } from './access/oidc.ts';
import { systemPrincipal } from './access/principal.ts';
import type { HubContext } from './api/context.ts';
import { buildServer } from './api/server.ts';
import { ConfigError, type HubConfig } from './config.ts';
import { createConnectorCatalog } from './connectors/index.ts';
import { ConnectorRuntime } from './connectors/runtime/connectorRuntime.ts';
import { loadMigrations, migrate } from './db/migrate.ts';
import { openDatabase } from './db/openDatabase.ts';
import { createEventBackbone } from './events/eventBackbone.ts';
import { OutboundNetwork } from './network/outboundNetwork.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { flushTracing, setupTracing } from './observability/tracing.ts';
import { IntegrationService } from './registry/integrationService.ts';
import { SyncQueue } from './sync/syncQueue.ts';
import { SyncRunner } from './sync/syncRunner.ts';
import { SyncService } from './sync/syncService.ts';
import { SyncWorker } from './sync/syncWorker.ts';
import { loadMasterKeys } from './vault/masterKey.ts';
import { rewrapDataKeys } from './vault/rotateKeys.ts';
import { Vault } from './vault/vault.ts';
import { createWebhookIntake } from './webhooks/webhookIntake.ts';

export interface RunningHub {
  app: FastifyInstance;
  context: HubContext;
  url: string;
  /** A token generated at this start, to be shown to a person once; undefined otherwise. */
  generatedAdminToken: string | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** false: build everything but do not listen (tests that use inject). */
  listen?: boolean;
}

export async function startHub(config: HubConfig, options: StartOptions = {}): Promise<RunningHub> {
  const logger = options.logger ?? createLogger(config.logLevel);
  setupTracing(config.tracing);
  const database = await openDatabase(config, logger);
  // What has started so far, stopped in reverse order if the start fails half-way.
  const started: (() => Promise<void>)[] = [() => database.close()];
  try {
    const migrations = await loadMigrations();
    const applied = await migrate(database.pool);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    const masterKeys = await loadMasterKeys(config);
    const vault = new Vault(database.pool, masterKeys);
    await vault.verifyMasterKey();
    // After a master key rotation, data keys still wrapped by the previous key move to the new one.
    if (masterKeys.previous) await rewrapDataKeys(database.pool, vault, { actor: systemPrincipal });
    const generatedAdminToken = await bootstrapAdminToken(database.pool, config.adminToken);
    const catalog = createConnectorCatalog();
    const runsWorkers = config.role !== 'api';
    const queue = await SyncQueue.start(database.url, logger, { worker: runsWorkers });
    started.unshift(() => queue.stop());
    const metrics = createMetrics(database.pool);
    const network = new OutboundNetwork(config.allowedNetworks);
    started.unshift(() => network.close());
    const runtime = new ConnectorRuntime({ pool: database.pool, vault, catalog, logger, metrics, network });
    const sync = new SyncService({
      pool: database.pool,
      queue,
      runtime,
      logger,
      reportTimezone: config.reportTimezone,
    });
    const worker = runsWorkers
      ? new SyncWorker(
          {
            pool: database.pool,
            queue,
            runtime,
            logger,
            runner: new SyncRunner({ pool: database.pool, runtime, catalog, logger, metrics }),
          },
          {
            concurrency: config.workerConcurrency,
            schedulerIntervalMs: config.schedulerIntervalMs,
            reportTimezone: config.reportTimezone,
            healthCheckCron: config.healthCheckCron,
            retentionDays: config.retentionDays,
          },
        )
      : undefined;
    const webhooks = createWebhookIntake({
      pool: database.pool,
      databaseUrl: database.url,
      vault,
      catalog,
      runtime,
      queue,
      logger,
      publicUrl: config.publicUrl,
      runsWorkers,
    });
    const events = await createEventBackbone({
      pool: database.pool,
      databaseUrl: database.url,
      vault,
      logger,
      natsUrl: config.natsUrl,
      deliveryTimeoutMs: config.deliveryTimeoutMs,
      relayPollMs: config.relayPollMs,
      runsWorkers,
      network,
    });
    const context: HubContext = {
      config,
      pool: database.pool,
      databaseUrl: database.url,
      logger,
      vault,
      catalog,
      integrations: new IntegrationService({ pool: database.pool, vault, catalog, network }),
      runtime,
      sync,
      webhooks: { receiver: webhooks.receiver, service: webhooks.service },
      schemas: events.schemas,
      events: { subscriptions: events.subscriptions, handlers: events.handlers },
      metrics,
      network,
      migrations,
      oidc: config.oidc ? createOidcVerifier(config.oidc) : undefined,
      failedAttempts: new FailedAttempts(config.authFailureLimitPerMinute),
    };
    const app = await buildServer(context);
    started.unshift(() => app.close());
    const url = options.listen === false ? '' : await listen(app, config);
    if (worker) {
      started.unshift(() => worker.stop());
      await worker.start();
    }
    const { worker: webhookWorker } = webhooks;
    if (webhookWorker) {
      started.unshift(() => webhookWorker.stop());
      await webhookWorker.start(config.workerConcurrency);
    }
    const { relay } = events;
    if (relay) {
      started.unshift(() => relay.stop());
      await relay.start();
    }
    if (url) logger.info({ url, role: config.role }, 'hub listening');
    return {
      app,
      context,
      url,
      generatedAdminToken,
      stop: async () => {
        // Runs in flight go back to the queue at their checkpoint before the database closes.
        await worker?.stop();
        await webhookWorker?.stop();
        await relay?.stop();
        await queue.stop();
        await app.close();
        await runtime.close();
        await network.close();
        await database.close();
        await flushTracing().catch((error: unknown) =>
          logger.warn({ err: error }, 'spans could not be sent before stopping'),
        );
        logger.info('hub stopped');
      },
    };
  } catch (error) {
    for (const stop of started) await stop().catch(() => {});
    throw error;
  }
}

async function listen(app: FastifyInstance, config: HubConfig): Promise<string> {
  try {
    return await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      throw new ConfigError(
        `PORT: ${config.host}:${config.port} is already in use; stop the other process or set PORT`,
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new ConfigError(`HOST: ${config.host} is not an address of this machine`);
    }
    throw error;
  }
}
