// The canonical record store. A batch is compared with what is stored by content hash: new
// records are inserted, changed ones updated, unchanged ones left alone (no write, no event).
// Each write and its record event go to the database in ONE statement (records upsert, then the
// outbox insert from what was written), inside the caller's transaction; the record's JSON is
// sent once. One writer per (integration, entity) at a time is guaranteed by the run's lease.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/pool.ts';
import { integrationSource } from '../events/outbox.ts';
import { currentTraceContext } from '../observability/tracing.ts';

export interface CanonicalRecord {
  externalId: string;
  /** The canonical record as JSON text: serialised once, for the hash and for the database. */
  json: string;
  hash: string;
}

/** Where records are written: by a run, or (runId null) by a webhook that carried them. */
export interface WriteTarget {
  integrationId: string;
  entity: string;
  canonicalType: string;
  runId: string | null;
  traceId?: string | undefined;
}

export interface StoreTarget extends WriteTarget {
  runId: string;
}

export interface StoreCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

const noChange = (): StoreCounts => ({ created: 0, updated: 0, unchanged: 0, deleted: 0 });

export interface Classified {
  /** Records that are new or differ from the stored copy, in input order, with their kind. */
  changed: { record: CanonicalRecord; kind: 'created' | 'updated' }[];
  unchanged: number;
}

/** Compares a batch with the stored copies by content hash. Reads only; safe outside a transaction. */
export async function classifyRecords(
  db: Queryable,
  target: Pick<StoreTarget, 'integrationId' | 'entity'>,
  incoming: CanonicalRecord[],
): Promise<Classified> {
  const byId = new Map<string, CanonicalRecord>();
  for (const record of incoming) byId.set(record.externalId, record);
  const records = [...byId.values()];
  const classified: Classified = { changed: [], unchanged: 0 };
  if (records.length === 0) return classified;
  const existing = await db.query<{ id: string; hash: string | null; deleted: boolean; held: boolean }>(
    `SELECT external_id AS id, content_hash AS hash, deleted_at IS NOT NULL AS deleted,
            write_state IS NOT NULL AS held FROM synced_records
      WHERE integration_id = $1 AND entity = $2 AND external_id = ANY($3::text[])`,
    [target.integrationId, target.entity, records.map((record) => record.externalId)],
  );
  const stored = new Map(existing.rows.map((row) => [row.id, row]));
  for (const record of records) {
    const before = stored.get(record.externalId);
    // A record changed in the hub waits for its write-back, which reads the source's version itself.
    if (before && !before.deleted && (before.hash === record.hash || before.held)) classified.unchanged += 1;
    else classified.changed.push({ record, kind: before && !before.deleted ? 'updated' : 'created' });
  }
  return classified;
}

/** Writes the changed records of a batch and their record events, in one statement. */
export async function writeRecords(
  tx: Queryable,
  target: WriteTarget,
  changed: Classified['changed'],
): Promise<StoreCounts> {
  const counts = noChange();
  if (changed.length === 0) return counts;
  for (const item of changed) counts[item.kind] += 1;
  await tx.query(
    `WITH input AS (
       SELECT * FROM unnest($5::text[], $6::jsonb[], $7::text[], $8::uuid[], $9::text[]) WITH ORDINALITY
         AS t(id, data, hash, event_id, kind, n)),
     written AS (
       INSERT INTO synced_records (integration_id, entity, external_id, canonical_type, data, content_hash, last_run_id)
       SELECT $1, $2, id, $3, data, hash, $4 FROM input
       ON CONFLICT (integration_id, entity, external_id) DO UPDATE SET data = excluded.data,
         content_hash = excluded.content_hash, canonical_type = excluded.canonical_type,
         version = synced_records.version + 1, deleted_at = NULL, updated_at = now(), last_run_id = excluded.last_run_id
       RETURNING external_id, version, data)
     INSERT INTO outbox_events (id, type, source, subject, data, integration_id, trace_id, traceparent,
       tracestate)
     SELECT i.event_id, $3 || '.' || i.kind, $10, $2 || '/' || w.external_id,
            jsonb_build_object('integrationId', $1::text, 'entity', $2::text, 'externalId', w.external_id,
              'version', w.version, 'runId', $4::text, 'record', w.data),
            $1, $11, $12, $13
       FROM written w JOIN input i ON i.id = w.external_id ORDER BY i.n`,
    [
      target.integrationId,
      target.entity,
      target.canonicalType,
      target.runId,
      changed.map((item) => item.record.externalId),
      changed.map((item) => item.record.json),
      changed.map((item) => item.record.hash),
      changed.map(() => randomUUID()),
      changed.map((item) => item.kind),
      integrationSource(target.integrationId),
      target.traceId ?? null,
      ...traceColumns(target),
    ],
  );
  return counts;
}

