// Records that failed mapping, kept with their reasons and visible through their run.
import type { Queryable } from '../db/pool.ts';
import type { MappingFailure } from './mapBatch.ts';

export async function storeFailures(
  tx: Queryable,
  target: { runId: string; integrationId: string; entity: string },
  failures: MappingFailure[],
): Promise<void> {
  if (failures.length === 0) return;
  await tx.query(
    `INSERT INTO sync_record_failures (run_id, integration_id, entity, external_id, errors, source_data)
     SELECT $1, $2, $3, * FROM unnest($4::text[], $5::jsonb[], $6::jsonb[])`,
    [
      target.runId,
      target.integrationId,
      target.entity,
      failures.map((failure) => failure.externalId),
      failures.map((failure) => JSON.stringify(failure.errors)),
      failures.map((failure) => JSON.stringify(failure.source ?? null)),
    ],
  );
}

export interface StoredFailure {
  id: number;
  entity: string;
  externalId: string | null;
  errors: unknown;
  sourceData: unknown;
  createdAt: Date;
}

export async function listFailures(db: Queryable, runId: string, limit: number, afterId = 0) {
  const result = await db.query<StoredFailure>(
    `SELECT id, entity, external_id AS "externalId", errors, source_data AS "sourceData", created_at AS "createdAt"
       FROM sync_record_failures WHERE run_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
    [runId, afterId, limit],
  );
  return result.rows;
}
