// Writing the hub's changes back to the source. For each record changed in the hub, the source's
// current version is read: if the source did not change it since the base, the hub's changed
// fields are written; if it did, the integration's conflict policy decides (conflictPolicy.ts), or
// the conflict waits for a person. What the source answers is stored as the record with the
// content hash a sync computes, so the next sync sees the hub's own write as unchanged: no echo.
// Runs inside a sync run, under its lease, so no sync of the same entity writes meanwhile; each
// record is also locked while it is decided.
import { hash } from 'node:crypto';
import type { IntegrationAdapter } from '../../connectors/sdk/adapter.ts';
import { ConnectorError } from '../../connectors/sdk/connectorError.ts';
import type { Pool, Queryable } from '../../db/pool.ts';
import { withTransaction } from '../../db/pool.ts';
import { appendEvents, integrationSource } from '../../events/outbox.ts';
import type { CompiledMapping } from '../../mapping/index.ts';
import type { Logger } from '../../observability/logger.ts';
import type { TwoWay } from '../../registry/integrationSchema.ts';
import { type ConflictPolicy, decideConflict, overlay } from './conflictPolicy.ts';
import { insertConflict } from './conflictsTable.ts';
import { changedFields, type ReverseMapping, sameValue } from './reverseMapping.ts';

export interface WriteBackTarget {
  pool: Pool;
  logger: Logger;
  adapter: IntegrationAdapter;
  integrationId: string;
  entity: string;
  canonicalType: string;
  mapping: CompiledMapping;
  reverse: ReverseMapping;
  twoWay: TwoWay;
  traceId?: string | undefined;
  signal: AbortSignal;
}

export interface WriteBackCounts {
  written: number;
  conflicts: number;
  waiting: number;
}

interface PendingRow {
  externalId: string;
  data: Record<string, unknown>;
  base: Record<string, unknown>;
  hubChangedAt: Date;
  version: number;
}

export async function writeBackPending(target: WriteBackTarget): Promise<WriteBackCounts> {
  const counts: WriteBackCounts = { written: 0, conflicts: 0, waiting: 0 };
  if (!target.twoWay.enabled || !target.adapter.read || !target.adapter.write) return counts;
  const { rows } = await target.pool.query<{ externalId: string }>(
    `SELECT external_id AS "externalId" FROM synced_records
      WHERE integration_id = $1 AND entity = $2 AND write_state = 'pending'
      ORDER BY hub_changed_at LIMIT 1000`,
    [target.integrationId, target.entity],
  );
  for (const { externalId } of rows) {
    target.signal.throwIfAborted();
    const outcome = await withTransaction(target.pool, (tx) => writeOne(tx, target, externalId));
    counts[outcome] += 1;
  }
  return counts;
}

async function writeOne(
  tx: Queryable,
  target: WriteBackTarget,
  externalId: string,
): Promise<keyof WriteBackCounts> {
  const { rows } = await tx.query<PendingRow>(
    `SELECT external_id AS "externalId", data, base_data AS base, hub_changed_at AS "hubChangedAt", version
       FROM synced_records
      WHERE integration_id = $1 AND entity = $2 AND external_id = $3 AND write_state = 'pending'
      FOR UPDATE`,
    [target.integrationId, target.entity, externalId],
  );
  const row = rows[0];
  if (!row) return 'waiting';
  const adapter = target.adapter as Required<Pick<IntegrationAdapter, 'read' | 'write'>>;
  const current = await adapter.read(target.entity, externalId, target.signal);
  if (!current) {
    // Deleted in the source while changed in the hub: the deletion stands, and says so.
    await tx.query(
      `UPDATE synced_records SET deleted_at = now(), write_state = NULL, base_data = NULL, hub_changed_at = NULL,
         version = version + 1, updated_at = now()
       WHERE integration_id = $1 AND entity = $2 AND external_id = $3`,
      [target.integrationId, target.entity, externalId],
    );
    await recordEvent(tx, target, externalId, 'deleted', { origin: 'source', hubChangeDropped: true });
    return 'conflicts';
  }
  const external = mapOrFail(target, current.data);
  const fields = [...target.reverse.writable.keys()];
  const hubChanged = changedFields(fields, row.base, row.data);
  const sourceChanged = changedFields(fields, row.base, external);
  const policy = target.twoWay.conflictPolicy as ConflictPolicy;
  let result: Record<string, unknown>;
  let winner: string;
  if (sourceChanged.length === 0) {
    result = overlay(external, row.data, hubChanged);
    winner = 'hub';
  } else {
    const decision = decideConflict(policy, {
      fields,
      base: row.base,
      hub: row.data,
      external,
      hubChangedAt: row.hubChangedAt,
      externalChangedAt: current.modifiedAt ? new Date(current.modifiedAt) : undefined,
    });
    if (decision.kind === 'manual') {
      const conflict = await insertConflict(tx, {
        integrationId: target.integrationId,
        entity: target.entity,
        externalId,
        policy,
        state: 'open',
        contested: decision.contested,
        base: row.base,
        hub: row.data,
        external,
        winner: null,
        result: null,
        resolvedBy: null,
      });
      await tx.query(
        `UPDATE synced_records SET write_state = 'conflict'
          WHERE integration_id = $1 AND entity = $2 AND external_id = $3`,
        [target.integrationId, target.entity, externalId],
      );
      await appendEvents(tx, [
        {
          type: 'integration.conflict_detected',
          source: integrationSource(target.integrationId),
          subject: `${target.entity}/${externalId}`,
          data: {
            conflictId: conflict.id,
            entity: target.entity,
            externalId,
            contested: decision.contested,
            policy,
          },
          integrationId: target.integrationId,
          traceId: target.traceId,
        },
      ]);
      return 'waiting';
    }
    result = decision.result;
    winner = decision.winner;
  }
  const stored = await storeAgreedVersion(tx, target, externalId, row.data, external, result);
  if (sourceChanged.length > 0) {
    await insertConflict(tx, {
      integrationId: target.integrationId,
      entity: target.entity,
      externalId,
      policy,
      state: 'resolved',
      contested: sourceChanged.filter((field) => hubChanged.includes(field)),
      base: row.base,
      hub: row.data,
      external,
      winner,
      result: stored,
      resolvedBy: `policy:${policy}`,
    });
    return 'conflicts';
  }
  return 'written';
}