/** Marks records as deleted (tombstones, sweeps), with their events; unknown or deleted ids are no-ops. */
export async function deleteRecords(
  tx: Queryable,
  target: WriteTarget,
  externalIds: string[],
): Promise<StoreCounts> {
  const counts = noChange();
  const ids = [...new Set(externalIds)];
  if (ids.length === 0) return counts;
  const result = await tx.query(
    `WITH gone AS (
       UPDATE synced_records SET deleted_at = now(), content_hash = NULL, version = version + 1, updated_at = now(),
         last_run_id = $4
        WHERE integration_id = $1 AND entity = $2 AND external_id = ANY($5::text[]) AND deleted_at IS NULL
        RETURNING external_id, version, data)
     INSERT INTO outbox_events (id, type, source, subject, data, integration_id, trace_id, traceparent,
       tracestate)
     SELECT gen.id, $3 || '.deleted', $6, $2 || '/' || g.external_id,
            jsonb_build_object('integrationId', $1::text, 'entity', $2::text, 'externalId', g.external_id,
              'version', g.version, 'runId', $4::text, 'record', g.data),
            $1, $7, $9, $10
       FROM (SELECT external_id, version, data, row_number() OVER (ORDER BY external_id) AS n FROM gone) g
       JOIN unnest($8::uuid[]) WITH ORDINALITY AS gen(id, n) ON gen.n = g.n`,
    [
      target.integrationId,
      target.entity,
      target.canonicalType,
      target.runId,
      ids,
      integrationSource(target.integrationId),
      target.traceId ?? null,
      ids.map(() => randomUUID()),
      ...traceColumns(target),
    ],
  );
  counts.deleted = result.rowCount ?? 0;
  return counts;
}

/** Ids a full pass saw, so that the pass's end can sweep the ones it did not see. Returns how many were new. */
export async function rememberSeen(
  tx: Queryable,
  passId: string,
  entity: string,
  externalIds: string[],
): Promise<number> {
  if (externalIds.length === 0) return 0;
  const result = await tx.query(
    `INSERT INTO sync_seen_ids (run_id, entity, external_id) SELECT $1, $2, unnest($3::text[])
     ON CONFLICT DO NOTHING`,
    [passId, entity, externalIds],
  );
  return result.rowCount ?? 0;
}

export async function countSeen(tx: Queryable, passId: string, entity: string): Promise<number> {
  const result = await tx.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM sync_seen_ids WHERE run_id = $1 AND entity = $2',
    [passId, entity],
  );
  return result.rows[0]?.count ?? 0;
}

/** Deletes the live records of the entity that the full pass did not see, of those confirmed gone. */
export async function sweepUnseen(
  tx: Queryable,
  target: StoreTarget,
  passId: string,
  confirmedGone: string[],
): Promise<StoreCounts> {
  // The unseen ids are found by a set operation first: the scratch table has no statistics (it
  // was filled moments ago), and a join planned on guesses degrades to comparing every pair.
  const gone = await tx.query<{ id: string }>(
    `SELECT external_id AS id FROM synced_records WHERE integration_id = $1 AND entity = $2 AND deleted_at IS NULL
     EXCEPT
     SELECT external_id FROM sync_seen_ids WHERE run_id = $3 AND entity = $2`,
    [target.integrationId, target.entity, passId],
  );
  await forgetSeen(tx, passId, target.entity);
  const confirmed = new Set(confirmedGone);
  return deleteRecords(
    tx,
    target,
    gone.rows.map((row) => row.id).filter((id) => confirmed.has(id)),
  );
}

export async function forgetSeen(tx: Queryable, passId: string, entity: string): Promise<void> {
  await tx.query('DELETE FROM sync_seen_ids WHERE run_id = $1 AND entity = $2', [passId, entity]);
}

export async function countLiveRecords(
  db: Queryable,
  integrationId: string,
  entity: string,
): Promise<number> {
  const result = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM synced_records
      WHERE integration_id = $1 AND entity = $2 AND deleted_at IS NULL`,
    [integrationId, entity],
  );
  return result.rows[0]?.count ?? 0;
}

/** The current span's W3C context for the record events, when the span is of the target's trace. */
function traceColumns(target: WriteTarget): [string | null, string | null] {
  const trace = currentTraceContext(target.traceId);
  return [trace?.traceparent ?? null, trace?.tracestate ?? null];
}
