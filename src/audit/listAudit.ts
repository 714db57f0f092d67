// Reads the audit log newest first, with keyset paging and filters.
import type { Queryable } from '../db/pool.ts';

export interface AuditFilter {
  action?: string | undefined;
  actorId?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  before?: number | undefined;
  limit: number;
}

interface AuditRow {
  id: number;
  occurred_at: Date;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  changes: Record<string, unknown>;
  trace_id: string | null;
}

export async function listAudit(db: Queryable, filter: AuditFilter) {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    conditions.push(sql.replace('?', `$${values.length}`));
  };
  if (filter.action)
    add(filter.action.endsWith('*') ? 'action LIKE ?' : 'action = ?', filter.action.replace(/\*$/, '%'));
  if (filter.actorId) add('actor_id = ?', filter.actorId);
  if (filter.targetType) add('target_type = ?', filter.targetType);
  if (filter.targetId) add('target_id = ?', filter.targetId);
  if (filter.since) add('occurred_at >= ?', filter.since);
  if (filter.until) add('occurred_at < ?', filter.until);
  if (filter.before) add('id < ?', filter.before);
  values.push(filter.limit + 1);
  const result = await db.query<AuditRow>(
    `SELECT * FROM audit_log ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
     ORDER BY id DESC LIMIT $${values.length}`,
    values,
  );
  const rows = result.rows.slice(0, filter.limit);
  return {
    items: rows.map((row) => ({
      id: row.id,
      occurredAt: row.occurred_at.toISOString(),
      actor: { type: row.actor_type, id: row.actor_id, name: row.actor_name },
      action: row.action,
      target: { type: row.target_type, id: row.target_id },
      changes: row.changes,
      traceId: row.trace_id,
    })),
    nextBefore: result.rows.length > filter.limit ? (rows.at(-1)?.id ?? null) : null,
  };
}
