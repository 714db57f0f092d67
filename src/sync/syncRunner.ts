// Executes one sync run: claims its lease, syncs each entity (entitySync.ts), and finishes the
// run with its counts, the integration's status and the integration events. A killed worker
// loses at most the batch in flight; the next worker takes the lease over and resumes from the
// last committed checkpoint. A lost database is no failure of the run: it resumes from its
// checkpoint once the database is back. Each execution is a `sync.run` span of the trace kept on the run.
import { randomUUID } from 'node:crypto';
import type { ConnectorCatalog } from '../connectors/catalog.ts';
import type { ConnectorRuntime, LiveAdapter } from '../connectors/runtime/connectorRuntime.ts';
import { ConnectorError, toConnectorError } from '../connectors/sdk/connectorError.ts';
import { lostTheDatabase, retryThroughLoss } from '../db/connectionLoss.ts';
import type { Pool } from '../db/pool.ts';
import { appendEvents, integrationSource } from '../events/outbox.ts';
import type { Logger } from '../observability/logger.ts';
import type { HubMetrics } from '../observability/metrics.ts';
import { currentTraceContext, inSpan, type Span } from '../observability/tracing.ts';
import { findIntegration, type StoredIntegration } from '../registry/integrationsTable.ts';
import { resolveEntityMapping } from './entityMapping.ts';
import { syncEntity } from './entitySync.ts';
import { finishSyncRun } from './finishSyncRun.ts';
import { mappingFingerprint } from './mapBatch.ts';
import {
  adoptTrace,
  claimRun,
  finishRun,
  heartbeatRun,
  LEASE_SECONDS,
  LeaseLostError,
  markEntityFailed,
  markResuming,
  markWaiting,
  releaseRun,
  type SyncRun,
} from './syncRunsTable.ts';
import { recordEntityOutcome } from './syncStatusTable.ts';
import { reverseMapping } from './twoWay/reverseMapping.ts';
import { writeBackPending } from './twoWay/writeBack.ts';

export interface SyncRunnerDependencies {
  pool: Pool;
  runtime: ConnectorRuntime;
  catalog: ConnectorCatalog;
  logger: Logger;
  metrics: HubMetrics;
  /** How long a run sleeps through a rate limit before it checkpoints and waits instead. */
  maxWaitMs?: number;
}

export type RunOutcome =
  | { kind: 'finished'; run: SyncRun }
  | { kind: 'waiting'; resumeAt: Date }
  /** The process is shutting down: the run went back to the queue at its checkpoint. */
  | { kind: 'released' }
  | { kind: 'skipped'; reason: string };

const HEARTBEAT_MS = 5_000;
/**
 * A transient failure that outlasted its requests' retries pauses the run this many times (3 s,
 * then 6 s, then 12 s, each with jitter) before it fails: a short bad patch of the source costs a
 * pause, not a failed run, and the run resumes at its checkpoint.
 */
const RESUMES_AFTER_TRANSIENT = 3;
const RESUME_DELAY_MS = 3_000;

export class SyncRunner {
  readonly #deps: SyncRunnerDependencies;
  readonly #rateLimitEventAt = new Map<string, number>();

  constructor(deps: SyncRunnerDependencies) {
    this.#deps = deps;
  }

