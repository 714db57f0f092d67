// Webhook intake as the API sees it: the stored webhooks of an integration, their processing
// state, replaying dead letters (one or all), and the push channels the hub opened at sources.
import { randomBytes } from 'node:crypto';
import type { Principal } from '../access/principal.ts';
import { recordAudit } from '../audit/recordAudit.ts';
import type { ConnectorRuntime } from '../connectors/runtime/connectorRuntime.ts';
import { type Pool, withTransaction } from '../db/pool.ts';
import { HubError, notFound } from '../errors.ts';
import { findIntegration, type StoredIntegration } from '../registry/integrationsTable.ts';
import type { SyncQueue } from '../sync/syncQueue.ts';
import {
  countByState,
  findInboundWebhook,
  type InboundWebhookFilter,
  type InboundWebhookRow,
  listInboundWebhooks,
  listPushChannels,
  resetForReplay,
  savePushChannel,
} from './inboundWebhooksTable.ts';

export interface WebhookServiceDependencies {
  pool: Pool;
  queue: SyncQueue;
  runtime: ConnectorRuntime;
  webhookUrl(integrationId: string): string;
}

export class WebhookService {
  readonly #deps: WebhookServiceDependencies;

  constructor(deps: WebhookServiceDependencies) {
    this.#deps = deps;
  }

  async list(filter: InboundWebhookFilter) {
    await this.#integration(filter.integrationId);
    const rows = await listInboundWebhooks(this.#deps.pool, filter);
    return { items: rows.map(view), counts: await countByState(this.#deps.pool, filter.integrationId) };
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
      await this.#deps.queue.enqueueWebhook(row.id, { db: tx });
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
      for (const row of rows) {
        await resetForReplay(tx, row.id);
        await this.#deps.queue.enqueueWebhook(row.id, { db: tx });
      }
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
    if (!live.adapter.openPushChannel) {
      throw new HubError(
        'conflict',
        'PUSH_NOT_SUPPORTED',
        `connector ${integration.connector} cannot ask its source to push changes`,
      );
    }
    const secret = randomBytes(24).toString('base64url');
    const channel = await live.adapter.openPushChannel({
      address: this.#deps.webhookUrl(integrationId),
      secret,
      signal,
    });
    await withTransaction(this.#deps.pool, async (tx) => {
      await savePushChannel(tx, { integrationId, secret, ...channel });
      await recordAudit(tx, actor, {
        action: 'integration.push_channel_opened',
        targetType: 'integration',
        targetId: integrationId,
        changes: { channelId: channel.channelId, expiresAt: channel.expiresAt.toISOString() },
        traceId,
      });
    });
    return { ...channel, address: this.#deps.webhookUrl(integrationId) };
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
