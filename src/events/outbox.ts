// The transactional outbox: events are inserted by the same transaction as the change they
// describe, so a change is never committed without its event nor an event without its change.
// Events are CloudEvents 1.0. Their `position` as readers see it is the delivery order the relay
// assigns once an event is committed (relay/sequencer.ts), so a reader never skips one.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/pool.ts';
import { currentTraceContext } from '../observability/tracing.ts';
import { hubDataschema } from './schemas/shippedSchemas.ts';

export interface HubEvent {
  type: string;
  source: string;
  subject?: string | undefined;
  data: unknown;
  integrationId?: string | undefined;
  traceId?: string | undefined;
  dataschema?: string | undefined;
}

export interface CloudEvent {
  specversion: '1.0';
  id: string;
  type: string;
  source: string;
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  dataschema?: string;
  data: unknown;
}

export const HUB_SOURCE = 'urn:integration-hub';

export function integrationSource(integrationId: string): string {
  return `${HUB_SOURCE}:integrations/${integrationId}`;
}

/**
 * Writes events to the outbox. An event of the current span's trace also stores that span's W3C
 * context, so its deliveries become children of the span that wrote it.
 */
export async function appendEvents(tx: Queryable, events: HubEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const ids = events.map(() => randomUUID());
  const traceId = events[0]?.traceId;
  const trace = currentTraceContext(traceId);
  const traceOf = (event: HubEvent) => (trace && event.traceId === traceId ? trace : undefined);
  await tx.query(
    `INSERT INTO outbox_events (id, type, source, subject, data, dataschema, integration_id, trace_id,
       traceparent, tracestate)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::uuid[],
       $8::text[], $9::text[], $10::text[])`,
    [
      ids,
      events.map((event) => event.type),
      events.map((event) => event.source),
      events.map((event) => event.subject ?? null),
      events.map((event) => JSON.stringify(event.data)),
      events.map((event) => event.dataschema ?? null),
      events.map((event) => event.integrationId ?? null),
      events.map((event) => event.traceId ?? null),
      events.map((event) => traceOf(event)?.traceparent ?? null),
      events.map((event) => traceOf(event)?.tracestate ?? null),
    ],
  );
  return ids;
}

interface OutboxRow {
  position: number;
  id: string;
  type: string;
  source: string;
  subject: string | null;
  time: Date;
  data: unknown;
  dataschema: string | null;
}

export function toCloudEvent(row: OutboxRow): CloudEvent & { position: number } {
  // Events the hub writes itself get their schema version here, when read (see hubDataschema).
  const dataschema = row.dataschema ?? hubDataschema(row.type);
  return {
    specversion: '1.0',
    id: row.id,
    type: row.type,
    source: row.source,
    ...(row.subject ? { subject: row.subject } : {}),
    time: row.time.toISOString(),
    datacontenttype: 'application/json',
    ...(dataschema ? { dataschema } : {}),
    data: row.data,
    position: row.position,
  };
}

export interface EventQuery {
  afterPosition?: number | undefined;
  integrationId?: string | undefined;
  typePrefix?: string | undefined;
  limit: number;
}

export async function listEvents(db: Queryable, query: EventQuery) {
  const result = await db.query<OutboxRow>(
    `SELECT seq AS position, id, type, source, subject, time, data, dataschema FROM outbox_events
      WHERE seq > $1 AND ($2::uuid IS NULL OR integration_id = $2)
        AND ($3::text IS NULL OR type LIKE $3 || '%')
      ORDER BY seq LIMIT $4`,
    [query.afterPosition ?? 0, query.integrationId ?? null, query.typePrefix ?? null, query.limit],
  );
  return result.rows.map(toCloudEvent);
}

/** The position of the newest event readers can see (0 before the first). */
export async function newestPosition(db: Queryable): Promise<number> {
  const result = await db.query<{ position: number }>(
    'SELECT coalesce(max(seq), 0)::bigint AS position FROM outbox_events',
  );
  return result.rows[0]?.position ?? 0;
}

/** The position to read after so that the last `count` matching events come first. */
export async function positionBeforeLast(
  db: Queryable,
  query: Omit<EventQuery, 'afterPosition' | 'limit'>,
  count: number,
): Promise<number> {
  const result = await db.query<{ position: number }>(
    `SELECT coalesce(min(seq) - 1, (SELECT coalesce(max(seq), 0) FROM outbox_events))::bigint AS position
       FROM (SELECT seq FROM outbox_events
              WHERE seq IS NOT NULL AND ($1::uuid IS NULL OR integration_id = $1)
                AND ($2::text IS NULL OR type LIKE $2 || '%')
              ORDER BY seq DESC LIMIT $3) last`,
    [query.integrationId ?? null, query.typePrefix ?? null, count],
  );
  return result.rows[0]?.position ?? 0;
}
