// An integration's status as its runs and health checks find it. A failure that heals by itself
// (the source is down, rate limited) sets `error` and schedules probes with capped backoff; the
// first good probe sets `active` again. A failure that needs a person (credentials refused, a
// configuration error) sets `error` with the reason and stays until someone changes the settings.
// Every change of status writes its integration event in the same transaction.
import type { Queryable } from '../db/pool.ts';
import { appendEvents, integrationSource } from '../events/outbox.ts';

export interface Failure {
  kind: 'auth' | 'rate_limited' | 'transient' | 'permanent' | 'config';
  message: string;
}

/** Probe delays after a self-healing failure: 2 s doubling to at most 15 s. */
export function probeDelayMs(attempt: number): number {
  return Math.min(15_000, 2_000 * 2 ** Math.max(0, attempt));
}

/** Refused credentials, a wrong setting, an endpoint that does not exist: waiting will not fix these. */
export function needsPerson(kind: Failure['kind']): boolean {
  return kind === 'auth' || kind === 'config' || kind === 'permanent';
}

interface StatusRow {
  status: string;
  errorKind: string | null;
  statusReason: string | null;
}

async function lockStatus(tx: Queryable, integrationId: string): Promise<StatusRow | undefined> {
  const result = await tx.query<StatusRow>(
    `SELECT status, error_kind AS "errorKind", status_reason AS "statusReason"
       FROM integration_configs WHERE id = $1 FOR NO KEY UPDATE`,
    [integrationId],
  );
  return result.rows[0];
}

/** The source answered well: an integration in error is active again. */
export async function markHealthy(tx: Queryable, integrationId: string, traceId?: string): Promise<boolean> {
  const row = await lockStatus(tx, integrationId);
  if (row?.status !== 'error') return false;
  await tx.query(
    `UPDATE integration_configs SET status = 'active', status_reason = NULL, error_kind = NULL,
       needs_attention = false, next_probe_at = NULL, probe_attempts = 0, status_changed_at = now()
      WHERE id = $1`,
    [integrationId],
  );
  await appendEvents(tx, [
    {
      type: 'integration.connected',
      source: integrationSource(integrationId),
      integrationId,
      traceId,
      data: { integrationId, previousError: row.statusReason, recovered: true },
    },
  ]);
  return true;
}

/** The source failed: set `error`, with probes when it may heal by itself. */
export async function markFailing(
  tx: Queryable,
  integrationId: string,
  failure: Failure,
  traceId?: string,
): Promise<boolean> {
  const row = await lockStatus(tx, integrationId);
  if (!row || row.status === 'inactive') return false;
  const person = needsPerson(failure.kind);
  const alreadySo = row.status === 'error' && row.errorKind === failure.kind;
  await tx.query(
    `UPDATE integration_configs SET status = 'error', status_reason = $2, error_kind = $3, needs_attention = $4,
       next_probe_at = CASE WHEN $4 THEN NULL ELSE coalesce(next_probe_at, now() + make_interval(secs => $5)) END,
       status_changed_at = CASE WHEN status = 'error' THEN status_changed_at ELSE now() END
      WHERE id = $1`,
    [integrationId, failure.message.slice(0, 500), failure.kind, person, probeDelayMs(0) / 1000],
  );
  if (alreadySo) return false;
  const source = integrationSource(integrationId);
  const data = { integrationId, kind: failure.kind, reason: failure.message, needsAttention: person };
  await appendEvents(tx, [
    ...(row.status === 'active'
      ? [{ type: 'integration.disconnected', source, integrationId, traceId, data }]
      : []),
    { type: 'integration.error', source, integrationId, traceId, data },
  ]);
  return true;
}

export interface ProbeClaim {
  integrationId: string;
  attempts: number;
}

/** Claims integrations whose next probe is due, moving their next probe out (capped backoff). */
export async function claimDueProbes(tx: Queryable, limit: number): Promise<ProbeClaim[]> {
  const due = await tx.query<{ id: string; attempts: number }>(
    `SELECT id, probe_attempts AS attempts FROM integration_configs
      WHERE status = 'error' AND NOT needs_attention AND next_probe_at <= now()
      ORDER BY next_probe_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  for (const row of due.rows) {
    await tx.query(
      `UPDATE integration_configs SET probe_attempts = probe_attempts + 1,
         next_probe_at = now() + make_interval(secs => $2) WHERE id = $1`,
      [row.id, probeDelayMs(row.attempts + 1) / 1000],
    );
  }
  return due.rows.map((row) => ({ integrationId: row.id, attempts: row.attempts + 1 }));
}

export async function recordHealthCheck(
  db: Queryable,
  integrationId: string,
  result: { ok: boolean; message: string; latencyMs: number; httpStatus?: number | undefined },
): Promise<void> {
  await db.query(`UPDATE integration_configs SET last_health_check = $2 WHERE id = $1`, [
    integrationId,
    JSON.stringify({ ...result, checkedAt: new Date().toISOString() }),
  ]);
}
