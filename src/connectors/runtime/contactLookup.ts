// Matching people in messages and calls to what the CRM already knows: live customer and contact
// records of every integration, by email address or E.164 phone number. Backed by expression
// indexes on both.

import type { Pool } from '../../db/pool.ts';
import type { ContactMatch, PhoneContactMatch } from '../sdk/connectorDefinition.ts';

export async function findContactsByEmail(pool: Pool, addresses: string[]): Promise<ContactMatch[]> {
  const wanted = [...new Set(addresses.map((address) => address.trim().toLowerCase()).filter(Boolean))];
  if (wanted.length === 0) return [];
  const { rows } = await pool.query<ContactMatch>(
    `SELECT lower(data->>'email') AS email, integration_id AS "integrationId", entity,
            external_id AS "externalId", canonical_type AS "canonicalType",
            coalesce(data->>'name', nullif(concat_ws(' ', data->>'firstName', data->>'lastName'), '')) AS name
       FROM synced_records
      WHERE lower(data->>'email') = ANY($1::text[])
        AND canonical_type IN ('customer', 'contact')
        AND deleted_at IS NULL
      ORDER BY canonical_type DESC, updated_at DESC`,
    [wanted],
  );
  return rows;
}

export async function findContactsByPhone(pool: Pool, numbers: string[]): Promise<PhoneContactMatch[]> {
  const wanted = [...new Set(numbers.map((number) => number.trim()).filter(Boolean))];
  if (wanted.length === 0) return [];
  const { rows } = await pool.query<PhoneContactMatch>(
    `SELECT data->>'phone' AS phone, integration_id AS "integrationId", entity,
            external_id AS "externalId", canonical_type AS "canonicalType",
            coalesce(data->>'name', nullif(concat_ws(' ', data->>'firstName', data->>'lastName'), '')) AS name
       FROM synced_records
      WHERE data->>'phone' = ANY($1::text[])
        AND canonical_type IN ('customer', 'contact')
        AND deleted_at IS NULL
      ORDER BY canonical_type DESC, updated_at DESC`,
    [wanted],
  );
  return rows;
}

export async function findStoredRecord(
  pool: Pool,
  integrationId: string,
  entity: string,
  externalId: string,
): Promise<Record<string, unknown> | null> {
  const { rows } = await pool.query<{ data: Record<string, unknown> }>(
    `SELECT data FROM synced_records
      WHERE integration_id = $1 AND entity = $2 AND external_id = $3 AND deleted_at IS NULL`,
    [integrationId, entity, externalId],
  );
  return rows[0]?.data ?? null;
}
