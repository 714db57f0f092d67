// Hourly buckets for the dashboard's monitoring charts, all computed in PostgreSQL: records synced
// and failed runs from sync_runs, request latency percentiles and rate-limit hits (HTTP 429) from
// integration_logs. Every hour of the window is present, empty ones with zeros.
import type { Queryable } from '../db/pool.ts';

export interface MonitoringBucket {
  hour: string;
  runs: number;
  failedRuns: number;
  recordsSynced: number;
  recordsFailed: number;
  requests: number;
  requestErrors: number;
  rateLimited: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export async function monitoringSeries(
  db: Queryable,
  options: { hours: number; integrationId?: string | undefined },
): Promise<MonitoringBucket[]> {
  const { rows } = await db.query<MonitoringBucket>(
    `WITH hours AS (
       SELECT generate_series(date_trunc('hour', now()) - make_interval(hours => $1::int - 1),
                              date_trunc('hour', now()), interval '1 hour') AS hour
     ),
     runs AS (
       SELECT date_trunc('hour', coalesce(finished_at, queued_at)) AS hour,
              count(*)::int AS runs,
              count(*) FILTER (WHERE state = 'failed')::int AS failed_runs,
              coalesce(sum(created + updated + deleted), 0)::int AS records_synced,
              coalesce(sum(failed), 0)::int AS records_failed
         FROM sync_runs
        WHERE coalesce(finished_at, queued_at) >= (SELECT min(hour) FROM hours)
          AND ($2::uuid IS NULL OR integration_id = $2::uuid)
        GROUP BY 1
     ),
     requests AS (
       SELECT date_trunc('hour', created_at) AS hour,
              count(*)::int AS requests,
              count(*) FILTER (WHERE http_status >= 400 OR status <> 'success')::int AS request_errors,
              count(*) FILTER (WHERE http_status = 429)::int AS rate_limited,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95
         FROM integration_logs
        WHERE created_at >= (SELECT min(hour) FROM hours)
          AND ($2::uuid IS NULL OR integration_id = $2::uuid)
        GROUP BY 1
     )
     SELECT to_char(h.hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS hour,
            coalesce(r.runs, 0) AS runs,
            coalesce(r.failed_runs, 0) AS "failedRuns",
            coalesce(r.records_synced, 0) AS "recordsSynced",
            coalesce(r.records_failed, 0) AS "recordsFailed",
            coalesce(q.requests, 0) AS requests,
            coalesce(q.request_errors, 0) AS "requestErrors",
            coalesce(q.rate_limited, 0) AS "rateLimited",
            round(q.p50)::int AS "latencyP50Ms",
            round(q.p95)::int AS "latencyP95Ms"
       FROM hours h
       LEFT JOIN runs r ON r.hour = h.hour
       LEFT JOIN requests q ON q.hour = h.hour
      ORDER BY h.hour`,
    [options.hours, options.integrationId ?? null],
  );
  return rows;
}
