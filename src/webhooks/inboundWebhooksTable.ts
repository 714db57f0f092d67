// SQL for inbound_webhooks and push_channels. One function per operation; callers pass the pool
// or a transaction.
import { createHash } from 'node:crypto';
import { equalInConstantTime } from '../connectors/sdk/signatures/constantTime.ts';
import type { Queryable } from '../db/pool.ts';

export type InboundWebhookState = 'received' | 'processed' | 'failed' | 'dead';

export interface InboundWebhookRow {
  id: string;
  integrationId: string;
  messageId: string;
  receivedAt: Date;
  headers: Record<string, string>;
  body: Buffer;
  state: InboundWebhookState;
  attempts: number;
  lastError: string | null;
  outcome: Record<string, unknown> | null;
  processedAt: Date | null;
  traceId: string | null;
  traceparent: string | null;
  tracestate: string | null;
}

const columns = `id, integration_id AS "integrationId", message_id AS "messageId", received_at AS "receivedAt",
  headers, body, state, attempts, last_error AS "lastError", outcome, processed_at AS "processedAt",
  trace_id AS "traceId", traceparent, tracestate`;

export interface NewInboundWebhook {
  id: string;
  integrationId: string;
  messageId: string;
  receivedAt: Date;
  headers: Record<string, string>;
  body: Buffer;
  traceId: string;
  /** The W3C context of the span that received it: the parent of its processing. */
  traceparent: string | undefined;
  tracestate: string | undefined;
}

export async function findInboundWebhook(db: Queryable, id: string): Promise<InboundWebhookRow | undefined> {
  const { rows } = await db.query<InboundWebhookRow>(
    `SELECT ${columns} FROM inbound_webhooks WHERE id = $1`,
    [id],
  );
  return rows[0];
}

export interface InboundWebhookFilter {
  integrationId: string;
  state?: InboundWebhookState | undefined;
  limit: number;
  before?: { receivedAt: string; id: string } | undefined;
}

export async function listInboundWebhooks(
  db: Queryable,
  filter: InboundWebhookFilter,
): Promise<InboundWebhookRow[]> {
  const { rows } = await db.query<InboundWebhookRow>(
    `SELECT ${columns} FROM inbound_webhooks
      WHERE integration_id = $1 AND ($2::text IS NULL OR state = $2)
        AND ($3::timestamptz IS NULL OR (received_at, id) < ($3, $4::uuid))
      ORDER BY received_at DESC, id DESC LIMIT $5`,
    [
      filter.integrationId,
      filter.state ?? null,
      filter.before?.receivedAt ?? null,
      filter.before?.id ?? null,
      filter.limit,
    ],
  );
  return rows;
}

/** Claims due webhooks (oldest first) for `lockMs`; rows another worker claimed are skipped. */
export async function claimDueWebhooks(
  db: Queryable,
  limit: number,
  lockMs: number,
): Promise<ClaimedWebhook[]> {
  const { rows } = await db.query<ClaimedWebhook>(
    `UPDATE inbound_webhooks w SET locked_until = now() + make_interval(secs => $2 / 1000.0)
       FROM (SELECT id FROM inbound_webhooks
              WHERE state IN ('received', 'failed') AND next_attempt_at <= now()
                AND (locked_until IS NULL OR locked_until < now())
              ORDER BY next_attempt_at, received_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
      WHERE w.id = due.id
      RETURNING w.id, w.integration_id AS "integrationId", w.received_at AS "receivedAt"`,
    [limit, lockMs],
  );
  return rows;
}

export interface ClaimedWebhook {
  id: string;
  integrationId: string;
  receivedAt: Date;
}

/** Gives claims back untouched, so the webhooks are due again at once (no attempt counted). */
export async function releaseClaims(db: Queryable, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `UPDATE inbound_webhooks SET locked_until = NULL
      WHERE id = ANY($1::uuid[]) AND state IN ('received', 'failed')`,
    [ids],
  );
}

/** Locks a claimed webhook for its processing transaction; undefined when it is no longer due. */
export async function lockForProcessing(tx: Queryable, id: string): Promise<InboundWebhookRow | undefined> {
  const { rows } = await tx.query<InboundWebhookRow>(
    `SELECT ${columns} FROM inbound_webhooks WHERE id = $1 AND state IN ('received', 'failed') FOR UPDATE`,
    [id],
  );
  return rows[0];
}

export async function markProcessed(
  tx: Queryable,
  id: string,
  outcome: Record<string, unknown>,
): Promise<void> {
  await tx.query(
    `UPDATE inbound_webhooks SET state = 'processed', attempts = attempts + 1, outcome = $2, last_error = NULL,
       processed_at = now(), locked_until = NULL WHERE id = $1`,
    [id, outcome],
  );
}