  async execute(runId: string, signal: AbortSignal): Promise<RunOutcome> {
    const lease = randomUUID();
    const claimed = await claimRun(this.#deps.pool, runId, lease);
    if (!claimed) return { kind: 'skipped', reason: 'the run is finished or another worker holds it' };
    const attributes = {
      'hub.integration.id': claimed.integrationId,
      'hub.sync.run_id': runId,
      'hub.sync.trigger': claimed.trigger,
      'hub.sync.mode': claimed.mode,
      'hub.sync.attempt': claimed.attempts,
    };
    return inSpan('sync.run', { parent: claimed, traceId: claimed.traceId, attributes }, async (span) => {
      const run = claimed.traceId ? claimed : await this.#adoptTrace(claimed, span);
      const outcome = await this.#execute(run, lease, signal);
      span.setAttribute('hub.sync.outcome', outcome.kind === 'finished' ? outcome.run.state : outcome.kind);
      return outcome;
    });
  }

  #adoptTrace(run: SyncRun, span: Span): Promise<SyncRun> {
    const { traceId } = span.spanContext();
    return adoptTrace(this.#deps.pool, run, traceId, currentTraceContext(traceId) ?? {});
  }

  async #execute(run: SyncRun, lease: string, signal: AbortSignal): Promise<RunOutcome> {
    const { pool, logger } = this.#deps;
    const runId = run.id;
    const log = logger.child({ runId, integrationId: run.integrationId });
    const integration = await findIntegration(pool, run.integrationId);
    if (!integration || integration.status === 'inactive') {
      const finished = await finishRun(pool, runId, {
        state: 'failed',
        error: integration ? 'the integration is paused' : 'the integration was deleted',
        errorKind: 'config',
      });
      return finished
        ? { kind: 'finished', run: finished }
        : { kind: 'skipped', reason: 'finished elsewhere' };
    }

    const lost = new AbortController();
    const heartbeat = setInterval(() => {
      heartbeatRun(pool, runId, lease)
        .then((held) => {
          if (!held) lost.abort(new LeaseLostError(`run ${runId}: the lease was taken over`));
        })
        .catch(() => {});
    }, HEARTBEAT_MS);
    const runSignal = AbortSignal.any([signal, lost.signal]);
    const traceId = run.traceId ?? undefined;
    let live: LiveAdapter | undefined;
    const failures: { entity: string; failure: ConnectorError }[] = [];
    try {
      if (run.attempts === 1) {
        await appendEvents(pool, [
          {
            type: 'integration.sync_started',
            source: integrationSource(integration.id),
            integrationId: integration.id,
            traceId,
            data: {
              integrationId: integration.id,
              runId,
              trigger: run.trigger,
              mode: run.mode,
              entities: run.entities,
            },
          },
        ]);
      }
      live = await this.#deps.runtime.adapterFor(integration, {
        traceId,
        maxWaitMs: this.#deps.maxWaitMs ?? 60_000,
        onRateLimited: (details) => this.#announceRateLimit(integration.id, details.retryAfterMs, traceId),
      });
      await live.adapter.connect();
      for (const entity of run.entities) {
        if (run.progress[entity]?.done) continue;
        try {
          await this.#syncEntity(run, lease, integration, live, entity, runSignal);
          await recordEntityOutcome(pool, integration.id, entity, undefined);
        } catch (error) {
          if (error instanceof LeaseLostError || runSignal.aborted) throw error;
          // The hub lost its database, not the source: no failure of the entity's.
          if (await lostTheDatabase(pool, error)) throw error;
          const failure = toConnectorError(error, entity);
          const resumeAt = waitUntil(failure, this.#deps.maxWaitMs ?? 60_000);
          if (resumeAt) {
            await markWaiting(pool, runId, resumeAt, live.redactor.text(failure.message));
            this.#announceRateLimit(integration.id, resumeAt.getTime() - Date.now(), traceId, true);
            log.info({ entity, resumeAt }, 'sync waits for the rate limit to refill');
            return { kind: 'waiting', resumeAt };
          }
          const message = live.redactor.text(failure.message);
          const resuming = await this.#resumeLater(run, failure, message);
          if (resuming) {
            log.info(
              { entity, resumeAt: resuming.resumeAt, error: message },
              'sync pauses after a transient failure',
            );
            return resuming;
          }
          failures.push({ entity, failure: new ConnectorError(failure.kind, message) });
          await markEntityFailed(pool, runId, entity, message);
          await recordEntityOutcome(pool, integration.id, entity, message);
          log.warn({ entity, kind: failure.kind, error: message }, 'entity sync failed');
          // Only a problem of this entity alone lets the others go on; an unreachable or refusing
          // source would fail them all the same way.
          if (failure.kind !== 'permanent') break;
        }
      }
      return { kind: 'finished', run: await finishSyncRun(this.#deps, run, integration, failures, traceId) };
    } catch (error) {
      if (signal.aborted && !lost.signal.aborted) {
        await releaseRun(pool, runId, lease);
        log.info('run released at its checkpoint for another worker');
        return { kind: 'released' };
      }
      if (error instanceof LeaseLostError || runSignal.aborted) {
        log.warn(
          { reason: String(runSignal.reason ?? error) },
          'run interrupted; it resumes from its checkpoint',
        );
        throw error;
      }
      if (await lostTheDatabase(pool, error)) return this.#handBackAfterLoss(runId, lease, signal, error);
      const failure = toConnectorError(error, 'sync');
      const message = live ? live.redactor.text(failure.message) : failure.message;
      const resuming = await this.#resumeLater(run, failure, message);
      if (resuming) {
        log.info({ resumeAt: resuming.resumeAt, error: message }, 'sync pauses after a transient failure');
        return resuming;
      }
      return {
        kind: 'finished',
        run: await finishSyncRun(
          this.#deps,
          run,
          integration,
          [{ entity: '*', failure: new ConnectorError(failure.kind, message) }],
          traceId,
        ),
      };
    } finally {
      clearInterval(heartbeat);
      await live?.adapter.disconnect().catch(() => {});
    }
  }

  async #resumeLater(
    run: SyncRun,
    failure: ConnectorError,
    message: string,
  ): Promise<{ kind: 'waiting'; resumeAt: Date } | undefined> {
    if (failure.kind !== 'transient' || run.resumes >= RESUMES_AFTER_TRANSIENT) return undefined;
    const delayMs = RESUME_DELAY_MS * 2 ** run.resumes;
    const resumeAt = new Date(Date.now() + Math.round(delayMs / 2 + Math.random() * (delayMs / 2)));
    await markResuming(this.#deps.pool, run.id, resumeAt, message);
    return { kind: 'waiting', resumeAt };
  }

  /**
   * The database was lost mid-run (a restart, a failover): once it answers again, the run goes
   * back to the queue at its last committed checkpoint. If it stays away longer than a lease, the
   * run is left to the scheduler, which hands runs with a stale heartbeat to a live worker.
   */
  async #handBackAfterLoss(
    runId: string,
    lease: string,
    signal: AbortSignal,
    error: unknown,
  ): Promise<RunOutcome> {
    const { pool, logger } = this.#deps;
    logger.warn(
      { runId, err: error },
      'run lost the database; it resumes from its checkpoint when it is back',
    );
    await retryThroughLoss(pool, () => releaseRun(pool, runId, lease), {
      timeoutMs: LEASE_SECONDS * 1000,
      signal,
    }).catch(() => {
      throw error;
    });
    return { kind: 'released' };
  }

