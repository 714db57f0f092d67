// A worker process's part of webhook intake: it claims due stored webhooks and processes them,
// woken by a notification on every insert, with polling as the floor; and it renews push
// channels before they expire (hourly, a pg-boss schedule). Several workers share the work: a
// claim skips rows another worker holds, and the processor applies one webhook of an
// integration at a time (an advisory lock).
import { lostTheDatabase, retryThroughLoss } from '../db/connectionLoss.ts';
import { NotificationListener } from '../db/notificationListener.ts';
import type { Pool } from '../db/pool.ts';
import type { Logger } from '../observability/logger.ts';
import { PUSH_CHANNEL_RENEWAL_QUEUE, type SyncQueue } from '../sync/syncQueue.ts';
import { type ClaimedWebhook, claimDueWebhooks, releaseClaims } from './inboundWebhooksTable.ts';
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
  #listener: NotificationListener | undefined;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #woken = false;

  constructor(deps: WebhookWorkerDependencies) {
    this.#deps = deps;
  }

  async start(concurrency: number): Promise<void> {
    const { queue, logger } = this.#deps;
    const wake = () => {
      this.#woken = true;
      this.#wake?.();
    };
    // Reconnects by itself; after a reconnect the inbox is looked at at once, since what was
    // stored meanwhile sent its notification to nobody.
    this.#listener = new NotificationListener({
      databaseUrl: this.#deps.databaseUrl,
      channel: 'hub_inbound',
      applicationName: 'integration-hub-inbox',
      logger,
      onNotification: wake,
      onReconnect: wake,
    });
    await this.#listener.start();
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
    await this.#listener?.close();
  }

  async #run(concurrency: number): Promise<void> {
    const { pool, logger } = this.#deps;
    const signal = this.#shutdown.signal;
    while (!signal.aborted) {
      this.#woken = false;
      try {
        const claimed = await claimDueWebhooks(pool, BATCH, CLAIM_MS);
        if (claimed.length > 0) {
          await this.#processClaimed(claimed, concurrency);
          continue;
        }
      } catch (error) {
        if (!signal.aborted) logger.warn({ err: error }, 'webhook processing pass failed; retrying');
      }
      if (!this.#woken && !signal.aborted) await this.#sleep(POLL_MS);
    }
  }

  /**
   * An integration's webhooks one after another, in the order they arrived (a call's events);
   * different integrations side by side. When the database is lost on the way, the claims of the
   * webhooks not done are given back once it answers again, instead of waiting out their expiry.
   */
  async #processClaimed(claimed: ClaimedWebhook[], concurrency: number): Promise<void> {
    const { pool, processor, logger } = this.#deps;
    const signal = this.#shutdown.signal;
    const groups = [...Map.groupBy(claimed, (webhook) => webhook.integrationId).values()];
    const done = new Set<string>();
    let failure: { error: unknown } | undefined;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, groups.length) }, async () => {
        while (next < groups.length && !signal.aborted && !failure) {
          const group = (groups[next++] ?? []).sort(
            (a, b) => a.receivedAt.getTime() - b.receivedAt.getTime(),
          );
          for (const webhook of group) {
            if (signal.aborted || failure) break;
            try {
              await processor.process(webhook.id, signal);
              done.add(webhook.id);
            } catch (error) {
              failure = { error };
            }
          }
        }
      }),
    );
    if (!failure) return;
    if (signal.aborted || !(await lostTheDatabase(pool, failure.error))) throw failure.error;
    logger.warn({ err: failure.error }, 'webhook processing lost the database; resuming when it is back');
    const open = claimed.filter((webhook) => !done.has(webhook.id)).map((webhook) => webhook.id);
    await retryThroughLoss(pool, () => releaseClaims(pool, open), { timeoutMs: CLAIM_MS, signal });
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
