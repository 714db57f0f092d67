// The sync runs of a reliability run, read from sync_runs, with what they met: whether the
// requests of a run were answered with errors (integration_logs rows of the run's trace), and
// whether the run overlapped an outage of its system.
import type pg from 'pg';

export interface LedgerRun {
  id: string;
  integrationId: string;
  trigger: string;
  state: string;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
  /** Requests of the run that failed or were answered with an error, retries included. */
  failedRequests: number;
}

export interface Window {
  integrationId: string;
  from: Date;
  to: Date;
}

export async function readRuns(db: pg.Pool, integrationIds: string[], since: Date): Promise<LedgerRun[]> {
  const result = await db.query<LedgerRun>(
    `SELECT r.id, r.integration_id AS "integrationId", r.trigger, r.state, r.queued_at AS "queuedAt",
            r.started_at AS "startedAt", r.finished_at AS "finishedAt", r.error,
            (SELECT count(*)::int FROM integration_logs l
              WHERE l.integration_id = r.integration_id AND l.trace_id = r.trace_id AND l.status = 'error')
              AS "failedRequests"
       FROM sync_runs r
      WHERE r.integration_id = ANY($1::uuid[]) AND r.queued_at >= $2
      ORDER BY r.queued_at`,
    [integrationIds, since],
  );
  return result.rows;
}

/** Whether a run was queued, ran or was still unfinished during the window (its system down). */
export function overlaps(run: LedgerRun, window: Window): boolean {
  if (run.integrationId !== window.integrationId) return false;
  const end = run.finishedAt ?? new Date();
  return run.queuedAt <= window.to && end >= window.from;
}

export const finishedStates = new Set(['succeeded', 'partial', 'failed']);

/** The requests of a run, one line each (time, status, error), to say why a run failed. */
export async function requestsOfRun(db: pg.Pool, runId: string): Promise<string[]> {
  const result = await db.query<{ at: Date; httpStatus: number | null; error: string | null }>(
    `SELECT l.created_at AS at, l.http_status AS "httpStatus", l.error_details->>'message' AS error
       FROM sync_runs r JOIN integration_logs l ON l.integration_id = r.integration_id AND l.trace_id = r.trace_id
      WHERE r.id = $1 ORDER BY l.created_at`,
    [runId],
  );
  return result.rows.map(
    (row) => `${row.at.toISOString()} ${row.httpStatus ?? '-'} ${row.error ? row.error.slice(0, 80) : 'ok'}`,
  );
}
