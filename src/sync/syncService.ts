// The sync engine as the API sees it: start runs, read runs, status, records, logs, health and
// reports. Routes call this; the SQL lives in the tables' modules.
import type { Principal } from '../access/principal.ts';
import { recordAudit } from '../audit/recordAudit.ts';
import type { ConnectorRuntime } from '../connectors/runtime/connectorRuntime.ts';
import { type Pool, withTransaction } from '../db/pool.ts';
import { HubError, notFound } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { findIntegration, type StoredIntegration } from '../registry/integrationsTable.ts';
import { dayIn, generateDailyReports, listDailyReports } from './dailyReport.ts';
import { checkIntegration, healthCheckAll } from './healthChecks.ts';
import { listFailures } from './recordFailures.ts';
import { requestRun } from './runRequests.ts';
import type { SyncQueue } from './syncQueue.ts';
import { findRun, listRuns, type RunState } from './syncRunsTable.ts';
import { listSyncStatus } from './syncStatusTable.ts';

export interface SyncServiceDependencies {
  pool: Pool;
  queue: SyncQueue;
  runtime: ConnectorRuntime;
  logger: Logger;
  reportTimezone: string;
}

export interface SyncRequestBody {
  entities?: string[] | undefined;
  full?: boolean | undefined;
}

export class SyncService {
  readonly #deps: SyncServiceDependencies;

  constructor(deps: SyncServiceDependencies) {
    this.#deps = deps;
  }

  async requestSync(integrationId: string, body: SyncRequestBody, actor: Principal, traceId: string) {
    const integration = await this.#integration(integrationId);
    if (integration.status === 'inactive') {
      throw new HubError(
        'conflict',
        'INTEGRATION_PAUSED',
        `integration ${integrationId} is paused; resume it first`,
      );
    }
    const entities = body.entities ?? integration.entities;
    const unknown = entities
      .map((entity, index) => ({ entity, index }))
      .filter((item) => !integration.entities.includes(item.entity));
    if (unknown.length > 0) {
      throw new HubError(
        'validation',
        'UNKNOWN_ENTITY',
        `entities: ${unknown.map((item) => `"${item.entity}"`).join(', ')} not synced by this integration (${integration.entities.join(', ')})`,
        {
          fields: unknown.map((item) => ({
            field: `entities.${item.index}`,
            message: `"${item.entity}" is not an entity of this integration`,
          })),
        },
      );
    }
    if (entities.length === 0) {
      throw new HubError('validation', 'NO_ENTITIES', 'entities: the integration syncs no entities', {
        fields: [{ field: 'entities', message: 'must name at least one entity' }],
      });
    }
    return withTransaction(this.#deps.pool, async (tx) => {
      const requested = await requestRun(tx, this.#deps.queue, {
        integrationId,
        trigger: 'manual',
        mode: body.full ? 'full' : 'incremental',
        entities: [...new Set(entities)],
        requestedBy: actor.id,
        traceId,
      });
      if (requested.created) {
        await recordAudit(tx, actor, {
          action: 'integration.sync_requested',
          targetType: 'integration',
          targetId: integrationId,
          changes: { runId: requested.run.id, entities, full: body.full === true },
          traceId,
        });
      }
      return requested;
    });
  }

  async run(runId: string) {
    const run = await findRun(this.#deps.pool, runId);
    if (!run) throw notFound('sync run', runId);
    return run;
  }

  async runs(
    integrationId: string,
    query: {
      state?: RunState | undefined;
      limit: number;
      before?: { queuedAt: Date; id: string } | undefined;
    },
  ) {
    await this.#integration(integrationId);
    return listRuns(this.#deps.pool, { integrationId, ...query });
  }

  async failures(runId: string, limit: number, after: number | undefined) {
    await this.run(runId);
    return listFailures(this.#deps.pool, runId, limit, after);
  }

  async status(integrationId: string) {
    const integration = await this.#integration(integrationId);
    const entities = await listSyncStatus(this.#deps.pool, integrationId);
    return {
      integrationId,
      status: integration.status,
      statusReason: integration.statusReason,
      entities: entities.map((row) => ({
        entity: row.entity,
        lastSyncAt: row.lastSyncAt?.toISOString() ?? null,
        nextSyncAt:
          integration.status === 'active' && integration.schedule.enabled
            ? (row.nextSyncAt?.toISOString() ?? null)
            : null,
        cursor: row.syncState.connector,
        recordsSynced: row.recordsSynced,
        errorsCount: row.errorsCount,
        lastError: row.lastError,
      })),
    };
  }

  async records(
    integrationId: string,
    entity: string,
    query: {
      updatedSince?: Date | undefined;
      includeDeleted: boolean;
      limit: number;
      after?: { updatedAt: string; externalId: string } | undefined;
    },
  ) {
    await this.#integration(integrationId);
    const result = await this.#deps.pool.query<{
      externalId: string;
      canonicalType: string;
      data: unknown;
      version: number;
      deletedAt: Date | null;
      createdAt: Date;
      updatedAt: Date;
      cursorAt: string;
    }>(
      `SELECT external_id AS "externalId", canonical_type AS "canonicalType", data, version, deleted_at AS "deletedAt",
              created_at AS "createdAt", updated_at AS "updatedAt",
              to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt"
         FROM synced_records
        WHERE integration_id = $1 AND entity = $2 AND ($3::timestamptz IS NULL OR updated_at > $3)
          AND ($4 OR deleted_at IS NULL)
          AND ($5::timestamptz IS NULL OR (updated_at, external_id) > ($5::timestamptz, $6::text))
        ORDER BY updated_at, external_id LIMIT $7`,
      [
        integrationId,
        entity,
        query.updatedSince ?? null,
        query.includeDeleted,
        query.after?.updatedAt ?? null,
        query.after?.externalId ?? null,
        query.limit,
      ],
    );
    return result.rows;
  }

  async logs(integrationId: string, limit: number, before: { createdAt: string; id: string } | undefined) {
    await this.#integration(integrationId);
    const result = await this.#deps.pool.query(
      `SELECT id, event_type AS "eventType", status, method, url, http_status AS "httpStatus",
              request_data AS "requestData", response_data AS "responseData", error_details AS "errorDetails",
              duration_ms AS "durationMs", trace_id AS "traceId", created_at AS "createdAt",
              to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt"
         FROM integration_logs
        WHERE integration_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [integrationId, before?.createdAt ?? null, before?.id ?? null, limit],
    );
    return result.rows as { id: string; cursorAt: string }[];
  }

  async healthCheck(integrationId: string) {
    const integration = await this.#integration(integrationId);
    return checkIntegration(this.#deps, integration);
  }

  healthCheckAll() {
    return healthCheckAll(this.#deps);
  }

  reports(integrationId: string, limit: number) {
    return this.#integration(integrationId).then(() =>
      listDailyReports(this.#deps.pool, integrationId, limit),
    );
  }

  generateReports(day: string | undefined) {
    return generateDailyReports(
      this.#deps.pool,
      day ?? dayIn(this.#deps.reportTimezone),
      this.#deps.reportTimezone,
    );
  }

  async #integration(id: string): Promise<StoredIntegration> {
    const integration = await findIntegration(this.#deps.pool, id);
    if (!integration) throw notFound('integration', id);
    return integration;
  }
}
