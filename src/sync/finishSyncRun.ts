// Closing a sync run: its state from what failed and what landed, its counts in the metrics, the
// integration's health, and the `integration.sync_completed` event, in one transaction.

import type { ConnectorError } from '../connectors/sdk/connectorError.ts';
import { type Pool, withTransaction } from '../db/pool.ts';
import { appendEvents, integrationSource } from '../events/outbox.ts';
import type { StoredIntegration } from '../registry/integrationsTable.ts';
import { type Failure, markFailing, markHealthy } from './integrationHealth.ts';
import type { SyncRunnerDependencies } from './syncRunner.ts';
import { finishRun, LeaseLostError, type SyncRun } from './syncRunsTable.ts';

export async function finishSyncRun(
  deps: Pick<SyncRunnerDependencies, 'pool' | 'metrics'>,
  run: SyncRun,
  integration: StoredIntegration,
  failures: { entity: string; failure: ConnectorError }[],
  traceId: string | undefined,
): Promise<SyncRun> {
  const first = failures[0]?.failure;
  // Partial only when some entity is in sync; entities never reached after a failure are not.
  const landed = await entitiesDone(deps.pool, run.id);
  const state = failures.length === 0 ? 'succeeded' : landed > 0 ? 'partial' : 'failed';
  return withTransaction(deps.pool, async (tx) => {
    const finished = await finishRun(tx, run.id, {
      state,
      error: first ? failures.map((item) => `${item.entity}: ${item.failure.message}`).join('; ') : undefined,
      errorKind: first?.kind,
    });
    if (!finished) throw new LeaseLostError(`run ${run.id} was finished elsewhere`);
    const { metrics } = deps;
    metrics.syncRuns.inc({ integration: integration.id, state });
    for (const outcome of ['created', 'updated', 'unchanged', 'deleted', 'failed'] as const) {
      if (finished[outcome] > 0)
        metrics.syncRecords.inc({ integration: integration.id, outcome }, finished[outcome]);
    }
    // A partial run whose failures are the entities' own (an endpoint that is missing) leaves the
    // integration active; anything else that failed says the integration itself is in trouble.
    if (first && !(state === 'partial' && failures.every((item) => item.failure.kind === 'permanent'))) {
      const failure: Failure = { kind: first.kind, message: first.message };
      await markFailing(tx, integration.id, failure, traceId);
    } else {
      await markHealthy(tx, integration.id, traceId);
    }
    await appendEvents(tx, [
      {
        type: 'integration.sync_completed',
        source: integrationSource(integration.id),
        integrationId: integration.id,
        traceId,
        data: {
          integrationId: integration.id,
          runId: run.id,
          state,
          counts: {
            fetched: finished.fetched,
            created: finished.created,
            updated: finished.updated,
            unchanged: finished.unchanged,
            deleted: finished.deleted,
            failed: finished.failed,
          },
          durationMs: finished.durationMs,
          ...(first ? { error: finished.error } : {}),
        },
      },
    ]);
    return finished;
  });
}

async function entitiesDone(pool: Pool, runId: string): Promise<number> {
  const result = await pool.query<{ done: number }>(
    `SELECT count(*)::int AS done FROM sync_runs, jsonb_each(progress) AS p(entity, value)
      WHERE id = $1 AND (value->>'done')::boolean`,
    [runId],
  );
  return result.rows[0]?.done ?? 0;
}
