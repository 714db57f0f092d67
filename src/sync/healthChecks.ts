// Health checks: one integration's (also the probe of an integration in error), and
// healthCheckAll, which checks every active or failing integration in parallel and moves its
// status between `active` and `error` by what it finds. An active integration goes to `error`
// only when a failure that could heal by itself is seen three times, a second apart.
import type { ConnectorRuntime } from '../connectors/runtime/connectorRuntime.ts';
import type { ConnectionResult } from '../connectors/sdk/connectorDefinition.ts';
import { type Pool, withTransaction } from '../db/pool.ts';
import type { Logger } from '../observability/logger.ts';
import { findIntegration, type StoredIntegration } from '../registry/integrationsTable.ts';
import {
  type Failure,
  markFailing,
  markHealthy,
  needsPerson,
  recordHealthCheck,
} from './integrationHealth.ts';
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
/** A failed check of an active integration is repeated this often before it counts. */
const CONFIRMATIONS = 2;
const CONFIRM_AFTER_MS = 1_000;

export async function checkIntegration(
  deps: HealthCheckDependencies,
  integration: StoredIntegration,
): Promise<HealthCheckResult> {
  let result = await checkOnce(deps, integration);
  // One failed request is what a source does on a bad day, and the runs retry it; an active
  // integration is only set to error by a failure that holds (probes of one in error do not wait).
  for (let repeat = 0; repeat < CONFIRMATIONS && !result.ok && integration.status === 'active'; repeat++) {
    if (!healsItself(result)) break;
    await new Promise((resolve) => setTimeout(resolve, CONFIRM_AFTER_MS));
    result = await checkOnce(deps, integration);
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
    await withTransaction(deps.pool, (tx) =>
      markFailing(tx, integration.id, { kind: failureKind(result), message: result.message }),
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

async function checkOnce(deps: HealthCheckDependencies, integration: StoredIntegration) {
  try {
    const live = await deps.runtime.adapterFor(integration, { maxWaitMs: 5_000 });
    const result = await live.adapter.healthCheck(AbortSignal.timeout(CHECK_TIMEOUT_MS));
    return { ...result, message: live.redactor.text(result.message) };
  } catch (error) {
    return { ok: false, message: (error as Error).message, latencyMs: 0 } satisfies ConnectionResult;
  }
}

/**
 * The kind the connector gave the failure, where it has one: a 403 can be a rate limit (Salesforce's
 * REQUEST_LIMIT_EXCEEDED, Google's usageLimits), which heals by itself, and not refused credentials.
 */
function failureKind(result: ConnectionResult): Failure['kind'] {
  // A check that is refused for good (a missing path) is still tried again by the probes.
  if (result.kind && result.kind !== 'permanent') return result.kind;
  return result.httpStatus === 401 || result.httpStatus === 403 ? 'auth' : 'transient';
}

function healsItself(result: ConnectionResult): boolean {
  return !needsPerson(failureKind(result));
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
