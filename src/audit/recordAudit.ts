// Appends one entry to the audit log, inside the caller's transaction so the entry exists
// exactly when the change does. Callers pass changes with secrets already redacted.
import type { Principal } from '../access/principal.ts';
import type { Queryable } from '../db/pool.ts';

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string | null;
  changes?: Record<string, unknown>;
  traceId?: string | undefined;
}

export async function recordAudit(tx: Queryable, actor: Principal, entry: AuditEntry): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (actor_type, actor_id, actor_name, action, target_type, target_id, changes, trace_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      actor.kind,
      actor.id,
      actor.name,
      entry.action,
      entry.targetType,
      entry.targetId,
      JSON.stringify(entry.changes ?? {}),
      entry.traceId ?? null,
    ],
  );
}
