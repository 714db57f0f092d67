// SQL for event_types and event_schemas. One function per operation; callers pass the pool or a
// transaction.
import type { Queryable } from '../../db/pool.ts';
import type { CompatibilityMode } from './compatibility.ts';
import type { JsonSchema } from './readability.ts';

export interface EventTypeRow {
  type: string;
  compatibility: CompatibilityMode;
  latestVersion: number | null;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string;
}

export interface SchemaVersionRow {
  type: string;
  version: number;
  schema: Record<string, unknown>;
  compatibility: CompatibilityMode;
  createdAt: Date;
  createdBy: string;
}

const typeColumns = `t.type, t.compatibility, t.created_at AS "createdAt", t.updated_at AS "updatedAt",
  t.updated_by AS "updatedBy", (SELECT max(s.version) FROM event_schemas s WHERE s.type = t.type) AS "latestVersion"`;
const versionColumns = `type, version, schema, compatibility, created_at AS "createdAt", created_by AS "createdBy"`;

export async function listEventTypes(db: Queryable, prefix?: string): Promise<EventTypeRow[]> {
  const result = await db.query<EventTypeRow>(
    `SELECT ${typeColumns} FROM event_types t WHERE $1::text IS NULL OR t.type LIKE $1 || '%' ORDER BY t.type`,
    [prefix ?? null],
  );
  return result.rows;
}

export async function findEventType(db: Queryable, type: string): Promise<EventTypeRow | undefined> {
  const result = await db.query<EventTypeRow>(`SELECT ${typeColumns} FROM event_types t WHERE t.type = $1`, [
    type,
  ]);
  return result.rows[0];
}

/** The type's row, created with `mode` when new, locked until the transaction ends. */
export async function lockEventType(
  tx: Queryable,
  type: string,
  mode: CompatibilityMode,
  actor: string,
): Promise<EventTypeRow> {
  await tx.query(
    `INSERT INTO event_types (type, compatibility, updated_by) VALUES ($1, $2, $3) ON CONFLICT (type) DO NOTHING`,
    [type, mode, actor],
  );
  const result = await tx.query<EventTypeRow>(
    `SELECT ${typeColumns} FROM event_types t WHERE t.type = $1 FOR UPDATE OF t`,
    [type],
  );
  return result.rows[0]!;
}

export async function updateCompatibility(
  db: Queryable,
  type: string,
  mode: CompatibilityMode,
  actor: string,
): Promise<boolean> {
  const result = await db.query(
    `UPDATE event_types SET compatibility = $2, updated_by = $3, updated_at = now() WHERE type = $1`,
    [type, mode, actor],
  );
  return (result.rowCount ?? 0) > 0;
}

/** A type's versions, oldest first; without their schemas unless asked. */
export async function listSchemaVersions(
  db: Queryable,
  type: string,
  options: { withSchemas: boolean },
): Promise<SchemaVersionRow[]> {
  const columns = options.withSchemas
    ? versionColumns
    : versionColumns.replace('schema,', `'{}'::jsonb AS schema,`);
  const result = await db.query<SchemaVersionRow>(
    `SELECT ${columns} FROM event_schemas WHERE type = $1 ORDER BY version`,
    [type],
  );
  return result.rows;
}

export async function findSchemaVersion(
  db: Queryable,
  type: string,
  version: number | 'latest',
): Promise<SchemaVersionRow | undefined> {
  const result = await db.query<SchemaVersionRow>(
    `SELECT ${versionColumns} FROM event_schemas
      WHERE type = $1 AND ($2::int IS NULL OR version = $2) ORDER BY version DESC LIMIT 1`,
    [type, version === 'latest' ? null : version],
  );
  return result.rows[0];
}

export async function latestVersionNumber(db: Queryable, type: string): Promise<number | undefined> {
  const result = await db.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM event_schemas WHERE type = $1',
    [type],
  );
  return result.rows[0]?.version ?? undefined;
}

export async function insertSchemaVersion(
  tx: Queryable,
  row: Pick<SchemaVersionRow, 'type' | 'version' | 'compatibility' | 'createdBy'> & { schema: JsonSchema },
): Promise<SchemaVersionRow> {
  const result = await tx.query<SchemaVersionRow>(
    `INSERT INTO event_schemas (type, version, schema, compatibility, created_by) VALUES ($1, $2, $3, $4, $5)
     RETURNING ${versionColumns}`,
    [row.type, row.version, JSON.stringify(row.schema), row.compatibility, row.createdBy],
  );
  return result.rows[0]!;
}

/**
 * Registers shipped schemas that are not there yet (several processes may start at once) and
 * returns the types whose stored version differs from the shipped one.
 */
export async function insertShippedSchemas(
  tx: Queryable,
  shipped: { type: string; version: number; schema: JsonSchema }[],
  actor: string,
): Promise<string[]> {
  const types = shipped.map((each) => each.type);
  await tx.query(
    `INSERT INTO event_types (type, updated_by) SELECT unnest($1::text[]), $2 ON CONFLICT (type) DO NOTHING`,
    [types, actor],
  );
  const params = [
    types,
    shipped.map((each) => each.version),
    shipped.map((each) => JSON.stringify(each.schema)),
  ];
  await tx.query(
    `INSERT INTO event_schemas (type, version, schema, compatibility, created_by)
     SELECT x.type, x.version, x.schema, t.compatibility, $4
       FROM unnest($1::text[], $2::int[], $3::jsonb[]) AS x(type, version, schema)
       JOIN event_types t ON t.type = x.type
     ON CONFLICT (type, version) DO NOTHING`,
    [...params, actor],
  );
  const differing = await tx.query<{ type: string }>(
    `SELECT x.type FROM unnest($1::text[], $2::int[], $3::jsonb[]) AS x(type, version, schema)
       JOIN event_schemas s ON s.type = x.type AND s.version = x.version WHERE s.schema <> x.schema`,
    params,
  );
  return differing.rows.map((row) => row.type);
}