/**
 * Writes what differs between the source's version and the agreed result, then stores the
 * source's answer as the record, its base cleared. Also used when a person resolves a conflict.
 */
export async function storeAgreedVersion(
  tx: Queryable,
  target: Omit<WriteBackTarget, 'pool' | 'logger' | 'twoWay'>,
  externalId: string,
  hubVersion: Record<string, unknown>,
  external: Record<string, unknown>,
  result: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const fields = [...target.reverse.writable.keys()];
  const toWrite = changedFields(fields, external, result);
  let stored = external;
  let json = JSON.stringify(external);
  if (toWrite.length > 0) {
    const values = Object.fromEntries(toWrite.map((field) => [field, fieldOf(result, field)]));
    const written = await (target.adapter.write as NonNullable<IntegrationAdapter['write']>)(
      target.entity,
      externalId,
      target.reverse.toSourcePatch(values),
      target.signal,
    );
    stored = mapOrFail(target, written.data);
    json = JSON.stringify(stored);
  }
  await tx.query(
    `UPDATE synced_records SET data = $4, content_hash = $5, base_data = NULL, hub_changed_at = NULL, write_state = NULL,
       version = version + CASE WHEN data = $4::jsonb THEN 0 ELSE 1 END, updated_at = now(), deleted_at = NULL
     WHERE integration_id = $1 AND entity = $2 AND external_id = $3`,
    [target.integrationId, target.entity, externalId, json, hash('sha256', json, 'base64url')],
  );
  // The hub's modules saw the hub's version; they hear of the agreed one when it differs.
  if (!sameValue(hubVersion, stored)) {
    await recordEvent(tx, target, externalId, 'updated', { origin: 'source', record: stored });
  }
  return stored;
}

function mapOrFail(
  target: Pick<WriteBackTarget, 'mapping' | 'entity'>,
  data: unknown,
): Record<string, unknown> {
  const mapped = target.mapping.map(data);
  if (!mapped.ok) {
    throw new ConnectorError(
      'permanent',
      `${target.entity}: the source's record does not map (${mapped.errors.map((error) => error.field).join(', ')})`,
    );
  }
  return mapped.record as Record<string, unknown>;
}

function fieldOf(record: Record<string, unknown>, field: string): unknown {
  return field
    .split('.')
    .reduce<unknown>((value, part) => (value as Record<string, unknown> | null)?.[part], record);
}

async function recordEvent(
  tx: Queryable,
  target: Pick<WriteBackTarget, 'integrationId' | 'entity' | 'canonicalType' | 'traceId'>,
  externalId: string,
  kind: 'updated' | 'deleted',
  data: Record<string, unknown>,
): Promise<void> {
  await appendEvents(tx, [
    {
      type: `${target.canonicalType}.${kind}`,
      source: integrationSource(target.integrationId),
      subject: `${target.entity}/${externalId}`,
      data: { integrationId: target.integrationId, entity: target.entity, externalId, ...data },
      integrationId: target.integrationId,
      traceId: target.traceId,
    },
  ]);
}
