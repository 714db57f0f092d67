// Matching people in messages and calls to what the CRM already knows: live customer and contact
// records of every integration, by email address. Backed by an expression index on the address.

import type { Pool } from '../../db/pool.ts';
import type { ContactMatch } from '../sdk/connectorDefinition.ts';

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
