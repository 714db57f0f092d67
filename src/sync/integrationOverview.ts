// One row per integration for the dashboard's overview: its status and why, when it last synced,
// how many records the hub holds for it (per entity), and its latest run. One query for all.
import type { Queryable } from '../db/pool.ts';

export interface IntegrationOverviewRow {
  id: string;
  name: string;
  connector: string;
  type: string;
  status: 'active' | 'inactive' | 'error';
  statusReason: string | null;
  errorKind: string | null;
  needsAttention: boolean;
  statusChangedAt: Date;
  lastHealthCheck: { ok: boolean; message: string; latencyMs: number; checkedAt: string } | null;
  scheduleEnabled: boolean;
  lastSyncAt: Date | null;
  nextSyncAt: Date | null;
  records: number;
  recordsByEntity: Record<string, number>;
  lastRun: {
    id: string;
    state: string;
    trigger: string;
    queuedAt: string;
    finishedAt: string | null;
    created: number;
    updated: number;
    deleted: number;
    failed: number;
    error: string | null;
  } | null;
}

export async function listIntegrationOverview(db: Queryable): Promise<IntegrationOverviewRow[]> {
  const { rows } = await db.query<IntegrationOverviewRow>(
    `SELECT c.id, c.name, c.connector, c.type, c.status, c.status_reason AS "statusReason",
            c.error_kind AS "errorKind", c.needs_attention AS "needsAttention",
            c.status_changed_at AS "statusChangedAt", c.last_health_check AS "lastHealthCheck",
            coalesce((c.schedule->>'enabled')::boolean, false) AS "scheduleEnabled",
            s.last_sync_at AS "lastSyncAt", s.next_sync_at AS "nextSyncAt",
            coalesce(r.total, 0)::int AS records, coalesce(r.by_entity, '{}'::jsonb) AS "recordsByEntity",
            run.last_run AS "lastRun"
       FROM integration_configs c
       LEFT JOIN LATERAL (
         SELECT max(last_sync_at) AS last_sync_at, min(next_sync_at) AS next_sync_at
           FROM sync_status WHERE integration_id = c.id) s ON true
       LEFT JOIN LATERAL (
         SELECT sum(n) AS total, jsonb_object_agg(entity, n) AS by_entity
           FROM (SELECT entity, count(*)::int AS n FROM synced_records
                  WHERE integration_id = c.id AND deleted_at IS NULL GROUP BY entity) per_entity) r ON true
       LEFT JOIN LATERAL (
         SELECT jsonb_build_object('id', id, 'state', state, 'trigger', trigger, 'queuedAt', queued_at,
                  'finishedAt', finished_at, 'created', created, 'updated', updated, 'deleted', deleted,
                  'failed', failed, 'error', error) AS last_run
           FROM sync_runs WHERE integration_id = c.id ORDER BY queued_at DESC, id DESC LIMIT 1) run ON true
      ORDER BY lower(c.name), c.id`,
  );
  return rows;
}
