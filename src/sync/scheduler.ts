// The scheduler tick, run by every worker process: it starts the runs whose time has come, hands
// runs of dead workers to live ones, and probes integrations in error. Each step claims its rows
// with FOR UPDATE SKIP LOCKED inside one transaction, so any number of processes may tick at
// once and each due run still starts exactly once. A schedule's next time is computed from now:
// after downtime, the missed runs are caught up by one run, not one per missed slot.
import { type Pool, type PoolClient, withTransaction } from '../db/pool.ts';
import type { Schedule } from '../registry/integrationSchema.ts';
import { findIntegration } from '../registry/integrationsTable.ts';
import { checkIntegration, type HealthCheckDependencies } from './healthChecks.ts';
import { claimDueProbes } from './integrationHealth.ts';
import { nextOccurrence } from './nextOccurrence.ts';
import { requestRun } from './runRequests.ts';
import { findStalledRuns, LEASE_SECONDS } from './syncRunsTable.ts';

export interface SchedulerDependencies extends HealthCheckDependencies {
  intervalMs: number;
}

export class Scheduler {
  readonly #deps: SchedulerDependencies;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #stopped = false;

  constructor(deps: SchedulerDependencies) {
    this.#deps = deps;
  }

  start(): void {
    const loop = () => {
      if (this.#stopped) return;
      this.#ticking = this.tick()
        .catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'scheduler tick failed'))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(loop, this.#deps.intervalMs);
        });
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#ticking;
  }

  async tick(): Promise<void> {
    await ensureScheduleRows(this.#deps.pool);
    await this.startDueRuns();
    await this.resumeStalledRuns();
    await this.probeFailingIntegrations();
  }

  async startDueRuns(): Promise<number> {
    const { pool, queue, logger } = this.#deps;
    return withTransaction(pool, async (tx) => {
      // Rows without a next time (a changed schedule, a row made by a manual run) get one from the cron.
      const unscheduled = await tx.query<{ integrationId: string; entity: string; schedule: Schedule }>(
        `SELECT s.integration_id AS "integrationId", s.entity_type AS entity, i.schedule
           FROM sync_status s JOIN integration_configs i ON i.id = s.integration_id
          WHERE s.next_sync_at IS NULL LIMIT 500 FOR UPDATE OF s SKIP LOCKED`,
      );
      for (const row of unscheduled.rows) {
        await tx.query(
          'UPDATE sync_status SET next_sync_at = $3 WHERE integration_id = $1 AND entity_type = $2',
          [row.integrationId, row.entity, nextOccurrence(row.schedule.cron, row.schedule.timezone)],
        );
      }
      const due = await tx.query<{
        integrationId: string;
        entity: string;
        schedule: Schedule;
        entities: string[];
      }>(
        `SELECT s.integration_id AS "integrationId", s.entity_type AS entity, i.schedule, i.entities
           FROM sync_status s JOIN integration_configs i ON i.id = s.integration_id
          WHERE s.next_sync_at <= now() AND i.status = 'active' AND (i.schedule->>'enabled')::boolean
          ORDER BY s.next_sync_at LIMIT 500
          FOR UPDATE OF s SKIP LOCKED`,
      );
      const byIntegration = new Map<string, { schedule: Schedule; entities: string[]; due: string[] }>();
      for (const row of due.rows) {
        const entry = byIntegration.get(row.integrationId) ?? {
          schedule: row.schedule,
          entities: row.entities,
          due: [],
        };
        if (row.entities.includes(row.entity)) entry.due.push(row.entity);
        byIntegration.set(row.integrationId, entry);
      }
      let started = 0;
      for (const [integrationId, entry] of byIntegration) {
        const next = nextOccurrence(entry.schedule.cron, entry.schedule.timezone);
        await tx.query(
          `UPDATE sync_status SET next_sync_at = $2 WHERE integration_id = $1 AND next_sync_at <= now()`,
          [integrationId, next],
        );
        if (entry.due.length === 0) continue;
        const { created } = await requestRun(tx as PoolClient, queue, {
          integrationId,
          trigger: 'schedule',
          mode: 'incremental',
          entities: entry.due,
        });
        if (created) started += 1;
        else logger.debug({ integrationId }, 'scheduled run skipped: a run is still unfinished');
      }
      return started;
    });
  }

  /** Runs whose worker died (no heartbeat for the lease time) or whose wait is over go back to the queue. */
  async resumeStalledRuns(): Promise<number> {
    const { pool, queue, logger } = this.#deps;
    const stalled = await findStalledRuns(pool);
    let resumed = 0;
    for (const run of stalled) {
      await withTransaction(pool, async (tx) => {
        const requeued = await tx.query(
          `UPDATE sync_runs SET state = 'queued', lease_token = NULL, queued_at = now()
            WHERE id = $1 AND ((state = 'running' AND heartbeat_at < now() - make_interval(secs => $2))
               OR (state = 'waiting' AND resume_at <= now()) OR (state = 'queued' AND queued_at = $3))`,
          [run.id, LEASE_SECONDS, run.queuedAt],
        );
        if (requeued.rowCount === 1) {
          await queue.enqueueRun(run.id, { db: tx });
          resumed += 1;
          logger.info(
            { runId: run.id, integrationId: run.integrationId, was: run.state },
            'run handed to a live worker',
          );
        }
      });
    }
    return resumed;
  }

  async probeFailingIntegrations(): Promise<void> {
    const claims = await withTransaction(this.#deps.pool, (tx) => claimDueProbes(tx, 10));
    await Promise.all(
      claims.map(async (claim) => {
        const integration = await findIntegration(this.#deps.pool, claim.integrationId);
        if (integration?.status === 'error') await checkIntegration(this.#deps, integration);
      }),
    );
  }
}

/** Active integrations get a sync_status row per entity; a new row is due at once (the first sync). */
export async function ensureScheduleRows(pool: Pool): Promise<void> {
  await pool.query(
    `INSERT INTO sync_status (id, integration_id, entity_type, next_sync_at)
     SELECT md5(i.id::text || e.entity)::uuid, i.id, e.entity, now()
       FROM integration_configs i CROSS JOIN LATERAL jsonb_array_elements_text(i.entities) AS e(entity)
      WHERE i.status = 'active'
        AND NOT EXISTS (SELECT 1 FROM sync_status s WHERE s.integration_id = i.id AND s.entity_type = e.entity)
     ON CONFLICT (integration_id, entity_type) DO NOTHING`,
  );
}
