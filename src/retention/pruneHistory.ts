// Retention: history the hub is done with is deleted once it is older than HUB_RETENTION_DAYS, in
// small transactions so the relay and the API keep their locks short:
// - events with every delivery delivered before the cutoff, and those deliveries (events still
//   pending or dead for some subscriber stay, with their deliveries);
// - inbound webhooks processed before the cutoff (dead letters stay until a person replays them);
// - integration log lines.
// The newest numbered event always stays: the sequencer numbers on from the highest `seq`.
// Replays from a time reach back as far as the events kept; the audit log is never pruned here.
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/pool.ts';

const CHUNK = 5_000;
/** Held by a pruning chunk; replays hold it shared, so a replay never queues an event being deleted. */
export const HISTORY_LOCK = 0x6875_6272; // "hubr"

export interface PrunedHistory {
  events: number;
  deliveries: number;
  webhooks: number;
  integrationLogs: number;
}

export async function pruneHistory(
  pool: Pool,
  retentionDays: number,
  now = new Date(),
): Promise<PrunedHistory> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const pruned = { events: 0, deliveries: 0, webhooks: 0, integrationLogs: 0 };
  await pruneEvents(pool, cutoff, pruned);
  pruned.webhooks = await deleteInChunks(
    pool,
    `DELETE FROM inbound_webhooks WHERE id IN (
       SELECT id FROM inbound_webhooks WHERE state = 'processed' AND processed_at < $1 LIMIT ${CHUNK})`,
    cutoff,
  );
  pruned.integrationLogs = await deleteInChunks(
    pool,
    `DELETE FROM integration_logs WHERE id IN (SELECT id FROM integration_logs WHERE created_at < $1 LIMIT ${CHUNK})`,
    cutoff,
  );
  return pruned;
}

/** Walks the events older than the cutoff in position order, a chunk per transaction. */
async function pruneEvents(pool: Pool, cutoff: Date, pruned: PrunedHistory): Promise<void> {
  let after = 0;
  for (;;) {
    const chunk = await withTransaction(pool, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [HISTORY_LOCK]);
      const { rows } = await tx.query<{ position: string; seq: string }>(
        `SELECT position, seq FROM outbox_events
          WHERE position > $1 AND seq IS NOT NULL AND time < $2
            AND seq < (SELECT max(seq) FROM outbox_events)
          ORDER BY position LIMIT ${CHUNK}`,
        [after, cutoff],
      );
      if (rows.length === 0) return { last: after, size: 0 };
      const seqs = rows.map((row) => row.seq);
      // The check for deliveries left reads the primary key (subscription, seq), one probe per
      // subscription; there is no index on seq alone, which every delivery insert would pay for.
      const deliveries = await tx.query(
        `DELETE FROM event_deliveries
          WHERE subscription_id = ANY (ARRAY(SELECT id FROM event_subscriptions)) AND seq = ANY($1::bigint[])
            AND state = 'delivered' AND delivered_at < $2`,
        [seqs, cutoff],
      );
      const events = await tx.query(
        `DELETE FROM outbox_events o WHERE o.seq = ANY($1::bigint[])
            AND NOT EXISTS (SELECT 1 FROM event_deliveries d
                             WHERE d.subscription_id = ANY (ARRAY(SELECT id FROM event_subscriptions))
                               AND d.seq = o.seq)`,
        [seqs],
      );
      pruned.deliveries += deliveries.rowCount ?? 0;
      pruned.events += events.rowCount ?? 0;
      return { last: Number(rows.at(-1)?.position), size: rows.length };
    });
    if (chunk.size < CHUNK) return;
    after = chunk.last;
  }
}

async function deleteInChunks(pool: Pool, statement: string, cutoff: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = (await pool.query(statement, [cutoff])).rowCount ?? 0;
    total += deleted;
    if (deleted < CHUNK) return total;
  }
}
