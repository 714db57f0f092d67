// The receiving end of `POST /webhooks/:integrationId`: the connector verifies the raw request
// with its scheme; a verified webhook is committed (a group commit, webhookWriter.ts) before the
// sender hears 2xx, so a crash after the answer loses nothing. Repeats (same message id) are
// answered 200 and not stored again. A refused webhook leaves nothing but a log line (and its
// `webhook.receive` span, whose W3C context a stored webhook keeps for its processing).
import { randomUUID } from 'node:crypto';
import type { ConnectorCatalog } from '../connectors/catalog.ts';
import { bodyDigest } from '../connectors/sdk/signatures/constantTime.ts';
import type { InboundRequest, WebhookReply, WebhookVerifyContext } from '../connectors/sdk/webhooks.ts';
import type { Pool } from '../db/pool.ts';
import { HubError, notFound } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { currentTraceContext, inSpan, type Span } from '../observability/tracing.ts';
import { openCredentials } from '../registry/credentialStore.ts';
import { findIntegration, type StoredIntegration } from '../registry/integrationsTable.ts';
import type { Vault } from '../vault/vault.ts';
import { isChannelSecret } from './inboundWebhooksTable.ts';
import { WebhookWriter } from './webhookWriter.ts';

export interface WebhookReceiverDependencies {
  pool: Pool;
  vault: Vault;
  catalog: ConnectorCatalog;
  logger: Logger;
  publicUrl: string;
}

export interface ReceivedWebhook {
  reply: WebhookReply;
  /** The stored webhook's id; undefined for handshakes. */
  webhookId?: string;
  duplicate?: boolean;
}

/** Headers never stored: they carry credentials or the proofs made with them. */
const alwaysSecret = ['authorization', 'cookie', 'proxy-authorization'];

interface Verifier {
  integration: StoredIntegration;
  context: WebhookVerifyContext<unknown, unknown>;
  checkedAt: number;
}

/** How long a verifier is used before the integration's version is checked again. */
const VERIFIER_RECHECK_MS = 1_000;

export class WebhookReceiver {
  readonly #deps: WebhookReceiverDependencies;
  // Opened and parsed credentials per integration, reused while its version stands (checked at
  // most once a second): opening them is the costly part of verifying, and a changed secret has
  // a new version.
  readonly #verifiers = new Map<string, Verifier>();

  readonly #writer: WebhookWriter;

  constructor(deps: WebhookReceiverDependencies) {
    this.#deps = deps;
    this.#writer = new WebhookWriter(deps.pool, deps.logger);
  }

  webhookUrl(integrationId: string): string {
    return `${this.#deps.publicUrl.replace(/\/$/, '')}/webhooks/${integrationId}`;
  }

  /**
   * `traceId`: the request's; the webhook is received in a span of that trace. `quiet`: a refusal
   * leaves no log line (the sender is past its limit of refused attempts and already counted).
   */
  receive(
    integrationId: string,
    request: InboundRequest,
    traceId: string,
    options: { quiet?: boolean } = {},
  ): Promise<ReceivedWebhook> {
    return inSpan(
      'webhook.receive',
      { traceId, attributes: { 'hub.integration.id': integrationId } },
      (span) => this.#receive(integrationId, request, traceId, span, options.quiet === true),
    );
  }

  /** Whether this process holds the integration's verifier, so verifying costs no database lookup. */
  hasVerifier(integrationId: string): boolean {
    return this.#verifiers.has(integrationId);
  }

  async #receive(
    integrationId: string,
    request: InboundRequest,
    traceId: string,
    span: Span,
    quiet: boolean,
  ): Promise<ReceivedWebhook> {
    const { logger } = this.#deps;
    const verifier = await this.#verifier(integrationId);
    const connector = this.#deps.catalog.get(verifier.integration.connector);
    span.setAttribute('hub.connector', verifier.integration.connector);
    const receiver = connector.webhooks;
    if (!receiver) throw notFound('webhook endpoint of integration', integrationId);
    const verdict = await receiver.verify(request, verifier.context);
    span.setAttribute('hub.webhook.verdict', verdict.kind);
    if (verdict.kind === 'reply') return { reply: verdict.reply };
    if (verdict.kind === 'reject') {
      span.setAttribute('hub.webhook.reject_reason', verdict.reason);
      if (!quiet) {
        logger.warn({ integrationId, reason: verdict.reason, detail: verdict.message }, 'webhook refused');
      }
      if (verdict.reason === 'malformed') {
        throw new HubError('validation', 'WEBHOOK_MALFORMED', `body: ${verdict.message}`, {
          fields: [{ field: 'body', message: verdict.message }],
        });
      }
      throw new HubError(
        'unauthorized',
        verdict.reason === 'stale' ? 'WEBHOOK_STALE' : 'WEBHOOK_SIGNATURE_INVALID',
        verdict.reason === 'stale'
          ? 'the webhook is too old or from the future; replays are refused'
          : 'the webhook signature could not be verified',
      );
    }
    const declared =
      typeof receiver.secretHeaders === 'function'
        ? receiver.secretHeaders(verifier.context.config)
        : (receiver.secretHeaders ?? []);
    const secret = new Set([...alwaysSecret, ...declared.map((name) => name.toLowerCase())]);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && !secret.has(name)) headers[name] = value;
    }
    const id = randomUUID();
    const trace = currentTraceContext(traceId);
    const outcome = await this.#writer.store({
      id,
      integrationId,
      messageId: verdict.messageId ?? bodyDigest(request.body),
      receivedAt: request.receivedAt,
      headers,
      body: request.body,
      traceId,
      traceparent: trace?.traceparent ?? undefined,
      tracestate: trace?.tracestate ?? undefined,
    });
    span.setAttribute('hub.webhook.stored', outcome);
    if (outcome === 'integration_gone') throw notFound('integration', integrationId);
    const stored = outcome === 'stored';
    if (stored) span.setAttribute('hub.webhook.id', id);
    const reply = verdict.reply ?? {
      status: stored ? 202 : 200,
      contentType: 'application/json',
      body: JSON.stringify(stored ? { id, duplicate: false } : { duplicate: true }),
    };
    return { reply, duplicate: !stored, ...(stored ? { webhookId: id } : {}) };
  }

  async #verifier(integrationId: string): Promise<Verifier> {
    const { pool, vault, catalog } = this.#deps;
    const known = this.#verifiers.get(integrationId);
    if (known && Date.now() - known.checkedAt < VERIFIER_RECHECK_MS) return known;
    const integration = await findIntegration(pool, integrationId);
    if (!integration) {
      this.#verifiers.delete(integrationId);
      throw notFound('integration', integrationId);
    }
    const cached = this.#verifiers.get(integrationId);
    if (cached && cached.integration.version === integration.version) {
      cached.checkedAt = Date.now();
      return cached;
    }
    const connector = catalog.get(integration.connector);
    const credentials = await openCredentials(vault, integration);
    const verifier: Verifier = {
      integration,
      checkedAt: Date.now(),
      context: {
        integrationId,
        config: connector.configSchema.parse(integration.config),
        credentials: connector.credentialsSchema.parse(credentials),
        webhookUrl: this.webhookUrl(integrationId),
        isChannelSecret: (channelId, given) => isChannelSecret(pool, integrationId, channelId, given),
      },
    };
    this.#verifiers.set(integrationId, verifier);
    return verifier;
  }
}
