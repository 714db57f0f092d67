// SQL for event_deliveries: claiming due deliveries without breaking the order within a subject,
// settling them, and the delivery log, replays and dead letters the API shows.
import type { Queryable } from '../../db/pool.ts';
import { type Pool, withTransaction } from '../../db/pool.ts';
import { HISTORY_LOCK } from '../../retention/pruneHistory.ts';
import { readQueueInOrder } from './stablePlans.ts';

const CLAIM_LOCK = 0x6875_6263; // "hubc"

export interface ClaimedDelivery {
  subscriptionId: string;
  seq: number;
  eventId: string;
  subject: string | null;
  attempts: number;
}

export interface ClaimScope {
  kinds: string[];
  /** In-process handlers this process has; their subscriptions are served only here. */
  handlers: string[];
  /** Only the subjects (or, without one, the events) that hash to this lane of so many. */
  lane?: { index: number; of: number };
}

/**
 * Claims due deliveries for `lockMs`. A delivery is due unless an earlier delivery of the same
 * subject to the same subscription still waits (in backoff, or claimed by someone else): so a
 * subject's events go out one after another, while other subjects pass. Claims are taken one
 * claimer at a time (an advisory lock), so two relays never split one subject between them.
 */
export async function claimDeliveries(
  pool: Pool,
  scope: ClaimScope,
  limit: number,
  lockMs: number,
): Promise<ClaimedDelivery[]> {
  return withTransaction(pool, async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock($1), ${readQueueInOrder}`, [CLAIM_LOCK]);
    const { rows } = await tx.query<ClaimedDelivery>(
      // A subject is blocked from its first delivery that waits (in backoff or claimed) on: both
      // kinds are found through small indexes, not by walking every pending row. The blocked
      // subjects and the subscriptions served here are each computed once (scalar subqueries), so
      // the due deliveries are read in seq order from their index and the scan stops at `limit`;
      // joined instead, the planner read and sorted every pending delivery on each claim.
      `WITH blocked AS (
         SELECT coalesce(jsonb_object_agg(subscription_id::text || ' ' || subject, first_seq), '{}') AS firsts
           FROM (SELECT subscription_id, subject, min(seq) AS first_seq FROM (
                   SELECT subscription_id, subject, seq FROM event_deliveries
                    WHERE state = 'pending' AND next_attempt_at > now()
                   UNION ALL
                   SELECT subscription_id, subject, seq FROM event_deliveries
                    WHERE state = 'pending' AND locked_until >= now()) waiting
                  WHERE subject IS NOT NULL GROUP BY subscription_id, subject) heads),
       served AS (
         SELECT id FROM event_subscriptions s
          WHERE s.enabled AND s.kind = ANY($2::text[]) AND (s.kind <> 'in-process' OR s.handler = ANY($3::text[]))),
       due AS (
         SELECT d.subscription_id, d.seq FROM event_deliveries d
          WHERE d.state = 'pending' AND d.next_attempt_at <= now()
            AND (d.locked_until IS NULL OR d.locked_until < now())
            AND d.subscription_id = ANY (ARRAY(SELECT id FROM served))
            AND ($5::int = 1 OR (hashtext(coalesce(d.subject, d.event_id::text)) & 2147483647) % $5 = $6)
            AND (d.subject IS NULL OR d.seq < coalesce(
                  ((SELECT firsts FROM blocked) ->> (d.subscription_id::text || ' ' || d.subject))::bigint,
                  9223372036854775807))
          ORDER BY d.seq LIMIT $1)
       UPDATE event_deliveries d SET locked_until = now() + make_interval(secs => $4 / 1000.0)
         FROM due WHERE d.subscription_id = due.subscription_id AND d.seq = due.seq
       RETURNING d.subscription_id AS "subscriptionId", d.seq::int AS seq, d.event_id AS "eventId",
                 d.subject, d.attempts`,
      [limit, scope.kinds, scope.handlers, lockMs, scope.lane?.of ?? 1, scope.lane?.index ?? 0],
    );
    return rows.sort((a, b) => a.seq - b.seq);
  });
}

export interface DeliveryOutcome {
  subscriptionId: string;
  seq: number;
  status: number | null;
  durationMs: number;
  error?: string | undefined;
}

export async function markDelivered(db: Queryable, outcomes: DeliveryOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await db.query(
    `UPDATE event_deliveries d SET state = 'delivered', attempts = d.attempts + 1, locked_until = NULL,
       last_status = o.status, last_error = NULL, last_attempt_at = now(), duration_ms = o.duration,
       delivered_at = now()
      FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::int[]) AS o(subscription_id, seq, status, duration)
     WHERE d.subscription_id = o.subscription_id AND d.seq = o.seq`,
    [
      outcomes.map((o) => o.subscriptionId),
      outcomes.map((o) => o.seq),
      outcomes.map((o) => o.status),
      outcomes.map((o) => o.durationMs),
    ],
  );
}

/** A failed attempt: retried at `retryAt`, or dead-lettered when `retryAt` is null. */
export async function markAttemptFailed(
  db: Queryable,
  outcomes: (DeliveryOutcome & { retryAt: Date | null })[],
): Promise<void> {
  if (outcomes.length === 0) return;
  await db.query(
    `UPDATE event_deliveries d SET attempts = d.attempts + 1, locked_until = NULL,
       state = CASE WHEN o.retry_at IS NULL THEN 'dead' ELSE 'pending' END,
       next_attempt_at = coalesce(o.retry_at, d.next_attempt_at),
       last_status = o.status, last_error = o.error, last_attempt_at = now(), duration_ms = o.duration
      FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::int[], $5::text[], $6::timestamptz[])
        AS o(subscription_id, seq, status, duration, error, retry_at)
     WHERE d.subscription_id = o.subscription_id AND d.seq = o.seq`,
    [
      outcomes.map((o) => o.subscriptionId),
      outcomes.map((o) => o.seq),
      outcomes.map((o) => o.status),
      outcomes.map((o) => o.durationMs),
      outcomes.map((o) => o.error ?? null),
      outcomes.map((o) => o.retryAt),
    ],
  );
}

/** Gives claimed deliveries back untried (an earlier one of their subject failed first). */
export async function releaseDeliveries(db: Queryable, released: { subscriptionId: string; seq: number }[]) {
  if (released.length === 0) return;
  await db.query(
    `UPDATE event_deliveries d SET locked_until = NULL
      FROM unnest($1::uuid[], $2::bigint[]) AS o(subscription_id, seq)
     WHERE d.subscription_id = o.subscription_id AND d.seq = o.seq`,
    [released.map((o) => o.subscriptionId), released.map((o) => o.seq)],
  );
}

export interface DeliveryRow {
  seq: number;
  eventId: string;
  type: string;
  subject: string | null;
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  durationMs: number | null;
  deliveredAt: Date | null;
}

export async function listDeliveries(
  db: Queryable,
  subscriptionId: string,
  filter: { state?: string | undefined; beforeSeq?: number | undefined; limit: number },
): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT d.seq::int AS seq, d.event_id AS "eventId", o.type, d.subject, d.state, d.attempts,
            d.next_attempt_at AS "nextAttemptAt", d.last_status AS "lastStatus", d.last_error AS "lastError",
            d.last_attempt_at AS "lastAttemptAt", d.duration_ms AS "durationMs", d.delivered_at AS "deliveredAt"
       FROM event_deliveries d JOIN outbox_events o ON o.seq = d.seq
      WHERE d.subscription_id = $1 AND ($2::text IS NULL OR d.state = $2)
        AND ($3::bigint IS NULL OR d.seq < $3)
      ORDER BY d.seq DESC LIMIT $4`,
    [subscriptionId, filter.state ?? null, filter.beforeSeq ?? null, filter.limit],
  );
  return rows;
}

