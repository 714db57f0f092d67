// What a subscriber received, held against what it should have: events lost, repeated (the same
// id again: at-least-once delivery allows it), unexpected (a copy under a new id would show here)
// and subjects whose events arrived out of order.
import type pg from 'pg';
import type { ReceivedDelivery } from './eventSink.ts';

export interface DeliveryReport {
  expected: number;
  received: number;
  lost: number;
  repeated: number;
  unexpected: number;
  subjectsOutOfOrder: number;
}

/**
 * `expected`: each event id the subscriber should have, with its position in the order the hub
 * numbered them (outbox `seq`). Order is judged on first arrivals, per subject.
 */
export function checkDeliveries(
  received: readonly ReceivedDelivery[],
  expected: ReadonlyMap<string, number>,
): DeliveryReport {
  const seen = new Set<string>();
  const lastBySubject = new Map<string, number>();
  const outOfOrder = new Set<string>();
  let repeated = 0;
  let unexpected = 0;
  for (const { event } of received) {
    if (seen.has(event.id)) {
      repeated += 1;
      continue;
    }
    seen.add(event.id);
    const position = expected.get(event.id);
    if (position === undefined) {
      unexpected += 1;
      continue;
    }
    const subject = event.subject ?? event.id;
    if ((lastBySubject.get(subject) ?? -1) > position) outOfOrder.add(subject);
    lastBySubject.set(subject, position);
  }
  let lost = 0;
  for (const id of expected.keys()) if (!seen.has(id)) lost += 1;
  return {
    expected: expected.size,
    received: received.length,
    lost,
    repeated,
    unexpected,
    subjectsOutOfOrder: outOfOrder.size,
  };
}

/**
 * The outbox events whose type matches one of `typePatterns` (SQL LIKE, e.g. `customer.%`), by id
 * with their position; `null` positions (not numbered yet) come back as Infinity.
 */
export async function outboxEvents(
  db: Pick<pg.Pool, 'query'>,
  typePatterns: string[],
): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: string; seq: number | null }>(
    'SELECT id, seq FROM outbox_events WHERE type LIKE ANY($1::text[])',
    [typePatterns],
  );
  return new Map(rows.map((row) => [row.id, row.seq ?? Number.POSITIVE_INFINITY]));
}
