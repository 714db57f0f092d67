// Reads an integration's record events (the outbox) for what the record table cannot show:
// a record announced twice (created again without a deletion between, an update that repeats
// the content before it, deleted twice), and deletions of records the source never deleted.
import type pg from 'pg';

export interface EventAudit {
  /** Record events of the integration. */
  events: number;
  /** Records with at least one repeated announcement. */
  duplicated: string[];
  /** Records the hub announced as deleted although the source never deleted them. */
  wronglyDeleted: string[];
}

export async function auditEvents(
  db: pg.Pool,
  integrationId: string,
  /** Every id the suite deleted at the source. */
  deletedAtSource: ReadonlySet<string>,
): Promise<EventAudit> {
  const result = await db.query<{ externalId: string; events: number; repeats: number; deletions: number }>(
    `WITH record_events AS (
       SELECT data->>'externalId' AS external_id, type, data->'record' AS record,
              lag(type) OVER w AS previous_type, lag(data->'record') OVER w AS previous_record
         FROM outbox_events
        WHERE integration_id = $1 AND type NOT LIKE 'integration.%' AND type ~ '\\.(created|updated|deleted)$'
       WINDOW w AS (PARTITION BY subject ORDER BY position))
     SELECT external_id AS "externalId", count(*)::int AS events,
            count(*) FILTER (WHERE
              (type LIKE '%.created' AND previous_type IS NOT NULL AND previous_type NOT LIKE '%.deleted')
              OR (type LIKE '%.updated' AND record = previous_record)
              OR (type LIKE '%.deleted' AND previous_type LIKE '%.deleted'))::int AS repeats,
            count(*) FILTER (WHERE type LIKE '%.deleted')::int AS deletions
       FROM record_events GROUP BY external_id`,
    [integrationId],
  );
  return {
    events: result.rows.reduce((sum, row) => sum + row.events, 0),
    duplicated: result.rows.filter((row) => row.repeats > 0).map((row) => row.externalId),
    wronglyDeleted: result.rows
      .filter((row) => row.deletions > 0 && !deletedAtSource.has(row.externalId))
      .map((row) => row.externalId),
  };
}
