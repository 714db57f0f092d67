// Key rotation while the hub runs. Data key rotation: a new data key becomes active, every
// sealed value is re-encrypted under it in small transactions, then the old keys are deleted.
// Master key rotation: every data key is re-wrapped under the new master key.
import type { Principal } from '../access/principal.ts';
import { recordAudit } from '../audit/recordAudit.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/pool.ts';
import { type SealedColumn, sealedColumns } from './sealedColumns.ts';
import type { Vault } from './vault.ts';

export interface DataKeyRotation {
  keyId: string;
  reencrypted: number;
  removedKeyIds: string[];
}

const BATCH = 100;
const ROTATION_LOCK = 727_002;

export interface RotationContext {
  actor: Principal;
  traceId?: string | undefined;
}

export async function rotateDataKey(
  pool: Pool,
  vault: Vault,
  context: RotationContext,
  columns = sealedColumns,
): Promise<DataKeyRotation> {
  return withRotationLock(pool, async () => {
    const keyId = await withTransaction(pool, (tx) => vault.activateNewDataKey(tx));
    let reencrypted = 0;
    for (const column of columns) reencrypted += await reencryptColumn(pool, vault, column, keyId);
    const removed = await pool.query<{ id: string }>(
      `DELETE FROM vault_data_keys k WHERE k.state = 'retiring' AND ${columns
        .map((c) => `NOT EXISTS (SELECT 1 FROM ${c.table} t WHERE t.${c.keyIdColumn} = k.id)`)
        .join(' AND ')} RETURNING id`,
    );
    const rotation = { keyId, reencrypted, removedKeyIds: removed.rows.map((row) => row.id) };
    await recordAudit(pool, context.actor, {
      action: 'keys.rotate',
      targetType: 'vault',
      targetId: keyId,
      changes: { reencrypted, removedKeyIds: rotation.removedKeyIds },
      traceId: context.traceId,
    });
    return rotation;
  });
}

export async function rewrapDataKeys(pool: Pool, vault: Vault, context: RotationContext): Promise<number> {
  return withRotationLock(pool, () =>
    withTransaction(pool, async (tx) => {
      const rewrapped = await vault.rewrapDataKeys(tx);
      if (rewrapped === 0) return 0;
      await recordAudit(tx, context.actor, {
        action: 'keys.rotate_master',
        targetType: 'vault',
        targetId: vault.masterKeyId,
        changes: { rewrappedDataKeys: rewrapped },
        traceId: context.traceId,
      });
      return rewrapped;
    }),
  );
}

async function reencryptColumn(
  pool: Pool,
  vault: Vault,
  column: SealedColumn,
  keyId: string,
): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await withTransaction(pool, async (tx) => {
      // NO KEY UPDATE, the lock the UPDATE below needs: FOR UPDATE would also block the FOR KEY SHARE
      // that every insert referencing these rows takes (the scheduler's sync_status and sync_runs,
      // many rows in one statement), and a batch holding 100 rows deadlocks with such an insert.
      const rows = await tx.query<{ id: string; sealed: string }>(
        `SELECT ${column.idColumn}::text AS id, ${column.column} AS sealed FROM ${column.table}
         WHERE ${column.keyIdColumn} IS NOT NULL AND ${column.keyIdColumn} <> $1
         ORDER BY ${column.idColumn} LIMIT ${BATCH} FOR NO KEY UPDATE`,
        [keyId],
      );
      for (const row of rows.rows) {
        const additionalData = column.additionalData(row.id);
        const value = await vault.open(row.sealed, additionalData);
        const sealed = await vault.seal(tx, value, additionalData);
        await tx.query(
          `UPDATE ${column.table} SET ${column.column} = $2, ${column.keyIdColumn} = $3 WHERE ${column.idColumn} = $1`,
          [row.id, sealed.ciphertext, sealed.keyId],
        );
      }
      return rows.rows.length;
    });
    total += done;
    if (done < BATCH) return total;
  }
}

async function withRotationLock<T>(pool: Pool, work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ROTATION_LOCK]);
    return await work();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [ROTATION_LOCK]).catch(() => {});
    client.release();
  }
}
