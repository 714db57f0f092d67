// A fingerprint of everything a request could have written: the row count of every table of the
// hub, and the content of the tables whose rows a refused request might change in place. Two
// equal fingerprints around a refused request mean it wrote nothing, not even half.
// Left out: rate_limits (every authenticated request counts there, refused or not), integration_logs
// (the log of attempts at external systems, kept for failed ones too) and schema_migrations.
import type pg from 'pg';

const notFingerprinted = new Set(['rate_limits', 'integration_logs', 'schema_migrations']);
/** Tables whose rows change in place (PATCH, re-enable, resolve); their content is hashed too. */
const hashedInPlace: Record<string, string> = {
  integration_configs: "id::text || ':' || version",
  event_subscriptions: 't::text',
  event_types: 't::text',
  event_schemas: 't::text',
  sync_conflicts: 't::text',
  synced_records: "integration_id::text || entity || external_id || coalesce(content_hash, '')",
};

export type Fingerprint = Record<string, string | number>;

export interface HubTables {
  fingerprint(): Promise<Fingerprint>;
}

export async function hubTables(db: pg.Pool): Promise<HubTables> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const tables = rows.map((row) => row.name).filter((name) => !notFingerprinted.has(name));
  const parts = tables.flatMap((table) => {
    const count = `'${table}', (SELECT count(*) FROM "${table}")`;
    const hashed = hashedInPlace[table];
    if (!hashed) return [count];
    return [
      count,
      `'${table}#', (SELECT md5(coalesce(string_agg(${hashed}, ',' ORDER BY ${hashed}), '')) FROM "${table}" t)`,
    ];
  });
  const sql = `SELECT json_build_object(${parts.join(', ')}) AS fingerprint`;
  return {
    async fingerprint() {
      const result = await db.query<{ fingerprint: Fingerprint }>(sql);
      return result.rows[0]!.fingerprint;
    },
  };
}

/** The tables whose count or content differs, e.g. `["integration_configs"]`. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return Object.keys({ ...before, ...after }).filter((key) => before[key] !== after[key]);
}
