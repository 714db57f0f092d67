// Records a webhook carried, landed like a page of a sync: mapped, compared by content hash, and
// written with their record events, inside the caller's transaction. A lock per (integration,
// entity) keeps two webhooks of one integration from classifying the same record at once.
import type { ConnectorCatalog } from '../connectors/catalog.ts';
import type { SourceRecord } from '../connectors/sdk/adapter.ts';
import type { Queryable } from '../db/pool.ts';
import type { StoredIntegration } from '../registry/integrationsTable.ts';
import { resolveEntityMapping } from '../sync/entityMapping.ts';
import { mapBatch } from '../sync/mapBatch.ts';
import { classifyRecords, deleteRecords, type WriteTarget, writeRecords } from '../sync/recordStore.ts';

export interface LandedCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

/** The webhook's records cannot be mapped: retrying will not help until the mapping changes. */
export class UnmappableWebhookError extends Error {
  override name = 'UnmappableWebhookError';
}

export async function landWebhookRecords(
  tx: Queryable,
  catalog: ConnectorCatalog,
  integration: StoredIntegration,
  group: { entity: string; records: SourceRecord[] },
  traceId: string | undefined,
): Promise<LandedCounts> {
  const { entity } = group;
  const resolved = resolveEntityMapping(catalog, integration, entity);
  const mapped = mapBatch(group.records, resolved.mapping);
  if (mapped.failures.length > 0) {
    const problems = mapped.failures.flatMap((failure) =>
      failure.errors.map(
        (problem) => `${failure.externalId ?? '(no id)'} ${problem.field}: ${problem.message}`,
      ),
    );
    throw new UnmappableWebhookError(`${entity}: ${problems.slice(0, 5).join('; ')}`);
  }
  const target: WriteTarget = {
    integrationId: integration.id,
    entity,
    canonicalType: resolved.canonicalType,
    runId: null,
    traceId,
  };
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `records:${integration.id}:${entity}`,
  ]);
  const classified = await classifyRecords(tx, target, mapped.records);
  const written = await writeRecords(tx, target, classified.changed);
  const deleted = await deleteRecords(tx, target, mapped.deletions);
  return {
    created: written.created,
    updated: written.updated,
    unchanged: classified.unchanged,
    deleted: deleted.deleted,
  };
}
