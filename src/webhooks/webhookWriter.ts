// Stores verified webhooks in group commits: requests that arrive while a commit is under way
// wait for the next one and share it (one multi-row insert, one commit; the insert itself wakes
// the workers that process them). Each request is answered only after its own row is
// committed, so a crash after the 2xx loses nothing; under load this turns one commit per
// webhook into one per batch.
import type { Pool } from '../db/pool.ts';
import type { Logger } from '../observability/logger.ts';
import type { NewInboundWebhook } from './inboundWebhooksTable.ts';

export type StoreOutcome = 'stored' | 'duplicate' | 'integration_gone';

interface Pending {
  webhook: NewInboundWebhook;
  resolve: (outcome: StoreOutcome) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 500;
/** Commits in flight at once; more pending webhooks wait and go into the next. */
const MAX_IN_FLIGHT = 4;

export class WebhookWriter {
  readonly #pool: Pool;
  readonly #logger: Logger;
  #pending: Pending[] = [];
  #inFlight = 0;

  constructor(pool: Pool, logger: Logger) {
    this.#pool = pool;
    this.#logger = logger;
  }

  store(webhook: NewInboundWebhook): Promise<StoreOutcome> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ webhook, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < MAX_IN_FLIGHT && this.#pending.length > 0) {
      const batch = this.#pending.splice(0, MAX_BATCH);
      this.#inFlight += 1;
      this.#commit(batch)
        .catch((error: unknown) => {
          this.#logger.error({ err: error, webhooks: batch.length }, 'storing webhooks failed');
          for (const item of batch) item.reject(error);
        })
        .finally(() => {
          this.#inFlight -= 1;
          this.#pump();
        });
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    const webhooks = batch.map((item) => item.webhook);
    // One statement is its own transaction: no BEGIN and COMMIT round trips. Rows of an
    // integration deleted a moment ago are left out rather than failing the batch.
    const { rows } = await this.#pool.query<{ id: string }>({
      name: 'store-inbound-webhooks',
      text: `INSERT INTO inbound_webhooks (id, integration_id, message_id, received_at, headers, body, trace_id,
           traceparent, tracestate)
         SELECT u.id, u.integration_id, u.message_id, u.received_at, u.headers, u.body, u.trace_id, u.traceparent,
                u.tracestate
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::jsonb[], $6::bytea[], $7::text[],
                       $8::text[], $9::text[])
             AS u(id, integration_id, message_id, received_at, headers, body, trace_id, traceparent, tracestate)
           JOIN integration_configs i ON i.id = u.integration_id
         ON CONFLICT (integration_id, message_id) DO NOTHING
         RETURNING id`,
      values: [
        webhooks.map((w) => w.id),
        webhooks.map((w) => w.integrationId),
        webhooks.map((w) => w.messageId),
        webhooks.map((w) => w.receivedAt),
        webhooks.map((w) => JSON.stringify(w.headers)),
        webhooks.map((w) => w.body),
        webhooks.map((w) => w.traceId),
        webhooks.map((w) => w.traceparent ?? null),
        webhooks.map((w) => w.tracestate ?? null),
      ],
    });
    const inserted = new Set(rows.map((row) => row.id));
    const missed = webhooks.filter((webhook) => !inserted.has(webhook.id));
    const existing = missed.length > 0 ? await this.#existingIntegrations(missed) : new Set<string>();
    for (const item of batch) {
      const { webhook } = item;
      item.resolve(
        inserted.has(webhook.id)
          ? 'stored'
          : existing.has(webhook.integrationId)
            ? 'duplicate'
            : 'integration_gone',
      );
    }
  }

  async #existingIntegrations(webhooks: NewInboundWebhook[]): Promise<Set<string>> {
    const { rows } = await this.#pool.query<{ id: string }>(
      'SELECT id FROM integration_configs WHERE id = ANY($1::uuid[])',
      [[...new Set(webhooks.map((webhook) => webhook.integrationId))]],
    );
    return new Set(rows.map((row) => row.id));
  }
}
