// A worker process's part of webhook intake: it claims due stored webhooks and processes them,
// woken by a notification on every insert, with polling as the floor; and it renews push
// channels before they expire (hourly, a pg-boss schedule). Several workers share the work: a
// claim skips rows another worker holds, and the processor applies one webhook of an
// integration at a time (an advisory lock).
import pg from 'pg';
import type { Pool } from '../db/pool.ts';
import type { Logger } from '../observability/logger.ts';
import { PUSH_CHANNEL_RENEWAL_QUEUE, type SyncQueue } from '../sync/syncQueue.ts';
import { claimDueWebhooks } from './inboundWebhooksTable.ts';
import type { WebhookProcessor } from './webhookProcessor.ts';

export interface WebhookWorkerDependencies {
  pool: Pool;
  databaseUrl: string;
  queue: SyncQueue;
  processor: WebhookProcessor;
  logger: Logger;
  renewPushChannels: (signal: AbortSignal) => Promise<string[]>;
}

const BATCH = 50;
/** A claim outlives the slowest processing; a worker that died leaves its claims to expire. */
const CLAIM_MS = 60_000;
const POLL_MS = 1_000;

export class WebhookWorker {
  readonly #deps: WebhookWorkerDependencies;
  readonly #shutdown = new AbortController();
  #listener: pg.Client | undefined;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #woken = false;

  constructor(deps: WebhookWorkerDependencies) {
    this.#deps = deps;
  }

  async start(concurrency: number): Promise<void> {
    const { queue, logger } = this.#deps;
    const listener = new pg.Client({
      connectionString: this.#deps.databaseUrl,
      application_name: 'integration-hub-inbox',
    });
    listener.on('notification', () => {
      this.#woken = true;
      this.#wake?.();
    });
    listener.on('error', (error) => logger.warn({ err: error }, 'webhook listener failed'));
    await listener.connect();
    await listener.query('LISTEN hub_inbound');
    this.#listener = listener;
    this.#loop = this.#run(concurrency);

    await queue.boss.work(PUSH_CHANNEL_RENEWAL_QUEUE, async () => {
      const renewed = await this.#deps.renewPushChannels(this.#shutdown.signal);
      if (renewed.length > 0) logger.info({ integrations: renewed }, 'push channels renewed');
    });
    await queue.boss.schedule(PUSH_CHANNEL_RENEWAL_QUEUE, '17 * * * *');
  }

  async stop(): Promise<void> {
    // Processing in flight is abandoned; its claim expires and it is processed again.
    this.#shutdown.abort(new Error('the hub is shutting down'));
    this.#wake?.();
    await this.#loop;
    await this.#listener?.end().catch(() => {});
  }

  async #run(concurrency: number): Promise<void> {
    const { pool, processor, logger } = this.#deps;
    const signal = this.#shutdown.signal;
    while (!signal.aborted) {
      this.#woken = false;
      try {
        const claimed = await claimDueWebhooks(pool, BATCH, CLAIM_MS);
        if (claimed.length > 0) {
          // An integration's webhooks one after another, in the order they arrived (a call's
          // events); different integrations side by side.
          const groups = [...Map.groupBy(claimed, (webhook) => webhook.integrationId).values()];
          let next = 0;
          await Promise.all(
            Array.from({ length: Math.min(concurrency, groups.length) }, async () => {
              while (next < groups.length && !signal.aborted) {
                const group = (groups[next++] ?? []).sort(
                  (a, b) => a.receivedAt.getTime() - b.receivedAt.getTime(),
                );
                for (const webhook of group) {
                  if (!signal.aborted) await processor.process(webhook.id, signal);
                }
              }
            }),
          );
          continue;
        }
      } catch (error) {
        if (!signal.aborted) logger.warn({ err: error }, 'webhook processing pass failed; retrying');
      }
      if (!this.#woken && !signal.aborted) await this.#sleep(POLL_MS);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}
