// SQL for event_subscriptions. One function per operation; callers pass the pool or a transaction.
import type { Queryable } from '../../db/pool.ts';

export type SubscriptionKind = 'http' | 'nats' | 'in-process';

export interface SubscriptionRow {
  id: string;
  name: string;
  kind: SubscriptionKind;
  types: string[];
  url: string | null;
  natsSubject: string | null;
  handler: string | null;
  secretEncrypted: string | null;
  retrySchedule: number[];
  disableAfterSeconds: number;
  /** Events per request (HTTP only): more than 1 sends them as one CloudEvents batch. */
  batchSize: number;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  failingSince: Date | null;
  createdAt: Date;
  createdBy: string | null;
  updatedAt: Date;
}

const columns = `id, name, kind, types, url, nats_subject AS "natsSubject", handler,
  secret_encrypted AS "secretEncrypted", retry_schedule AS "retrySchedule",
  disable_after_seconds AS "disableAfterSeconds", batch_size AS "batchSize", enabled, disabled_reason AS "disabledReason",
  disabled_at AS "disabledAt", failing_since AS "failingSince", created_at AS "createdAt",
  created_by AS "createdBy", updated_at AS "updatedAt"`;

/** Event type patterns ("customer.*", "*", exact types) as SQL LIKE patterns. */
export function likePatterns(types: string[]): string[] {
  return types.map((type) => type.replace(/[\\%_]/g, (char) => `\\${char}`).replace(/\*/g, '%'));
}

export interface NewSubscription {
  id: string;
  name: string;
  kind: SubscriptionKind;
  types: string[];
  url?: string | undefined;
  natsSubject?: string | undefined;
  handler?: string | undefined;
  secret?: { ciphertext: string; keyId: string } | undefined;
  retrySchedule: number[];
  disableAfterSeconds: number;
  batchSize: number;
  createdBy: string;
}

export async function insertSubscription(tx: Queryable, row: NewSubscription): Promise<SubscriptionRow> {
  const { rows } = await tx.query<SubscriptionRow>(
    `INSERT INTO event_subscriptions (id, name, kind, types, type_patterns, url, nats_subject, handler,
       secret_encrypted, secret_key_id, retry_schedule, disable_after_seconds, batch_size, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING ${columns}`,
    [
      row.id,
      row.name,
      row.kind,
      row.types,
      likePatterns(row.types),
      row.url ?? null,
      row.natsSubject ?? null,
      row.handler ?? null,
      row.secret?.ciphertext ?? null,
      row.secret?.keyId ?? null,
      row.retrySchedule,
      row.disableAfterSeconds,
      row.batchSize,
      row.createdBy,
    ],
  );
  return rows[0] as SubscriptionRow;
}

export async function findSubscription(db: Queryable, id: string): Promise<SubscriptionRow | undefined> {
  const { rows } = await db.query<SubscriptionRow>(
    `SELECT ${columns} FROM event_subscriptions WHERE id = $1`,
    [id],
  );
  return rows[0];
}

export async function findSubscriptions(db: Queryable, ids: string[]): Promise<SubscriptionRow[]> {
  const { rows } = await db.query<SubscriptionRow>(
    `SELECT ${columns} FROM event_subscriptions WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return rows;
}

export async function listSubscriptions(db: Queryable): Promise<SubscriptionRow[]> {
  const { rows } = await db.query<SubscriptionRow>(
    `SELECT ${columns} FROM event_subscriptions ORDER BY created_at, id`,
  );
  return rows;
}

export interface SubscriptionChanges {
  name?: string | undefined;
  types?: string[] | undefined;
  url?: string | undefined;
  natsSubject?: string | undefined;
  retrySchedule?: number[] | undefined;
  disableAfterSeconds?: number | undefined;
  batchSize?: number | undefined;
  enabled?: boolean | undefined;
}

export async function updateSubscription(
  tx: Queryable,
  id: string,
  changes: SubscriptionChanges,
): Promise<SubscriptionRow | undefined> {
  const { rows } = await tx.query<SubscriptionRow>(
    `UPDATE event_subscriptions SET
       name = coalesce($2, name),
       types = coalesce($3, types),
       type_patterns = coalesce($4, type_patterns),
       url = coalesce($5, url),
       nats_subject = coalesce($6, nats_subject),
       retry_schedule = coalesce($7, retry_schedule),
       disable_after_seconds = coalesce($8, disable_after_seconds),
       enabled = coalesce($9, enabled),
       batch_size = coalesce($10, batch_size),
       disabled_reason = CASE WHEN $9 IS TRUE THEN NULL WHEN $9 IS FALSE THEN 'disabled by a person' ELSE disabled_reason END,
       disabled_at = CASE WHEN $9 IS TRUE THEN NULL WHEN $9 IS FALSE THEN now() ELSE disabled_at END,
       failing_since = CASE WHEN $9 IS TRUE THEN NULL ELSE failing_since END,
       updated_at = now()
     WHERE id = $1 RETURNING ${columns}`,
    [
      id,
      changes.name ?? null,
      changes.types ?? null,
      changes.types ? likePatterns(changes.types) : null,
      changes.url ?? null,
      changes.natsSubject ?? null,
      changes.retrySchedule ?? null,
      changes.disableAfterSeconds ?? null,
      changes.enabled ?? null,
      changes.batchSize ?? null,
    ],
  );
  return rows[0];
}

export async function deleteSubscription(tx: Queryable, id: string): Promise<boolean> {
  const result = await tx.query('DELETE FROM event_subscriptions WHERE id = $1', [id]);
  return result.rowCount === 1;
}

/** After a delivery answer: a success ends a failing streak; a failure starts one, or disables after too long. */
export async function recordSubscriptionHealth(
  db: Queryable,
  outcomes: { id: string; succeeded: boolean; gone: boolean }[],
): Promise<void> {
  if (outcomes.length === 0) return;
  await db.query(
    `UPDATE event_subscriptions s SET
       failing_since = CASE WHEN o.succeeded THEN NULL ELSE coalesce(s.failing_since, now()) END,
       enabled = CASE
         WHEN o.gone THEN false
         WHEN NOT o.succeeded AND s.failing_since < now() - make_interval(secs => s.disable_after_seconds) THEN false
         ELSE s.enabled END,
       disabled_reason = CASE
         WHEN o.gone THEN 'the endpoint answered 410 Gone'
         WHEN NOT o.succeeded AND s.failing_since < now() - make_interval(secs => s.disable_after_seconds)
           THEN 'failing without a success since ' || to_char(s.failing_since, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
         ELSE s.disabled_reason END,
       disabled_at = CASE
         WHEN o.gone OR (NOT o.succeeded AND s.failing_since < now() - make_interval(secs => s.disable_after_seconds))
           THEN now() ELSE s.disabled_at END
     FROM (SELECT id, bool_or(succeeded) AS succeeded, bool_or(gone) AS gone
             FROM unnest($1::uuid[], $2::boolean[], $3::boolean[]) AS t(id, succeeded, gone) GROUP BY id) o
    WHERE s.id = o.id AND s.enabled`,
    [outcomes.map((o) => o.id), outcomes.map((o) => o.succeeded), outcomes.map((o) => o.gone)],
  );
}
