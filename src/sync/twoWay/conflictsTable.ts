// SQL for sync_conflicts: every record changed on both sides, how it was decided, and the open
// ones waiting for a person.
import type { Queryable } from '../../db/pool.ts';

export interface ConflictRow {
  id: string;
  integrationId: string;
  entity: string;
  externalId: string;
  policy: string;
  state: 'open' | 'resolved';
  contested: string[];
  base: Record<string, unknown>;
  hub: Record<string, unknown>;
  external: Record<string, unknown>;
  winner: string | null;
  result: Record<string, unknown> | null;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
}

const columns = `id, integration_id AS "integrationId", entity, external_id AS "externalId", policy, state, contested,
  base, hub, external, winner, result, created_at AS "createdAt", resolved_at AS "resolvedAt", resolved_by AS "resolvedBy"`;

export async function insertConflict(
  tx: Queryable,
  conflict: Omit<ConflictRow, 'id' | 'createdAt' | 'resolvedAt'>,
): Promise<ConflictRow> {
  const { rows } = await tx.query<ConflictRow>(
    `INSERT INTO sync_conflicts (integration_id, entity, external_id, policy, state, contested, base, hub, external,
       winner, result, resolved_at, resolved_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $5 = 'resolved' THEN now() END, $12)
     RETURNING ${columns}`,
    [
      conflict.integrationId,
      conflict.entity,
      conflict.externalId,
      conflict.policy,
      conflict.state,
      conflict.contested,
      JSON.stringify(conflict.base),
      JSON.stringify(conflict.hub),
      JSON.stringify(conflict.external),
      conflict.winner,
      conflict.result === null ? null : JSON.stringify(conflict.result),
      conflict.resolvedBy,
    ],
  );
  return rows[0] as ConflictRow;
}

export async function findConflict(
  db: Queryable,
  id: string,
  forUpdate = false,
): Promise<ConflictRow | undefined> {
  const { rows } = await db.query<ConflictRow>(
    `SELECT ${columns} FROM sync_conflicts WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

export async function listConflicts(
  db: Queryable,
  filter: {
    state?: string | undefined;
    integrationId?: string | undefined;
    limit: number;
    before?: string | undefined;
  },
): Promise<ConflictRow[]> {
  const { rows } = await db.query<ConflictRow>(
    `SELECT ${columns} FROM sync_conflicts
      WHERE ($1::text IS NULL OR state = $1) AND ($2::uuid IS NULL OR integration_id = $2)
        AND ($3::timestamptz IS NULL OR created_at < $3)
      ORDER BY created_at DESC LIMIT $4`,
    [filter.state ?? null, filter.integrationId ?? null, filter.before ?? null, filter.limit],
  );
  return rows;
}

export async function markResolved(
  tx: Queryable,
  id: string,
  winner: string,
  result: Record<string, unknown>,
  resolvedBy: string,
): Promise<void> {
  await tx.query(
    `UPDATE sync_conflicts SET state = 'resolved', winner = $2, result = $3, resolved_at = now(), resolved_by = $4
      WHERE id = $1`,
    [id, winner, JSON.stringify(result), resolvedBy],
  );
}

export async function countOpenConflicts(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM sync_conflicts WHERE state = 'open'`,
  );
  return rows[0]?.count ?? 0;
}
