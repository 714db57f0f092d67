// Processes a stored webhook: the connector says what it means, and its records land, or the
// entities it names are synced, in ONE transaction with the webhook's state. A failure is tried
// again with backoff (about 2 s, doubling, at most 5 min, with jitter); the last failure, or one
// that retrying cannot cure (records that cannot be mapped, a connector's permanent error), parks
// the webhook as a dead letter with its reason and an `integration.webhook_failed` event. A lost
// database is no attempt of the webhook's: it is processed again once the database is back. Each
// attempt is a `webhook.process` span under the span that received the webhook.
import type { ConnectorCatalog } from '../connectors/catalog.ts';
import type { ConnectorRuntime } from '../connectors/runtime/connectorRuntime.ts';
import { toConnectorError } from '../connectors/sdk/connectorError.ts';
import type { WebhookEffect } from '../connectors/sdk/webhooks.ts';
import { lostTheDatabase } from '../db/connectionLoss.ts';
import { type Pool, type Queryable, withTransaction } from '../db/pool.ts';
import { appendEvents, integrationSource } from '../events/outbox.ts';
import type { Logger } from '../observability/logger.ts';
import { inSpan, markSpanFailed, type Span, SpanKind } from '../observability/tracing.ts';
import { findIntegration, type StoredIntegration } from '../registry/integrationsTable.ts';
import { requestRun } from '../sync/runRequests.ts';
import type { SyncQueue } from '../sync/syncQueue.ts';
import {
  findInboundWebhook,
  type InboundWebhookRow,
  lockForProcessing,
  markFailed,
  markProcessed,
  recheckLater,
} from './inboundWebhooksTable.ts';
import { type LandedCounts, landWebhookRecords, UnmappableWebhookError } from './landWebhookRecords.ts';

export interface WebhookProcessorDependencies {
  pool: Pool;
  runtime: ConnectorRuntime;
  catalog: ConnectorCatalog;
  queue: SyncQueue;
  logger: Logger;
}

/** Attempts before a webhook is parked as a dead letter. */
export const WEBHOOK_MAX_ATTEMPTS = 7;

/** When the integration's run is already under way, the webhook waits for the next one. */
const RUN_IN_PROGRESS_RECHECK_MS = 5_000;

export class WebhookProcessor {
  readonly #deps: WebhookProcessorDependencies;

  constructor(deps: WebhookProcessorDependencies) {
    this.#deps = deps;
  }

