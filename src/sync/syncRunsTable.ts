// SQL for sync_runs: a run is queued, claimed by a worker, advanced batch by batch (its counts
// move in the same transaction as the batch's records), and finished.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/pool.ts';
import { currentTraceContext, type TraceCarrier } from '../observability/tracing.ts';

export const runStates = ['queued', 'running', 'waiting', 'succeeded', 'partial', 'failed'] as const;
export type RunState = (typeof runStates)[number];
export type RunTrigger = 'schedule' | 'manual' | 'webhook' | 'recovery';
export type RunMode = 'full' | 'incremental';

export interface EntityProgress {
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
  /** Pages the source answered 304 for, which needed no mapping. */
  notModifiedPages?: number;
  done?: boolean;
  error?: string;
}

export interface SyncRun {
  id: string;
  integrationId: string;
  trigger: RunTrigger;
  mode: RunMode;
  entities: string[];
  state: RunState;
  progress: Record<string, EntityProgress>;
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
  error: string | null;
  errorKind: string | null;
  resumeAt: Date | null;
  attempts: number;
  /** Pauses after a transient failure, each followed by a resumption from the checkpoint. */
  resumes: number;
  requestedBy: string | null;
  traceId: string | null;
  /** The W3C context of the span that requested the run: the parent of its `sync.run` spans. */
  traceparent: string | null;
  tracestate: string | null;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
}

const columns = `id, integration_id AS "integrationId", trigger, mode, entities, state, progress, fetched, created,
  updated, unchanged, deleted, failed, error, error_kind AS "errorKind", resume_at AS "resumeAt", attempts, resumes,
  requested_by AS "requestedBy", trace_id AS "traceId", traceparent, tracestate, queued_at AS "queuedAt",
  started_at AS "startedAt",
  finished_at AS "finishedAt", duration_ms AS "durationMs"`;

export interface NewRun {
  integrationId: string;
  trigger: RunTrigger;
  mode: RunMode;
  entities: string[];
  requestedBy?: string | undefined;
  traceId?: string | undefined;
}

/** Queues a run; undefined when the integration already has an unfinished one. */
export async function insertRun(tx: Queryable, run: NewRun): Promise<SyncRun | undefined> {
  const trace = currentTraceContext(run.traceId);
  const result = await tx.query<SyncRun>(
    `INSERT INTO sync_runs (id, integration_id, trigger, mode, entities, state, requested_by, trace_id,
       traceparent, tracestate)
     VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8, $9)
     ON CONFLICT (integration_id) WHERE state IN ('queued', 'running', 'waiting') DO NOTHING
     RETURNING ${columns}`,
    [
      randomUUID(),
      run.integrationId,
      run.trigger,
      run.mode,
      JSON.stringify(run.entities),
      run.requestedBy ?? null,
      run.traceId ?? null,
      trace?.traceparent ?? null,
      trace?.tracestate ?? null,
    ],
  );
  return result.rows[0];
}

/** Gives a run that was queued outside any trace (a schedule) the trace of its first execution. */
export async function adoptTrace(
  db: Queryable,
  run: SyncRun,
  traceId: string,
  trace: TraceCarrier,
): Promise<SyncRun> {
  await db.query(
    'UPDATE sync_runs SET trace_id = $2, traceparent = $3, tracestate = $4 WHERE id = $1 AND trace_id IS NULL',
    [run.id, traceId, trace.traceparent ?? null, trace.tracestate ?? null],
  );
  return { ...run, traceId, traceparent: trace.traceparent ?? null, tracestate: trace.tracestate ?? null };
}

/** A worker that stops heartbeating for this long has lost its run to the next worker. */
export const LEASE_SECONDS = 20;

/**
 * Takes the run's lease; undefined when the run has finished (a repeated job) or another worker
 * holds a live lease on it. A running run whose heartbeat stopped (its worker was killed) is taken over.
 */
export async function claimRun(
  db: Queryable,
  runId: string,
  leaseToken: string,
): Promise<SyncRun | undefined> {
  const result = await db.query<SyncRun>(
    `UPDATE sync_runs SET state = 'running', started_at = coalesce(started_at, now()), heartbeat_at = now(),
       attempts = attempts + 1, resume_at = NULL, lease_token = $2
      WHERE id = $1 AND (state IN ('queued', 'waiting')
        OR (state = 'running' AND (lease_token IS NULL OR heartbeat_at < now() - make_interval(secs => $3))))
      RETURNING ${columns}`,
    [runId, leaseToken, LEASE_SECONDS],
  );
  return result.rows[0];
}

/** Keeps the lease alive; false when it was lost. */
export async function heartbeatRun(db: Queryable, runId: string, leaseToken: string): Promise<boolean> {
  const result = await db.query(
    `UPDATE sync_runs SET heartbeat_at = now() WHERE id = $1 AND state = 'running' AND lease_token = $2`,
    [runId, leaseToken],
  );
  return result.rowCount === 1;
}