  async #syncEntity(
    run: SyncRun,
    lease: string,
    integration: StoredIntegration,
    live: LiveAdapter,
    entity: string,
    signal: AbortSignal,
  ): Promise<void> {
    const capabilities = live.adapter.capabilities(entity);
    const { mapping, canonicalType, spec } = resolveEntityMapping(this.#deps.catalog, integration, entity);
    const fingerprint = mappingFingerprint(spec, canonicalType);
    if (integration.twoWay.enabled) {
      // The hub's own changes go out first; the sync after them then reads them back unchanged.
      const written = await writeBackPending({
        pool: this.#deps.pool,
        logger: this.#deps.logger,
        adapter: live.adapter,
        integrationId: integration.id,
        entity,
        canonicalType,
        mapping,
        reverse: reverseMapping(spec),
        twoWay: integration.twoWay,
        traceId: run.traceId ?? undefined,
        signal,
      });
      if (written.written + written.conflicts + written.waiting > 0) {
        this.#deps.logger.info(
          { integrationId: integration.id, entity, ...written },
          'hub changes written back',
        );
      }
    }
    await syncEntity({
      pool: this.#deps.pool,
      logger: this.#deps.logger,
      live,
      mapping,
      mappingFingerprint: fingerprint,
      lease,
      signal,
      mode: run.mode === 'incremental' && capabilities.incremental ? 'incremental' : 'full',
      target: {
        integrationId: integration.id,
        entity,
        canonicalType,
        runId: run.id,
        traceId: run.traceId ?? undefined,
      },
    });
  }

  #announceRateLimit(
    integrationId: string,
    retryAfterMs: number | undefined,
    traceId?: string,
    quota = false,
  ) {
    const last = this.#rateLimitEventAt.get(integrationId) ?? 0;
    if (Date.now() - last < 30_000) return;
    this.#rateLimitEventAt.set(integrationId, Date.now());
    appendEvents(this.#deps.pool, [
      {
        type: 'integration.rate_limited',
        source: integrationSource(integrationId),
        integrationId,
        traceId,
        data: { integrationId, retryAfterMs: retryAfterMs ?? null, quotaSpent: quota },
      },
    ]).catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'rate-limit event not written'));
  }
}

/** When a rate limit is too long to sleep through, the moment the run should resume. */
function waitUntil(failure: ConnectorError, maxWaitMs: number): Date | undefined {
  if (failure.quotaResetsAt) return failure.quotaResetsAt;
  if (
    failure.kind === 'rate_limited' &&
    failure.retryAfterMs !== undefined &&
    failure.retryAfterMs > maxWaitMs
  ) {
    return new Date(Date.now() + failure.retryAfterMs);
  }
  return undefined;
}
