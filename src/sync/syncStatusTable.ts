// SQL for sync_status (FC-021): one row per integration and entity with its checkpoint
// (sync_state), schedule (next_sync_at) and health counters.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/pool.ts';

/** What the engine keeps in sync_state: the connector's checkpoint and the sweep of a full pass. */
export interface EngineState {
  connector: Record<string, unknown>;
  /** A full pass under way that tracks seen ids for the deletion sweep. */
  sweep?: { passId: string; seen: number };
  /** When the entity was last fully in sync, and with which mapping. */
  synced?: { at: string; mapping: string };
}

export interface SyncStatusRow {
  entity: string;
  lastSyncAt: Date | null;
  nextSyncAt: Date | null;
  syncState: EngineState;
  recordsSynced: number;
  errorsCount: number;
  lastError: string | null;
}

const columns = `entity_type AS entity, last_sync_at AS "lastSyncAt", next_sync_at AS "nextSyncAt",
  sync_state AS "syncState", records_synced AS "recordsSynced", errors_count AS "errorsCount",
  last_error AS "lastError"`;

/** Creates the rows of entities that have none yet; new ones are due at once. */
export async function ensureSyncStatus(
  db: Queryable,
  integrationId: string,
  entities: string[],
): Promise<void> {
  if (entities.length === 0) return;
  await db.query(
    `INSERT INTO sync_status (id, integration_id, entity_type, next_sync_at)
     SELECT gen, $1, entity, now() FROM unnest($2::uuid[], $3::text[]) AS t(gen, entity)
     ON CONFLICT (integration_id, entity_type) DO NOTHING`,
    [integrationId, entities.map(() => randomUUID()), entities],
  );
}

export async function readSyncState(
  db: Queryable,
  integrationId: string,
  entity: string,
): Promise<EngineState> {
  const result = await db.query<{ state: Partial<EngineState> }>(
    'SELECT sync_state AS state FROM sync_status WHERE integration_id = $1 AND entity_type = $2',
    [integrationId, entity],
  );
  const state = result.rows[0]?.state ?? {};
  return {
    connector: state.connector ?? {},
    ...(state.sweep ? { sweep: state.sweep } : {}),
    ...(state.synced ? { synced: state.synced } : {}),
  };
}

export async function writeSyncState(
  tx: Queryable,
  integrationId: string,
  entity: string,
  state: EngineState,
  recordsDelta: number,
): Promise<void> {
  await tx.query(
    `INSERT INTO sync_status (id, integration_id, entity_type, sync_state, records_synced)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (integration_id, entity_type) DO UPDATE SET sync_state = excluded.sync_state,
       records_synced = sync_status.records_synced + excluded.records_synced`,
    [randomUUID(), integrationId, entity, JSON.stringify(state), recordsDelta],
  );
}

export async function recordEntityOutcome(
  db: Queryable,
  integrationId: string,
  entity: string,
  error: string | undefined,
): Promise<void> {
  await db.query(
    `UPDATE sync_status SET last_sync_at = CASE WHEN $3::text IS NULL THEN now() ELSE last_sync_at END,
       errors_count = CASE WHEN $3::text IS NULL THEN 0 ELSE errors_count + 1 END, last_error = $3
      WHERE integration_id = $1 AND entity_type = $2`,
    [integrationId, entity, error ?? null],
  );
}

export async function listSyncStatus(db: Queryable, integrationId: string): Promise<SyncStatusRow[]> {
  const result = await db.query<SyncStatusRow>(
    `SELECT ${columns} FROM sync_status WHERE integration_id = $1 ORDER BY entity_type`,
    [integrationId],
  );
  return result.rows;
}

export async function setNextSync(
  db: Queryable,
  integrationId: string,
  nextSyncAt: Date | null,
): Promise<void> {
  await db.query('UPDATE sync_status SET next_sync_at = $2 WHERE integration_id = $1', [
    integrationId,
    nextSyncAt,
  ]);
}

/** After a schedule change: the next time is computed afresh from the new cron expression. */
export async function resetSchedule(db: Queryable, integrationId: string): Promise<void> {
  await db.query('UPDATE sync_status SET next_sync_at = NULL WHERE integration_id = $1', [integrationId]);
}
