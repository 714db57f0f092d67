// SQL for integration_configs. One function per operation; callers pass the pool or a transaction.
import type { Queryable } from '../db/pool.ts';
import type { Endpoint, RateLimits, RetryPolicy, Schedule, TwoWay } from './integrationSchema.ts';

export interface StoredIntegration {
  id: string;
  name: string;
  connector: string;
  type: string;
  status: 'active' | 'inactive' | 'error';
  statusReason: string | null;
  credentialsEncrypted: string | null;
  credentialsKeyId: string | null;
  credentialsHint: Record<string, string>;
  config: Record<string, unknown>;
  endpoints: Endpoint[];
  rateLimits: RateLimits;
  retryPolicy: RetryPolicy;
  schedule: Schedule;
  twoWay: TwoWay;
  entities: string[];
  mapping: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The columns a create or update writes. */
export type IntegrationFields = Omit<StoredIntegration, 'id' | 'version' | 'createdAt' | 'updatedAt'>;

const columns = `id, name, connector, type, status, status_reason AS "statusReason",
  credentials_encrypted AS "credentialsEncrypted", credentials_key_id AS "credentialsKeyId",
  credentials_hint AS "credentialsHint", config, endpoints, rate_limits AS "rateLimits",
  retry_policy AS "retryPolicy", schedule, two_way AS "twoWay", entities, mapping, version,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

const fieldValues = (fields: IntegrationFields) => [
  fields.name,
  fields.connector,
  fields.type,
  fields.status,
  fields.statusReason,
  fields.credentialsEncrypted,
  fields.credentialsKeyId,
  JSON.stringify(fields.credentialsHint),
  JSON.stringify(fields.config),
  JSON.stringify(fields.endpoints),
  JSON.stringify(fields.rateLimits),
  JSON.stringify(fields.retryPolicy),
  JSON.stringify(fields.schedule),
  JSON.stringify(fields.entities),
  JSON.stringify(fields.mapping),
  JSON.stringify(fields.twoWay),
];

export async function insertIntegration(
  tx: Queryable,
  id: string,
  fields: IntegrationFields,
  actorId: string,
): Promise<StoredIntegration> {
  const result = await tx.query<StoredIntegration>(
    `INSERT INTO integration_configs (name, connector, type, status, status_reason, credentials_encrypted,
       credentials_key_id, credentials_hint, config, endpoints, rate_limits, retry_policy, schedule, entities,
       mapping, two_way, id, created_by, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)
     RETURNING ${columns}`,
    [...fieldValues(fields), id, actorId],
  );
  return result.rows[0]!;
}

export async function updateIntegrationRow(
  tx: Queryable,
  id: string,
  fields: IntegrationFields,
  actorId: string,
): Promise<StoredIntegration> {
  const result = await tx.query<StoredIntegration>(
    `UPDATE integration_configs SET name = $1, connector = $2, type = $3, status = $4, status_reason = $5,
       credentials_encrypted = $6, credentials_key_id = $7, credentials_hint = $8, config = $9, endpoints = $10,
       rate_limits = $11, retry_policy = $12, schedule = $13, entities = $14, mapping = $15, two_way = $16,
       version = version + 1, updated_at = now(), updated_by = $18
     WHERE id = $17 RETURNING ${columns}`,
    [...fieldValues(fields), id, actorId],
  );
  return result.rows[0]!;
}

export async function findIntegration(
  db: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<StoredIntegration | undefined> {
  const result = await db.query<StoredIntegration>(
    `SELECT ${columns} FROM integration_configs WHERE id = $1 ${options.forUpdate ? 'FOR UPDATE' : ''}`,
    [id],
  );
  return result.rows[0];
}

export interface IntegrationFilter {
  status?: string | undefined;
  connector?: string | undefined;
  /** Keyset paging: names sort case-insensitively, ids break ties. */
  after?: { name: string; id: string } | undefined;
  limit: number;
}

export async function listIntegrationRows(
  db: Queryable,
  filter: IntegrationFilter,
): Promise<StoredIntegration[]> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  if (filter.status) {
    values.push(filter.status);
    conditions.push(`status = $${values.length}`);
  }
  if (filter.connector) {
    values.push(filter.connector);
    conditions.push(`connector = $${values.length}`);
  }
  if (filter.after) {
    values.push(filter.after.name.toLowerCase(), filter.after.id);
    conditions.push(`(lower(name), id) > ($${values.length - 1}, $${values.length}::uuid)`);
  }
  values.push(filter.limit);
  const result = await db.query<StoredIntegration>(
    `SELECT ${columns} FROM integration_configs ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
     ORDER BY lower(name), id LIMIT $${values.length}`,
    values,
  );
  return result.rows;
}

export async function deleteIntegrationRow(tx: Queryable, id: string): Promise<void> {
  await tx.query('DELETE FROM integration_configs WHERE id = $1', [id]);
}

/** Forgets why an integration was in error and stops its recovery probes. */
export async function clearErrorState(tx: Queryable, id: string): Promise<void> {
  await tx.query(
    `UPDATE integration_configs SET error_kind = NULL, needs_attention = false, next_probe_at = NULL,
       probe_attempts = 0, status_changed_at = now() WHERE id = $1`,
    [id],
  );
}
