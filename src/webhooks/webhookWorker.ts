// A worker process's part of webhook intake: it takes processing jobs from the queue, and renews
// push channels before they expire (hourly). The processor applies one webhook of an integration
// at a time (an advisory lock), so jobs of different integrations run side by side.
import type { JobResult, WorkOptions } from 'pg-boss';
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
    // Batches of jobs, fetched again at once while they come back full: a backlog (after a burst,
    // or a restart) drains without waiting for the next poll. Each job settles on its own.
    await this.#queue.boss.work<WebhookJob, unknown, WorkOptions & { perJobResults: true }>(
      WEBHOOK_QUEUE,
      {
        batchSize: 20,
        burstWhenBatchFull: true,
        perJobResults: true,
        localConcurrency: concurrency,
        pollingIntervalSeconds: 0.5,
        notifyPollingIntervalSeconds: 2,
      },
      async (jobs) => {
        const results: JobResult[] = [];
        for (const job of jobs) {
          try {
            await this.#processor.process(
              job.data.webhookId,
              { retryCount: job.retryCount, retryLimit: WEBHOOK_RETRY_LIMIT },
              this.#shutdown.signal,
            );
            results.push({ id: job.id, status: 'completed' });
          } catch (error) {
            results.push({ id: job.id, status: 'failed', output: { message: (error as Error).message } });
          }
        }
        return results;
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
