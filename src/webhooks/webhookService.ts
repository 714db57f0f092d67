// Webhook intake as the API sees it: the stored webhooks of an integration, their processing
// state, replaying dead letters (one or all), and the push channels the hub opened at sources.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Principal } from '../access/principal.ts';
import { recordAudit } from '../audit/recordAudit.ts';
import type { ConnectorRuntime } from '../connectors/runtime/connectorRuntime.ts';
import { type Pool, withTransaction } from '../db/pool.ts';
import { HubError, notFound } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { findIntegration, type StoredIntegration } from '../registry/integrationsTable.ts';
import {
  countByState,
  deletePushChannels,
  expiringPushChannels,
  findInboundWebhook,
  type InboundWebhookFilter,
  type InboundWebhookRow,
  listInboundWebhooks,
  listPushChannels,
  notifyWorkers,
  resetForReplay,
  savePushChannel,
} from './inboundWebhooksTable.ts';

export interface WebhookServiceDependencies {
  pool: Pool;
  runtime: ConnectorRuntime;
  logger: Logger;
  webhookUrl(integrationId: string): string;
}

/** Channels that end within this time are renewed. */
const RENEW_BEFORE_MS = 24 * 3600_000;

export class WebhookService {
  readonly #deps: WebhookServiceDependencies;

  constructor(deps: WebhookServiceDependencies) {
    this.#deps = deps;
  }

  async list(filter: InboundWebhookFilter) {
    await this.#integration(filter.integrationId);
    // Counted before listing: a webhook counted as processed is listed as processed too.
    const counts = await countByState(this.#deps.pool, filter.integrationId);
    const rows = await listInboundWebhooks(this.#deps.pool, filter);
    return { items: rows.map(view), counts };
  }

  async get(webhookId: string) {
    const row = await findInboundWebhook(this.#deps.pool, webhookId);
    if (!row) throw notFound('webhook', webhookId);
    return view(row);
  }

  /** Processes a stored webhook again: a dead letter after its cause was fixed, or any other on purpose. */
  async replay(webhookId: string, actor: Principal, traceId: string) {
    return withTransaction(this.#deps.pool, async (tx) => {
      const row = await resetForReplay(tx, webhookId);
      if (!row) throw notFound('webhook', webhookId);
      await notifyWorkers(tx);
      await recordAudit(tx, actor, {
        action: 'webhook.replayed',
        targetType: 'integration',
        targetId: row.integrationId,
        changes: { webhookId },
        traceId,
      });
      return view(row);
    });
  }

  /** Replays every dead letter of an integration, oldest first. */
  async replayDead(integrationId: string, actor: Principal, traceId: string) {
    await this.#integration(integrationId);
    return withTransaction(this.#deps.pool, async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `SELECT id FROM inbound_webhooks WHERE integration_id = $1 AND state = 'dead'
          ORDER BY received_at, id FOR UPDATE`,
        [integrationId],
      );
      for (const row of rows) await resetForReplay(tx, row.id);
      await notifyWorkers(tx);
      if (rows.length > 0) {
        await recordAudit(tx, actor, {
          action: 'webhook.replayed',
          targetType: 'integration',
          targetId: integrationId,
          changes: { deadLetters: rows.length },
          traceId,
        });
      }
      return { replayed: rows.length };
    });
  }

  /** Asks the source to push its changes to the hub; the channel's secret is kept only as a hash. */
  async openPushChannel(integrationId: string, actor: Principal, traceId: string, signal: AbortSignal) {
    const integration = await this.#integration(integrationId);
    const live = await this.#deps.runtime.adapterFor(integration, { traceId, maxWaitMs: 10_000 });
    if (!live.adapter.openPushChannels) {
      throw new HubError(
        'conflict',
        'PUSH_NOT_SUPPORTED',
        `connector ${integration.connector} cannot ask its source to push changes`,
      );
    }
    const secret = randomBytes(24).toString('base64url');
    const address = this.#deps.webhookUrl(integrationId);
    const channels = await live.adapter.openPushChannels({
      address,
      secret,
      entities: integration.entities,
      signal,
    });
    await withTransaction(this.#deps.pool, async (tx) => {
      for (const channel of channels) await savePushChannel(tx, { integrationId, secret, ...channel });
      await recordAudit(tx, actor, {
        action: 'integration.push_channels_opened',
        targetType: 'integration',
        targetId: integrationId,
        changes: {
          channels: channels.map((channel) => ({
            channelId: channel.channelId,
            expiresAt: channel.expiresAt.toISOString(),
          })),
        },
        traceId,
      });
    });
    return { address, channels };
  }

  /**
   * Channels live days at most (Google a week, Graph under three days): those that end within a
   * day are replaced by new ones. The old ones keep working until they expire; a notification
   * through either starts the same incremental sync.
   */
  async renewExpiringPushChannels(actor: Principal, signal: AbortSignal) {
    const expiring = await expiringPushChannels(this.#deps.pool, RENEW_BEFORE_MS);
    const renewed: string[] = [];
    for (const { integrationId, channelIds } of expiring) {
      try {
        await this.openPushChannel(integrationId, actor, randomUUID().replaceAll('-', ''), signal);
        await deletePushChannels(this.#deps.pool, integrationId, channelIds);
        renewed.push(integrationId);
      } catch (error) {
        this.#deps.logger.warn({ integrationId, err: error }, 'push channels could not be renewed');
      }
    }
    return renewed;
  }

  async pushChannels(integrationId: string) {
    await this.#integration(integrationId);
    return listPushChannels(this.#deps.pool, integrationId);
  }

  async #integration(id: string): Promise<StoredIntegration> {
    const integration = await findIntegration(this.#deps.pool, id);
    if (!integration) throw notFound('integration', id);
    return integration;
  }
}

function view(row: InboundWebhookRow) {
  return {
    id: row.id,
    integrationId: row.integrationId,
    messageId: row.messageId,
    receivedAt: row.receivedAt.toISOString(),
    state: row.state,
    attempts: row.attempts,
    lastError: row.lastError,
    outcome: row.outcome,
    processedAt: row.processedAt?.toISOString() ?? null,
    traceId: row.traceId,
    headers: row.headers,
    body: row.body.toString('utf8'),
  };
}