  async process(webhookId: string, signal: AbortSignal): Promise<void> {
    const { pool } = this.#deps;
    const webhook = await findInboundWebhook(pool, webhookId);
    if (!webhook || webhook.state === 'processed' || webhook.state === 'dead') return;
    const integration = await findIntegration(pool, webhook.integrationId);
    if (!integration) return;
    const attributes = {
      'hub.integration.id': integration.id,
      'hub.connector': integration.connector,
      'hub.webhook.id': webhook.id,
      'hub.webhook.attempt': webhook.attempts + 1,
    };
    await inSpan(
      'webhook.process',
      { kind: SpanKind.CONSUMER, parent: webhook, traceId: webhook.traceId, attributes },
      async (span) => {
        span.setAttribute('hub.webhook.outcome', await this.#attempt(integration, webhook, signal, span));
      },
    );
  }

  async #attempt(
    integration: StoredIntegration,
    webhook: InboundWebhookRow,
    signal: AbortSignal,
    span: Span,
  ): Promise<string> {
    try {
      return await withTransaction(this.#deps.pool, async (tx) => {
        // One webhook of an integration at a time, across all workers: what a webhook means may
        // depend on what the one before it landed (the earlier events of a call).
        await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
          `webhooks:${integration.id}`,
        ]);
        if (!(await lockForProcessing(tx, webhook.id))) return 'taken';
        const effect = await this.#interpret(integration, webhook, signal);
        return this.#apply(tx, integration, webhook, effect);
      });
    } catch (error) {
      markSpanFailed(span, error);
      // Not the webhook's failure: the worker gives it back once the database answers again.
      if (await lostTheDatabase(this.#deps.pool, error)) throw error;
      return (await this.#failed(integration, webhook, error)) ? 'dead' : 'failed';
    }
  }

  async #interpret(
    integration: StoredIntegration,
    webhook: InboundWebhookRow,
    signal: AbortSignal,
  ): Promise<WebhookEffect> {
    const live = await this.#deps.runtime.adapterFor(integration, {
      traceId: webhook.traceId ?? undefined,
      maxWaitMs: 30_000,
    });
    if (!live.adapter.handleWebhook) return { sync: integration.entities };
    return live.adapter.handleWebhook(
      {
        id: webhook.id,
        messageId: webhook.messageId,
        receivedAt: webhook.receivedAt,
        headers: webhook.headers,
        body: webhook.body,
      },
      signal,
    );
  }

  async #apply(
    tx: Queryable,
    integration: StoredIntegration,
    webhook: InboundWebhookRow,
    effect: WebhookEffect,
  ): Promise<'processed' | 'waiting'> {
    const { catalog, queue } = this.#deps;
    const traceId = webhook.traceId ?? undefined;
    const landed: Record<string, LandedCounts> = {};
    const ignored: string[] = [];
    for (const group of effect.records ?? []) {
      if (!integration.entities.includes(group.entity)) {
        ignored.push(group.entity);
        continue;
      }
      landed[group.entity] = await landWebhookRecords(tx, catalog, integration, group, traceId);
    }
    const entities = [...new Set(effect.sync ?? [])].filter((entity) =>
      integration.entities.includes(entity),
    );
    let runId: string | undefined;
    if (entities.length > 0 && integration.status !== 'inactive') {
      const requested = await requestRun(tx, queue, {
        integrationId: integration.id,
        trigger: 'webhook',
        mode: 'incremental',
        entities,
        requestedBy: `webhook:${webhook.id}`,
        traceId,
      });
      // A run that already started may have read past this change: wait for the next one.
      if (!requested.created && requested.run.state !== 'queued') {
        await recheckLater(tx, webhook.id, new Date(Date.now() + RUN_IN_PROGRESS_RECHECK_MS));
        return 'waiting';
      }
      runId = requested.run.id;
    }
    await markProcessed(tx, webhook.id, {
      ...(Object.keys(landed).length ? { records: landed } : {}),
      ...(entities.length ? { synced: entities, runId } : {}),
      ...(ignored.length ? { ignoredEntities: ignored } : {}),
    });
    return 'processed';
  }

  /** Records the failure; true when the webhook was parked as a dead letter. */
  async #failed(
    integration: StoredIntegration,
    webhook: InboundWebhookRow,
    error: unknown,
  ): Promise<boolean> {
    const { pool, logger } = this.#deps;
    const reason = describe(error);
    const hopeless =
      error instanceof UnmappableWebhookError ||
      ['permanent', 'config'].includes(toConnectorError(error, 'webhook').kind);
    const attempt = webhook.attempts + 1;
    const dead = hopeless || attempt >= WEBHOOK_MAX_ATTEMPTS;
    await withTransaction(pool, async (tx) => {
      const row = await markFailed(tx, webhook.id, reason, dead ? null : retryAt(attempt));
      if (row && dead) await announceDeadLetter(tx, integration, row, reason);
    });
    logger.warn(
      { integrationId: integration.id, webhookId: webhook.id, attempt, dead, reason },
      dead ? 'webhook parked as a dead letter' : 'webhook processing failed; it will be retried',
    );
    return dead;
  }
}

/** About 2 s after the first failure, doubling, at most 5 minutes, with ±20 % jitter. */
function retryAt(attempt: number): Date {
  const delay = Math.min(300_000, 2_000 * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
  return new Date(Date.now() + delay);
}

async function announceDeadLetter(
  tx: Queryable,
  integration: StoredIntegration,
  webhook: InboundWebhookRow,
  reason: string,
): Promise<void> {
  await appendEvents(tx, [
    {
      type: 'integration.webhook_failed',
      source: integrationSource(integration.id),
      subject: `webhooks/${webhook.id}`,
      integrationId: integration.id,
      traceId: webhook.traceId ?? undefined,
      data: {
        integrationId: integration.id,
        webhookId: webhook.id,
        messageId: webhook.messageId,
        attempts: webhook.attempts,
        error: reason,
      },
    },
  ]);
}

function describe(error: unknown): string {
  if (error instanceof UnmappableWebhookError) return error.message;
  const connectorError = toConnectorError(error, 'webhook');
  return `${connectorError.kind}: ${connectorError.message}`.slice(0, 1000);
}
