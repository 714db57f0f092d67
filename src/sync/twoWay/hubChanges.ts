// A CRM module changes a synced record through the hub (PATCH with a JSON merge patch of canonical
// fields). The change is stored at once, with the version both sides last agreed on kept as the
// base, and a run is queued that writes it back (writeBack.ts). Only fields the mapping can write
// back are accepted; anything else is refused with the field named and nothing stored.
import type { Principal } from '../../access/principal.ts';
import { recordAudit } from '../../audit/recordAudit.ts';
import type { ConnectorCatalog } from '../../connectors/catalog.ts';
import type { Pool } from '../../db/pool.ts';
import { withTransaction } from '../../db/pool.ts';
import { type FieldProblem, HubError, notFound } from '../../errors.ts';
import { appendEvents, integrationSource } from '../../events/outbox.ts';
import { findIntegration } from '../../registry/integrationsTable.ts';
import { mergePatch } from '../../registry/mergePatch.ts';
import { resolveEntityMapping } from '../entityMapping.ts';
import { reverseMapping, sameValue } from './reverseMapping.ts';

export interface HubChange {
  integrationId: string;
  entity: string;
  externalId: string;
  patch: Record<string, unknown>;
  ifMatch?: number | undefined;
}

export async function changeRecord(
  deps: { pool: Pool; catalog: ConnectorCatalog },
  change: HubChange,
  actor: Principal,
  traceId: string,
) {
  const integration = await findIntegration(deps.pool, change.integrationId);
  if (!integration) throw notFound('integration', change.integrationId);
  if (!integration.twoWay.enabled) {
    throw new HubError(
      'conflict',
      'TWO_WAY_DISABLED',
      'two-way sync is off for this integration (twoWay.enabled)',
    );
  }
  const connector = deps.catalog.get(integration.connector);
  if (!integration.entities.includes(change.entity)) throw notFound('entity', change.entity);
  const { canonicalType, spec } = resolveEntityMapping(deps.catalog, integration, change.entity);
  const reverse = reverseMapping(spec);
  const problems: FieldProblem[] = leafFields(change.patch)
    .filter((field) => !reverse.writable.has(field))
    .map((field) => ({ field, message: `is not written back to ${connector.name}` }));
  if (problems.length > 0) {
    throw new HubError('validation', 'FIELD_NOT_WRITABLE', `${problems[0]?.field}: ${problems[0]?.message}`, {
      fields: problems,
      status: 422,
    });
  }
  return withTransaction(deps.pool, async (tx) => {
    const { rows } = await tx.query<{
      data: Record<string, unknown>;
      version: number;
      writeState: string | null;
    }>(
      `SELECT data, version, write_state AS "writeState" FROM synced_records
        WHERE integration_id = $1 AND entity = $2 AND external_id = $3 AND deleted_at IS NULL FOR UPDATE`,
      [integration.id, change.entity, change.externalId],
    );
    const row = rows[0];
    if (!row) throw notFound('record', `${change.entity}/${change.externalId}`);
    if (change.ifMatch !== undefined && change.ifMatch !== row.version) {
      throw new HubError('precondition', 'VERSION_MISMATCH', `the record is at version ${row.version}`, {
        status: 412,
      });
    }
    if (row.writeState === 'conflict') {
      throw new HubError('conflict', 'CONFLICT_OPEN', 'the record has an open conflict: resolve it first');
    }
    const data = mergePatch(row.data as never, change.patch as never) as Record<string, unknown>;
    if (sameValue(data, row.data)) return { record: { ...row, data }, runQueued: false };
    const updated = await tx.query<{ version: number }>(
      `UPDATE synced_records SET base_data = coalesce(base_data, data), data = $4, hub_changed_at = now(),
         write_state = 'pending', version = version + 1, updated_at = now()
       WHERE integration_id = $1 AND entity = $2 AND external_id = $3 RETURNING version`,
      [integration.id, change.entity, change.externalId, JSON.stringify(data)],
    );
    const version = updated.rows[0]?.version ?? row.version + 1;
    await appendEvents(tx, [
      {
        type: `${canonicalType}.updated`,
        source: integrationSource(integration.id),
        subject: `${change.entity}/${change.externalId}`,
        data: {
          integrationId: integration.id,
          entity: change.entity,
          externalId: change.externalId,
          version,
          origin: 'hub',
          changed: leafFields(change.patch),
          record: data,
        },
        integrationId: integration.id,
        traceId,
      },
    ]);
    await recordAudit(tx, actor, {
      action: 'record.changed',
      targetType: 'record',
      targetId: `${integration.id}/${change.entity}/${change.externalId}`,
      changes: { fields: leafFields(change.patch) },
      traceId,
    });
    return { record: { data, version, writeState: 'pending' }, runQueued: true };
  });
}

/** The dotted canonical fields a merge patch sets or removes. */
function leafFields(patch: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(patch).flatMap(([key, value]) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? leafFields(value as Record<string, unknown>, `${prefix}${key}.`)
      : [`${prefix}${key}`],
  );
}
