// The daily sync report per integration: runs, success rate, records and errors of one day
// (Europe/Berlin by default), stored, listed through the API and announced as an event.
import { type Pool, withTransaction } from '../db/pool.ts';
import { appendEvents, integrationSource } from '../events/outbox.ts';

export interface DailyReport {
  integrationId: string;
  day: string;
  runs: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  records: {
    fetched: number;
    created: number;
    updated: number;
    unchanged: number;
    deleted: number;
    failed: number;
  };
  errors: { message: string; count: number }[];
  generatedAt: Date;
}

/** The calendar day of `at` in a time zone, as YYYY-MM-DD. */
export function dayIn(timezone: string, at = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

export async function generateDailyReports(
  pool: Pool,
  day: string,
  timezone = 'Europe/Berlin',
): Promise<DailyReport[]> {
  return withTransaction(pool, async (tx) => {
    const result = await tx.query<DailyReport>(
      `WITH day_runs AS (
         SELECT r.* FROM sync_runs r
          WHERE r.finished_at >= ($1::date)::timestamp AT TIME ZONE $2
            AND r.finished_at < ($1::date + 1)::timestamp AT TIME ZONE $2),
       error_counts AS (
         SELECT integration_id, jsonb_agg(jsonb_build_object('message', error, 'count', n) ORDER BY n DESC) AS errors
           FROM (SELECT integration_id, left(error, 300) AS error, count(*)::int AS n FROM day_runs
                  WHERE error IS NOT NULL GROUP BY 1, 2) e GROUP BY integration_id),
       summary AS (
         SELECT i.id AS integration_id, count(r.id)::int AS runs,
                count(r.id) FILTER (WHERE r.state = 'succeeded')::int AS succeeded,
                count(r.id) FILTER (WHERE r.state IN ('failed', 'partial'))::int AS failed,
                jsonb_build_object('fetched', coalesce(sum(r.fetched), 0), 'created', coalesce(sum(r.created), 0),
                  'updated', coalesce(sum(r.updated), 0), 'unchanged', coalesce(sum(r.unchanged), 0),
                  'deleted', coalesce(sum(r.deleted), 0), 'failed', coalesce(sum(r.failed), 0)) AS records
           FROM integration_configs i LEFT JOIN day_runs r ON r.integration_id = i.id
          GROUP BY i.id)
       INSERT INTO sync_daily_reports (integration_id, day, runs, succeeded, failed, success_rate, records, errors)
       SELECT s.integration_id, $1::date, s.runs, s.succeeded, s.failed,
              CASE WHEN s.runs = 0 THEN NULL ELSE round(s.succeeded::numeric / s.runs, 4) END,
              s.records, coalesce(e.errors, '[]'::jsonb)
         FROM summary s LEFT JOIN error_counts e ON e.integration_id = s.integration_id
       ON CONFLICT (integration_id, day) DO UPDATE SET runs = excluded.runs, succeeded = excluded.succeeded,
         failed = excluded.failed, success_rate = excluded.success_rate, records = excluded.records,
         errors = excluded.errors, generated_at = now()
       RETURNING integration_id AS "integrationId", to_char(day, 'YYYY-MM-DD') AS day, runs, succeeded, failed,
         success_rate::float8 AS "successRate", records, errors, generated_at AS "generatedAt"`,
      [day, timezone],
    );
    await appendEvents(
      tx,
      result.rows.map((report) => ({
        type: 'integration.daily_report',
        source: integrationSource(report.integrationId),
        subject: `reports/${report.day}`,
        integrationId: report.integrationId,
        data: report,
      })),
    );
    return result.rows;
  });
}

export async function listDailyReports(
  pool: Pool,
  integrationId: string,
  limit: number,
): Promise<DailyReport[]> {
  const result = await pool.query<DailyReport>(
    `SELECT integration_id AS "integrationId", to_char(day, 'YYYY-MM-DD') AS day, runs, succeeded, failed,
            success_rate::float8 AS "successRate", records, errors, generated_at AS "generatedAt"
       FROM sync_daily_reports WHERE integration_id = $1 ORDER BY day DESC LIMIT $2`,
    [integrationId, limit],
  );
  return result.rows;
}
