// A worker process's part of webhook intake: it takes processing jobs from the queue. The
// processor applies one webhook of an integration at a time (an advisory lock), so jobs of
// different integrations run side by side and those of one integration one after another.
import type { Logger } from '../observability/logger.ts';
import { type SyncQueue, WEBHOOK_QUEUE, WEBHOOK_RETRY_LIMIT, type WebhookJob } from '../sync/syncQueue.ts';
import type { WebhookProcessor } from './webhookProcessor.ts';

export class WebhookWorker {
  readonly #queue: SyncQueue;
  readonly #processor: WebhookProcessor;
  readonly #logger: Logger;
  readonly #shutdown = new AbortController();

  constructor(queue: SyncQueue, processor: WebhookProcessor, logger: Logger) {
    this.#queue = queue;
    this.#processor = processor;
    this.#logger = logger;
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
    this.#logger.debug({ concurrency }, 'webhook worker started');
  }

  async stop(): Promise<void> {
    // Processing in flight is abandoned; its job is retried (webhooks are applied idempotently).
    this.#shutdown.abort(new Error('the hub is shutting down'));
  }
}
