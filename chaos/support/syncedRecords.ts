// An integration's synced records and record events held against the source's own data: records
// lost (in the source, not in the hub), duplicated (stored more than once, or stored without being
// in the source), and record events repeated under a new id (a record created twice).
import type pg from 'pg';

export interface SyncedRecordsCheck {
  inSource: number;
  stored: number;
  lost: number;
  duplicated: number;
  /** `<entity>.created` events beyond one per record. */
  eventsRepeated: number;
}

export async function checkSyncedRecords(
  db: Pick<pg.Pool, 'query'>,
  integrationId: string,
  entity: string,
  sourceIds: Iterable<string>,
): Promise<SyncedRecordsCheck> {
  const expected = new Set(sourceIds);
  const stored = await db.query<{ id: string }>(
    'SELECT external_id AS id FROM synced_records WHERE integration_id = $1 AND entity = $2 AND deleted_at IS NULL',
    [integrationId, entity],
  );
  const seen = new Set<string>();
  let duplicated = 0;
  for (const { id } of stored.rows) {
    if (seen.has(id) || !expected.has(id)) duplicated += 1;
    seen.add(id);
  }
  let lost = 0;
  for (const id of expected) if (!seen.has(id)) lost += 1;
  const events = await db.query<{ repeated: number }>(
    `SELECT (count(*) - count(DISTINCT subject))::int AS repeated FROM outbox_events
      WHERE integration_id = $1 AND type LIKE '%.created'`,
    [integrationId],
  );
  return {
    inSource: expected.size,
    stored: stored.rows.length,
    lost,
    duplicated,
    eventsRepeated: events.rows[0]?.repeated ?? 0,
  };
}
