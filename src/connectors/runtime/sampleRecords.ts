// A few records of one entity straight from the source, for the setup wizard's mapping step:
// the first batch of a full pass, then the pass is stopped. Nothing is stored.
import type { StoredIntegration } from '../../registry/integrationsTable.ts';
import type { ConnectorRuntime } from './connectorRuntime.ts';

const SAMPLE_TIMEOUT_MS = 20_000;

export async function sampleRecords(
  runtime: ConnectorRuntime,
  integration: StoredIntegration,
  request: { entity: string; limit: number; traceId?: string; signal?: AbortSignal },
): Promise<{ externalId: string; data: unknown }[]> {
  const live = await runtime.adapterFor(integration, { traceId: request.traceId, maxWaitMs: 5_000 });
  const signal = AbortSignal.any([
    AbortSignal.timeout(SAMPLE_TIMEOUT_MS),
    ...(request.signal ? [request.signal] : []),
  ]);
  await live.adapter.connect();
  try {
    const batches = live.adapter.sync({ entity: request.entity, mode: 'full', state: {}, signal });
    for await (const batch of batches) {
      const records = batch.records.filter((record) => !record.deleted);
      if (records.length === 0 && !batch.final) continue;
      // Leaving the loop calls the iterator's return(): the adapter stops paging.
      return records.slice(0, request.limit).map(({ externalId, data }) => ({ externalId, data }));
    }
    return [];
  } finally {
    await live.adapter.disconnect();
  }
}
