// A worker process's part of the sync engine: it takes run jobs from the queue, ticks the
// scheduler, and does the periodic chores (health checks on HUB_HEALTH_CHECK_CRON, the daily
// report before midnight, pruning old history at 03:30). An API-only process (HUB_ROLE=api)
// starts none of this and only queues runs.
import { setTimeout as sleep } from 'node:timers/promises';
import { retryThroughLoss } from '../db/connectionLoss.ts';
import type { Logger } from '../observability/logger.ts';
import { pruneHistory } from '../retention/pruneHistory.ts';
import { dayIn, generateDailyReports } from './dailyReport.ts';
import { type HealthCheckDependencies, healthCheckAll } from './healthChecks.ts';
import { Scheduler } from './scheduler.ts';
import {
  DAILY_REPORT_QUEUE,
  HEALTH_CHECK_QUEUE,
  RETENTION_QUEUE,
  SYNC_RUN_QUEUE,
  type SyncJob,
} from './syncQueue.ts';
import type { SyncRunner } from './syncRunner.ts';
import { LEASE_SECONDS } from './syncRunsTable.ts';

/** Waits up to this long are slept through by the worker that ran the run. */
const SHORT_WAIT_MS = 15_000;

export interface WorkerOptions {
  concurrency: number;
  schedulerIntervalMs: number;
  reportTimezone: string;
  /** null: no periodic checks (a check on request and the recovery probes still run). */
  healthCheckCron: string | null;
  retentionDays: number;
}

export class SyncWorker {
  readonly #deps: HealthCheckDependencies & { runner: SyncRunner; logger: Logger };
  readonly #options: WorkerOptions;
  readonly #shutdown = new AbortController();
  readonly #scheduler: Scheduler;

  constructor(deps: HealthCheckDependencies & { runner: SyncRunner }, options: WorkerOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#scheduler = new Scheduler({ ...deps, intervalMs: options.schedulerIntervalMs });
  }

  async start(): Promise<void> {
    const { queue, runner, logger } = this.#deps;
    const { boss } = queue;
    await boss.work<SyncJob>(
      SYNC_RUN_QUEUE,
      { batchSize: 1, localConcurrency: this.#options.concurrency, pollingIntervalSeconds: 0.5 },
      async ([job]) => {
        if (!job) return;
        const outcome = await runner
          .execute(job.data.runId, this.#shutdown.signal)
          .catch((error: unknown) => {
            // Interrupted (shutdown, lease taken over): the run resumes from its checkpoint elsewhere.
            if (this.#shutdown.signal.aborted) return { kind: 'skipped' as const, reason: 'shutdown' };
            throw error;
          });
        if (outcome.kind === 'waiting') await this.#resumeAfterWait(job.data.runId, outcome.resumeAt);
        if (outcome.kind === 'released') await this.#requeue(job.data.runId);
      },
    );
    await boss.work(HEALTH_CHECK_QUEUE, async () => {
      const results = await healthCheckAll(this.#deps);
      logger.debug({ checked: results.length }, 'health checks done');
    });
    if (this.#options.healthCheckCron) {
      await boss.schedule(HEALTH_CHECK_QUEUE, this.#options.healthCheckCron, null, {
        tz: this.#options.reportTimezone,
      });
    } else {
      await boss.unschedule(HEALTH_CHECK_QUEUE);
    }
    await boss.work(DAILY_REPORT_QUEUE, async () => {
      const reports = await generateDailyReports(this.#deps.pool, dayIn(this.#options.reportTimezone));
      logger.info({ integrations: reports.length }, 'daily sync reports generated');
    });
    await boss.schedule(DAILY_REPORT_QUEUE, '55 23 * * *', null, { tz: this.#options.reportTimezone });
    await boss.work(RETENTION_QUEUE, async () => {
      const pruned = await pruneHistory(this.#deps.pool, this.#options.retentionDays);
      logger.info({ ...pruned, retentionDays: this.#options.retentionDays }, 'old history pruned');
    });
    await boss.schedule(RETENTION_QUEUE, '30 3 * * *', null, { tz: this.#options.reportTimezone });
    this.#scheduler.start();
  }

  /**
   * A short pause (after a transient failure) is waited out here: a delayed job is only seen by
   * the queue's next poll, up to half a minute later. Longer waits (quotas) go back to the queue
   * to start after the wait; so does a short one interrupted by shutdown, for another worker.
   */
  async #resumeAfterWait(runId: string, resumeAt: Date): Promise<void> {
    const waitMs = resumeAt.getTime() - Date.now();
    if (waitMs <= SHORT_WAIT_MS) {
      const waited = await sleep(Math.max(0, waitMs), true, { signal: this.#shutdown.signal }).catch(
        () => false,
      );
      if (waited) return this.#requeue(runId);
    }
    await this.#requeue(runId, resumeAt);
  }

  /**
   * Sends the run's next job. A run released after a lost database is often sent while the
   * database is lost again (a restart drops connections more than once): the send is tried until
   * it gets through, or else the run would wait for the scheduler's stalled-run sweep.
   */
  #requeue(runId: string, startAfter?: Date): Promise<void> {
    const { queue, pool } = this.#deps;
    return retryThroughLoss(pool, () => queue.enqueueRun(runId, startAfter ? { startAfter } : {}), {
      timeoutMs: LEASE_SECONDS * 1000,
    });
  }

  async stop(): Promise<void> {
    this.#shutdown.abort(new Error('the hub is shutting down'));
    await this.#scheduler.stop();
  }
}
