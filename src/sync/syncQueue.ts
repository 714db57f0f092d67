// The job queue (pg-boss on the hub's PostgreSQL): sync runs are jobs any worker process may
// take (SKIP LOCKED), and the hub's periodic chores (health checks, daily reports) are pg-boss
// cron schedules, which fire once across all processes.
import { PgBoss } from 'pg-boss';
import type { Queryable } from '../db/pool.ts';
import type { Logger } from '../observability/logger.ts';

export const SYNC_RUN_QUEUE = 'hub-sync-run';
export const HEALTH_CHECK_QUEUE = 'hub-health-check';
export const DAILY_REPORT_QUEUE = 'hub-daily-report';
export const RETENTION_QUEUE = 'hub-retention';
export const PUSH_CHANNEL_RENEWAL_QUEUE = 'hub-push-channel-renewal';
export interface SyncJob {
  runId: string;
}

export interface QueueOptions {
  /** Workers supervise jobs and fire cron schedules; an API-only process only sends. */
  worker: boolean;
}

export class SyncQueue {
  readonly boss: PgBoss;

  private constructor(boss: PgBoss) {
    this.boss = boss;
  }

  static async start(databaseUrl: string, logger: Logger, options: QueueOptions): Promise<SyncQueue> {
    const boss = new PgBoss({
      connectionString: databaseUrl,
      max: 4,
      application_name: 'integration-hub-queue',
      supervise: options.worker,
      schedule: options.worker,
      superviseIntervalSeconds: 10,
      // Workers hear about a new run at once (LISTEN/NOTIFY); polling stays as the floor.
      useListenNotify: true,
    });
    boss.on('error', (error: Error) => logger.warn({ err: error }, 'job queue error'));
    await boss.start();
    // A sync may run for hours; a worker that dies is noticed by the run's lease, not by expiry.
    await boss.createQueue(SYNC_RUN_QUEUE, {
      expireInSeconds: 6 * 3600,
      retryLimit: 3,
      retryDelay: 5,
      notify: true,
    });
    await boss.createQueue(HEALTH_CHECK_QUEUE, { expireInSeconds: 600, retryLimit: 0, policy: 'singleton' });
    await boss.createQueue(DAILY_REPORT_QUEUE, { expireInSeconds: 600, retryLimit: 2 });
    await boss.createQueue(RETENTION_QUEUE, { expireInSeconds: 3600, retryLimit: 2, policy: 'singleton' });
    await boss.createQueue(PUSH_CHANNEL_RENEWAL_QUEUE, {
      expireInSeconds: 900,
      retryLimit: 0,
      policy: 'singleton',
    });
    return new SyncQueue(boss);
  }

  /** Sends a run's job; with `db`, inside the caller's transaction (the run and its job commit together). */
  async enqueueRun(runId: string, options: { db?: Queryable; startAfter?: Date } = {}): Promise<void> {
    await this.boss.send(SYNC_RUN_QUEUE, { runId } satisfies SyncJob, {
      ...(options.startAfter ? { startAfter: options.startAfter } : {}),
      ...(options.db ? { db: asBossDb(options.db) } : {}),
    });
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 10_000 });
  }
}

function asBossDb(db: Queryable) {
  return {
    executeSql: async (text: string, values?: unknown[]) => {
      const result = await db.query(text, values as unknown[]);
      return { rows: result.rows };
    },
  };
}
