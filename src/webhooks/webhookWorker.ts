// A worker process's part of webhook intake: it takes processing jobs from the queue, and renews
// push channels before they expire (hourly). The processor applies one webhook of an integration
// at a time (an advisory lock), so jobs of different integrations run side by side.
import type { Logger } from '../observability/logger.ts';
import {
  PUSH_CHANNEL_RENEWAL_QUEUE,
  type SyncQueue,
  WEBHOOK_QUEUE,
  WEBHOOK_RETRY_LIMIT,
  type WebhookJob,
} from '../sync/syncQueue.ts';
import type { WebhookProcessor } from './webhookProcessor.ts';

export class WebhookWorker {
  readonly #queue: SyncQueue;
  readonly #processor: WebhookProcessor;
  readonly #logger: Logger;
  readonly #shutdown = new AbortController();

  readonly #renewPushChannels: (signal: AbortSignal) => Promise<string[]>;

  constructor(
    queue: SyncQueue,
    processor: WebhookProcessor,
    logger: Logger,
    renewPushChannels: (signal: AbortSignal) => Promise<string[]>,
  ) {
    this.#queue = queue;
    this.#processor = processor;
    this.#logger = logger;
    this.#renewPushChannels = renewPushChannels;
  }

  async start(concurrency: number): Promise<void> {
    await this.#queue.boss.work<WebhookJob>(
      WEBHOOK_QUEUE,
      { batchSize: 1, localConcurrency: concurrency, pollingIntervalSeconds: 0.5 },
      async ([job]) => {
        if (!job) return;
        await this.#processor.process(
          job.data.webhookId,
          { retryCount: job.retryCount, retryLimit: WEBHOOK_RETRY_LIMIT },
          this.#shutdown.signal,
        );
      },
    );
    await this.#queue.boss.work(PUSH_CHANNEL_RENEWAL_QUEUE, async () => {
      const renewed = await this.#renewPushChannels(this.#shutdown.signal);
      if (renewed.length > 0) this.#logger.info({ integrations: renewed }, 'push channels renewed');
    });
    await this.#queue.boss.schedule(PUSH_CHANNEL_RENEWAL_QUEUE, '17 * * * *');
    this.#logger.debug({ concurrency }, 'webhook worker started');
  }

  async stop(): Promise<void> {
    // Processing in flight is abandoned; its job is retried (webhooks are applied idempotently).
    this.#shutdown.abort(new Error('the hub is shutting down'));
  }
}
