// Numbers committed outbox events in delivery order and fans them out to the subscriptions whose
// type patterns match, in ONE transaction. Only one sequencer works at a time (an advisory lock
// held until its commit), and it numbers every row its snapshot sees, in position order; rows of
// a transaction that commits late are simply numbered by a later pass. Readers that follow `seq`
// therefore never skip an event, and events of one subject keep their order (their transactions
// are serialised by the lock on the subject's row, so the earlier one is committed, and numbered
// first, before the later one exists).
import type { Pool } from '../../db/pool.ts';
import { withTransaction } from '../../db/pool.ts';
import { readQueueInOrder } from './stablePlans.ts';

const SEQUENCER_LOCK = 0x6875_6273; // "hubs"

export interface Sequenced {
  sequenced: number;
  fannedOut: number;
}

export async function sequenceEvents(pool: Pool, limit = 5_000): Promise<Sequenced> {
  return withTransaction(pool, async (tx) => {
    const lock = await tx.query<{ ok: boolean }>(
      `SELECT pg_try_advisory_xact_lock($1) AS ok, ${readQueueInOrder}`,
      [SEQUENCER_LOCK],
    );
    if (!lock.rows[0]?.ok) return { sequenced: 0, fannedOut: 0 };
    const { rows } = await tx.query<{ sequenced: number; fanned: number }>(
      `WITH next AS (
         SELECT position FROM outbox_events WHERE seq IS NULL ORDER BY position LIMIT $1),
       base AS (SELECT coalesce(max(seq), 0) AS s FROM outbox_events),
       numbered AS (
         UPDATE outbox_events o SET seq = base.s + n.rn
           FROM (SELECT position, row_number() OVER (ORDER BY position) AS rn FROM next) n, base
          WHERE o.position = n.position
         RETURNING o.seq, o.id, o.type, o.subject),
       fanned AS (
         INSERT INTO event_deliveries (subscription_id, seq, event_id, subject)
         SELECT s.id, n.seq, n.id, n.subject
           FROM numbered n JOIN event_subscriptions s ON n.type LIKE ANY (s.type_patterns)
         RETURNING 1)
       SELECT (SELECT count(*) FROM numbered)::int AS sequenced, (SELECT count(*) FROM fanned)::int AS fanned`,
      [limit],
    );
    return { sequenced: rows[0]?.sequenced ?? 0, fannedOut: rows[0]?.fanned ?? 0 };
  });
}
