// The second look before a sweep. A full pass over a list paged by position (offsets, page
// numbers, cursors that are offsets inside) skips a record whenever one before it is deleted
// between two pages: the records behind move up a place. Sweeping on the word of that pass alone
// would delete a record the source still has, and announce it deleted. So the ids a full pass did
// not see are only candidates; a second walk over the source's ids (no mapping, no writes)
// decides, and only what it does not see either is deleted.
import type { LiveAdapter } from '../connectors/runtime/connectorRuntime.ts';
import type { Queryable } from '../db/pool.ts';

/** Live records of the entity that the pass did not see (its remembered ids, and those still in hand). */
export async function sweepCandidates(
  db: Queryable,
  target: { integrationId: string; entity: string },
  passId: string,
  inHand: string[],
): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `SELECT external_id AS id FROM synced_records WHERE integration_id = $1 AND entity = $2 AND deleted_at IS NULL
     EXCEPT
     SELECT external_id FROM sync_seen_ids WHERE run_id = $3 AND entity = $2
     EXCEPT
     SELECT unnest($4::text[])`,
    [target.integrationId, target.entity, passId, inHand],
  );
  return result.rows.map((row) => row.id);
}

/** Walks the entity again from the start; returns the candidates that walk did not see either. */
export async function confirmGone(
  live: LiveAdapter,
  entity: string,
  candidates: string[],
  signal: AbortSignal,
): Promise<string[]> {
  const unseen = new Set(candidates);
  for await (const batch of live.adapter.sync({ entity, mode: 'full', state: {}, signal })) {
    for (const record of batch.records) {
      if (record.externalId && !record.deleted) unseen.delete(record.externalId);
    }
    // Every candidate turned up: nothing is gone, the rest of the walk can be spared.
    if (unseen.size === 0) break;
    if (batch.fullPassComplete) break;
  }
  return [...unseen];
}