/** A failed attempt: tried again at `retryAt`, or parked as a dead letter when it is null. */
export async function markFailed(
  db: Queryable,
  id: string,
  error: string,
  retryAt: Date | null,
): Promise<InboundWebhookRow | undefined> {
  const { rows } = await db.query<InboundWebhookRow>(
    `UPDATE inbound_webhooks SET state = CASE WHEN $3::timestamptz IS NULL THEN 'dead' ELSE 'failed' END,
       attempts = attempts + 1, last_error = $2, next_attempt_at = coalesce($3, next_attempt_at), locked_until = NULL
      WHERE id = $1 AND state IN ('received', 'failed') RETURNING ${columns}`,
    [id, error, retryAt],
  );
  return rows[0];
}

/** Looks again later without counting an attempt (a run of the integration is under way). */
export async function recheckLater(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query('UPDATE inbound_webhooks SET next_attempt_at = $2, locked_until = NULL WHERE id = $1', [
    id,
    at,
  ]);
}

/** Wakes the workers after rows became due without an insert (replays). */
export async function notifyWorkers(db: Queryable): Promise<void> {
  await db.query("SELECT pg_notify('hub_inbound', '')");
}

/** Puts a webhook back to be processed again (a dead letter replayed, or a processed one re-applied). */
export async function resetForReplay(tx: Queryable, id: string): Promise<InboundWebhookRow | undefined> {
  const { rows } = await tx.query<InboundWebhookRow>(
    `UPDATE inbound_webhooks SET state = 'received', attempts = 0, last_error = NULL, outcome = NULL, processed_at = NULL,
       next_attempt_at = now(), locked_until = NULL
      WHERE id = $1 RETURNING ${columns}`,
    [id],
  );
  return rows[0];
}

export async function countByState(
  db: Queryable,
  integrationId: string,
): Promise<Record<InboundWebhookState, number>> {
  const { rows } = await db.query<{ state: InboundWebhookState; count: number }>(
    'SELECT state, count(*)::int AS count FROM inbound_webhooks WHERE integration_id = $1 GROUP BY state',
    [integrationId],
  );
  const counts: Record<InboundWebhookState, number> = { received: 0, processed: 0, failed: 0, dead: 0 };
  for (const row of rows) counts[row.state] = row.count;
  return counts;
}

export function hashChannelSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export async function savePushChannel(
  tx: Queryable,
  channel: {
    integrationId: string;
    channelId: string;
    secret: string;
    resourceId?: string | undefined;
    expiresAt: Date;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO push_channels (integration_id, channel_id, secret_hash, resource_id, expires_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (integration_id, channel_id) DO UPDATE SET secret_hash = excluded.secret_hash,
       resource_id = excluded.resource_id, expires_at = excluded.expires_at`,
    [
      channel.integrationId,
      channel.channelId,
      hashChannelSecret(channel.secret),
      channel.resourceId ?? null,
      channel.expiresAt,
    ],
  );
}

export async function isChannelSecret(
  db: Queryable,
  integrationId: string,
  channelId: string,
  secret: string | undefined,
): Promise<boolean> {
  const { rows } = await db.query<{ hash: string }>(
    `SELECT secret_hash AS hash FROM push_channels
      WHERE integration_id = $1 AND channel_id = $2 AND expires_at > now()`,
    [integrationId, channelId],
  );
  const stored = rows[0]?.hash;
  // An unknown channel still costs one comparison, so its absence does not show in the timing.
  const matches = equalInConstantTime(hashChannelSecret(secret ?? ''), stored ?? '');
  return matches && stored !== undefined && secret !== undefined;
}

export interface PushChannelRow {
  channelId: string;
  resourceId: string | null;
  expiresAt: Date;
  createdAt: Date;
}

export async function listPushChannels(db: Queryable, integrationId: string): Promise<PushChannelRow[]> {
  const { rows } = await db.query<PushChannelRow>(
    `SELECT channel_id AS "channelId", resource_id AS "resourceId", expires_at AS "expiresAt", created_at AS "createdAt"
       FROM push_channels WHERE integration_id = $1 ORDER BY expires_at DESC`,
    [integrationId],
  );
  return rows;
}

/** Integrations with a push channel that expires within `withinMs`, and those channels' ids. */
export async function expiringPushChannels(
  db: Queryable,
  withinMs: number,
): Promise<{ integrationId: string; channelIds: string[] }[]> {
  const { rows } = await db.query<{ integrationId: string; channelIds: string[] }>(
    `SELECT p.integration_id AS "integrationId", array_agg(p.channel_id) AS "channelIds"
       FROM push_channels p JOIN integration_configs i ON i.id = p.integration_id
      WHERE p.expires_at < now() + make_interval(secs => $1 / 1000.0) AND i.status <> 'inactive'
      GROUP BY p.integration_id`,
    [withinMs],
  );
  return rows;
}

export async function deletePushChannels(
  db: Queryable,
  integrationId: string,
  channelIds: string[],
): Promise<void> {
  await db.query('DELETE FROM push_channels WHERE integration_id = $1 AND channel_id = ANY($2::text[])', [
    integrationId,
    channelIds,
  ]);
}
