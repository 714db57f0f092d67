// A person decides an open conflict: the whole record from one side, or field by field, or with
// values of their own. The result is written to the source (what differs from the source's current
// version) and stored in the hub, so both sides end up the same.
import type { Principal } from '../../access/principal.ts';
import { recordAudit } from '../../audit/recordAudit.ts';
import type { ConnectorCatalog } from '../../connectors/catalog.ts';
import type { ConnectorRuntime } from '../../connectors/runtime/connectorRuntime.ts';
import type { Pool } from '../../db/pool.ts';
import { withTransaction } from '../../db/pool.ts';
import { HubError, notFound } from '../../errors.ts';
import { appendEvents, integrationSource } from '../../events/outbox.ts';
import { setTarget } from '../../mapping/paths.ts';
import { findIntegration } from '../../registry/integrationsTable.ts';
import { resolveEntityMapping } from '../entityMapping.ts';
import { overlay } from './conflictPolicy.ts';
import { findConflict, markResolved } from './conflictsTable.ts';
import { changedFields, reverseMapping } from './reverseMapping.ts';
import { storeAgreedVersion } from './writeBack.ts';

export interface Resolution {
  use?: 'hub' | 'external' | undefined;
  fields?: Record<string, 'hub' | 'external'> | undefined;
  values?: Record<string, unknown> | undefined;
}

export async function resolveConflict(
  deps: { pool: Pool; catalog: ConnectorCatalog; runtime: ConnectorRuntime },
  conflictId: string,
  resolution: Resolution,
  actor: Principal,
  traceId: string,
) {
  return withTransaction(deps.pool, async (tx) => {
    const conflict = await findConflict(tx, conflictId, true);
    if (!conflict) throw notFound('conflict', conflictId);
    if (conflict.state !== 'open')
      throw new HubError('conflict', 'CONFLICT_RESOLVED', 'the conflict is already resolved');
    const integration = await findIntegration(tx, conflict.integrationId);
    if (!integration) throw notFound('integration', conflict.integrationId);
    const { mapping, canonicalType, spec } = resolveEntityMapping(deps.catalog, integration, conflict.entity);
    const reverse = reverseMapping(spec);
    const writable = [...reverse.writable.keys()];
    const named = [...Object.keys(resolution.fields ?? {}), ...Object.keys(resolution.values ?? {})];
    const unknown = named.find((field) => !reverse.writable.has(field));
    if (unknown) {
      throw new HubError('validation', 'FIELD_NOT_WRITABLE', `${unknown}: is not a field of this conflict`, {
        fields: [{ field: unknown, message: 'is not a field of this conflict' }],
      });
    }
    const undecided = conflict.contested.find(
      (field) => !resolution.use && !resolution.fields?.[field] && !(field in (resolution.values ?? {})),
    );
    if (undecided) {
      throw new HubError('validation', 'UNDECIDED_FIELD', `fields.${undecided}: choose hub or external`, {
        fields: [{ field: `fields.${undecided}`, message: 'choose hub or external' }],
      });
    }
    const live = await deps.runtime.adapterFor(integration, { traceId, maxWaitMs: 5_000 });
    const adapter = live.adapter;
    if (!adapter.read || !adapter.write) {
      throw new HubError(
        'validation',
        'NOT_WRITABLE',
        `connector ${integration.connector} cannot write back`,
      );
    }
    await tx.query(
      `SELECT 1 FROM synced_records WHERE integration_id = $1 AND entity = $2 AND external_id = $3 FOR UPDATE`,
      [conflict.integrationId, conflict.entity, conflict.externalId],
    );
    const signal = AbortSignal.timeout(60_000);
    const current = await adapter.read(conflict.entity, conflict.externalId, signal);
    if (!current) throw new HubError('conflict', 'RECORD_GONE', 'the record no longer exists in the source');
    const mapped = mapping.map(current.data);
    if (!mapped.ok) throw new HubError('conflict', 'UNMAPPABLE', "the source's record does not map any more");
    // The source may have moved on since the conflict was found: its current version is the base of the result.
    const external = mapped.record as Record<string, unknown>;
    const hubOnly = changedFields(writable, conflict.base, conflict.hub);
    let result =
      resolution.use === 'external'
        ? external
        : overlay(external, conflict.hub, resolution.use === 'hub' ? writable : hubOnly);
    for (const [field, side] of Object.entries(resolution.fields ?? {})) {
      result = overlay(result, side === 'hub' ? conflict.hub : external, [field]);
    }
    for (const [field, value] of Object.entries(resolution.values ?? {})) {
      result = structuredClone(result);
      setTarget(result, field.split('.'), value);
    }
    const stored = await storeAgreedVersion(
      tx,
      {
        adapter,
        integrationId: integration.id,
        entity: conflict.entity,
        canonicalType,
        mapping,
        reverse,
        traceId,
        signal,
      },
      conflict.externalId,
      conflict.hub,
      external,
      result,
    );
    const winner = resolution.use && !resolution.fields && !resolution.values ? resolution.use : 'merged';
    await markResolved(tx, conflict.id, winner, stored, `${actor.kind}:${actor.name}`);
    await recordAudit(tx, actor, {
      action: 'conflict.resolved',
      targetType: 'conflict',
      targetId: conflict.id,
      changes: { winner, fields: resolution.fields ?? {}, valuesFor: Object.keys(resolution.values ?? {}) },
      traceId,
    });
    await appendEvents(tx, [
      {
        type: 'integration.conflict_resolved',
        source: integrationSource(integration.id),
        subject: `${conflict.entity}/${conflict.externalId}`,
        data: { conflictId: conflict.id, winner, record: stored },
        integrationId: integration.id,
        traceId,
      },
    ]);
    return { ...conflict, state: 'resolved' as const, winner, result: stored };
  });
}