export async function countDeliveries(
  db: Queryable,
  subscriptionId: string,
): Promise<Record<string, number>> {
  const { rows } = await db.query<{ state: string; count: number }>(
    'SELECT state, count(*)::int AS count FROM event_deliveries WHERE subscription_id = $1 GROUP BY state',
    [subscriptionId],
  );
  const counts: Record<string, number> = { pending: 0, delivered: 0, dead: 0 };
  for (const row of rows) counts[row.state] = row.count;
  return counts;
}

/**
 * Delivers again every event of the subscription's types from a point on (a time, or after an
 * event id): delivered and dead ones go back to pending, and events from before the
 * subscription existed are added. Returns how many deliveries were queued.
 */
export async function replayFrom(
  tx: Queryable,
  subscriptionId: string,
  from: { time?: Date | undefined; afterEventId?: string | undefined },
): Promise<number> {
  await tx.query('SELECT pg_advisory_xact_lock_shared($1)', [HISTORY_LOCK]);
  const { rows } = await tx.query<{ count: number }>(
    `WITH start AS (
       SELECT CASE WHEN $3::uuid IS NOT NULL THEN (SELECT seq FROM outbox_events WHERE id = $3) + 1
              ELSE (SELECT coalesce(min(seq), 1) FROM outbox_events WHERE time >= $2) END AS seq),
     events AS (
       SELECT o.seq, o.id, o.subject FROM outbox_events o, start, event_subscriptions s
        WHERE s.id = $1 AND o.seq >= start.seq AND o.type LIKE ANY (s.type_patterns)),
     queued AS (
       INSERT INTO event_deliveries (subscription_id, seq, event_id, subject)
       SELECT $1, seq, id, subject FROM events
       ON CONFLICT (subscription_id, seq) DO UPDATE SET state = 'pending', attempts = 0,
         next_attempt_at = now(), locked_until = NULL, last_error = NULL
       RETURNING 1)
     SELECT count(*)::int AS count FROM queued`,
    [subscriptionId, from.time ?? null, from.afterEventId ?? null],
  );
  return rows[0]?.count ?? 0;
}

/** Dead letters go back to pending. */
export async function replayDeadLetters(tx: Queryable, subscriptionId: string): Promise<number> {
  const result = await tx.query(
    `UPDATE event_deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(), locked_until = NULL
      WHERE subscription_id = $1 AND state = 'dead'`,
    [subscriptionId],
  );
  return result.rowCount ?? 0;
}
