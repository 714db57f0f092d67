// Health checks: one integration's (also the probe of an integration in error), and
// healthCheckAll, which checks every active or failing integration in parallel and moves its
// status between `active` and `error` by what it finds.
import type { ConnectorRuntime } from '../connectors/runtime/connectorRuntime.ts';
import type { ConnectionResult } from '../connectors/sdk/connectorDefinition.ts';
import { type Pool, withTransaction } from '../db/pool.ts';
import type { Logger } from '../observability/logger.ts';
import { findIntegration, type StoredIntegration } from '../registry/integrationsTable.ts';
import { markFailing, markHealthy, recordHealthCheck } from './integrationHealth.ts';
import { requestRun } from './runRequests.ts';
import type { SyncQueue } from './syncQueue.ts';

export interface HealthCheckDependencies {
  pool: Pool;
  runtime: ConnectorRuntime;
  queue: SyncQueue;
  logger: Logger;
}

export interface HealthCheckResult extends ConnectionResult {
  integrationId: string;
  name: string;
  status: 'active' | 'inactive' | 'error';
  statusReason: string | null;
  checkedAt: string;
}

const CHECK_TIMEOUT_MS = 15_000;

export async function checkIntegration(
  deps: HealthCheckDependencies,
  integration: StoredIntegration,
): Promise<HealthCheckResult> {
  let result: ConnectionResult;
  try {
    const live = await deps.runtime.adapterFor(integration, { maxWaitMs: 5_000 });
    result = await live.adapter.healthCheck(AbortSignal.timeout(CHECK_TIMEOUT_MS));
    result = { ...result, message: live.redactor.text(result.message) };
  } catch (error) {
    result = { ok: false, message: (error as Error).message, latencyMs: 0 };
  }
  await recordHealthCheck(deps.pool, integration.id, result);
  if (result.ok && integration.status === 'error') {
    // The source is back: fresh connections and a closed circuit, then a run to catch up.
    deps.runtime.forget(integration.id);
    await withTransaction(deps.pool, async (tx) => {
      if (await markHealthy(tx, integration.id)) {
        await requestRun(tx, deps.queue, {
          integrationId: integration.id,
          trigger: 'recovery',
          mode: 'incremental',
          entities: integration.entities,
        });
      }
    });
    deps.logger.info({ integrationId: integration.id }, 'integration recovered');
  } else if (!result.ok && integration.status !== 'inactive') {
    const kind = result.httpStatus === 401 || result.httpStatus === 403 ? 'auth' : 'transient';
    await withTransaction(deps.pool, (tx) =>
      markFailing(tx, integration.id, { kind, message: result.message }),
    );
  }
  const after = (await findIntegration(deps.pool, integration.id)) ?? integration;
  return {
    ...result,
    integrationId: integration.id,
    name: integration.name,
    status: after.status,
    statusReason: after.statusReason,
    checkedAt: new Date().toISOString(),
  };
}

export async function healthCheckAll(
  deps: HealthCheckDependencies,
  concurrency = 8,
): Promise<HealthCheckResult[]> {
  const listed = await deps.pool.query<{ id: string }>(
    `SELECT id FROM integration_configs WHERE status = 'active' OR (status = 'error' AND NOT needs_attention)
      ORDER BY name`,
  );
  const results: HealthCheckResult[] = [];
  const queue = [...listed.rows];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const integration = await findIntegration(deps.pool, next.id);
      if (integration) results.push(await checkIntegration(deps, integration));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  return results.sort((a, b) => a.name.localeCompare(b.name));
}
