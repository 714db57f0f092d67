// What an admin sees of the keys: ids, states and how much each protects; never key material.
import type { Queryable } from '../db/pool.ts';
import { sealedColumns } from './sealedColumns.ts';
import type { Vault } from './vault.ts';

export async function readKeyStatus(db: Queryable, vault: Vault) {
  const counts = sealedColumns
    .map((c) => `SELECT ${c.keyIdColumn} AS key_id FROM ${c.table} WHERE ${c.keyIdColumn} IS NOT NULL`)
    .join(' UNION ALL ');
  const result = await db.query<{
    id: string;
    state: string;
    master_key_id: string;
    created_at: Date;
    sealed: number;
  }>(
    `SELECT k.id, k.state, k.master_key_id, k.created_at, count(s.key_id)::int AS sealed
     FROM vault_data_keys k LEFT JOIN (${counts}) s ON s.key_id = k.id
     GROUP BY k.id ORDER BY k.created_at DESC`,
  );
  return {
    masterKeyId: vault.masterKeyId,
    dataKeys: result.rows.map((row) => ({
      id: row.id,
      state: row.state,
      masterKeyId: row.master_key_id,
      createdAt: row.created_at.toISOString(),
      sealedValues: row.sealed,
    })),
  };
}