/** Gives a run back to the queue (graceful shutdown); its checkpoint stays where it is. */
export async function releaseRun(db: Queryable, runId: string, leaseToken: string): Promise<void> {
  await db.query(
    `UPDATE sync_runs SET state = 'queued', lease_token = NULL WHERE id = $1 AND lease_token = $2 AND state = 'running'`,
    [runId, leaseToken],
  );
}

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/** Adds a batch's counts to the run; called inside the batch's transaction. */
export async function addProgress(
  tx: Queryable,
  runId: string,
  leaseToken: string,
  entity: string,
  delta: EntityProgress,
  entityDone: boolean,
): Promise<void> {
  const result = await tx.query(
    `UPDATE sync_runs SET
       fetched = fetched + $3, created = created + $4, updated = updated + $5, unchanged = unchanged + $6,
       deleted = deleted + $7, failed = failed + $8,
       progress = jsonb_set(progress, ARRAY[$2::text], jsonb_build_object(
         'fetched', coalesce((progress->$2->>'fetched')::int, 0) + $3,
         'created', coalesce((progress->$2->>'created')::int, 0) + $4,
         'updated', coalesce((progress->$2->>'updated')::int, 0) + $5,
         'unchanged', coalesce((progress->$2->>'unchanged')::int, 0) + $6,
         'deleted', coalesce((progress->$2->>'deleted')::int, 0) + $7,
         'failed', coalesce((progress->$2->>'failed')::int, 0) + $8,
         'notModifiedPages', coalesce((progress->$2->>'notModifiedPages')::int, 0) + $11,
         'done', $9::boolean)),
       heartbeat_at = now()
      WHERE id = $1 AND state = 'running' AND lease_token = $10`,
    [
      runId,
      entity,
      delta.fetched,
      delta.created,
      delta.updated,
      delta.unchanged,
      delta.deleted,
      delta.failed,
      entityDone,
      leaseToken,
      delta.notModifiedPages ?? 0,
    ],
  );
  // Another worker took the run over: this batch must not commit.
  if (result.rowCount !== 1) throw new LeaseLostError(`run ${runId}: the lease was taken over`);
}

export async function markEntityFailed(db: Queryable, runId: string, entity: string, error: string) {
  await db.query(
    `UPDATE sync_runs SET progress = jsonb_set(progress, ARRAY[$2::text],
       coalesce(progress->$2, '{}'::jsonb) || jsonb_build_object('error', $3::text, 'done', false))
      WHERE id = $1`,
    [runId, entity, error],
  );
}

export async function markWaiting(db: Queryable, runId: string, resumeAt: Date, reason: string) {
  await db.query(
    `UPDATE sync_runs SET state = 'waiting', resume_at = $2, error = $3, error_kind = 'rate_limited'
      WHERE id = $1`,
    [runId, resumeAt, reason],
  );
}

/** Pauses a run after a transient failure until `resumeAt`; it then resumes at its checkpoint. */
export async function markResuming(db: Queryable, runId: string, resumeAt: Date, reason: string) {
  await db.query(
    `UPDATE sync_runs SET state = 'waiting', resume_at = $2, error = $3, error_kind = 'transient',
       resumes = resumes + 1
      WHERE id = $1`,
    [runId, resumeAt, reason],
  );
}

export async function finishRun(
  db: Queryable,
  runId: string,
  outcome: {
    state: 'succeeded' | 'partial' | 'failed';
    error?: string | undefined;
    errorKind?: string | undefined;
  },
): Promise<SyncRun | undefined> {
  const result = await db.query<SyncRun>(
    `UPDATE sync_runs SET state = $2, error = $3, error_kind = $4, finished_at = now(),
       duration_ms = round(extract(epoch FROM now() - coalesce(started_at, queued_at)) * 1000)
      WHERE id = $1 AND state NOT IN ('succeeded', 'partial', 'failed') RETURNING ${columns}`,
    [runId, outcome.state, outcome.error ?? null, outcome.errorKind ?? null],
  );
  return result.rows[0];
}

export async function findRun(db: Queryable, runId: string): Promise<SyncRun | undefined> {
  const result = await db.query<SyncRun>(`SELECT ${columns} FROM sync_runs WHERE id = $1`, [runId]);
  return result.rows[0];
}

export interface RunFilter {
  integrationId: string;
  state?: RunState | undefined;
  before?: { queuedAt: Date; id: string } | undefined;
  limit: number;
}

export async function listRuns(db: Queryable, filter: RunFilter): Promise<SyncRun[]> {
  const result = await db.query<SyncRun>(
    `SELECT ${columns} FROM sync_runs
      WHERE integration_id = $1 AND ($2::text IS NULL OR state = $2)
        AND ($3::timestamptz IS NULL OR (queued_at, id) < ($3, $4::uuid))
      ORDER BY queued_at DESC, id DESC LIMIT $5`,
    [
      filter.integrationId,
      filter.state ?? null,
      filter.before?.queuedAt ?? null,
      filter.before?.id ?? null,
      filter.limit,
    ],
  );
  return result.rows;
}

/** Runs nobody is working on although they should be: the worker died, or the job was lost. */
export async function findStalledRuns(db: Queryable): Promise<SyncRun[]> {
  const result = await db.query<SyncRun>(
    `SELECT ${columns} FROM sync_runs
      WHERE (state = 'running' AND heartbeat_at < now() - make_interval(secs => $1))
         OR (state = 'waiting' AND resume_at <= now() - interval '30 seconds')
         OR (state = 'queued' AND queued_at < now() - interval '60 seconds')
      ORDER BY queued_at LIMIT 50`,
    [LEASE_SECONDS],
  );
  return result.rows;
}

export async function hasUnfinishedRun(db: Queryable, integrationId: string): Promise<SyncRun | undefined> {
  const result = await db.query<SyncRun>(
    `SELECT ${columns} FROM sync_runs WHERE integration_id = $1 AND state IN ('queued', 'running', 'waiting')
      ORDER BY queued_at LIMIT 1`,
    [integrationId],
  );
  return result.rows[0];
}
